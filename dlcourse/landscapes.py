"""Test functions for optimizers: the surfaces chapters 3 and 6–9 walk on.

Every landscape is a :class:`Landscape`: the risk ``f(θ)``, its gradient ``∇f(θ)``,
the known minimiser θ* (or ``None``), a plotting window and the formula in LaTeX.

``f`` and ``grad`` are vectorised over everything after the first axis: the first
axis of ``theta`` holds the n coordinates, so ``f`` takes a single point of shape
``(n,)`` (and returns a float) or a stack of points such as a meshgrid of shape
``(n, H, W)`` (and returns an array of shape ``(H, W)``). ``grad`` returns an array
of ``theta``'s shape. A one-dimensional landscape also takes a plain number.

This module imports numpy only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Sequence, Union

import numpy as np

__all__ = [
    "Landscape",
    "quadratic",
    "least_squares",
    "rosenbrock",
    "badly_scaled_data",
    "badly_scaled_regression",
    "minibatch_loss",
    "minibatch_grad",
    "ILL_CONDITIONED",
    "SGD_EXAMPLE",
    "GD_EXAMPLE",
    "FINITE_SUM",
    "FINITE_SUM_N",
    "SADDLE",
    "ROSENBROCK",
    "BEALE",
    "HILL",
    "LANDSCAPES",
]

Bounds = tuple[tuple[float, float], tuple[float, float]]
Value = Union[float, np.ndarray]


@dataclass(frozen=True, eq=False)
class Landscape:
    """A risk surface f: Rⁿ → R with its gradient ∇f, for gradient descent to walk on.

    Fields: ``name``; ``f(θ)``; ``grad(θ)`` = ∇f(θ); ``minimum``, the known minimiser
    θ* (``None`` where there is none, as for a saddle); ``bounds`` = ((x0, x1), (y0, y1)),
    the plotting window of θ1 and θ2 (for a one-dimensional landscape: the window of w
    and of f(w)); ``latex``, the formula; ``dim`` = n.

    The first axis of θ holds the coordinates (see the module docstring). Chapter 6
    introduces the landscapes; chapters 7–9 race optimizers on them.
    """

    name: str
    f: Callable[[np.ndarray], Value]
    grad: Callable[[np.ndarray], Value]
    minimum: np.ndarray | None
    bounds: Bounds
    latex: str
    dim: int = 2

    def __call__(self, theta: np.ndarray) -> Value:
        """f(θ), the same as ``self.f(theta)``."""
        return self.f(theta)

    def __repr__(self) -> str:
        return f"Landscape({self.name!r}: {self.latex})"

    def _repr_latex_(self) -> str:
        return f"${self.latex}$"


# --------------------------------------------------------------------------- helpers


def _as_theta(theta: object, dim: int, name: str) -> np.ndarray:
    """θ as a float64 array whose first axis has length ``dim``; checks it is finite."""
    arr = np.asarray(theta)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
        or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name}: theta must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim == 0 and dim == 1:
        arr = arr.reshape(1)
    if arr.ndim == 0 or arr.shape[0] != dim:
        raise ValueError(
            f"{name}: theta must have {dim} coordinate(s) along its first axis, "
            f"got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: theta contains NaN or infinity: {theta!r}")
    return arr


def _make(
    name: str,
    dim: int,
    f: Callable[[np.ndarray], np.ndarray],
    grad: Callable[[np.ndarray], Sequence[np.ndarray] | np.ndarray],
    minimum: Sequence[float] | None,
    bounds: Bounds,
    latex: str,
) -> Landscape:
    """Wrap raw formulas (taking a validated float array) into a checked Landscape."""

    def f_checked(theta: np.ndarray) -> Value:
        scalar_in = np.ndim(theta) <= 1
        value = np.asarray(f(_as_theta(theta, dim, name)), dtype=np.float64)
        return float(value) if scalar_in else value

    def grad_checked(theta: np.ndarray) -> Value:
        arr = _as_theta(theta, dim, name)
        g = np.broadcast_to(np.asarray(grad(arr), dtype=np.float64), arr.shape).copy()
        return float(g[0]) if np.ndim(theta) == 0 else g

    f_checked.__doc__ = f"f(θ) = {latex}"
    grad_checked.__doc__ = f"∇f(θ) for f(θ) = {latex}"
    if minimum is not None:
        minimum = np.array(minimum, dtype=np.float64)
        minimum.setflags(write=False)
    b = tuple((float(lo), float(hi)) for lo, hi in bounds)
    return Landscape(name, f_checked, grad_checked, minimum, b, latex, dim)  # type: ignore


def _as_matrix(a: object, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


# --------------------------------------------------------------------- quadratics


def quadratic(
    A: np.ndarray,
    b: np.ndarray | None = None,
    c: float = 0.0,
    *,
    name: str = "quadratic",
    bounds: Bounds | None = None,
    latex: str | None = None,
) -> Landscape:
    """The quadratic f(θ) = ½ θᵀAθ + bᵀθ + c with ∇f(θ) = Aθ + b (A symmetric).

    Its Hessian is A everywhere, so the ratio of A's largest to smallest eigenvalue
    (the condition number) decides how fast gradient descent can go: chapter 6.
    The minimiser θ* = −A⁻¹b exists when A is positive definite; otherwise
    ``minimum`` is ``None``. The default window is θ* (or 0) ± 2 in θ1 and θ2.
    """
    A = _as_matrix(A, "A")
    n = A.shape[0]
    if A.shape != (n, n) or n == 0:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    if not np.allclose(A, A.T, rtol=1e-12, atol=0.0):
        raise ValueError("A must be symmetric (the Hessian of a quadratic is); got A != Aᵀ")
    b_vec = np.zeros(n) if b is None else np.asarray(b, dtype=np.float64)
    if b_vec.shape != (n,):
        raise ValueError(f"b must have shape ({n},) to match A, got shape {b_vec.shape}")
    if not np.all(np.isfinite(b_vec)):
        raise ValueError("b contains NaN or infinity")
    c = float(c)
    if not math.isfinite(c):
        raise ValueError(f"c must be finite, got {c}")
    A = A.copy()

    def f(theta: np.ndarray) -> np.ndarray:
        return (
            0.5 * np.einsum("i...,ij,j...->...", theta, A, theta)
            + np.einsum("i,i...->...", b_vec, theta)
            + c
        )

    def grad(theta: np.ndarray) -> np.ndarray:
        return np.einsum("ij,j...->i...", A, theta) + b_vec.reshape((n,) + (1,) * (theta.ndim - 1))

    minimum = None
    if np.all(np.linalg.eigvalsh(A) > 0):
        minimum = np.linalg.solve(A, -b_vec) + 0.0  # + 0.0 turns −0.0 into 0.0
    if bounds is None:
        centre = np.zeros(2) if minimum is None else np.resize(minimum, 2)
        bounds = ((centre[0] - 2, centre[0] + 2), (centre[1] - 2, centre[1] + 2))
    if latex is None:
        latex = r"f(\theta) = \tfrac12\,\theta^\top A\,\theta + b^\top\theta + c"
    return _make(name, n, f, grad, minimum, bounds, latex)


ILL_CONDITIONED = quadratic(
    np.diag([20.0, 1.0]),
    name="ill-conditioned bowl",
    bounds=((-3.0, 3.0), (-3.0, 3.0)),
    latex=r"R(\theta) = 10\,\theta_1^2 + 0.5\,\theta_2^2",
)
"""R(θ) = 10θ1² + 0.5θ2², ∇R = (20θ1, θ2): curvature 20 across, 1 along (chapter 6)."""

SGD_EXAMPLE = quadratic(
    np.diag([2.5, 2.0]),
    b=np.array([15.0, -16.0]),
    c=1.25 * 36 + 64,
    name="SGD example",
    bounds=((-10.0, 2.0), (-1.0, 11.0)),
    latex=r"f(x) = 1.25\,(x_1 + 6)^2 + (x_2 - 8)^2",
)
"""f(x) = 1.25(x1 + 6)² + (x2 − 8)², minimum at (−6, 8): GD vs SGD in chapter 7."""


def _gd_example_f(w: np.ndarray) -> np.ndarray:
    return (w[0] - 1) ** 2 + (w[0] - 3) ** 2


GD_EXAMPLE = _make(
    "(w-1)^2 + (w-3)^2",
    1,
    _gd_example_f,
    lambda w: 4 * w - 8,
    [2.0],
    ((-1.0, 5.0), (0.0, 20.0)),
    r"f(w) = (w - 1)^2 + (w - 3)^2",
)
"""f(w) = (w − 1)² + (w − 3)², f′(w) = 4w − 8, minimum f(2) = 2.

