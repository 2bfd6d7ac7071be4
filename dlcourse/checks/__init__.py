"""The checks that exercise notebooks call, and what they say when an answer is wrong.

A *check* (:class:`Check`) knows the reference implementation of one exercise, how to
draw test cases (fixed ones from the book plus fresh random ones), how to compare an
answer with the reference, and which typical mistakes to diagnose. A check cell in a
notebook is one line::

    checks.check("02.jacobian", numerical_jacobian)

It runs the student's function on every case and prints either a short confirmation or a
precise verdict — which case, expected vs got, the largest difference and where, and a
hint — then, on failure, raises :class:`CheckFailed` (an ``AssertionError``) which Jupyter
shows as one line pointing at the verdict, so the feedback appears once. A stub that still
raises ``NotImplementedError`` is reported as not implemented yet and
:class:`NotImplementedYet` (a ``NotImplementedError``) is raised.

Precision: comparators take ``precision="float64"`` (every answer at the check's
tolerance; a float32 answer that fails is told "your result is float32; compute in
float64") or ``precision="dtype"`` (a float32 answer — numpy, torch, or a list of them —
is judged at float32 precision, :data:`FLOAT32_RTOL`); :func:`dtype_of` tells them apart.

Checks are registered by the topic modules of this package (``checks/calculus.py`` for
chapter 2, …); they are found by id, so a notebook never imports the reference itself.
The helpers they share are defined here: comparators (:func:`compare_arrays`,
:func:`compare_trajectories`, …), :func:`on_copies` for their ``call``, and the small tools
of diagnoses (:func:`as_float_array`, :func:`close`, …).
"""

from __future__ import annotations

import copy
import importlib
import math
import pkgutil
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

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
    "CheckFailed",
    "NotImplementedYet",
    "FLOAT32_RTOL",
    "float32_exact",
    "lists_as_float32",
    "judge_plain_floats_by_value",
    "dtype_of",
    "is_float32",
    "compare_arrays",
    "compare_equal",
    "compare_named",
    "compare_trajectories",
    "on_copies",
    "as_float_array",
    "as_number",
    "close",
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


# ----------------------------------------------------------------------------- precision
#: Relative tolerance at which a float32 answer is judged where a check accepts float32
#: (``precision="dtype"``): about 84 units in the last place of float32 (ε₃₂ ≈ 1.19e-7),
#: room for the rounding of a few dozen float32 operations, yet ≫ apart from the slips the
#: diagnoses look for (a sign, a factor, an off-by-one), which are wrong by percents.
FLOAT32_RTOL = 1e-5

_PRECISIONS = ("float64", "dtype")
_LOW_PRECISION = {"float32", "float16", "bfloat16", "complex64"}


def _torch_module() -> Any:
    """torch when it is already imported (by the student or the grader), else None."""
    return sys.modules.get("torch")


def dtype_of(value: Any) -> str | None:
    """The dtype name of a numeric answer: ``"float32"``, ``"float64"``, ``"int64"``, …, or None.

    numpy arrays and scalars, torch tensors (torch is not imported for this: a tensor can
    only exist once torch is loaded), Python numbers (a ``float`` is ``"float64"``) and
    lists or tuples of them; a sequence mixing float precisions has the lowest of them (its
    error is that of its least precise part). None for what is not numeric.
    """
    torch = _torch_module()
    if torch is not None and isinstance(value, torch.Tensor):
        return str(value.dtype).removeprefix("torch.")
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype.name
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, complex):
        return "complex128"
    if isinstance(value, (list, tuple)):
        names = [dtype_of(v) for v in value]
        if any(n is None for n in names):
            return None
        low = [n for n in names if n in _LOW_PRECISION]
        if low:
            return low[0]
        floats = [n for n in names if n and n.startswith(("float", "complex"))]
        return floats[0] if floats else (names[0] if names else "float64")
    try:  # anything else numpy can read, e.g. the grader's Opaque values
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - a diagnosis must not crash on odd answers
        return None
    return arr.dtype.name if arr.dtype.kind in "biufc" else None


def is_float32(value: Any) -> bool:
    """Whether ``value`` carries float32 (or lower: float16, bfloat16) precision."""
    return dtype_of(value) in _LOW_PRECISION


