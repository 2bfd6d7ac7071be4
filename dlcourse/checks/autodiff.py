"""Checks for the exercises of chapter 5, *Automatic differentiation*.

Five exercises, nine checks:

* the dual-number rules of forward mode for ×, sin and ln (``05.dual_mul``,
  ``05.dual_sin``, ``05.dual_log``): a function returns the pair (value, tangent);
* the derivative of the logistic map lₙ by forward mode (``05.logistic_derivative``),
  the chapter's example of expression swell;
* the adjoint trace of f(x1, x2) = ln x1 + x1 x2 − sin x2 by hand (``05.adjoints``): the
  answer is the whole adjoint column (each adjoint after each contribution), so that the
  closed-form gradient alone does not pass; the classic mistake is to overwrite an adjoint
  instead of accumulating (+=);
* the local backward rules of a small reverse-mode engine for ×, sin and exp
  (``05.backward_mul``, ``05.backward_sin``, ``05.backward_exp``);
* a topological order of a computational graph given as {node: parents}
  (``05.topological_order``): any order that puts every node after its parents is
  right, so the comparison checks that property instead of matching one order.

The references are the library's :class:`~dlcourse.autodiff.Dual`,
:class:`~dlcourse.autodiff.Var` and :func:`~dlcourse.autodiff.trace`. The exercises forbid
tools that would do the work: torch's automatic differentiation while a derivative is
asked for, ``graphlib.TopologicalSorter`` (and networkx's sorts) for the topological order;
the checks' ``call`` makes them raise (:mod:`dlcourse.checks._rules`).
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Any, Callable, Sequence

import numpy as np

from ..autodiff import Dual, Tape, Var, log, sin, trace
from . import (FLOAT32_RTOL, Case, Check, Comparator, Failure, _fmt_pair, as_float_array, as_number,
               compare_arrays, is_float32, register)
from ._rules import AUTOGRAD, GRAPHLIB, run_forbidding

__all__ = [
    "CHAPTER_POINT",
    "baydin",
    "adjoints",
    "backward_mul",
    "backward_sin",
    "backward_exp",
    "topological_order",
    "is_topological",
    "compare_pair",
    "compare_topological",
    "WORKED_GRAPH",
]

#: The point of the chapter's worked trace, (x1, x2) = (2, 5).
CHAPTER_POINT = (2.0, 5.0)

#: The ``call`` of the checks whose derivatives must be written by hand ("Write every
#: derivative yourself with math"): torch's automatic differentiation raises meanwhile.
_no_autograd = run_forbidding(AUTOGRAD, copies=False)


def _type_name(value: Any) -> str:
    """The type name of an answer, the same in the student's kernel and in the grader (which
    keeps an answer it cannot encode as an ``Opaque`` holding its type name)."""
    if type(value).__name__ == "Opaque" and isinstance(getattr(value, "type_name", None), str):
        return value.type_name
    return type(value).__name__


# ----------------------------------------------------------------- helpers
def _pair(value: Any) -> tuple[float, float] | None:
    """``value`` as two floats, or None when it is not a pair of finite numbers."""
    arr = as_float_array(value)
    if arr is None or arr.shape != (2,) or not np.all(np.isfinite(arr)):
        return None
    return float(arr[0]), float(arr[1])


def _number(value: Any) -> float | None:
    """``value`` as one float, or None when it is not one finite number."""
    x = as_number(value)
    return x if x is not None and math.isfinite(x) else None


def _close(a: float, b: float) -> bool:
    """Whether an answer matches a typical mistake's number, at float32 precision (the
    answers are judged at it; the mistakes are off by far more)."""
    return bool(np.isclose(a, b, rtol=2 * FLOAT32_RTOL, atol=2 * FLOAT32_RTOL))


def _safe(diagnosis: Callable[[Any, Any, Case], str | None]) -> Callable[[Any, Any, Case], str | None]:
    """A diagnosis that says nothing, rather than crash the check, on an odd answer."""

    def wrapped(got: Any, expected: Any, case: Case) -> str | None:
        try:
            return diagnosis(got, expected, case)
        except Exception:  # noqa: BLE001 - a hint must never hide the verdict
            return None

    wrapped.__name__ = diagnosis.__name__
    wrapped.__doc__ = diagnosis.__doc__
    return wrapped


def _one_hint(candidates: list[str], generic: str) -> str | None:
    """The hint of the one mistake that fits the answer; ``generic`` when several fit."""
    unique = list(dict.fromkeys(candidates))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else generic


def _num(x: float) -> str:
    """A case argument for a label: 2.0 → 2, −0.5 → −0.5."""
    return f"{x:g}".replace("-", "−")


def _draw(rng: np.random.Generator, low: float, high: float, away_from: Sequence[float] = (0.0,)) -> float:
    """A number in [low, high], rounded to 3 decimals, at least 0.2 away from each of ``away_from``."""
    while True:
        x = float(np.round(rng.uniform(low, high), 3))
        if all(abs(abs(x) - abs(a)) >= 0.2 for a in away_from):
            return x


def _float32_atol(expected: Sequence[float]) -> float:
    """The absolute tolerance of a float32 answer: FLOAT32_RTOL·max(1, |expected parts|).

    The cases' inputs are numbers of order 1, and float32 rounds them (and what is computed
    from them) by about ε₃₂ times that size, so a result that nearly cancels (cos a near π/2,
    ȧb + aḃ near 0) keeps an absolute error of that size, not one relative to itself.
    """
    return FLOAT32_RTOL * max(1.0, *(abs(float(e)) for e in expected))


def compare_pair(names: tuple[str, str], rtol: float = 1e-9, atol: float = 1e-12) -> Comparator:
    """A comparator for an answer made of two numbers, e.g. (value, tangent).

    The summary names the part that is wrong: ``"the tangent: expected 5, got 0"``. Every
    part is judged at float32 precision (:func:`_float32_atol`, rtol FLOAT32_RTOL) whatever
    its type: the notebook accepts numbers computed in float32, and ``.item()`` or
    ``float(…)`` of a float32 tensor (torch's default) hides the dtype they were computed in;
    every slip the diagnoses look for is off by far more. ``expected`` is the pair, or ``{"pair": the pair, "atol32": (a₀, a₁)}``
    when the check knows how far float32 rounding can carry each part (a chaotic map).
    The pair may come as a tuple, a list or an array (numpy or torch) of two numbers.
    """

    def compare(got: Any, expected: Any) -> Failure | None:
        pair = None if isinstance(got, (str, bytes, dict)) else _pair(got)
        if pair is None:
            if isinstance(got, (tuple, list)) and len(got) != 2:
                return Failure(f"expected a pair ({names[0]}, {names[1]}), got {len(got)} items: {got!r:.80}")
            return Failure(f"expected a pair of numbers ({names[0]}, {names[1]}), got {got!r:.80}")
        parts = list(got) if isinstance(got, (tuple, list)) else [got[0], got[1]]
        if isinstance(expected, dict):
            want, atol32 = expected["pair"], tuple(expected["atol32"])
        else:
            want, atol32 = expected, (_float32_atol(expected),) * 2
        for name, g, e, a32 in zip(names, parts, want, atol32):
            failure = compare_arrays(max(rtol, FLOAT32_RTOL), max(atol, a32), precision="dtype")(g, e)
            if failure is not None:
                return Failure(f"{name}: {failure.summary}", failure.hint)
        return None

    return compare


def compare_number(rtol: float = 1e-9, atol: float = 1e-12) -> Comparator:
    """A comparator for one number, judged at float32 precision whatever its type (see :func:`compare_pair`)."""

    def compare(got: Any, expected: Any) -> Failure | None:
        return compare_arrays(max(rtol, FLOAT32_RTOL), max(atol, _float32_atol([expected])),
                              precision="dtype")(got, expected)

    return compare


# ----------------------------------------------------------------- 05.dual_mul
def _dual_mul(a: float, a_dot: float, b: float, b_dot: float) -> tuple[float, float]:
    d = Dual(a, a_dot) * Dual(b, b_dot)
    return d.value, d.tangent


def _dual_mul_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's a = xy at (2, 5) with both seeds, a fixed case and three random ones.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. the value ab: every case.
    2. the tangent ȧb + aḃ, both terms of the product rule: the seeds (1, 0) and (0, 1) each
       test one term; the cases with both tangents ≠ 0 test the sum.
    3. no ȧḃ (ε² = 0): every case with ȧḃ ≠ 0 (cases 3–6).
    4. the pair in the order (value, tangent): every case (value ≠ tangent).
    5. by hand: torch's autograd raises while the check runs.
    """
    cases = [
        Case((2.0, 1.0, 5.0, 0.0), "a = xy at (x, y) = (2, 5) with seed ẋ = 1, ẏ = 0: a = 2, ȧ = 1, b = 5, ḃ = 0"),
        Case((2.0, 0.0, 5.0, 1.0), "a = xy at (x, y) = (2, 5) with seed ẋ = 0, ẏ = 1: a = 2, ȧ = 0, b = 5, ḃ = 1"),
        Case((3.0, 2.0, -1.0, 4.0), "a = 3, ȧ = 2, b = −1, ḃ = 4"),
    ]
    for _ in range(3):
        a, b = _draw(rng, -3, 3, (0.0, 1.0)), _draw(rng, -3, 3, (0.0, 1.0))
        a_dot, b_dot = _draw(rng, -2.5, 2.5, (0.0, 1.0)), _draw(rng, -2.5, 2.5, (0.0, 1.0))
        cases.append(Case((a, a_dot, b, b_dot), f"a = {_num(a)}, ȧ = {_num(a_dot)}, b = {_num(b)}, ḃ = {_num(b_dot)}"))
    return cases


@_safe
def _dual_mul_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, a_dot, b, b_dot = case.args
    pair = _pair(got)
    if pair is None:
        return "return a tuple (value, tangent) of two numbers."
    value, tangent = pair
    if _close(value, expected[1]) and _close(tangent, expected[0]) and not _close(value, tangent):
        return "the two parts are swapped: return (value, tangent), the value first."
    if not _close(value, a * b):
        return "the value part of (a + ȧε)(b + ḃε) is the product ab."
    fits = []
    if _close(tangent, a_dot * b_dot):
        fits.append("ȧḃ is the coefficient of ε², and ε² = 0: the ε-part is ȧb + aḃ.")
    if _close(tangent, a_dot * a + b_dot * b):
        fits.append("pair each tangent with the value of the *other* factor: (ab)˙ = ȧ·b + a·ḃ.")
    if _close(tangent, a_dot * b) or _close(tangent, a * b_dot):
        fits.append("half of the product rule is missing: both factors vary, so (ab)˙ = ȧb + aḃ.")
    if _close(tangent, a_dot + b_dot):
        fits.append("ȧ + ḃ is the tangent of a sum; for a product multiply out (a + ȧε)(b + ḃε).")
    return _one_hint(fits, "the ε-part of (a + ȧε)(b + ḃε) is ȧb + aḃ: both terms of the "
                           "product rule, and no ȧḃ (it multiplies ε² = 0).")


register(
    Check(
        id="05.dual_mul",
        function="dual_mul",
        reference=_dual_mul,
        cases=_dual_mul_cases,
        compare=compare_pair(("the value", "the tangent")),
        diagnoses=(_dual_mul_mistake,),
        hint="multiply out (a + ȧε)(b + ḃε) and drop the ε² term.",
        reference_names=("dlcourse.autodiff.Dual",),
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.dual_sin
def _dual_sin(a: float, a_dot: float) -> tuple[float, float]:
    d = Dual(a, a_dot).sin()
    return d.value, d.tangent


def _dual_sin_cases(rng: np.random.Generator) -> list[Case]:
    """sin at the chapter's x = 2 and x₂ = 5 (seed 1) and three random points with ȧ ≠ 0, ±1.

    Requirements: the value sin a (every case); the tangent (cos a) ȧ — the derivative cos,
    its sign and the chain factor ȧ (the random cases, where ȧ ≠ 1); by hand (autograd
    raises while the check runs).
    """
    cases = [
        Case((2.0, 1.0), "b = sin x at x = 2 with seed ẋ = 1: a = 2, ȧ = 1"),
        Case((5.0, 1.0), "v₃ = sin v₀ of the worked example at x₂ = 5 with seed ẋ₂ = 1: a = 5, ȧ = 1"),
    ]
    for _ in range(3):
        a, a_dot = _draw(rng, -3, 3, (0.0,)), _draw(rng, -2.5, 2.5, (0.0, 1.0))
        cases.append(Case((a, a_dot), f"a = {_num(a)}, ȧ = {_num(a_dot)}"))
    return cases


@_safe
def _dual_sin_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, a_dot = case.args
    pair = _pair(got)
    if pair is None:
        return "return a tuple (value, tangent) of two numbers."
    value, tangent = pair
    if not _close(value, math.sin(a)):
        if _close(value, math.cos(a)):
            return "the value part of sin(a + ȧε) is sin a; cos a belongs in the tangent."
        return "the value part of sin(a + ȧε) is sin a."
    fits = []
    if _close(tangent, math.sin(a) * a_dot):
        fits.append("the derivative of sin is cos, not sin: sin(a + ȧε) = sin a + (cos a) ȧ ε.")
    if _close(tangent, -math.cos(a) * a_dot) or _close(tangent, -math.sin(a) * a_dot):
        fits.append("mind the sign: (sin a)′ = +cos a (it is cos whose derivative is −sin).")
    if _close(tangent, math.cos(a)):
        fits.append("multiply by ȧ: the chain rule gives the tangent (cos a) · ȧ, not cos a alone.")
    return _one_hint(fits, "the tangent of sin(a + ȧε) is (cos a) · ȧ: check the function, the sign and the factor ȧ.")


register(
    Check(
        id="05.dual_sin",
        function="dual_sin",
        reference=_dual_sin,
        cases=_dual_sin_cases,
        compare=compare_pair(("the value", "the tangent")),
        diagnoses=(_dual_sin_mistake,),
        hint="Taylor: g(a + ȧε) = g(a) + g′(a) ȧ ε, here with g = sin.",
        reference_names=("dlcourse.autodiff.Dual", "dlcourse.autodiff.sin"),
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.dual_log
def _dual_log(a: float, a_dot: float) -> tuple[float, float]:
    d = Dual(a, a_dot).log()
    return d.value, d.tangent


def _dual_log_cases(rng: np.random.Generator) -> list[Case]:
    """ln at the chapter's x₁ = 2 (seed 1), at a = 0.5 with ȧ = 3, and three random points.

    Requirements: the value ln a (every case); the tangent ȧ/a — 1/a not ln a, times ȧ, not
    times a (a = 0.5, ȧ = 3 and the random cases); for any a > 0 (a from 0.3 to 5); by hand
    (autograd raises while the check runs).
    """
    cases = [
        Case((2.0, 1.0), "v₁ = ln v₋₁ of the worked example at x₁ = 2 with seed ẋ₁ = 1: a = 2, ȧ = 1"),
        Case((0.5, 3.0), "a = 0.5, ȧ = 3"),
    ]
    for _ in range(3):
        a, a_dot = _draw(rng, 0.3, 5, (1.0,)), _draw(rng, -2.5, 2.5, (0.0, 1.0))
        cases.append(Case((a, a_dot), f"a = {_num(a)}, ȧ = {_num(a_dot)}"))
    return cases


@_safe
def _dual_log_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, a_dot = case.args
    pair = _pair(got)
    if pair is None:
        return "return a tuple (value, tangent) of two numbers."
    value, tangent = pair
    if not _close(value, math.log(a)):
        if _close(value, 1 / a):
            return "the value part of ln(a + ȧε) is ln a; 1/a belongs in the tangent."
        return "the value part of ln(a + ȧε) is ln a (math.log)."
    fits = []
    if _close(tangent, math.log(a) * a_dot):
        fits.append("the derivative of ln a is 1/a, not ln a: ln(a + ȧε) = ln a + (ȧ/a) ε.")
    if _close(tangent, 1 / a):
        fits.append("multiply by ȧ: the chain rule gives the tangent ȧ/a, not 1/a alone.")
    if _close(tangent, a_dot * a):
        fits.append("divide by a, don't multiply: (ln a)′ = 1/a, so the tangent is ȧ/a.")
    if _close(tangent, -a_dot / a**2):
        fits.append("−ȧ/a² is the tangent of 1/a; for ln a it is ȧ/a.")
    return _one_hint(fits, "the tangent of ln(a + ȧε) is ȧ/a.")


register(
    Check(
        id="05.dual_log",
        function="dual_log",
        reference=_dual_log,
        cases=_dual_log_cases,
        compare=compare_pair(("the value", "the tangent")),
        diagnoses=(_dual_log_mistake,),
        hint="Taylor: g(a + ȧε) = g(a) + g′(a) ȧ ε, here with g = ln.",
        reference_names=("dlcourse.autodiff.Dual", "dlcourse.autodiff.log"),
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.logistic_derivative
def logistic_derivative(x: float, n: int) -> tuple[float, float]:
    """(lₙ, dlₙ/dx) of the logistic map l₁ = x, lₖ₊₁ = 4lₖ(1 − lₖ), by forward mode (dual numbers).

    Seeded with ẋ = 1; each step costs a fixed amount of work, where the symbolic derivative
    swells exponentially (chapter 5, *Four ways to get a derivative*).
    """
    l = Dual(float(x), 1.0)
    for _ in range(n - 1):
        l = 4 * l * (1 - l)
    return l.value, l.tangent


def _logistic_expected(x: float, n: int) -> dict[str, Any]:
    """The reference pair (lₙ, dlₙ/dx), and how far float32 rounding can carry each part.

    The logistic map is chaotic: an error δ in lₖ grows by |4(1 − 2lₖ)| per step, about 2
    on average, and the tangent's error also feeds on the value's. With u = 2⁻²⁴ (a few
    roundings per step) the first-order bounds are
    e₁ = u|x|, eₖ₊₁ = |4(1 − 2lₖ)| eₖ + 4u|lₖ₊₁| for lₖ and
    f₁ = 0, fₖ₊₁ = |4(1 − 2lₖ)| fₖ + 8|l̇ₖ| eₖ + 4u(|4l̇ₖ(1 − lₖ)| + |4lₖl̇ₖ|) for l̇ₖ;
    a float32 answer is judged within 8 times them (and FLOAT32_RTOL).
    """
    u = 2.0**-24
    l, d = float(x), 1.0
    e, f = u * abs(l), 0.0
    for _ in range(n - 1):
        grow = abs(4 * (1 - 2 * l))
        f = grow * f + 8 * abs(d) * e + 4 * u * (abs(4 * d * (1 - l)) + abs(4 * l * d))
        l, d = 4 * l * (1 - l), 4 * d * (1 - 2 * l)
        e = grow * e + 4 * u * abs(l)
    pair = logistic_derivative(x, n)
    return {"pair": pair, "atol32": (max(8 * e, FLOAT32_RTOL * abs(pair[0])), max(8 * f, FLOAT32_RTOL * abs(pair[1])))}


def _logistic_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's l₂ … l₄ at x = 0.3, n = 1, and random points with up to 12 steps.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. l₁ = x and n − 1 steps to lₙ (no off-by-one): n = 1 and every other case.
    2. the seed ẋ = 1 and the tangent of 4l(1 − l), both factors varying: every case n ≥ 2
       (l₂′ = 4 − 8x at x = 0.3 is 1.6).
    3. the pair (value, tangent), any x in (0, 1) and any n: the random cases.
    4. derived by hand (dual-number rules): torch's autograd raises while the check runs.
    """
    cases = [Case((0.3, 1), "n = 1 at x = 0.3: l₁ = x, so the pair is (0.3, 1)"),
             Case((0.3, 2), "l₂ = 4x(1 − x) at x = 0.3: (0.84, 4 − 8x = 1.6)"),
             Case((0.3, 4), "l₄ = 64x(1−x)(1−2x)²(1−8x+8x²)² at x = 0.3, the chapter's closed form")]
    for _ in range(3):
        x, n = float(np.round(rng.uniform(0.05, 0.95), 3)), int(rng.integers(5, 13))
        cases.append(Case((x, n), f"x = {_num(x)}, n = {n}"))
    return cases


@_safe
def _logistic_mistake(got: Any, expected: Any, case: Case) -> str | None:
    x, n = case.args
    expected = expected["pair"]
    pair = _pair(got)
    if pair is None:
        return "return the pair (lₙ, dlₙ/dx) of two numbers."
    def near(a: float, b: float) -> bool:  # float32 rounding grows along the chaotic map
        return bool(np.isclose(a, b, rtol=1e-3, atol=1e-3))

    if n > 1 and near(pair[0], logistic_derivative(x, n - 1)[0]) and not near(pair[0], expected[0]):
        return "one step too few: l₁ = x, so lₙ takes n − 1 steps of lₖ₊₁ = 4lₖ(1 − lₖ)."
    if near(pair[0], logistic_derivative(x, n + 1)[0]) and not near(pair[0], expected[0]):
        return "one step too many: l₁ = x itself, so lₙ takes n − 1 steps."
    if not _close(pair[0], expected[0]):
        return ("the value: l₁ = x, lₖ₊₁ = 4lₖ(1 − lₖ) — if you use your dual_mul, check that it passed "
                "its check (05.dual_mul): its value part must be the product.")
    return ("the tangent: start from ẋ = 1 and carry it through every step with the product rule, "
            "(4l(1 − l))˙ = 4l̇(1 − l) − 4l l̇ — if you use your dual_mul, check that it passed its check.")


register(
    Check(
        id="05.logistic_derivative",
        function="logistic_derivative",
        reference=_logistic_expected,
        cases=_logistic_cases,
        compare=compare_pair(("lₙ", "dlₙ/dx"), rtol=1e-8, atol=1e-12),
        diagnoses=(_logistic_mistake,),
        hint="carry the pair (l, l̇) from (x, 1); each step is a dual-number product of (4l, 4l̇) and (1 − l, −l̇).",
        reference_names=("dlcourse.autodiff.Dual", "dlcourse.autodiff.Var", "dlcourse.autodiff.trace"),
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.adjoints
def baydin(x1: Any, x2: Any) -> Any:
    """f(x1, x2) = ln x1 + x1 x2 − sin x2, one primitive per statement (Baydin et al., 2018)."""
    v1 = log(x1)
    v2 = x1 * x2
    v3 = sin(x2)
    v4 = v1 + v2
    return v4 - v3


#: The adjoints of the worked trace in the order the reverse sweep first reaches them.
SWEEP_ORDER = ("v5", "v4", "v3", "v1", "v2", "v0", "v-1")
_BAR = {"v5": "v̄₅", "v4": "v̄₄", "v3": "v̄₃", "v2": "v̄₂", "v1": "v̄₁", "v0": "v̄₀", "v-1": "v̄₋₁"}
_SOURCES = {
    "v5": "the seed ȳ = 1",
    "v4": "from v₅ = v₄ − v₃",
    "v3": "from v₅ = v₄ − v₃",
    "v1": "from v₄ = v₁ + v₂",
    "v2": "from v₄ = v₁ + v₂",
    "v0": "from v₃ = sin v₀ and from v₂ = v₋₁ v₀",
    "v-1": "from v₂ = v₋₁ v₀ and from v₁ = ln v₋₁",
}


def adjoint_sweep(x1: float, x2: float) -> dict[str, list[float]]:
    """The adjoint column of the worked trace: for each variable, its adjoint after each contribution.

    v̄₅ = 1; v̄₄ = v̄₅, v̄₃ = −v̄₅; v̄₁ = v̄₂ = v̄₄; v̄₀ = v̄₃ cos v₀; v̄₋₁ = v̄₂ v₀;
    v̄₀ += v̄₂ v₋₁; v̄₋₁ += v̄₁ / v₋₁ (Baydin et al., 2018). The last values of "v-1" and
    "v0" are (x̄1, x̄2) = ∇f, which the library's :func:`~dlcourse.autodiff.trace` agrees with.
    """
    v0_first = -math.cos(x2)
    return {"v5": [1.0], "v4": [1.0], "v3": [-1.0], "v1": [1.0], "v2": [1.0],
            "v0": [v0_first, v0_first + x1], "v-1": [x2, x2 + 1.0 / x1]}


def adjoints(x1: float, x2: float) -> tuple[float, float]:
    """(x̄1, x̄2) = ∇f(x1, x2) of the worked example, from the library's adjoint trace."""
    t = trace(baydin, x1=x1, x2=x2)
    return t.grad["x1"], t.grad["x2"]


def _adjoint_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's point (2, 5) and four random points with x1 > 0.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. the reverse sweep, not the formula for the gradient: every case asks for the adjoint
       column (each adjoint after each contribution), which the gradient alone does not give.
    2. seed v̄₅ = 1 and the local derivatives of −, +, sin, × and ln: every case.
    3. accumulate (+=) the two contributions that v₀ and v₋₁ each receive: every case.
    4. the sign of v₅ = v₄ − v₃ and the factor of the *other* operand in v₂ = v₋₁ v₀: the
       random points, where x1 ≠ x2 and cos x2, sin x2 are away from 0.
    5. any point with x1 > 0, not only (2, 5): the four random points.
    """
    cases = [Case(CHAPTER_POINT, "the chapter's point (x1, x2) = (2, 5)")]
    while len(cases) < 5:
        x1, x2 = _draw(rng, 0.3, 4, (1.0,)), _draw(rng, -4, 6)
        point = Case((x1, x2), f"(x1, x2) = ({_num(x1)}, {_num(x2)})")
        # keep points where each typical mistake gives a visibly different answer
        c, s = math.cos(x2), math.sin(x2)
        if min(abs(c), abs(s), abs(x1 + c), abs(x1 - x2), abs(x2 - 1 / x1), abs(x1 - c)) > 0.1:
            cases.append(point)
    return cases


def _values_text(values: Sequence[float], others: Sequence[float] | None = None) -> str:
    """[a, b] with enough digits to tell each value from its counterpart in ``others``."""
    if others is None or len(others) != len(values):
        return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"
    def one(v: float, o: float) -> str:
        return f"{v:.6g}" if v == o else _fmt_pair(float(o), float(v))[1]

    return "[" + ", ".join(one(float(v), float(o)) for v, o in zip(values, others)) + "]"


def compare_sweep(got: Any, expected: dict[str, list[float]]) -> Failure | None:
    """Is ``got`` the adjoint column {name: [v̄ after each contribution]} of ``expected``?

    The adjoints are compared in the order the sweep reaches them (:data:`SWEEP_ORDER`),
    so the first wrong one is where the mistake is. A list must hold one value per
    contribution; the contributions (the differences of successive values) may come in any
    order — operations without a path between them may be swept either way — and the last
    value is the adjoint itself. Values are judged at float32 precision whatever their type
    (``.item()`` of a float32 tensor hides its dtype).
    """
    wanted = ", ".join(repr(k) for k in SWEEP_ORDER)
    if not isinstance(got, dict):
        return Failure(f"expected a dict {{name: [the values of its adjoint]}} with keys {wanted}, got "
                       f"{_type_name(got)} {got!r:.80}",
                       "return the whole adjoint trace (the stub's `return bar`), not only (x̄1, x̄2): "
                       "the exercise is the sweep, line by line.")
    for name in SWEEP_ORDER:
        bar, exp = _BAR[name], expected[name]
        if name not in got:
            return Failure(f"your dict has no key {name!r} (expected keys: {wanted})")
        values = got[name]
        arr = as_float_array(values) if isinstance(values, (list, tuple, np.ndarray)) else None
        if arr is None or arr.ndim != 1:
            return Failure(f"{bar} ({name!r}): expected a list of its values, one per contribution it "
                           f"receives ({_SOURCES[name]}), got {values!r:.80}")
        if len(arr) != len(exp):
            many = "one contribution" if len(exp) == 1 else f"{len(exp)} contributions"
            return Failure(f"{bar} ({name!r}) receives {many} ({_SOURCES[name]}), so its list has "
                           f"{len(exp)} value(s) {_values_text(exp)}; yours has {len(arr)}: {_values_text(arr)}")
        low = is_float32(values)
        # float32 precision whatever the type: .item() of a float32 tensor hides its dtype
        scale = max(1.0, max(abs(v) for v in exp))
        rtol, atol = FLOAT32_RTOL, FLOAT32_RTOL * scale
        got_c = np.sort(np.diff(np.concatenate([[0.0], arr])))
        exp_c = np.sort(np.diff(np.concatenate([[0.0], exp])))
        same = (np.all(np.isfinite(arr)) and abs(arr[-1] - exp[-1]) <= atol + rtol * abs(exp[-1])
                and np.all(np.abs(got_c - exp_c) <= atol + rtol * np.abs(exp_c)))
        if not same:
            note = " (your values are float32: compared at float32 precision)" if low else ""
            return Failure(f"{bar} ({name!r}): expected the values {_values_text(exp, arr)}, got "
                           f"{_values_text(arr, exp)}{note}")
    return None


@_safe
def _sweep_mistake(got: Any, expected: Any, case: Case) -> str | None:
    """The typical slips of the sweep, read off the first adjoint that is wrong."""
    if not isinstance(got, dict):
        return None
    x1, x2 = case.args
    name = next((n for n in SWEEP_ORDER if compare_sweep({**expected, n: got.get(n)}, expected) is not None), None)
    if name is None:
        return None
    values = as_float_array(got.get(name))
    if values is None or values.ndim != 1 or values.size == 0:
        return None
    last = float(values[-1])
    if name in ("v4", "v3", "v1", "v2"):
        if name == "v3" and _close(last, 1.0):
            return "mind the sign: v₅ = v₄ − v₃ passes −v̄₅ to v₃, so v̄₃ = −1."
        return f"{_BAR[name]} gets v̄ of the operation that uses it times the local derivative (±1 for + and −)."
    if name == "v0" and values.size == 1:
        if _close(last, x1):
            return ("v̄₀ lost its contribution through v₃ = sin v₀: v̄₀ receives v̄₃ cos v₀ *and* "
                    "v̄₂ v₋₁ — add the second with +=, don't overwrite the first.")
        return "v₀ is used twice (in v₂ = v₋₁ v₀ and v₃ = sin v₀): v̄₀ receives two contributions."
    if name == "v-1" and values.size == 1:
        if _close(last, 1 / x1):
            return ("v̄₋₁ lost its contribution through v₂ = v₋₁ v₀: v̄₋₁ receives v̄₂ v₀ *and* "
                    "v̄₁ / v₋₁ — accumulate, don't overwrite.")
        return "v₋₁ is used twice (in v₁ = ln v₋₁ and v₂ = v₋₁ v₀): v̄₋₁ receives two contributions."
    e1, e2 = expected["v-1"][-1], expected["v0"][-1]
    if name == "v0":
        if _close(last, e1):
            return "v̄₀ and v̄₋₁ are swapped: v₀ = x2 and v₋₁ = x1."
        if _close(last, x1):
            return ("the last value of v̄₀ lost the contribution through v₃ = sin v₀: the second value is "
                    "the first plus v̄₂ v₋₁ (+=), not v̄₂ v₋₁ alone.")
        if _close(last, x1 + math.cos(x2)):
            return "mind the sign of the sin term: v₅ = v₄ − v₃ gives v̄₃ = −v̄₅ = −1, so v̄₀ = −cos v₀ + v̄₂ v₋₁."
        if _close(last, x1 - math.sin(x2)) or _close(last, x1 + math.sin(x2)):
            return "the local derivative of v₃ = sin v₀ is cos v₀: v̄₀ = v̄₃ cos v₀."
        if _close(last, x2 - math.cos(x2)):
            return "in v₂ = v₋₁ v₀ the adjoint of v₀ gets v̄₂ times the *other* factor, v₋₁."
        return f"v̄₀ = v̄₃ cos v₀, then v̄₀ += v̄₂ v₋₁ (expected {e2:.6g} in the end)."
    if _close(last, e2):
        return "v̄₀ and v̄₋₁ are swapped: v₀ = x2 and v₋₁ = x1."
    if _close(last, x2):
        return ("the last value of v̄₋₁ lost the contribution through v₁ = ln v₋₁: the second value is the "
                "first plus v̄₁ / v₋₁ (+=).")
    if _close(last, x2 + math.log(x1)):
        return "the local derivative of v₁ = ln v₋₁ is 1/v₋₁, not ln v₋₁."
    if _close(last, x1 + 1 / x1):
        return "in v₂ = v₋₁ v₀ the adjoint of v₋₁ gets v̄₂ times the *other* factor, v₀."
    return "v̄₋₁ = v̄₂ v₀, then v̄₋₁ += v̄₁ / v₋₁."


register(
    Check(
        id="05.adjoints",
        function="adjoints",
        reference=adjoint_sweep,
        cases=_adjoint_cases,
        compare=compare_sweep,
        diagnoses=(_sweep_mistake,),
        hint="sweep the primal trace backwards from v̄₅ = 1: v̄ₚ += v̄ₖ ∂vₖ/∂vₚ for every operand vₚ of vₖ.",
        reference_names=(
            "dlcourse.autodiff.trace",
            "dlcourse.autodiff.Var",
            "dlcourse.calculus.gradient",
            "dlcourse.tensor.Tensor",
        ),
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.backward_*
def backward_mul(a: float, b: float, grad_out: float) -> tuple[float, float]:
    """(ā, b̄) for v = a·b with v̄ = grad_out, by the library's reverse mode."""
    with Tape():
        va, vb = Var(a), Var(b)
        (va * vb).backward(grad_out)
    return va.grad, vb.grad


def backward_sin(a: float, grad_out: float) -> float:
    """ā for v = sin a with v̄ = grad_out, by the library's reverse mode."""
    with Tape():
        va = Var(a)
        va.sin().backward(grad_out)
    return va.grad


def backward_exp(a: float, grad_out: float) -> float:
    """ā for v = eᵃ with v̄ = grad_out, by the library's reverse mode."""
    with Tape():
        va = Var(a)
        va.exp().backward(grad_out)
    return va.grad


def _backward_mul_cases(rng: np.random.Generator) -> list[Case]:
    """v₂ = v₋₁v₀ of the worked trace, a fixed case and three random ones.

    Requirements: each input gets grad_out times the *other* input (a ≠ b in every case);
    scaled by grad_out (grad_out ≠ 1 from case 2 on); the pair (grad_a, grad_b); by hand.
    """
    cases = [
        Case((2.0, 5.0, 1.0), "v₂ = v₋₁ × v₀ of the worked trace: a = 2, b = 5, grad_out = v̄₂ = 1"),
        Case((3.0, -2.0, 0.5), "a = 3, b = −2, grad_out = 0.5"),
    ]
    for _ in range(3):
        a, b = _draw(rng, -3, 3, (0.0, 1.0)), _draw(rng, -3, 3, (0.0, 1.0))
        g = _draw(rng, -2, 2, (0.0, 1.0))
        cases.append(Case((a, b, g), f"a = {_num(a)}, b = {_num(b)}, grad_out = {_num(g)}"))
    return cases


@_safe
def _backward_mul_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, b, g = case.args
    pair = _pair(got)
    if pair is None:
        return "return the pair (grad_a, grad_b) of two numbers."
    ga, gb = pair
    fits = []
    if _close(ga, g * a) and _close(gb, g * b):
        fits.append("∂(ab)/∂a = b: each input's gradient is grad_out times the *other* input.")
    if _close(ga, b) and _close(gb, a):
        fits.append("multiply the local derivative by grad_out (the output's adjoint): ā = v̄ · b, b̄ = v̄ · a.")
    if _close(ga, g) and _close(gb, g):
        fits.append("passing grad_out through unchanged is the rule for +; for a product scale it by the other input.")
    return _one_hint(fits, "ā = grad_out · b and b̄ = grad_out · a.")


def _backward_sin_cases(rng: np.random.Generator) -> list[Case]:
    """v₃ = sin v₀ of the worked trace (grad_out = −1), a = 0 and three random points.

    Requirements: ā = grad_out · cos a — cos not sin, its sign, the factor grad_out
    (grad_out ∉ {0, 1} in every case); by hand.
    """
    cases = [
        Case((5.0, -1.0), "v₃ = sin v₀ of the worked trace: a = v₀ = 5, grad_out = v̄₃ = −1"),
        Case((0.0, 2.0), "a = 0, grad_out = 2"),
    ]
    for _ in range(3):
        a, g = _draw(rng, -3, 3, (0.0,)), _draw(rng, -2, 2, (0.0, 1.0))
        cases.append(Case((a, g), f"a = {_num(a)}, grad_out = {_num(g)}"))
    return cases


@_safe
def _backward_sin_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, g = case.args
    x = _number(got)
    if x is None:
        return "return one number, the gradient with respect to a."
    fits = []
    if _close(x, g * math.sin(a)):
        fits.append("the local derivative of sin a is cos a, not sin a.")
    if _close(x, -g * math.cos(a)) or _close(x, -g * math.sin(a)):
        fits.append("mind the sign: (sin a)′ = +cos a.")
    if _close(x, math.cos(a)):
        fits.append("multiply by grad_out: ā = v̄ · cos a (the chain rule).")
    return _one_hint(fits, "ā = grad_out · cos a: check the function, the sign and the factor grad_out.")


def _backward_exp_cases(rng: np.random.Generator) -> list[Case]:
    """a = 0 and a = 2 (grad_out 1 and 3) and three random points.

    Requirements: ā = grad_out · eᵃ — eᵃ itself, no power rule (a ≠ 0, 1 in the random
    cases), times grad_out (grad_out ≠ 1 from case 2 on); by hand.
    """
    cases = [
        Case((0.0, 1.0), "a = 0, grad_out = 1"),
        Case((2.0, 3.0), "a = 2, grad_out = 3"),
    ]
    for _ in range(3):
        a, g = _draw(rng, -2, 2, (0.0, 1.0)), _draw(rng, -2, 2, (0.0, 1.0))
        cases.append(Case((a, g), f"a = {_num(a)}, grad_out = {_num(g)}"))
    return cases


@_safe
def _backward_exp_mistake(got: Any, expected: Any, case: Case) -> str | None:
    a, g = case.args
    x = _number(got)
    if x is None:
        return "return one number, the gradient with respect to a."
    fits = []
    if _close(x, math.exp(a)):
        fits.append("multiply by grad_out: ā = v̄ · eᵃ (the chain rule).")
    if _close(x, g):
        fits.append("the local derivative of eᵃ is eᵃ itself: ā = v̄ · eᵃ, not v̄.")
    if _close(x, g * a * math.exp(a)) or _close(x, g * a * math.exp(a - 1)):
        fits.append("eᵃ is not a power of a: its derivative is eᵃ itself (no power rule).")
    return _one_hint(fits, "ā = grad_out · eᵃ.")


# The static reader flags a name wherever the notebook uses it, so each name is listed only
# for the exercises it solves outright (Dual for the dual rules, Var for the reverse sweeps).
_ENGINE_SHORTCUTS = ("dlcourse.autodiff.Var", "dlcourse.tensor.Tensor")

register(
    Check(
        id="05.backward_mul",
        function="backward_mul",
        reference=backward_mul,
        cases=_backward_mul_cases,
        compare=compare_pair(("grad_a", "grad_b")),
        diagnoses=(_backward_mul_mistake,),
        hint="v = a·b has ∂v/∂a = b and ∂v/∂b = a; multiply each by grad_out.",
        reference_names=_ENGINE_SHORTCUTS,
        call=_no_autograd,
    )
)
register(
    Check(
        id="05.backward_sin",
        function="backward_sin",
        reference=backward_sin,
        cases=_backward_sin_cases,
        compare=compare_number(),
        diagnoses=(_backward_sin_mistake,),
        hint="ā = v̄ · ∂(sin a)/∂a.",
        reference_names=_ENGINE_SHORTCUTS,
        call=_no_autograd,
    )
)
register(
    Check(
        id="05.backward_exp",
        function="backward_exp",
        reference=backward_exp,
        cases=_backward_exp_cases,
        compare=compare_number(),
        diagnoses=(_backward_exp_mistake,),
        hint="ā = v̄ · ∂(eᵃ)/∂a.",
        reference_names=_ENGINE_SHORTCUTS,
        call=_no_autograd,
    )
)


# ----------------------------------------------------------------- 05.topological_order
#: The graph of the worked example, {node: its parents}, listed from the output back.
WORKED_GRAPH: dict[str, list[str]] = {
    "v5": ["v4", "v3"],
    "v3": ["v0"],
    "v4": ["v1", "v2"],
    "v1": ["v-1"],
    "v2": ["v-1", "v0"],
    "v0": [],
    "v-1": [],
}


def topological_order(parents: dict[str, list[str]]) -> list[str]:
    """Every node of the graph {node: parents}, each after all of its parents (Kahn's algorithm).

    Iterative, so that deep graphs (long chains) need no recursion. Among the nodes that
    are ready, the one listed first in ``parents`` goes first.
    """
    graph = {node: list(ps) for node, ps in parents.items()}
    waiting = {node: len(set(ps)) for node, ps in graph.items()}
    children: dict[str, list[str]] = {node: [] for node in graph}
    for node, ps in graph.items():
        for p in set(ps):
            children[p].append(node)
    ready = deque(node for node in graph if waiting[node] == 0)
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return order


def _order_and_graph(parents: dict[str, list[str]]) -> tuple[list[str], dict[str, list[str]]]:
    """The check's expected answer: one valid order, and the graph every answer is judged on."""
    return topological_order(parents), {node: list(ps) for node, ps in parents.items()}


def is_topological(order: Sequence[str], parents: dict[str, list[str]]) -> bool:
    """True when ``order`` lists every node of ``parents`` once, each after all its parents."""
    return _order_problem(list(order), parents) is None


def compare_topological(got: Any, expected: tuple[list[str], dict[str, list[str]]]) -> Failure | None:
    """Does ``got`` list every node of the graph ``expected[1]`` once, each after its parents?

    Any such order is right, not only the reference's ``expected[0]``. The summary names
    the first problem: not a list, a name that is no node, a missing or repeated node, or
    the first node placed before one of its parents.
    """
    return _order_problem(got, expected[1])


def _order_problem(got: Any, parents: dict[str, list[str]]) -> Failure | None:
    n = len(parents)
    if not isinstance(got, (list, tuple)):
        return Failure(f"expected a list of the {n} node names, got {_type_name(got)} {got!r:.80}")
    unknown = [x for x in got if not isinstance(x, str) or x not in parents]
    if unknown:
        return Failure(f"{unknown[0]!r} is not a node of the graph (the nodes are the keys of parents)")
    counts = Counter(got)
    missing = [node for node in parents if node not in counts]
    if missing:
        listed = ", ".join(repr(m) for m in missing[:5]) + (", …" if len(missing) > 5 else "")
        return Failure(f"{len(missing)} of the {n} nodes are missing from your order: {listed}")
    repeated = [node for node, k in counts.items() if k > 1]
    if repeated:
        return Failure(f"{repeated[0]!r} appears {counts[repeated[0]]} times; every node must appear exactly once")
    position = {node: i for i, node in enumerate(got)}
    for i, node in enumerate(got):
        for p in parents[node]:
            if position[p] > i:
                return Failure(
                    f"{node!r} (position {i}) comes before its parent {p!r} (position {position[p]}): "
                    "every node must come after all of its parents"
                )
    return None


def _graph_text(parents: dict[str, list[str]], limit: int = 12) -> str:
    items = list(parents.items())
    text = ", ".join(f"{k}: [{', '.join(v)}]" for k, v in items[:limit])
    return "{" + text + (", …" if len(items) > limit else "") + "}"


def _random_graph(rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    """A random DAG of n nodes with one-letter names; neither its key order nor the
    alphabetical order is a topological order."""
    letters = list("abcdefghijklmnopqrstuvwxyz")
    while True:
        names = [str(x) for x in rng.permutation(letters)[:n]]  # names[k] is k-th in a valid order
        graph: dict[str, list[str]] = {names[0]: [], names[1]: []}
        for k in range(2, n):
            size = int(rng.integers(1, 3))
            picks = sorted(int(i) for i in rng.choice(k, size=size, replace=False))
            if size == 1 and rng.random() < 0.15:
                picks = picks * 2  # a value used twice by one operation, like v = a·a
            graph[names[k]] = [names[i] for i in picks]
        keys = [str(x) for x in rng.permutation(list(graph))]
        shuffled = {k: graph[k] for k in keys}
        if not is_topological(keys, shuffled) and not is_topological(sorted(keys), shuffled):
            return shuffled


def _chain(rng: np.random.Generator, n: int) -> dict[str, list[str]]:
    names = [f"n{k}" for k in range(n)]
    keys = [str(x) for x in rng.permutation(names)]
    return {k: ([f"n{int(k[1:]) - 1}"] if k != "n0" else []) for k in keys}


def _topological_cases(rng: np.random.Generator) -> list[Case]:
    """The worked example's graph, two small ones, two random graphs and a 3000-node chain.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. every node exactly once, each after all of its parents: every case.
    2. the keys come in no particular order: the random graphs and the chain have keys in
       neither a topological nor alphabetical order.
    3. a parent listed twice (v = a·a): y = x·x + x and, at random, the random graphs.
    4. deep graphs need a loop, not a recursion: the chain of 3000 nodes.
    5. the inputs (nodes without parents) are part of the order: every case.
    6. written as an algorithm: graphlib.TopologicalSorter and networkx's sorts raise while
       the check runs.
    """
    cases = [
        Case((WORKED_GRAPH,), f"the graph of the worked example, {_graph_text(WORKED_GRAPH)}"),
        Case(({"z": ["a", "b"], "b": ["x"], "a": ["x", "y"], "y": [], "x": []},),
             "z = xy + sin x: {z: [a, b], b: [x], a: [x, y], y: [], x: []}"),
        Case(({"y": ["sq", "x"], "sq": ["x", "x"], "x": []},),
             "y = x·x + x, where sq = x·x uses x twice: {y: [sq, x], sq: [x, x], x: []}"),
    ]
    for n in (8, 12):
        graph = _random_graph(rng, n)
        cases.append(Case((graph,), f"a random graph of {n} nodes, {_graph_text(graph, 20)}"))
    chain = _chain(rng, 3000)
    cases.append(Case((chain,), "a chain of 3000 nodes n0 → n1 → … → n2999 (keys shuffled): a deep graph, "
                                "too deep for a recursion of one call per node"))
    return cases


@_safe
def _topological_mistake(got: Any, expected: Any, case: Case) -> str | None:
    parents = expected[1]
    if not isinstance(got, (list, tuple)):
        return "return a list of node names."
    if list(got) == list(parents) and not is_topological(list(parents), parents):
        return "the keys of the dict come in no particular order: you returned them as they are."
    if is_topological(list(reversed(got)), parents):
        return ("your order is reversed: parents come first. (The backward sweep walks the "
                "topological order from its end.)")
    counts = Counter(got)
    if any(k > 1 for k in counts.values()):
        return "a node reachable along two paths was added twice: remember which nodes you have placed."
    missing = [node for node in parents if node not in counts]
    if missing and all(not parents[m] for m in missing):
        return "nodes without parents (the inputs) belong in the order too, before everything that uses them."
    return None


register(
    Check(
        id="05.topological_order",
        function="topological_order",
        reference=_order_and_graph,
        cases=_topological_cases,
        compare=compare_topological,
        diagnoses=(_topological_mistake,),
        hint="place a node once all of its parents are placed; start from the nodes without parents.",
        # on copies: an answer that empties `parents` as it goes must not change the case;
        # graphlib.TopologicalSorter (or networkx) would solve the exercise outright
        call=run_forbidding(GRAPHLIB),
    )
)
