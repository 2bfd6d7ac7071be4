"""Checks for the exercises of chapter 2, *Calculus for deep learning*."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import calculus
from . import Case, Check, compare_arrays, compare_equal, register


# --------------------------------------------------------------- 02.derivative
def _scalar_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.sin, 1.0, 1e-3), "f(x) = sin x at x = 1, h = 1e-3"),
        Case((np.exp, 0.5, 0.1), "f(x) = exp x at x = 0.5, h = 0.1"),
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
        compare=compare_arrays(rtol=1e-8, atol=1e-10),
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


def _jacobian_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((example_f, np.array([1.0, 2.0, 3.0])), "the chapter's f(x) = (x₁²+x₂², x₂²+x₃²x₂) at x = [1, 2, 3]", {"h": 1e-5})]
    for m, n in [(3, 2), (2, 4)]:
        A = rng.normal(size=(m, n))
        x = rng.normal(size=n)

        def layer(v: np.ndarray, A: np.ndarray = A) -> np.ndarray:
            return np.tanh(A @ v)

        cases.append(Case((layer, x), f"f(x) = tanh(Ax), A {m}×{n}, at x = {np.round(x, 3)}", {"h": 1e-5}))
    return cases


def _transposed(got: Any, expected: Any, case: Case) -> str | None:
    g = np.asarray(got, dtype=float)
    if g.shape == expected.T.shape and g.shape != expected.shape:
        return "your matrix is transposed: J[i, j] = ∂fᵢ/∂xⱼ has one row per output and one column per input (m×n)."
    return None


register(
    Check(
        id="02.jacobian",
        function="numerical_jacobian",
        reference=calculus.jacobian,
        cases=_jacobian_cases,
        compare=compare_arrays(rtol=1e-6, atol=1e-8),
        diagnoses=(_transposed,),
        hint="column j is (f(x + h·eⱼ) − f(x − h·eⱼ)) / (2h), with eⱼ the j-th unit vector.",
        reference_names=("dlcourse.calculus.jacobian", "dlcourse.calculus.gradient"),
    )
)


# --------------------------------------------------------------- 02.analytic_jacobian
def _example_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 0.5])]
    drawn = [rng.uniform(-3, 3, size=3) for _ in range(3)]
    return [Case((x,), f"x = {np.round(x, 4)}") for x in fixed + drawn]


def _missing_product_rule(got: Any, expected: Any, case: Case) -> str | None:
    g = np.asarray(got, dtype=float)
    if g.shape != (2, 3):
        return "f maps R³ to R², so its Jacobian is 2×3: one row per output."
    x1, x2, x3 = case.args[0]
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
        compare=compare_arrays(rtol=1e-12, atol=1e-12),
        diagnoses=(_missing_product_rule,),
        hint="differentiate each output (row) with respect to each input (column).",
    )
)


# --------------------------------------------------------------- 02.critical_point
def _rotation(rng: np.random.Generator, n: int) -> np.ndarray:
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    return q


def _with_eigenvalues(rng: np.random.Generator, eig: list[float]) -> np.ndarray:
    q = _rotation(rng, len(eig))
    return q @ np.diag(eig) @ q.T


def _hessian_cases(rng: np.random.Generator) -> list[Case]:
    fixed: list[tuple[np.ndarray, str]] = [
        (np.diag([2.0, -2.0]), "H = diag(2, −2), the saddle θ₁² − θ₂²"),
        (np.diag([2.0, 0.0]), "H = diag(2, 0), θ₁² + θ₂⁴ at 0"),
        (np.array([[2.0, 1.0], [1.0, 2.0]]), "H = [[2, 1], [1, 2]]"),
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


def _degenerate_hint(got: Any, expected: Any, case: Case) -> str | None:
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
        compare=compare_equal,
        diagnoses=(_degenerate_hint,),
        hint="use the signs of the eigenvalues of H (np.linalg.eigvalsh), with a small tolerance for 0.",
        reference_names=("dlcourse.calculus.critical_point_type",),
    )
)

__all__: list[str] = ["example_f", "example_jacobian"]