def _plain_leaves(value: Any, depth: int = 0) -> list[float] | None:
    """The numbers of a Python float or a (nested) list/tuple of Python numbers, else None.

    numpy and torch values carry their dtype (:func:`dtype_of` reads it): None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, (list, tuple)) and depth < 4:
        found: list[float] = []
        for item in value:
            leaves = _plain_leaves(item, depth + 1)
            if leaves is None:
                return None
            found += leaves
        return found
    return None


def float32_exact(value: Any) -> bool:
    """Whether ``value`` is a Python float, or a list of Python numbers, computed in float32.

    A float32 result turned into Python numbers (``tensor.item()``, ``float(x)``,
    ``.tolist()``) no longer tells its dtype, but its values still do: each is exactly a
    float32 number, which a float64 computation almost never gives (some float being
    needed, a list of integers does not count). The checks that accept float32 judge such
    an answer at float32 precision too.
    """
    leaves = _plain_leaves(value)
    if not leaves or all(v == int(v) for v in leaves if math.isfinite(v)):
        return False
    arr = np.asarray(leaves, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.all(np.isfinite(arr)) and np.array_equal(arr.astype(np.float32).astype(np.float64), arr))


def lists_as_float32(value: Any, *, parts: bool = False) -> Any:
    """``value`` as a float32 array when :func:`float32_exact` (each part of a tuple with ``parts``)."""
    if parts and isinstance(value, (list, tuple)):
        return type(value)(lists_as_float32(part) for part in value)
    if float32_exact(value):
        try:
            return np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError):  # a ragged list: let the comparator say what is wrong
            return value
    return value


def judge_plain_floats_by_value(compare: Comparator, *, parts: bool = False) -> Comparator:
    """``compare``, with Python floats of float32 values taken as float32 (:func:`lists_as_float32`):
    judged at float32 precision by a ``precision="dtype"`` comparator, told "compute in
    float64" by a ``precision="float64"`` one (which judges them at its own tolerance all the
    same)."""

    def judged(got: Any, expected: Any) -> Failure | None:
        return compare(lists_as_float32(got, parts=parts), expected)

    return judged


def _check_precision(precision: str) -> None:
    if precision not in _PRECISIONS:
        raise ValueError(f"precision must be one of {_PRECISIONS}, got {precision!r}")


def _tolerance(rtol: float, atol: float, low: bool, precision: str, float32_rtol: float,
               scale: Any) -> tuple[float, Any]:
    """(rtol, atol) for one comparison: the given ones, or at float32 precision.

    A float32 answer that the check accepts (``precision="dtype"``) is judged with
    rtol' = max(rtol, float32_rtol) and atol' = max(atol, float32_rtol·scale), scale the
    magnitude of the values it was computed from (the largest |expected|, 1 when all are
    0): rounding errors scale with the operands, so an element that cancels to ~0 keeps
    an error of about ε₃₂ times its operands, not ε₃₂ times itself.
    """
    if not (low and precision == "dtype"):
        return rtol, atol
    return max(rtol, float32_rtol), np.maximum(atol, float32_rtol * scale)


def _scale(exp: np.ndarray) -> float:
    finite = np.abs(exp[np.isfinite(exp)])
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else 1.0


def _precision_failure(summary: str, low: bool, precision: str, rtol: float,
                       hint: str = "") -> Failure:
    """The failure of a comparison, saying when the answer's float32 precision is the cause."""
    if low and precision == "float64":
        return Failure(
            f"your result is float32; compute in float64 — {summary}",
            hint or "this exercise needs float64 precision: use np.float64 arrays (the default "
                    "of np.array of Python floats) or torch.float64 tensors, not float32.")
    if low:
        return Failure(f"{summary}\n  (your result is float32: compared at float32 precision, "
                       f"rtol {rtol:.0e})", hint)
    return Failure(summary, hint)


# ----------------------------------------------------------------------------- comparing
def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    if isinstance(v, np.ndarray):
        return np.array2string(v, precision=5, suppress_small=True, max_line_width=100)
    return repr(v)