Chapter 6's worked step: at w = 1 (f = 4) with η = 0.1, w ← 1 − 0.1·(−4) = 1.4 and
f(1.4) = 2.72.
"""

# ----------------------------------------------------------------- finite sum (ch. 7)

FINITE_SUM_N = 1000
_I = np.arange(1, FINITE_SUM_N + 1, dtype=np.float64)


def _finite_sum_f(w: np.ndarray) -> np.ndarray:
    return np.mean((w[0][..., None] - _I) ** 2, axis=-1)


FINITE_SUM = _make(
    "finite sum",
    1,
    _finite_sum_f,
    lambda w: 2 * w - (FINITE_SUM_N + 1),
    [(FINITE_SUM_N + 1) / 2],
    ((0.0, 1001.0), (0.0, 3.5e5)),
    r"f(w) = \frac{1}{1000}\sum_{i=1}^{1000} (w - i)^2",
)
"""f(w) = (1/1000) Σ_{i=1}^{1000} (w − i)², f′(w) = 2w − 1001, minimum at w = 500.5.

Chapter 7 estimates f′ from a minibatch B ⊂ {1, …, 1000}: see :func:`minibatch_grad`.
"""


def _as_batch(batch: Sequence[int]) -> np.ndarray:
    arr = np.asarray(batch)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"batch must be a non-empty 1-D sequence of indices, got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"batch must hold integer indices i, got dtype {arr.dtype}")
    if arr.min() < 1 or arr.max() > FINITE_SUM_N:
        raise ValueError(
            f"batch indices must lie in 1..{FINITE_SUM_N}, "
            f"got values from {arr.min()} to {arr.max()}"
        )
    return arr.astype(np.float64)


def minibatch_loss(w: float | np.ndarray, batch: Sequence[int]) -> Value:
    """The minibatch risk f̃(w) = (1/|B|) Σ_{i∈B} (w − i)² of :data:`FINITE_SUM` (chapter 7).

    ``w`` is a number or an array whose first axis has length 1, as for the landscape.
    (One lecture deck prints (w − 3)⁴ in this loss; its derivative 2w − 5 belongs to
    the square, which is what is meant.)
    """
    i = _as_batch(batch)
    w_arr = _as_theta(w, 1, "minibatch_loss")
    value = np.mean((w_arr[0][..., None] - i) ** 2, axis=-1)
    return float(value) if np.ndim(w) <= 1 else value


def minibatch_grad(w: float | np.ndarray, batch: Sequence[int]) -> Value:
    """The minibatch gradient f̃′(w) = (1/|B|) Σ_{i∈B} 2(w − i) (chapter 7).

    It is an unbiased estimate of f′(w) = 2w − 1001 when B is drawn uniformly. The
    lecture's step: B = {1, 2, 3, 4}, w = 10 gives f̃′(w) = 2w − 5 = 15, and with
    η = 0.1, w ← 10 − 1.5 = 8.5. (Averaged over the batch, as PyTorch's mean-reduced
    losses do; summing instead rescales η by |B|.)
    """
    i = _as_batch(batch)
    w_arr = _as_theta(w, 1, "minibatch_grad")
    g = np.mean(2 * (w_arr[..., None] - i), axis=-1)
    return float(g[0]) if np.ndim(w) == 0 else g


# ------------------------------------------------------------ classic test functions


def _saddle_f(t: np.ndarray) -> np.ndarray:
    return t[0] ** 2 - t[1] ** 2


SADDLE = _make(
    "saddle",
    2,
    _saddle_f,
    lambda t: np.stack([2 * t[0], -2 * t[1]]),
    None,
    ((-2.0, 2.0), (-2.0, 2.0)),
    r"f(\theta) = \theta_1^2 - \theta_2^2",
)
"""f(θ) = θ1² − θ2², ∇f = (2θ1, −2θ2): a critical point at 0 that is a saddle (chapter 3)."""


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    """Rosenbrock's banana f(x, y) = (a − x)² + b(y − x²)², minimum at (a, a²) with f = 0.

    ∇f = (−2(a − x) − 4bx(y − x²), 2b(y − x²)). A curved, flat-bottomed valley that
    plain gradient descent crawls along: the optimizer race of chapter 9.
    """
    a, b = float(a), float(b)
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        raise ValueError(f"rosenbrock needs finite a and b > 0, got a={a}, b={b}")

    def f(t: np.ndarray) -> np.ndarray:
        x, y = t
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(t: np.ndarray) -> np.ndarray:
        x, y = t
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])

    bounds = ((a - 3.0, a + 1.5), (a * a - 2.0, a * a + 3.0))
    latex = rf"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2"
    name = "Rosenbrock" if (a, b) == (1.0, 100.0) else f"Rosenbrock(a={a:g}, b={b:g})"
    return _make(name, 2, f, grad, [a, a * a], bounds, latex)


ROSENBROCK = rosenbrock()
"""Rosenbrock's function with a = 1, b = 100: f = (1 − x)² + 100(y − x²)², minimum (1, 1)."""

