"""The checks that exercise notebooks call, and what they say when an answer is wrong.

A *check* (:class:`Check`) knows the reference implementation of one exercise, how to
draw test cases (fixed ones from the book plus fresh random ones), how to compare an
answer with the reference, and which typical mistakes to diagnose. A check cell in a
notebook is one line::

    grading.check("02.jacobian", numerical_jacobian)

It runs the student's function on every case and prints either a short confirmation or a
precise verdict — which case, expected vs got, the largest difference and where, and a
hint — before raising ``AssertionError``. A stub that still raises ``NotImplementedError``
is reported as not implemented yet, and the ``NotImplementedError`` is re-raised.

Checks are registered by the topic modules of this package (``grading/calculus.py`` for
chapter 2, …); they are found by id, so a notebook never imports the reference itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Case",
    "Check",
    "Failure",
    "Verdict",
    "register",
    "get",
    "all_checks",
    "run",
    "check",
    "compare_arrays",
    "compare_equal",
]


@dataclass(frozen=True)
class Case:
    """One input to a student's function: ``fn(*args, **kwargs)``, described by ``label``."""

    args: tuple[Any, ...]
    label: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """Why an answer differs from the reference on one case."""

    summary: str
    hint: str = ""


Comparator = Callable[[Any, Any], "Failure | None"]
Diagnosis = Callable[[Any, Any, Case], "str | None"]