def _short_repr(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compare_arrays(rtol: float = 1e-7, atol: float = 1e-9, *, precision: str = "float64",
                   float32_rtol: float = FLOAT32_RTOL) -> Comparator:
    """A comparator for numbers and arrays: same shape, then |got − expected| ≤ atol + rtol·|expected|.

    ``precision`` says what the task needs: ``"float64"`` (the default) judges every answer
    at ``rtol``/``atol`` and tells a float32 answer that fails "your result is float32;
    compute in float64"; ``"dtype"`` judges a float32 answer (numpy, torch, or a list of
    them) at float32 precision (see :func:`_tolerance`, :data:`FLOAT32_RTOL`) and a float64
    one at ``rtol``/``atol``. On a mismatch the summary names the element with the largest
    difference, both numbers with enough digits to tell them apart.
    """
    _check_precision(precision)

    def compare(got: Any, expected: Any) -> Failure | None:
        exp = np.asarray(expected, dtype=np.float64)
        g = as_float_array(got)
        if g is None:
            return Failure(f"expected a number or array of shape {exp.shape}, got {_short_repr(got)}")
        if g.shape != exp.shape:
            return Failure(f"expected shape {exp.shape}, got shape {g.shape}")
        low = is_float32(got)
        if not np.all(np.isfinite(g)):
            if g.ndim == 0:
                return Failure(f"expected {_fmt(float(exp))}, got {float(g)}")
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
            return Failure(f"got NaN or inf at element {list(where)}")
        r, a = _tolerance(rtol, atol, low, precision, float32_rtol, _scale(exp))
        diff = np.abs(g - exp)
        bad = ~(diff <= a + r * np.abs(exp))
        if not bad.any():
            return None
        if exp.ndim == 0:
            e_txt, g_txt = _fmt_pair(float(exp), float(g))
            summary = f"expected {e_txt}, got {g_txt}"
            if low or abs(float(g) - float(exp)) < 1e-4 * max(abs(float(exp)), 1e-300):
                summary += f" (|difference| {float(diff):.3g})"
            return _precision_failure(summary, low, precision, r)
        idx = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), exp.shape)
        where = list(int(i) for i in idx)
        e_txt, g_txt = _fmt_pair(float(exp[idx]), float(g[idx]))
        summary = (f"at element {where} expected {e_txt}, got {g_txt} "
                   f"(|difference| {diff[idx]:.3g}; {int(bad.sum())} of {exp.size} elements wrong)")
        return _precision_failure(summary, low, precision, r)

    return compare


def compare_equal(got: Any, expected: Any) -> Failure | None:
    """A comparator for exact answers (strings, labels, integers)."""
    if type(got) is not type(expected) or got != expected:
        return Failure(f"expected {expected!r}, got {got!r}")
    return None


def compare_named(names: Iterable[str], got: Iterable[Any], expected: Iterable[Any],
                  rtol: float = 1e-7, atol: float = 1e-9, *, precision: str = "float64",
                  float32_rtol: float = FLOAT32_RTOL) -> Failure | None:
    """Compare an answer made of named parts (a tuple, a dict's values) with the expected parts.

    The parts are compared in the order of ``names`` with :func:`compare_arrays` (each at
    the ``precision`` it says, judged by the part's own dtype); the first wrong one ends
    the comparison, its name starting the summary (``"W2: at element [0, 3] expected …,
    got …"``). None when every part is right.
    """
    compare = compare_arrays(rtol, atol, precision=precision, float32_rtol=float32_rtol)
    for name, g, e in zip(names, got, expected):
        failure = compare(g, e)
        if failure is not None:
            return Failure(f"{name}: {failure.summary}", failure.hint)
    return None


