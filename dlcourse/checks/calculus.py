"""Checks for the exercises of chapter 2, *Calculus for deep learning*.

Precision: the finite differences (02.derivative, 02.jacobian) need float64 — their
round-off is about ε/h, 1e-4 in float32 for h = 1e-3 — and say so in the exercise; a
float32 answer is told "your result is float32; compute in float64". The exact Jacobian
(02.analytic_jacobian) may be float32 and is then judged at float32 precision.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

import numpy as np

from .. import calculus
from . import (Case, Check, Comparator, Failure, as_float_array, close, compare_arrays, dtype_of,
               judge_plain_floats_by_value, register)
from ._rules import AUTOGRAD, run_forbidding, unwrapped


# --------------------------------------------------------------- arguments left as they were
def _same(before: Any, after: Any) -> bool:
    """Whether an argument is as it was, up to the last bits of a perturbation undone (x + h − h)."""
    try:
        a, b = np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)
    except (TypeError, ValueError):
        return True
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-12, atol=1e-14, equal_nan=True))


def guarding_arguments(names: dict[int, str]) -> Callable[[Callable[..., Any], Case], dict[str, Any]]:
    """A check's ``call`` for an exercise that says "don't change the arguments".

    ``fn`` runs on deep copies of the case's arguments (so the reference sees the case as it
    is); the call returns ``{"value": what fn returned, "changed": [the names, from
    ``names`` (position → name), of the arguments fn changed]}``. :func:`guarded` and
    :func:`~dlcourse.checks._rules.unwrapped` unwrap it.
    """

    def call(fn: Callable[..., Any], case: Case) -> dict[str, Any]:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        value = fn(*args, **kwargs)
        changed = [name for i, name in names.items() if not _same(case.args[i], args[i])]
        return {"value": value, "changed": changed}

    return call


def guarded(compare: Comparator, function: str, advice: str) -> Comparator:
    """``compare`` on the values of :func:`guarding_arguments`; a changed argument fails first."""

    def wrapped(got: Any, expected: Any) -> Failure | None:
        changed = list(got.get("changed") or []) if isinstance(got, dict) else []
        if changed:
            which = ", ".join(changed)
            return Failure(f"{function} changed its argument{'s' if len(changed) > 1 else ''} {which}: "
                           "the caller's array is not as it was after the call", advice)
        value = got.get("value") if isinstance(got, dict) else got
        return compare(value, expected["value"])

    return wrapped


# --------------------------------------------------------------- 02.derivative
# Requirements stated by the exercise, and the case that tests each:
#  R1 the central difference (f(x + h) − f(x − h))/2h, not the forward or backward one:
#     "exp x at 0.5, h = 0.1" (their O(h) error is 0.08 there);
#  R2 divided by 2h: every case;
#  R3 the step h it is given (a fixed step of its own fails): the h = 0.1 and random-h
#     cases (the truncation error h²f‴/6 differs);
#  R4 in float64 (stated in the stub): every case, at rtol 1e-8 — a float32 difference
#     is off by ~ε₃₂/h;
#  R5 any f, including the chapter's x²e^{−x} (the product rule's example): its case.
def _chapter_f(x: float) -> float:
    """The chapter's f(x) = x²e^{−x}, whose derivative is (2x − x²)e^{−x}."""
    return x**2 * np.exp(-x)


def _scalar_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.sin, 1.0, 1e-3), "f(x) = sin x at x = 1, h = 1e-3"),
        Case((np.exp, 0.5, 0.1), "f(x) = exp x at x = 0.5, h = 0.1"),
        Case((_chapter_f, 3.0, 1e-4), "the chapter's f(x) = x²e^(−x) at x = 3, h = 1e-4"),
    ]
    for _ in range(3):
        a, b, c = rng.normal(size=3)
        x, h = float(rng.uniform(-2, 2)), float(rng.choice([1e-1, 1e-2, 1e-3]))

        def cubic(t: float, a: float = a, b: float = b, c: float = c) -> float:
            return a * t**3 + b * t**2 + c * t

        cases.append(Case((cubic, x, h), f"f(x) = {a:.3f}x³ + {b:.3f}x² + {c:.3f}x at x = {x:.3f}, h = {h:g}"))
    return cases