@dataclass(frozen=True)
class Check:
    """An auto-graded exercise: the reference, the cases, the comparison and the hints.

    ``cases(rng)`` must return the same cases for the same generator state, so a grader
    can redraw in its own process exactly what the student's function was run on.
    ``diagnoses`` map (got, expected, case) to a hint about a typical mistake, or None.
    A check without a ``reference`` judges the answer alone (e.g. an accuracy target):
    its ``compare`` receives ``expected=None``.
    ``reference_names`` are the dlcourse functions that solve the exercise outright: a
    submission that calls them is taking a shortcut. ``call`` (optional) says how to
    apply a function to a case when the arguments must be built afresh for each call
    (e.g. a model that training would otherwise modify); graders use :meth:`apply`.
    """

    id: str
    function: str
    reference: Callable[..., Any] | None
    cases: Callable[[np.random.Generator], Sequence[Case]]
    compare: Comparator
    diagnoses: Sequence[Diagnosis] = ()
    hint: str = ""
    reference_names: Sequence[str] = ()
    call: "Callable[[Callable[..., Any], Case], Any] | None" = None

    def apply(self, fn: Callable[..., Any], case: Case) -> Any:
        """``fn`` on one case: ``fn(*case.args, **case.kwargs)``, or through ``call`` when the
        exercise needs fresh objects built for each call (a model, an optimizer)."""
        if self.call is not None:
            return self.call(fn, case)
        return fn(*case.args, **case.kwargs)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: passed, or the first failing case and why."""

    check_id: str
    passed: bool
    n_cases: int
    message: str
    not_implemented: bool = False


_REGISTRY: dict[str, Check] = {}
_LOADED = False


def register(check: Check) -> Check:
    """Add a check to the registry; ids are unique (``"NN.name"``, NN the chapter)."""
    if check.id in _REGISTRY and _REGISTRY[check.id] is not check:
        raise ValueError(f"a check with id {check.id!r} is already registered")
    _REGISTRY[check.id] = check
    return check


def _load_topics() -> None:
    """Import every topic module of this package once, so that their checks register."""
    global _LOADED
    if _LOADED:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name not in {"cli", "grader"}:
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def get(check_id: str) -> Check:
    """The registered check with this id; an unknown id names the known ones."""
    _load_topics()
    try:
        return _REGISTRY[check_id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(f"unknown check {check_id!r}; known checks: {known}") from None


def all_checks() -> dict[str, Check]:
    """Every registered check, by id."""
    _load_topics()
    return dict(_REGISTRY)


# ----------------------------------------------------------------------------- comparing
def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=5, suppress_small=True, max_line_width=100)
    return repr(v)


def compare_arrays(rtol: float = 1e-7, atol: float = 1e-9) -> Comparator:
    """A comparator for numbers and arrays: same shape, then |got − expected| ≤ atol + rtol·|expected|.

    On a mismatch the summary names the element with the largest difference.
    """

    def compare(got: Any, expected: Any) -> Failure | None:
        exp = np.asarray(expected, dtype=np.float64)
        try:
            g = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return Failure(f"expected a number or array of shape {exp.shape}, got {got!r}")
        if g.shape != exp.shape:
            return Failure(f"expected shape {exp.shape}, got shape {g.shape}")
        if not np.all(np.isfinite(g)):
            if g.ndim == 0:
                return Failure(f"expected {_fmt(float(exp))}, got {float(g)}")
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
            return Failure(f"got NaN or inf at element {list(where)}")
        diff = np.abs(g - exp)
        bad = diff > atol + rtol * np.abs(exp)
        if not bad.any():
            return None
        if exp.ndim == 0:
            return Failure(f"expected {_fmt(float(exp))}, got {_fmt(float(g))}")
        idx = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), exp.shape)
        where = list(int(i) for i in idx)
        return Failure(
            f"at element {where} expected {_fmt(exp[idx])}, got {_fmt(g[idx])} "
            f"(|difference| {diff[idx]:.3g}; {int(bad.sum())} of {exp.size} elements wrong)"
        )

    return compare


def compare_equal(got: Any, expected: Any) -> Failure | None:
    """A comparator for exact answers (strings, labels, integers)."""
    if type(got) is not type(expected) or got != expected:
        return Failure(f"expected {expected!r}, got {got!r}")
    return None


# ----------------------------------------------------------------------------- running
def run(check_id: str, fn: Callable[..., Any], seed: int | None = None) -> Verdict:
    """Run ``fn`` on every case of a check and compare with the reference; prints nothing.

    ``seed=None`` draws fresh random cases each time (the fixed cases are always there).
    """
    chk = get(check_id)
    if not callable(fn):
        raise TypeError(f"{check_id}: expected your function {chk.function}, got {fn!r}")
    cases = list(chk.cases(np.random.default_rng(seed)))
    for number, case in enumerate(cases, start=1):
        try:
            got = chk.apply(fn, case)
        except NotImplementedError:
            return Verdict(
                check_id,
                False,
                len(cases),
                f"{chk.function} is not implemented yet: replace the "
                "`raise NotImplementedError` line with your code.",
                not_implemented=True,
            )
        except Exception as exc:  # the student's bug, reported as such
            return Verdict(
                check_id,
                False,
                len(cases),
                f"{chk.function} raised {type(exc).__name__}: {exc}\n  on case {number} "
                f"of {len(cases)}: {case.label}",
            )
        expected = None if chk.reference is None else chk.apply(chk.reference, case)
        failure = chk.compare(got, expected)
        if failure is None:
            continue
        hints = [h for d in chk.diagnoses if (h := d(got, expected, case))]
        hint = failure.hint or (hints[0] if hints else chk.hint)
        message = (
            f"{chk.function} is wrong on case {number} of {len(cases)}: {case.label}\n"
            f"  {failure.summary}"
        )
        if hint:
            message += f"\n  Hint: {hint}"
        return Verdict(check_id, False, len(cases), message)
    passed = "the case passes" if len(cases) == 1 else f"all {len(cases)} cases pass"
    return Verdict(check_id, True, len(cases), f"{chk.function}: {passed}.")


def check(check_id: str, fn: Callable[..., Any], seed: int | None = None) -> None:
    """The call in a check cell: print the verdict; raise if the answer is not right yet."""
    verdict = run(check_id, fn, seed)
    mark = "✓" if verdict.passed else "✗"
    print(f"{mark} [{check_id}] {verdict.message}")
    if verdict.not_implemented:
        raise NotImplementedError(verdict.message)
    if not verdict.passed:
        raise AssertionError(verdict.message)
