"""Numerical derivatives and critical points (chapter 2, *Calculus for deep learning*).

Everything here uses **central differences**,

    f′(x) ≈ (f(x + h) − f(x − h)) / 2h,

whose truncation error is O(h²) (the forward difference (f(x + h) − f(x)) / h is only
O(h)). Round-off grows like ε_mach / h, so the total error is smallest near
h ≈ ε_mach^(1/3) ≈ 6e-6 for float64: that is the default step. Chapter 2 plots both regimes.

These functions *check* gradients; the course never trains with them. A gradient in Rⁿ
costs 2n evaluations of f (one pair per input), where backpropagation costs about three
forward passes (one forward, one backward of about twice the work) whatever n is.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFAULT_STEP",
    "derivative",
    "gradient",
    "jacobian",
    "hessian",
    "critical_point_type",
    "relative_error",
]

#: ε_mach^(1/3) for float64: balances the O(h²) truncation and O(ε/h) round-off errors.
DEFAULT_STEP: float = float(np.finfo(np.float64).eps ** (1 / 3))

CriticalPoint = Literal["minimum", "maximum", "saddle", "degenerate"]


def _check_step(h: float) -> float:
    if not isinstance(h, (int, float, np.floating)) or isinstance(h, bool):
        raise TypeError(f"step h must be a real number, got {type(h).__name__}")
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"step h must be a positive finite number, got {h!r}")
    return float(h)


def _as_point(x: ArrayLike, name: str = "x") -> NDArray[np.float64]:
    """x as a float64 vector, refusing NaN/inf, strings and matrices."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or a vector of them, got {x!r}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D vector, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf: {arr}")
    return arr.reshape(-1)