def _forward_difference(got: Any, expected: Any, case: Case) -> str | None:
    f, x, h = case.args
    if np.isclose(got, (f(x + h) - f(x)) / h, rtol=1e-9):
        return "that is the forward difference (f(x+h) − f(x))/h, whose error is O(h); use the central one."
    if np.isclose(got, 2 * expected, rtol=1e-9) or np.isclose(got, expected / 2, rtol=1e-9):
        return "off by a factor of 2: the central difference divides by 2h, the distance between x − h and x + h."
    return None


register(
    Check(
        id="02.derivative",
        function="central_difference",
        reference=calculus.derivative,
        cases=_scalar_cases,
        # (float32 values behind Python floats are named as float32: "compute in float64")
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-8, atol=1e-10, precision="float64")),
        diagnoses=(_forward_difference,),
        hint="compute (f(x + h) − f(x − h)) / (2h).",
        reference_names=("dlcourse.calculus.derivative",),
    )
)


# --------------------------------------------------------------- 02.jacobian
def example_f(x: np.ndarray) -> np.ndarray:
    """The chapter's example f(x) = (x₁² + x₂², x₂² + x₃²·x₂): R³ → R²."""
    return np.array([x[0] ** 2 + x[1] ** 2, x[1] ** 2 + x[2] ** 2 * x[1]])


def example_jacobian(x: np.ndarray) -> np.ndarray:
    """Its Jacobian [[2x₁, 2x₂, 0], [0, 2x₂ + x₃², 2x₂x₃]] (2×3)."""
    x1, x2, x3 = np.asarray(x, dtype=np.float64)
    return np.array([[2 * x1, 2 * x2, 0.0], [0.0, 2 * x2 + x3**2, 2 * x2 * x3]])


def chapter_bowl(x: np.ndarray) -> np.ndarray:
    """The chapter's f(x) = x₁² + 3x₂² as a map R² → R¹: its Jacobian is the 1×2 gradientᵀ."""
    return np.array([x[0] ** 2 + 3 * x[1] ** 2])


def chapter_g(u: np.ndarray) -> np.ndarray:
    """The chapter's g(u) = (u₁u₂, sin u₁, e^{u₂/10}), for the chain rule h = g∘f."""
    return np.array([u[0] * u[1], np.sin(u[0]), np.exp(u[1] / 10)])


def chapter_h(x: np.ndarray) -> np.ndarray:
    """h = g∘f: its Jacobian is J_g(f(x)) J_f(x) (3×3), the chapter's chain-rule example."""
    return chapter_g(example_f(x))


# Requirements stated by the exercise, and the case that tests each:
#  (h is passed by position, numerical_jacobian(f, x, h), as the exercise writes the call)
#  R1 m×n, one row per output and one column per input: the 2×3, 3×2 and 2×4 cases (a
#     transposed matrix has the wrong shape), the 1×2 gradient case (a scalar output is
#     one row, not a flat vector);
#  R2 column j by a central difference along e_j: every case;
#  R3 the step h it is given: the tanh case with h = 0.1 (a step of its own gives a
#     different truncation error);
#  R4 float64: every case at rtol 1e-6;
#  R5 x is not changed (an answer that perturbs x in place must restore it): every case —
#     the call runs on a copy of x and fails an answer that leaves it changed;
#  R6 the chapter's worked examples: f at [1, 2, 3], the gradient of x₁² + 3x₂², and the
#     chain rule's h = g∘f at [0.3, −0.7, 1.1].
def _jacobian_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((example_f, np.array([1.0, 2.0, 3.0]), 1e-5), "the chapter's f(x) = (x₁²+x₂², x₂²+x₃²x₂) at x = [1, 2, 3], h = 1e-5"),
             Case((chapter_bowl, np.array([1.0, -0.5]), 1e-5), "the chapter's f(x) = x₁² + 3x₂² (as [f], R² → R¹) at x = [1, −0.5], h = 1e-5: J is 1×2"),
             Case((chapter_h, np.array([0.3, -0.7, 1.1]), 1e-5), "the chapter's h = g∘f, g(u) = (u₁u₂, sin u₁, e^(u₂/10)), at x = [0.3, −0.7, 1.1], h = 1e-5")]
    for m, n, h in [(3, 2, 1e-5), (2, 4, 1e-5), (3, 3, 0.1)]:
        A = rng.normal(size=(m, n))
        x = rng.normal(size=n)

        def layer(v: np.ndarray, A: np.ndarray = A) -> np.ndarray:
            return np.tanh(A @ v)

        cases.append(Case((layer, x, h), f"f(x) = tanh(Ax), A {m}×{n}, at x = {np.round(x, 3)}, h = {h:g}"))
    return cases