_BEALE_C = (1.5, 2.25, 2.625)


def _beale_f(t: np.ndarray) -> np.ndarray:
    x, y = t
    return sum((c - x + x * y**k) ** 2 for k, c in enumerate(_BEALE_C, start=1))


def _beale_grad(t: np.ndarray) -> np.ndarray:
    x, y = t
    gx = np.zeros_like(x)
    gy = np.zeros_like(y)
    for k, c in enumerate(_BEALE_C, start=1):
        r = c - x + x * y**k
        gx = gx + 2 * r * (y**k - 1)
        gy = gy + 2 * r * k * x * y ** (k - 1)
    return np.stack([gx, gy])


BEALE = _make(
    "Beale",
    2,
    _beale_f,
    _beale_grad,
    [3.0, 0.5],
    ((-4.5, 4.5), (-4.5, 4.5)),
    r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
)
"""Beale's function Σ_{k=1}^{3} (c_k − x + xy^k)², c = (1.5, 2.25, 2.625); minimum (3, 0.5), f = 0.

∂f/∂x = Σ 2r_k (y^k − 1), ∂f/∂y = Σ 2r_k · k x y^(k−1), with r_k = c_k − x + xy^k.
Sharp ridges and flat plateaus: chapter 9's optimizer race.
"""


def _hill_f(t: np.ndarray) -> np.ndarray:
    return -np.sin(t[0]) * np.exp(-((t[1] - np.pi / 2) ** 2)) / (2 * np.pi)


