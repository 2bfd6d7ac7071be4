"""Rules that an exercise states, enforced while a check runs the student's function.

Some exercises forbid a tool that would solve them outright: chapter 4 asks for gradients
derived by hand (not ``torch.autograd``), chapter 5 for derivatives written with ``math``
(not ``torch.autograd``) and for a topological order written as an algorithm (not
``graphlib.TopologicalSorter``). The grader's static reading flags dlcourse's own reference
implementations; these rules cover tools outside dlcourse, at run time: while the
function runs, the forbidden entry points raise :class:`ShortcutError`, which the check
reports like any exception the answer raises ("… raised ShortcutError: …"), so the answer
gets no points. Everything is restored afterwards, and an answer that obeys the rule never
notices: the rules only replace what it must not call.

The patches reach the engine, not only the public names, so that an alias taken before the
call (``from torch.autograd import grad``) is caught as well: reverse mode of every kind
(``Tensor.backward``, ``torch.autograd.grad``, ``torch.autograd.functional``, ``torch.func``)
ends in ``torch.autograd._engine_run_backward``; forward mode (``forward_ad.make_dual``) in
``torch._functorch.predispatch._make_dual``.
"""

from __future__ import annotations

import contextlib
import copy
import sys
from typing import Any, Callable, Iterator

from . import Case

__all__ = ["ShortcutError", "forbidding", "run_forbidding", "AUTOGRAD", "GRAPHLIB",
           "watching_autograd", "requiring_autograd", "judged_by_autograd", "unwrapped"]

#: The rule "derive it by hand": no automatic differentiation by torch.
AUTOGRAD = "autograd"
#: The rule "write the algorithm": no library topological sort.
GRAPHLIB = "graphlib"

_MESSAGES = {
    AUTOGRAD: ("{what} computes the derivative for you; this exercise asks you to derive it by "
               "hand — write out the rule instead"),
    GRAPHLIB: ("{what} solves this exercise outright; write the algorithm yourself (place a node "
               "once all of its parents are placed)"),
}


class ShortcutError(RuntimeError):
    """Raised when an answer calls a tool that the exercise forbids."""