def _transposed(got: Any, expected: Any, case: Case) -> str | None:
    g = as_float_array(got)
    if g is None:
        return None
    if g.shape == expected.T.shape and g.shape != expected.shape:
        return "your matrix is transposed: J[i, j] = ∂fᵢ/∂xⱼ has one row per output and one column per input (m×n)."
    if g.shape == (expected.size,) and expected.shape[0] == 1:
        return "f has one output here, so J is 1×n: one row (keep the output's axis when you stack the columns)."
    return None


def _own_step(got: Any, expected: Any, case: Case) -> str | None:
    f, x, h = case.args
    if h < 1e-2:
        return None
    for own in (1e-5, 1e-6, 1e-4, 1e-7, 1e-8):
        if close(got, calculus.jacobian(f, x, own), rtol=1e-5, atol=1e-7):
            return f"use the step h = {h:g} that numerical_jacobian is given, not a step of your own."
    return None


register(
    Check(
        id="02.jacobian",
        function="numerical_jacobian",
        reference=calculus.jacobian,
        cases=_jacobian_cases,
        compare=guarded(judge_plain_floats_by_value(compare_arrays(rtol=1e-6, atol=1e-8, precision="float64")),
                        "numerical_jacobian",
                        "leave x as it was: perturb a copy (np.array(x, dtype=float) copies, np.asarray does "
                        "not), or undo each perturbation (x[j] = saved) before the next column."),
        diagnoses=(unwrapped(_transposed), unwrapped(_own_step)),
        hint="column j is (f(x + h·eⱼ) − f(x − h·eⱼ)) / (2h), with eⱼ the j-th unit vector.",
        call=guarding_arguments({1: "x"}),
        reference_names=("dlcourse.calculus.jacobian", "dlcourse.calculus.gradient"),
    )
)


# --------------------------------------------------------------- 02.analytic_jacobian
# Requirements stated by the exercise, and the case that tests each:
#  R1 the exact 2×3 Jacobian (rows outputs, columns inputs): every case;
#  R2 ∂f₂/∂x₂ = 2x₂ + x₃² by the product rule: every case with x₃ ≠ 0;
#  R3 no finite differences and no automatic differentiation ("derive it"): rtol 1e-12 on
#     float64 answers, which a central difference misses by its round-off (~1e-10);
#     dlcourse's numerical Jacobian is flagged by the static reading, torch's autograd
#     raises while the check runs;
#  R4 at the given x, not the book's x = [1, 2, 3]: the other fixed case and the random ones;
#  R5 float32 is fine (exact formula), judged at float32 precision, also as Python floats
#     of float32 values (.tolist() of a float32 array).
def _example_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 0.5])]
    drawn = [rng.uniform(-3, 3, size=3) for _ in range(3)]
    return [Case((x,), f"x = {np.round(x, 4)}") for x in fixed + drawn]