def _hill_grad(t: np.ndarray) -> np.ndarray:
    e = np.exp(-((t[1] - np.pi / 2) ** 2))
    return np.stack(
        [-np.cos(t[0]) * e / (2 * np.pi), np.sin(t[0]) * e * (t[1] - np.pi / 2) / np.pi]
    )


HILL = _make(
    "hill",
    2,
    _hill_f,
    _hill_grad,
    [np.pi / 2, np.pi / 2],
    ((-np.pi, np.pi), (np.pi / 2 - 3, np.pi / 2 + 3)),
    r"R(\theta) = -\sin\theta_1 \, \exp\!\left(-(\theta_2 - \pi/2)^2\right) / (2\pi)",
)
"""Chapter 6's hill R(θ) = −sin θ1 · exp(−(θ2 − π/2)²) / (2π).

∇R = (−cos θ1 · e / 2π, sin θ1 · e · (θ2 − π/2)/π) with e = exp(−(θ2 − π/2)²). The hill
top is (−π/2, π/2) with R = 1/(2π); the valley floor is θ* = (π/2, π/2) with
R = −1/(2π). The lecture prints the exponent as exp((θ2 − π/2)²), without the minus
sign; that surface grows without bound in θ2 and has no valley.
"""

# --------------------------------------------------- badly scaled regression (ch. 6)