def _value(f: Callable, x: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    """Evaluate f at x (passing a scalar when f was given one) and check the result."""
    out = np.asarray(f(x), dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what}: f returned NaN or inf at x = {x}")
    return out


def derivative(f: Callable[[float], float], x: float, h: float = DEFAULT_STEP) -> float:
    """f′(x) of a scalar function by the central difference (f(x+h) − f(x−h)) / 2h.

    Error O(h²). Chapter 2.
    """
    h = _check_step(h)
    point = _as_point(x)
    if point.size != 1:
        raise ValueError(f"derivative needs a scalar x, got shape {np.shape(x)}; use gradient()")
    x0 = float(point[0])
    up = _value(f, x0 + h, "derivative")
    down = _value(f, x0 - h, "derivative")
    if up.size != 1:
        raise ValueError(f"derivative needs a scalar-valued f, got output shape {up.shape}")
    return float((up - down).item() / (2 * h))


def _central_columns(
    f: Callable, x0: NDArray[np.float64], h: float, what: str, scalar: bool = False
) -> NDArray[np.float64]:
    """The m×n matrix of central differences, from exactly 2n evaluations of f.

    f is evaluated only at the 2n points x ± h eⱼ (never at x itself): the first pair
    fixes the output size m and every later pair must keep it.
    """
    n = x0.size
    if n == 0:
        raise ValueError(f"{what} needs at least one input, got an empty x")
    J: NDArray[np.float64] | None = None
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        up = _value(f, x0 + e, what)
        down = _value(f, x0 - e, what)
        if J is None:
            if scalar and up.size != 1:
                raise ValueError(
                    f"{what} needs a scalar-valued f, got output shape {up.shape}; use jacobian()"
                )
            if up.ndim > 1:
                raise ValueError(
                    f"{what} needs f to return a scalar or a vector, got shape {up.shape}"
                )
            J = np.empty((up.size, n))
        m = J.shape[0]
        if up.size != m or down.size != m:
            raise ValueError(
                f"f changed its output size: {m} at x + h e_0, "
                f"{up.size} at x + h e_{j} and {down.size} at x − h e_{j}"
            )
        J[:, j] = (up.reshape(-1) - down.reshape(-1)) / (2 * h)
    assert J is not None
    return J


def jacobian(
    f: Callable[[NDArray[np.float64]], ArrayLike], x: ArrayLike, h: float = DEFAULT_STEP
) -> NDArray[np.float64]:
    """The m×n Jacobian J[i, j] = ∂fᵢ/∂xⱼ of f: Rⁿ → Rᵐ by central differences.

    Column j is (f(x + h eⱼ) − f(x − h eⱼ)) / 2h, with eⱼ the j-th unit vector. The cost
    is exactly 2n evaluations of f (at x ± h eⱼ, never at x itself) and the error O(h²).
    Rows index outputs, columns inputs (chapter 2: for f(x) = (x₁² + x₂², x₂² + x₃²x₂),
    J is 2×3).
    """
    return _central_columns(f, _as_point(x), _check_step(h), "jacobian")


def gradient(
    f: Callable[[NDArray[np.float64]], float], x: ArrayLike, h: float = DEFAULT_STEP
) -> NDArray[np.float64]:
    """∇f(x) = (∂f/∂x₁, …, ∂f/∂xₙ) of a scalar function f: Rⁿ → R, by central differences.

    The gradient points in the direction of steepest ascent. It is the single row of the
    1×n Jacobian, returned with x's shape (n,), and costs the same: exactly 2n evaluations
    of f, error O(h²). Chapters 2 and 5.
    """
    return _central_columns(f, _as_point(x), _check_step(h), "gradient", scalar=True)[0]


def hessian(
    f: Callable[[NDArray[np.float64]], float], x: ArrayLike, h: float = 1e-4
) -> NDArray[np.float64]:
    """The n×n Hessian H[i, j] = ∂²f/∂xᵢ∂xⱼ of f: Rⁿ → R by central differences.

    H[i, j] ≈ (f(x+hᵢ+hⱼ) − f(x+hᵢ−hⱼ) − f(x−hᵢ+hⱼ) + f(x−hᵢ−hⱼ)) / 4h², error O(h²);
    the result is symmetrised, (H + Hᵀ)/2. Second differences divide by h², so round-off
    grows like ε/h² and the best step is larger, about ε^(1/4) ≈ 1e-4 (the default).
    It costs 2n(n + 1) + 1 evaluations of f: one at x to check that f is scalar-valued,
    then four for each of the n(n + 1)/2 entries on and above the diagonal. Chapter 2
    classifies critical points by its eigenvalues.
    """
    h = _check_step(h)
    x0 = _as_point(x)
    if np.asarray(f(x0)).size != 1:
        raise ValueError("hessian needs a scalar-valued f")
    n = x0.size
    H = np.empty((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            ei, ej = eye[i], eye[j]
            H[i, j] = H[j, i] = (
                _value(f, x0 + ei + ej, "hessian")
                - _value(f, x0 + ei - ej, "hessian")
                - _value(f, x0 - ei + ej, "hessian")
                + _value(f, x0 - ei - ej, "hessian")
            ).item() / (4 * h * h)
    return H


def critical_point_type(H: ArrayLike, tol: float = 1e-8) -> CriticalPoint:
    """Classify a critical point (∇f = 0) by the eigenvalues λᵢ of its Hessian H.

    all λᵢ > tol → ``"minimum"`` (H positive definite); all λᵢ < −tol → ``"maximum"``;
    some λᵢ > tol and some < −tol → ``"saddle"`` (H indefinite); otherwise some |λᵢ| ≤ tol
    and no mixed signs → ``"degenerate"``: the second-order test is inconclusive
    (semi-definiteness is necessary for a minimum, not sufficient). The tolerance is
    relative to the largest |λᵢ| when that exceeds 1. Chapter 2: θ₁² − θ₂² has
    H = diag(2, −2), a saddle.
    """
    try:
        M = np.asarray(H, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"H must be a square matrix of real numbers, got {H!r}") from None
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.size == 0:
        raise ValueError(f"H must be a non-empty square matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise ValueError("H contains NaN or inf")
    if not np.allclose(M, M.T, rtol=1e-6, atol=1e-8):
        raise ValueError("H must be symmetric (a Hessian of a C² function is)")
    if tol < 0:
        raise ValueError(f"tol must be non-negative, got {tol}")
    eig = np.linalg.eigvalsh((M + M.T) / 2)
    scale = max(1.0, float(np.max(np.abs(eig))))
    pos, neg = bool(np.any(eig > tol * scale)), bool(np.any(eig < -tol * scale))
    if pos and neg:
        return "saddle"
    if np.any(np.abs(eig) <= tol * scale):
        return "degenerate"
    return "minimum" if pos else "maximum"


def relative_error(a: ArrayLike, b: ArrayLike, tiny: float = 1e-300) -> float:
    """max |a − b| / max(|a|, |b|, tiny), element-wise: the gradient-check measure.

    About 1e-7 or less means agreement for float64 central differences; 1e-2 or more means
    a bug. Chapter 2.
    """
    A, B = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if A.shape != B.shape:
        raise ValueError(f"shapes differ: {A.shape} vs {B.shape}")
    denom = np.maximum(np.maximum(np.abs(A), np.abs(B)), tiny)
    return float(np.max(np.abs(A - B) / denom)) if A.size else 0.0