def _missing_product_rule(got: Any, expected: Any, case: Case) -> str | None:
    g = as_float_array(got)
    if g is None:
        return None
    if g.shape != (2, 3):
        return "f maps R³ to R², so its Jacobian is 2×3: one row per output."
    x1, x2, x3 = case.args[0]
    if close(g, expected, rtol=1e-5, atol=1e-7):
        return ("close, but only to the accuracy of a finite difference: the exercise asks for the exact "
                "Jacobian — derive each entry by hand (your numerical_jacobian of exercise 2 approximates it).")
    if np.isclose(g[1, 1], 2 * x2) and not np.isclose(expected[1, 1], 2 * x2):
        return "∂f₂/∂x₂: x₃²·x₂ depends on x₂ too, so ∂f₂/∂x₂ = 2x₂ + x₃²."
    if not np.isclose(g[1, 2], expected[1, 2]):
        return "∂f₂/∂x₃ of x₃²·x₂ is 2x₃·x₂ (x₂ is a constant factor)."
    return None


register(
    Check(
        id="02.analytic_jacobian",
        function="jacobian_example",
        reference=example_jacobian,
        cases=_example_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-12, atol=1e-12, precision="dtype")),
        diagnoses=(_missing_product_rule,),
        hint="differentiate each output (row) with respect to each input (column).",
        # "no automatic differentiation: derive it": torch.autograd.functional.jacobian would
        # give the exact numbers too, so torch's autograd raises while the check runs (the
        # static reading resolves dlcourse names only)
        call=run_forbidding(AUTOGRAD),
        reference_names=("dlcourse.calculus.jacobian", "dlcourse.calculus.gradient"),
    )
)