def least_squares(
    X: np.ndarray,
    y: np.ndarray,
    *,
    name: str = "least squares",
    bounds: Bounds | None = None,
    latex: str | None = None,
) -> Landscape:
    """The mean squared error L(w) = (1/N) Σ_i (wᵀx_i − y_i)² = (1/N)‖Xw − y‖².

    ∇L(w) = (2/N) Xᵀ(Xw − y); the Hessian (2/N) XᵀX is fixed by the features, so badly
    scaled features make an ill-conditioned landscape (chapter 6). Stored expanded as
    the quadratic ½ wᵀ(2XᵀX/N)w − (2Xᵀy/N)ᵀw + yᵀy/N, so that a contour grid costs no
    more than for two weights; θ* is the least-squares solution. Default window θ* ± 2.
    """
    X = _as_matrix(X, "X")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinity")
    n_samples, n = X.shape
    if n_samples == 0:
        raise ValueError("X has no rows (samples)")
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    if bounds is None:
        c2 = np.resize(w_star, 2)
        bounds = ((c2[0] - 2, c2[0] + 2), (c2[1] - 2, c2[1] + 2))
    if latex is None:
        latex = r"L(w) = \frac{1}{N}\sum_{i=1}^{N} (w^\top x_i - y_i)^2"
    q = quadratic(
        2 * X.T @ X / n_samples, -2 * X.T @ y / n_samples, float(y @ y) / n_samples,
        name=name, bounds=bounds, latex=latex,
    )
    minimum = None if q.minimum is None else w_star
    if minimum is not None:
        minimum.setflags(write=False)
    return replace(q, minimum=minimum)


def badly_scaled_data(
    seed: int = 0, n_samples: int = 200, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Features x1 ~ U[−1000, 1000], x2 ~ U[0, 1] and targets y = 0.001·x1 + 2·x2 + noise.

    Returns X of shape (n_samples, 2) and y of shape (n_samples,); the noise is Gaussian
    with standard deviation ``noise``. Chapter 6 uses it to show why features are scaled.
    """
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 2:
        raise ValueError(f"n_samples must be an int >= 2, got {n_samples!r}")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite standard deviation >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.uniform(-1000, 1000, n_samples), rng.uniform(0, 1, n_samples)])
    y = X @ np.array([0.001, 2.0]) + noise * rng.standard_normal(n_samples)
    return X, y


def badly_scaled_regression(
    seed: int = 0, n_samples: int = 200, noise: float = 0.1, scaled: bool = False
) -> Landscape:
    """The mean squared error of wᵀx = w1x1 + w2x2 on :func:`badly_scaled_data` (chapter 6).

    L(w) = (1/N) Σ_i (wᵀx_i − y_i)². With x1 ∈ [−1000, 1000] and x2 ∈ [0, 1] the Hessian
    (2/N) XᵀX has eigenvalues about 7·10⁵ and 0.7: any η above 2/λ_max ≈ 3·10⁻⁶ diverges
    along w1 while w2 barely moves. ``scaled=True`` divides each feature by its root mean
    square s_j = √((1/N) Σ_i x_ij²), so both diagonal Hessian entries become 2 and one η
    suits both directions; its minimiser is s ⊙ w*. No shift is applied: the model has
    no bias to absorb one.
    """
    X, y = badly_scaled_data(seed, n_samples, noise)
    if scaled:
        X = X / np.sqrt(np.mean(X**2, axis=0))
        return least_squares(
            X, y, name="scaled regression",
            latex=r"L(w) = \frac{1}{N}\sum_{i} (w_1 x_{i1}/s_1 + w_2 x_{i2}/s_2 - y_i)^2",
        )
    return least_squares(X, y, name="badly scaled regression")


LANDSCAPES: dict[str, Landscape] = {
    land.name: land
    for land in (ILL_CONDITIONED, SGD_EXAMPLE, SADDLE, ROSENBROCK, BEALE, HILL)
}
"""The two-dimensional surfaces by name, for optimizer races (chapter 9)."""