def _refuse(rule: str, what: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ShortcutError(_MESSAGES[rule].format(what=what))

    return refused


def _targets(rule: str) -> list[tuple[Any, str, str]]:
    """(object, attribute, what the student called) for each entry point a rule closes."""
    found: list[tuple[Any, str, str]] = []
    if rule == AUTOGRAD:
        torch = sys.modules.get("torch")
        if torch is None:
            return found
        autograd = sys.modules.get("torch.autograd")
        if autograd is not None and hasattr(autograd, "_engine_run_backward"):
            found.append((autograd, "_engine_run_backward", "torch.autograd (backward, grad)"))
        predispatch = sys.modules.get("torch._functorch.predispatch")
        if predispatch is None:
            with contextlib.suppress(Exception):
                import torch._functorch.predispatch as predispatch  # noqa: PLC0415 - only with torch
        if predispatch is not None and hasattr(predispatch, "_make_dual"):
            found.append((predispatch, "_make_dual", "torch's forward-mode AD (make_dual)"))
    elif rule == GRAPHLIB:
        import graphlib  # noqa: PLC0415 - standard library, small

        found.append((graphlib.TopologicalSorter, "__init__", "graphlib.TopologicalSorter"))
        dag = sys.modules.get("networkx.algorithms.dag")
        if dag is not None:
            for name in ("topological_generations", "lexicographical_topological_sort"):
                if hasattr(dag, name):
                    found.append((dag, name, f"networkx.{name}"))
    else:
        raise ValueError(f"unknown rule {rule!r}; known: {AUTOGRAD!r}, {GRAPHLIB!r}")
    return found


@contextlib.contextmanager
def forbidding(*rules: str) -> Iterator[None]:
    """While the block runs, the entry points of ``rules`` raise :class:`ShortcutError`."""
    saved: list[tuple[Any, str, Any]] = []
    try:
        for rule in rules:
            for obj, attr, what in _targets(rule):
                saved.append((obj, attr, obj.__dict__[attr] if isinstance(obj, type) else getattr(obj, attr)))
                setattr(obj, attr, _refuse(rule, what))
        yield
    finally:
        for obj, attr, original in reversed(saved):
            setattr(obj, attr, original)


def run_forbidding(*rules: str, copies: bool = True) -> Callable[[Callable[..., Any], Case], Any]:
    """A check's ``call``: ``fn`` on (deep copies of) the case's arguments, under ``rules``.

    torch may be imported by the answer itself, during the call; then the call is made once
    more, now that the rule can close torch's entry points, and that second result counts.
    """

    def call(fn: Callable[..., Any], case: Case) -> Any:
        def once() -> Any:
            args = copy.deepcopy(case.args) if copies else case.args
            kwargs = copy.deepcopy(case.kwargs) if copies else case.kwargs
            with forbidding(*rules):
                return fn(*args, **kwargs)

        had_torch = "torch" in sys.modules
        result = once()
        if AUTOGRAD in rules and not had_torch and "torch" in sys.modules:
            result = once()
        return result

    return call


# ------------------------------------------------------------------ the converse rule
# Chapter 1 asks for the opposite: gradients "computed by autograd", not derived by hand.
# The same engine entry points, wrapped to count instead of refusing, tell whether the
# answer used automatic differentiation at all.
@contextlib.contextmanager
def watching_autograd() -> Iterator[list[int]]:
    """Count the runs of torch's reverse and forward modes while the block runs.

    Yields a one-element list holding the count (-1 when this torch has none of the entry
    points, so that nothing can be told: a check then accepts the answer).
    """
    count = [0]
    saved: list[tuple[Any, str, Any]] = []
    try:
        for obj, attr, _what in _targets(AUTOGRAD):
            original = getattr(obj, attr)

            def counted(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
                count[0] += 1
                return _original(*args, **kwargs)

            saved.append((obj, attr, original))
            setattr(obj, attr, counted)
        if not saved:
            count[0] = -1
        yield count
    finally:
        for obj, attr, original in reversed(saved):
            setattr(obj, attr, original)


def requiring_autograd(
    call: Callable[[Callable[..., Any], Case], Any] | None = None,
) -> Callable[[Callable[..., Any], Case], dict[str, Any]]:
    """A check's ``call`` that also records whether the answer ran torch's autograd.

    Returns ``{"value": what fn returned, "autograd": True/False}``; :func:`judged_by_autograd`
    and :func:`unwrapped` read it. ``call`` is the check's own call (default: the plain call).
    """

    def wrapped(fn: Callable[..., Any], case: Case) -> dict[str, Any]:
        with watching_autograd() as count:
            value = call(fn, case) if call is not None else fn(*case.args, **case.kwargs)
        return {"value": value, "autograd": count[0] != 0}

    return wrapped


def judged_by_autograd(compare: Callable[[Any, Any], Any], message: str, hint: str,
                       needed: Callable[[Any], bool] = lambda expected: True) -> Callable[[Any, Any], Any]:
    """``compare`` on the values of :func:`requiring_autograd`; right numbers without autograd
    fail with ``message`` where ``needed(expected value)`` says that autograd had work to do."""
    from . import Failure

    def judged(got: Any, expected: Any) -> Any:
        value = got.get("value") if isinstance(got, dict) else got
        failure = compare(value, expected["value"])
        if failure is None and isinstance(got, dict) and got.get("autograd") is False \
                and needed(expected["value"]):
            return Failure(message, hint)
        return failure

    return judged


def unwrapped(diagnosis: Callable[[Any, Any, Case], "str | None"]) -> Callable[[Any, Any, Case], "str | None"]:
    """A diagnosis of the values that a wrapping ``call`` returns as ``{"value": …, …}``
    (:func:`requiring_autograd`, :func:`dlcourse.checks.calculus.guarding_arguments`)."""

    def wrapped(got: Any, expected: Any, case: Case) -> str | None:
        value = got.get("value") if isinstance(got, dict) else got
        return diagnosis(value, expected["value"], case)

    wrapped.__name__ = getattr(diagnosis, "__name__", "diagnosis")
    return wrapped