# --------------------------------------------------------------- 02.critical_point
def _rotation(rng: np.random.Generator, n: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return q


def _with_eigenvalues(rng: np.random.Generator, eig: list[float]) -> np.ndarray:
    q = _rotation(rng, len(eig))
    return q @ np.diag(eig) @ q.T


# Requirements stated by the exercise, and the case that tests each:
#  R1 all eigenvalues > 0 → "minimum", all < 0 → "maximum": the rotated definite cases;
#  R2 both signs → "saddle", by the eigenvalues, not the diagonal: the chapter's
#     diag(2, −2), [[1, 2], [2, 1]] (positive diagonal, eigenvalues 3 and −1) and the
#     rotated mixed case;
#  R3 a zero eigenvalue without mixed signs → "degenerate": diag(2, 0) (the chapter's
#     θ₁² + θ₂⁴) and the rotated negative semi-definite case; with mixed signs the test
#     decides, a saddle: diag(3, −2, 0);
#  R4 "zero" means |λ| ≤ 1e-8·max(1, max|λ|): diag(2, −1e-10) (an exact test for 0 calls
#     it a saddle), diag(2, 1e-6) (a looser tolerance calls it degenerate), and
#     diag(1e9, 5) (5 ≤ 1e-8·1e9 = 10: an absolute tolerance calls it a minimum), and
#     diag(0.5, 7e-9) (the max(1, …): 1e-8·max|λ| = 5e-9 alone calls it a minimum), and
#     diag(1e9, 7) rotated by 45° (a tolerance from the largest entry of H, 5e8, calls it a
#     minimum: the eigenvalues set it);
#  R5 the four words exactly, as a str (numpy's np.str_ counts as one).
def _rotated45(big: float, small: float) -> np.ndarray:
    """diag(big, small) rotated by 45°: entries (big ± small)/2, eigenvalues big and small."""
    return np.array([[big + small, big - small], [big - small, big + small]]) / 2


def _hessian_cases(rng: np.random.Generator) -> list[Case]:
    fixed: list[tuple[np.ndarray, str]] = [
        (np.diag([2.0, -2.0]), "H = diag(2, −2), the saddle θ₁² − θ₂²"),
        (np.diag([2.0, 0.0]), "H = diag(2, 0), θ₁² + θ₂⁴ at 0"),
        (np.array([[2.0, 1.0], [1.0, 2.0]]), "H = [[2, 1], [1, 2]]"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "H = [[1, 2], [2, 1]] (eigenvalues 3 and −1)"),
        (np.diag([2.0, -1e-10]), "H = diag(2, −1e-10): |λ₂| ≤ 1e-8 counts as 0"),
        (np.diag([2.0, 1e-6]), "H = diag(2, 1e-6): λ₂ = 1e-6 > 1e-8 is not 0"),
        (np.diag([1e9, 5.0]), "H = diag(1e9, 5): the tolerance is 1e-8·max|λ| = 10, so λ₂ = 5 counts as 0"),
        (np.diag([0.5, 7e-9]), "H = diag(0.5, 7e-9): the tolerance is 1e-8·max(1, 0.5) = 1e-8, so λ₂ counts as 0"),
        (np.diag([3.0, -2.0, 0.0]), "H = diag(3, −2, 0): both signs, so a saddle, although one eigenvalue is 0"),
        (_rotated45(1e9, 7.0), "H = [[500000003.5, 499999996.5], [499999996.5, 500000003.5]], eigenvalues 1e9 and 7: "
                               "the tolerance is 1e-8·max|λ| = 10 (not 1e-8 times the largest entry, 5), so λ₂ = 7 counts as 0"),
    ]
    spec: list[tuple[list[float], str]] = [
        (list(rng.uniform(0.5, 3, size=3)), "positive definite"),
        (list(-rng.uniform(0.5, 3, size=3)), "negative definite"),
        ([float(rng.uniform(0.5, 3)), -float(rng.uniform(0.5, 3)), float(rng.uniform(0.5, 3))], "mixed signs"),
        ([-1.0, 0.0, -2.0], "negative semi-definite"),
    ]
    cases = [Case((H,), label) for H, label in fixed]
    for eig, kind in spec:
        H = _with_eigenvalues(rng, eig)
        cases.append(Case((H,), f"a rotated 3×3 H, {kind}:\n{np.round(H, 3)}"))
    return cases


def _label(value: Any) -> str | None:
    """The word an answer to 02.critical_point gives: a str, a numpy ``np.str_``, or the
    grader's record of one (an opaque value of type ``str_``); None for anything else."""
    if type(value) is str:
        return value
    if type(value) is np.str_:
        return str(value)
    if type(value).__name__ == "Opaque" and getattr(value, "type_name", None) == "str_":
        match = re.fullmatch(r"np\.str_\('(\w+)'\)", repr(value))
        return match.group(1) if match else None
    return None


def compare_label(got: Any, expected: Any) -> Failure | None:
    """The exact word, as a Python str or a numpy ``np.str_``."""
    if _label(got) != expected:
        return Failure(f"expected {expected!r}, got {got!r}")
    return None


def _degenerate_hint(got: Any, expected: Any, case: Case) -> str | None:
    got = _label(got)
    eig = np.linalg.eigvalsh(case.args[0])
    if expected == "degenerate" and np.any(eig != 0) and got in ("minimum", "maximum", "saddle") \
            and np.min(np.abs(eig)) > 0:
        return ("|λ| ≤ 1e-8·max(1, max|λ|) counts as 0 (here the tolerance is "
                f"{1e-8 * max(1.0, float(np.max(np.abs(eig)))):.3g}): the test is inconclusive, 'degenerate'.")
    zero = np.abs(eig) <= 1e-8 * max(1.0, float(np.max(np.abs(eig))))
    if expected == "saddle" and got == "degenerate" and np.any(zero):
        return ("eigenvalues of both signs decide the test whatever the others are: a saddle (only "
                "without mixed signs does a zero eigenvalue leave it undecided, 'degenerate').")
    if expected != "degenerate" and got == "degenerate":
        return ("only |λ| ≤ 1e-8·max(1, max|λ|) counts as 0: an eigenvalue above that tolerance, "
                "however small, has a sign.")
    if expected == "degenerate":
        return "an eigenvalue of 0 makes the second-order test inconclusive: return 'degenerate'."
    if {got, expected} == {"minimum", "maximum"}:
        return "all eigenvalues > 0 means the function curves up in every direction: a minimum."
    if expected == "saddle":
        return "eigenvalues of both signs mean a saddle, even if the diagonal of H looks one-signed."
    return None


register(
    Check(
        id="02.critical_point",
        function="classify",
        reference=calculus.critical_point_type,
        cases=_hessian_cases,
        compare=compare_label,
        diagnoses=(_degenerate_hint,),
        hint="use the signs of the eigenvalues of H (np.linalg.eigvalsh), with a small tolerance for 0.",
        reference_names=("dlcourse.calculus.critical_point_type",),
    )
)

__all__: list[str] = ["example_f", "example_jacobian", "chapter_bowl", "chapter_g", "chapter_h", "compare_label",
                     "saddle_odds"]


# --------------------------------------------------------------- 02.saddle_odds
# Requirements stated by the exercise, and the case that tests each:
#  R1 P(minimum) = P(maximum) = 2^(−p) (all p signs +, or all −): every case;
#  R2 P(saddle) = 1 − 2^(1−p), the rest (both signs present), not 1 − 2^(−p): every case
#     with small p (p = 1 has no saddle at all);
#  R3 the three as a tuple (minimum, maximum, saddle), summing to 1: every case (a list or
#     an array of the three is just as clear, and accepted);
#  R4 any p ≥ 1, up to the millions of a network (no overflow of 2^p): p = 1, 2, 3, 10, 60,
#     10⁶ and random p.
def saddle_odds(p: int) -> tuple[float, float, float]:
    """(P(minimum), P(maximum), P(saddle)) = (2^−p, 2^−p, 1 − 2^(1−p)) when each of the p
    eigenvalues' signs is a fair coin (chapter 2: minima : maxima : saddles = 1 : 1 : 2^p − 2)."""
    tail = 0.5 ** p
    return tail, tail, 1.0 - 2.0 * tail


def _odds_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [1, 2, 3, 10, 60, 1_000_000]
    drawn = [int(p) for p in rng.integers(4, 40, size=2)]
    return [Case((p,), f"p = {p} eigenvalues" + (" (a million parameters)" if p == 1_000_000 else ""))
            for p in fixed + drawn]


def _three(got: Any) -> list[Any] | None:
    """The three parts of an answer to 02.saddle_odds: a tuple or list of 3, or an array of shape (3,)."""
    if isinstance(got, (tuple, list)):
        return list(got) if len(got) == 3 else None
    arr = as_float_array(got) if dtype_of(got) is not None else None
    if arr is not None and arr.shape == (3,):
        return [got[i] for i in range(3)]
    return None


def _compare_odds(got: Any, expected: Any) -> Failure | None:
    got_text = got
    got = _three(got)
    if got is None:
        return Failure(f"expected the tuple (P(minimum), P(maximum), P(saddle)), got {got_text!r}")
    compare = compare_arrays(rtol=1e-9, atol=1e-15, precision="dtype")
    for name, g, e in zip(("P(minimum)", "P(maximum)", "P(saddle)"), got, expected):
        failure = compare(g, e)
        if failure is not None:
            return Failure(f"{name}: {failure.summary}", failure.hint)
    return None


def _odds_mistake(got: Any, expected: Any, case: Case) -> str | None:
    (p,) = case.args
    got = _three(got)
    if got is None:
        return None
    values = [as_float_array(v) for v in got]
    if any(v is None or v.size != 1 for v in values):
        return None
    mn, mx, sd = (float(v.reshape(())) for v in values)
    if np.isclose(sd, 1 - 0.5**p, rtol=1e-9):
        return "the saddles are everything but the minima AND the maxima: 1 − 2·2^(−p) = 1 − 2^(1−p)."
    if np.isclose(mn, 0.5 ** (p - 1), rtol=1e-9) or np.isclose(mn, 2.0**p, rtol=1e-9):
        return "a minimum needs all p signs positive: (1/2)^p."
    return None


register(
    Check(
        id="02.saddle_odds",
        function="critical_point_odds",
        reference=saddle_odds,
        cases=_odds_cases,
        compare=_compare_odds,
        diagnoses=(_odds_mistake,),
        hint="P(minimum) = P(maximum) = (1/2)^p; a saddle is every other sign pattern.",
    )
)