def _fmt_pair(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with as many digits as it takes to tell them apart (at least 6)."""
    for digits in range(6, 18):
        e, g = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if e != g:
            return e, g
    return e, g


def _row(v: np.ndarray) -> str:
    return np.array2string(v, precision=6, suppress_small=True, max_line_width=100)


def compare_trajectories(rtol: float = 1e-9, atol: float = 1e-12, *,
                         against: str | None = None, precision: str = "float64",
                         float32_rtol: float = FLOAT32_RTOL) -> Comparator:
    """A comparator for iterates θ_0, θ_1, …, θ_T stored as one array of shape (T + 1, …).

    The shape first (one row per iterate, θ_0 included); then the first step t at which any
    element of θ_t differs by more than atol + rtol·|expected|. NaN and inf count as
    differences, so a diverging answer is located where it first blows up. The summary names
    the first differing element of θ_t and shows both rows (chapters 6 and 7): "your path
    differs at t = 3 in element [1]: expected …, got … (steps 0 … 2 agree)". Given the name of
    the reference, ``against`` (chapters 8 and 9), it names the element that differs most and
    counts the steps that differ: "your θ first differs from torch.optim.Adam's at step t = 3
    in element [1]: expected …, got … (|difference| …; 5 of the 100 steps differ)", and a
    wrong shape gets a hint when θ_0, or all but the last iterate, are missing.

    ``precision`` as for :func:`compare_arrays`; a float32 path accepted at float32 precision
    gets, at step t, atol' = max(atol, float32_rtol·s_t) with s_t the largest |θ| of the
    expected path up to step t (the operands that rounding errors were made relative to).
    """
    _check_precision(precision)

    def compare(got: Any, expected: Any) -> Failure | None:
        exp = np.asarray(expected, dtype=np.float64)
        g = as_float_array(got)
        if g is None or g.shape != exp.shape:
            return _path_shape_failure(got, g, exp, against)
        low = is_float32(got)
        if low and precision == "dtype" and exp.ndim >= 1 and len(exp):
            with np.errstate(invalid="ignore"):
                rows = np.nan_to_num(np.abs(exp), nan=0.0, posinf=0.0).reshape(len(exp), -1).max(axis=1)
            running = np.maximum.accumulate(rows)
            scale = np.where(running > 0, running, 1.0).reshape((len(exp),) + (1,) * (exp.ndim - 1))
        else:
            scale = 1.0
        r, a = _tolerance(rtol, atol, low, precision, float32_rtol, scale)
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(g - exp)
            bad = ~(diff <= a + r * np.abs(exp))  # NaN counts as bad
        if not bad.any():
            return None
        steps = np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))
        t = int(steps[0])
        if against is None:  # the first element of θ_t that differs
            k = int(np.flatnonzero(bad[t])[0])
        else:  # the element of θ_t that differs most
            k = int(np.argmax(np.where(bad[t], np.nan_to_num(diff[t], nan=np.inf), -1.0)))
        idx = np.unravel_index(k, exp.shape[1:])
        e, v = float(exp[t][idx]), float(g[t][idx])
        where = f" in element {[int(i) for i in idx]}" if idx else ""
        if not np.isfinite(v):
            e_txt, v_txt = _fmt(e), str(v)
        else:
            e_txt, v_txt = _fmt_pair(e, v)
        if against is None:
            agree = "" if t == 0 else " (θ_0 agrees)" if t == 1 else f" (steps 0 … {t - 1} agree)"
            summary = (f"your path differs at t = {t}{where}: expected {e_txt}, got {v_txt}"
                       f"{agree}\n  θ_{t} expected {_row(exp[t])}\n  θ_{t} got      {_row(g[t])}")
            return _precision_failure(summary, low, precision, r)
        start = f"your θ first differs from {against}'s at step t = {t}{where}"
        if not np.isfinite(v):
            return _precision_failure(f"{start}: expected {e_txt}, got {v_txt}", low, precision, r)
        return _precision_failure(
            f"{start}: expected {e_txt}, got {v_txt} (|difference| {abs(v - e):.3g}; "
            f"{len(steps)} of the {len(exp) - 1} steps differ)", low, precision, r)

    return compare


def _path_shape_failure(got: Any, g: np.ndarray | None, exp: np.ndarray,
                        against: str | None) -> Failure:
    """Why an answer to :func:`compare_trajectories` is no array of the path's shape."""
    T = len(exp) - 1
    if against is None:
        if g is None:
            return Failure(f"expected an array of shape {exp.shape} (one row θ_t for each "
                           f"t = 0, …, {T}), got {got!r}")
        return Failure(f"expected shape {exp.shape}: one row θ_t for each t = 0, 1, …, {T} "
                       f"(θ_0 included); got shape {g.shape}")
    wanted = f"expected the iterates θ_0 … θ_{T} as an array of shape {exp.shape}"
    if g is None:
        return Failure(f"{wanted}, got {got!r}")
    hint = ""
    if g.shape == exp.shape[1:]:
        hint = (f"return every iterate, not only the last: an array of shape {exp.shape}, "
                "row t holding θ_t.")
    elif g.shape == (T, *exp.shape[1:]):
        hint = f"include the starting point: row 0 is θ_0, row t is θ after t steps ({T + 1} rows)."
    return Failure(f"{wanted}, got shape {g.shape}", hint)


# ----------------------------------------------------------------------------- diagnosing
def on_copies(fn: Callable[..., Any], case: Case) -> Any:
    """``fn`` applied to deep copies of the case's arguments.

    The ``call`` of a check whose answers may work in place (``theta -= …``,
    ``params["W1"] -= …``): what they change is not what the reference then sees.
    """
    return fn(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` with torch tensors as numpy arrays (detached, on the CPU), lists item by item.

    What the grader records of an answer (its encoder detaches tensors and moves them to
    the CPU), so that a tensor that requires grad, or lives on a GPU, is judged alike in
    the student's kernel and in the grader.
    """
    torch = _torch_module()
    if torch is not None and isinstance(value, torch.Tensor):
        t = value.detach().to("cpu")
        if t.dtype in (torch.bfloat16, torch.float16):
            t = t.to(torch.float32)
        return t.resolve_conj().numpy()
    if isinstance(value, (list, tuple)) and depth < 16:
        return [_plain(v, depth + 1) for v in value]
    return value


def as_float_array(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array, or None when it is not numeric (a diagnosis must not crash).

    Torch tensors (also ones that require grad or live on a GPU) and lists of them convert.
    """
    try:
        return np.asarray(_plain(value), dtype=np.float64)
    except Exception:  # noqa: BLE001 - whatever the answer's __array__ raises
        return None


def as_number(value: Any) -> float | None:
    """``value`` as one float (a number, or an array of one element), or None when it is not."""
    arr = as_float_array(value)
    return None if arr is None or arr.size != 1 else float(arr.reshape(()))


def close(got: Any, target: Any, rtol: float = 1e-7, atol: float = 1e-10) -> bool:
    """Whether ``got`` has the shape of ``target`` and, all finite, its values to ``rtol``/``atol``.

    The test with which a diagnosis recognises a typical mistake: ``target`` is the answer
    that the mistake gives.
    """
    g, t = as_float_array(got), as_float_array(target)
    if g is None or t is None or g.shape != t.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.isfinite(g)) and np.allclose(g, t, rtol=rtol, atol=atol))


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


class _Shown:
    """Mixin of the exceptions a check cell raises: the verdict is printed once, above them.

    ``check`` prints the verdict ("✗ [id] …", the case, the numbers, the hint) and raises one
    of these; IPython (Jupyter, nbval, nbgrader) renders an exception through
    ``_render_traceback_`` when it has one, so the cell's error output is one line that points
    at the verdict instead of a traceback into this package that repeats it. The exception
    is still an error (``ename`` and ``evalue`` as usual, the message in ``evalue``), so
    nbgrader and nbval count the cell as failed, and ``pytest.raises(..., match=…)`` sees
    the verdict.
    """

    pointer = "the verdict is printed above"

    def __init__(self, check_id: str, message: str) -> None:
        super().__init__(message)
        self.check_id, self.message = check_id, message

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: [{self.check_id}] {self.pointer}."]


class CheckFailed(_Shown, AssertionError):
    """A check cell's answer is wrong: an ``AssertionError`` that IPython shows as one line."""

    pointer = "not passed yet; the verdict is printed above"


class NotImplementedYet(_Shown, NotImplementedError):
    """A check cell's function is still the stub: a ``NotImplementedError`` shown as one line."""

    pointer = "not implemented yet; replace the `raise NotImplementedError` line"


def check(check_id: str, fn: Callable[..., Any], seed: int | None = None) -> None:
    """The call in a check cell: print the verdict ("✓ [id] …" or "✗ [id] …"); raise unless it passes.

    A wrong answer raises :class:`CheckFailed` (an ``AssertionError``), a stub
    :class:`NotImplementedYet` (a ``NotImplementedError``); in Jupyter they show as one line
    pointing at the printed verdict, so the feedback appears once.
    """
    verdict = run(check_id, fn, seed)
    mark = "✓" if verdict.passed else "✗"
    print(f"{mark} [{check_id}] {verdict.message}")
    if verdict.not_implemented:
        raise NotImplementedYet(check_id, verdict.message)
    if not verdict.passed:
        raise CheckFailed(check_id, verdict.message)
