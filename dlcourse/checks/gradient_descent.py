"""Checks for the exercises of chapter 6, *Gradient descent*.

Paths are compared with :func:`dlcourse.checks.compare_trajectories`, which names the first
step t and the first element of θ_t where a path leaves the reference; chapter 7's checks
reuse :func:`same_path` and :data:`FIRST_ROW_HINT` to diagnose paths.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .. import landscapes, optim
from . import (FLOAT32_RTOL, Case, Check, Comparator, Failure, _fmt_pair, as_float_array, as_number, close,
               compare_trajectories, float32_exact, is_float32, judge_plain_floats_by_value,
               register)

__all__ = ["compare_numbers", "same_path", "gd_example_step", "max_stable_lr", "init_std"]


def _numbers(got: Any, size: int) -> np.ndarray | None:
    """``got`` as a flat float64 array of ``size`` numbers, or None.

    A tuple or list of ``size`` parts each holding one number (a float, a 0-d array, or a
    1-element array or tensor such as ``tensor([1.4])``) counts as those numbers.
    """
    if isinstance(got, (list, tuple)) and len(got) == size:
        parts = [as_float_array(part) for part in got]
        if all(part is not None and part.size == 1 for part in parts):
            return np.array([float(part.reshape(())) for part in parts])
    g = as_float_array(got)
    return None if g is None else np.atleast_1d(g)


def compare_numbers(rtol: float = 1e-9, atol: float = 0.0, names: tuple[str, ...] = ()) -> Comparator:
    """A comparator for one number or a few named numbers (``names``), element by element.

    |got − expected| ≤ atol + rtol·|expected| for each number; an answer computed in float32
    (numpy or torch, or a tuple of them) is judged at float32 precision,
    rtol' = max(rtol, :data:`~dlcourse.checks.FLOAT32_RTOL`): none of chapter 6's exercises
    needs float64. So is a Python float whose value is a float32 number (:func:`float32_exact`:
    ``tensor.item()`` of a float32 result). A mismatch shows both numbers with as many digits as it takes to tell
    them apart.
    """

    def compare(got: Any, expected: Any) -> Failure | None:
        exp = np.atleast_1d(np.asarray(expected, dtype=np.float64))
        what = f"{len(names)} numbers ({', '.join(names)})" if names else "a number"
        g = _numbers(got, exp.size)
        if g is None or g.shape != exp.shape:
            return Failure(f"expected {what}, got {got!r:.200}")
        parts = list(got) if isinstance(got, (list, tuple)) and len(got) == exp.size else [got] * exp.size
        for k, (e, v) in enumerate(zip(exp, g)):
            low = is_float32(parts[k]) or float32_exact(parts[k])
            r = max(rtol, FLOAT32_RTOL) if low else rtol
            a = max(atol, FLOAT32_RTOL * abs(e)) if low else atol
            if not (np.isfinite(v) and abs(v - e) <= a + r * abs(e)):
                shown_e, shown_v = _fmt_pair(float(e), float(v))
                label = f"{names[k]}: " if names else ""
                note = " (your result is float32: compared at float32 precision)" if low else ""
                return Failure(f"{label}expected {shown_e}, got {shown_v}{note}")
        return None

    return compare


FIRST_ROW_HINT = "the first row of the path is the starting point θ₀ itself (a copy, unchanged)."


def _low(got: Any) -> bool:
    """Whether an answer carries float32 precision: its dtype, or Python floats of float32 values."""
    return is_float32(got) or float32_exact(got)


def same_path(got: Any, path: np.ndarray) -> bool:
    """Whether ``got`` is ``path`` (or a row θ_t of it) to the path checks' rtol 1e-9 and atol 1e-12
    (a float32 answer to float32 precision)."""
    if _low(got):
        return close(got, path, rtol=FLOAT32_RTOL, atol=1e-12)
    return close(got, path, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------- 06.gd_step
def _gd_example_f(w: float) -> float:
    return (w - 1) ** 2 + (w - 3) ** 2


def gd_example_step(w: float, lr: float) -> tuple[float, float]:
    """One step of gradient descent on f(w) = (w − 1)² + (w − 3)²: (w − η f′(w), f(w − η f′(w))).

    f′(w) = 4w − 8; the chapter's step from w = 1 with η = 0.1 gives (1.4, 2.72).
    """
    w_new = float(w - lr * landscapes.GD_EXAMPLE.grad(w))
    return w_new, float(landscapes.GD_EXAMPLE.f(w_new))


def _step_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's step, the next one, an overshooting step and two random ones.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. w_new = w − η f′(w) (downhill) with f′(w) = 4w − 8 (both squares): every case.
    2. return the pair (w_new, f(w_new)), the loss at the *new* w, in that order: every case.
    3. from w = 1 with η = 0.1 it gives (1.4, 2.72): case 1; but for any w and η, not only
       the book's numbers: cases 2–5.
    float32 answers are accepted (judged at float32 precision).
    """
    cases = [
        Case((1.0, 0.1), "the chapter's step: w = 1, η = 0.1"),
        Case((1.4, 0.1), "the next step: w = 1.4, η = 0.1"),
        Case((4.0, 0.45), "w = 4, η = 0.45 (an overshooting step)"),
    ]
    for _ in range(2):
        w, lr = round(float(rng.uniform(-5, 8)), 3), round(float(rng.uniform(0.01, 0.3)), 3)
        cases.append(Case((w, lr), f"w = {w}, η = {lr}"))
    return cases


def _step_hints(got: Any, expected: Any, case: Case) -> str | None:
    w, lr = case.args
    g = _numbers(got, 2)
    if g is None or g.shape != (2,):
        return "return a pair (w_new, loss): the new w and f at the new w."
    r = FLOAT32_RTOL if _low(got) or (isinstance(got, (list, tuple)) and any(_low(part) for part in got)) else 1e-9
    if np.isclose(g[0], w + lr * (4 * w - 8), rtol=r):
        return "you stepped uphill: gradient descent moves against the derivative, w ← w − η f′(w)."
    if np.isclose(g[0], w - lr * (2 * w - 4), rtol=r):
        return ("f′(w) is 2(w − 1) + 2(w − 3) = 4w − 8: the factor 2 from differentiating each square "
                "is missing.")
    if np.isclose(g[0], expected[0], rtol=r) and np.isclose(g[1], _gd_example_f(w), rtol=r):
        return "the new w is right; the loss must be evaluated at the new w, not the old one."
    return None


register(
    Check(
        id="06.gd_step",
        function="gd_step",
        reference=gd_example_step,
        cases=_step_cases,
        compare=compare_numbers(rtol=1e-12, atol=1e-12, names=("the new w", "its loss f(w_new)")),
        diagnoses=(_step_hints,),
        hint="w_new = w − η f′(w) with f′(w) = 4w − 8; then f(w_new) = (w_new − 1)² + (w_new − 3)².",
        reference_names=("dlcourse.optim.minimize", "dlcourse.optim.sgd"),
    )
)


# --------------------------------------------------------------- 06.gradient_descent
def _gradient_descent_reference(grad: Callable[[np.ndarray], np.ndarray], theta0: np.ndarray,
                                lr: float, steps: int) -> np.ndarray:
    """The path θ_0 … θ_steps of θ ← θ − η∇R(θ), as dlcourse.optim.minimize takes it."""
    return optim.minimize(lambda theta: 0.0, theta0, "sgd", steps, grad=grad, lr=lr).path


def _quadratic_grad(A: np.ndarray, b: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def grad(theta: np.ndarray) -> np.ndarray:
        return A @ np.asarray(theta, dtype=np.float64) + b

    grad.__doc__ = "∇R(θ) = Aθ + b"
    return grad


def _spd(rng: np.random.Generator, eigenvalues: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(rng.normal(size=(eigenvalues.size, eigenvalues.size)))
    A = q @ np.diag(eigenvalues) @ q.T
    return (A + A.T) / 2


def _gd_cases(rng: np.random.Generator) -> list[Case]:
    """The worked examples, random quadratics, and paths that grow (near and far).

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. θ_{t+1} = θ_t − η∇R(θ_t), against the gradient, evaluated at the current θ_t: every case.
    2. take exactly ``steps`` steps; the path has steps + 1 rows, row 0 is θ₀: every case
       (5, 8, 30 and 100 steps and random counts).
    3. a 2-D array (steps + 1, n), also for n = 1: the two 1-D cases.
    4. every row its own iterate (no array appended and then changed in place): every case.
    5. keep stepping even if the path grows: the random η > 2/λ_max case (grows a little),
       f(w) with η = 0.55 (grows ~240-fold) and the bowl with η = 0.15 (grows to ~10⁹).
    6. use the arguments ``grad``, ``lr`` and ``steps``, for any n: random quadratics in 2 and 3
       dimensions and the hill, a non-quadratic risk.
    """
    cases = [
        Case((landscapes.GD_EXAMPLE.grad, np.array([1.0]), 0.1, 5),
             "f(w) = (w − 1)² + (w − 3)², f′(w) = 4w − 8, from θ₀ = [1], η = 0.1, 5 steps"),
        Case((landscapes.ILL_CONDITIONED.grad, np.array([-2.0, 2.5]), 0.09, 8),
             "R(θ) = 10θ₁² + 0.5θ₂², ∇R = (20θ₁, θ₂), from θ₀ = [−2, 2.5], η = 0.09, 8 steps"),
    ]
    for n in (2, 3):
        lam = rng.uniform(0.5, 5.0, size=n)
        A, b = _spd(rng, lam), rng.normal(size=n)
        theta0 = np.round(rng.uniform(-3, 3, size=n), 3)
        lr = round(float(rng.uniform(0.2, 1.5) / lam.max()), 4)
        steps = int(rng.integers(5, 15))
        cases.append(Case((_quadratic_grad(A, b), theta0, lr, steps),
                          f"a random quadratic with ∇R(θ) = Aθ + b, A =\n{np.round(A, 3)},\n  b = {np.round(b, 3)}, "
                          f"from θ₀ = {theta0}, η = {lr}, {steps} steps"))
    lam = rng.uniform(1.0, 3.0, size=2)
    A = _spd(rng, lam)
    lr = round(float(2.3 / lam.max()), 4)
    cases.append(Case((_quadratic_grad(A, np.zeros(2)), np.array([1.0, -1.0]), lr, 6),
                      f"∇R(θ) = Aθ with A =\n{np.round(A, 3)},\n  from θ₀ = [1, −1] with η = {lr} > 2/λ_max: the path grows, "
                      "keep stepping"))
    return cases


def _gd_book_cases() -> list[Case]:
    """The chapter's worked examples that a path must reproduce (fixed, after the random ones)."""
    return [
        Case((landscapes.GD_EXAMPLE.grad, np.array([0.6]), 0.55, 30),
             "f(w) = (w − 1)² + (w − 3)² from w₀ = 0.6 with η = 0.55 > 2/f″ = 0.5, 30 steps: the chapter's "
             "diverging rate, each step multiplies w − 2 by 1 − 4η = −1.2; keep stepping"),
        Case((landscapes.ILL_CONDITIONED.grad, np.array([1.0, 1.0]), 0.15, 30),
             "R(θ) = 10θ₁² + 0.5θ₂² from θ₀ = [1, 1] with η = 0.15 > 2/20: θ₁ doubles in size at every "
             "step and reaches about 10⁹ after 30 steps; keep stepping, however far the path grows"),
        Case((landscapes.HILL.grad, np.array([-0.8, 1.0]), 2.0, 100),
             "the hill R(θ) = −sin θ₁ exp(−(θ₂ − π/2)²)/(2π) from θ₀ = [−0.8, 1] with η = 2, 100 steps: "
             "the chapter's walk down into the valley"),
    ]


def _all_gd_cases(rng: np.random.Generator) -> list[Case]:
    return _gd_cases(rng) + _gd_book_cases()


def _run_gd(fn: Callable[..., Any], case: Case) -> Any:
    grad, theta0, lr, steps = case.args
    return fn(grad, np.array(theta0, dtype=np.float64), lr, steps)


def _ascent(grad: Callable, theta0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    path = [np.array(theta0, dtype=np.float64)]
    for _ in range(steps):
        path.append(path[-1] + lr * np.asarray(grad(path[-1])))
    return np.array(path)


def _gd_hints(got: Any, expected: Any, case: Case) -> str | None:
    grad, theta0, lr, steps = case.args
    g = as_float_array(got)
    if g is None:
        return "return a numpy array of shape (steps + 1, n), e.g. np.array(path) of a list of iterates."
    n = expected.shape[1]
    if g.shape == (steps, n) and same_path(g, expected[1:]):
        return "the path misses its start: the first row is θ₀, then one row per step (steps + 1 rows)."
    if g.shape == (steps, n) and same_path(g, expected[:-1]):
        return "one step too few: take `steps` steps, so the path has steps + 1 rows θ₀ … θ_steps."
    if g.shape == (steps + 2, n) and same_path(g[:-1], expected):
        return "one step too many: `steps` steps give steps + 1 rows θ₀ … θ_steps."
    if g.ndim == 2 and g.shape[1:] == (n,) and len(g) < steps + 1 and same_path(g, expected[:len(g)]):
        return (f"your path stops after {len(g) - 1} of the {steps} steps although it agrees so far: keep "
                "stepping even when the path grows (or θ becomes large); take all `steps` steps.")
    if g.shape != expected.shape and g.size == expected.size:
        return f"reshape: the path is a 2-D array with one row per iterate, shape {expected.shape}, even for n = 1."
    if g.shape != expected.shape:
        return None
    if same_path(g, _ascent(grad, theta0, lr, steps)):
        return "your path climbs: the update is θ ← θ − η∇R(θ), against the gradient."
    if steps > 1 and same_path(g, np.repeat(expected[-1:], steps + 1, axis=0)):
        return ("every row is the last iterate: you appended one array and then changed it in place (θ -= …). "
                "Append a copy (theta.copy()) or build a new array (theta = theta - lr * g).")
    if steps > 1 and same_path(g, np.repeat(expected[:1], steps + 1, axis=0)):
        return "the iterate never moves: update θ ← θ − η·grad(θ) at every step and append the new θ."
    return FIRST_ROW_HINT if not same_path(g[0], expected[0]) else None


register(
    Check(
        id="06.gradient_descent",
        function="gradient_descent",
        reference=_gradient_descent_reference,
        cases=_all_gd_cases,
        compare=judge_plain_floats_by_value(compare_trajectories(rtol=1e-9, atol=1e-12, precision="dtype")),
        diagnoses=(_gd_hints,),
        hint="start the list with θ₀; then, `steps` times, θ ← θ − η·grad(θ) and append θ.",
        reference_names=("dlcourse.optim.minimize", "dlcourse.optim.sgd", "dlcourse.widgets.lr_explorer"),
        call=_run_gd,
    )
)


# --------------------------------------------------------------- 06.stability
def max_stable_lr(H: np.ndarray) -> float:
    """η_max = 2/λ_max(H): gradient descent on a quadratic with Hessian H converges for 0 < η < η_max."""
    return float(2.0 / np.linalg.eigvalsh(np.asarray(H, dtype=np.float64)).max())


def _stability_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's Hessians and rotated random ones.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. η_max = 2/λ_max, the threshold of |1 − ηλ| < 1 (not 1/λ_max): every case.
    2. the largest eigenvalue, not the smallest: the 2×2 and 3×3 cases.
    3. the eigenvalues of H, not its diagonal or trace: [[3, 2], [2, 3]] and the rotated cases.
    4. any size of H, also 1×1: [[4]].
    float32 answers are accepted (judged at float32 precision). The rotated Hessians have a
    top eigenvalue at least 1.5 times the next, so that power iteration, a fair way to find
    λ_max, converges to round-off within a few dozen iterations.
    """
    X, _ = landscapes.badly_scaled_data(0)
    cases = [
        Case((np.diag([20.0, 1.0]),), "H = diag(20, 1), the Hessian of 10θ₁² + 0.5θ₂²"),
        Case((np.array([[4.0]]),), "H = [[4]], the second derivative of (w − 1)² + (w − 3)²"),
        Case((2 * X.T @ X / len(X),), "H = (2/N) XᵀX of the badly scaled regression (x₁ ∈ [−1000, 1000], x₂ ∈ [0, 1])"),
        Case((np.array([[3.0, 2.0], [2.0, 3.0]]),), "H = [[3, 2], [2, 3]] (eigenvalues 1 and 5)"),
    ]
    for n in (2, 3):
        lam = np.sort(rng.uniform(0.1, 10.0, size=n))
        lam[-1] = max(lam[-1], 1.5 * lam[-2])  # a clear top eigenvalue: power iteration converges fast
        H = _spd(rng, lam)
        cases.append(Case((H,), f"a rotated {n}×{n} Hessian\n{np.round(H, 4)}"))
    return cases


def _stability_hints(got: Any, expected: Any, case: Case) -> str | None:
    (H,) = case.args
    g = as_number(got)
    if g is None:
        return "return one number, η_max."
    H = np.asarray(H, dtype=np.float64)
    eig = np.linalg.eigvalsh(H)

    r = FLOAT32_RTOL if _low(got) else 1e-9

    def same(value: float) -> bool:
        return bool(np.isclose(g, value, rtol=r, atol=0.0))

    if same(1 / eig.max()):
        return ("1/λ_max is the step of the convergence guarantee (η ≤ 1/L); the stability threshold is twice "
                "that: |1 − ηλ| < 1 for every eigenvalue λ means η < 2/λ_max.")
    if eig.size > 1 and same(2 / eig.min()):
        return "the largest curvature limits the step, not the smallest: use λ_max."
    if same(2 / np.max(np.diag(H))):
        return "the diagonal of H is not its spectrum unless H is diagonal: use the eigenvalues (np.linalg.eigvalsh)."
    if same(2 / np.trace(H)):
        return "use the largest eigenvalue, not the trace (the sum of all eigenvalues)."
    return None


register(
    Check(
        id="06.stability",
        function="max_stable_lr",
        reference=max_stable_lr,
        cases=_stability_cases,
        compare=compare_numbers(rtol=1e-9),
        diagnoses=(_stability_hints,),
        hint="along an eigenvector with eigenvalue λ one step multiplies the error by 1 − ηλ.",
    )
)


# --------------------------------------------------------------- 06.init_std
def init_std(fan_in: int, fan_out: int, scheme: str) -> float:
    """The standard deviation of Glorot's (√(2/(fan_in + fan_out))) or He's (√(2/fan_in)) normal init."""
    if scheme == "glorot":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    raise ValueError(f"scheme must be 'glorot' or 'he', got {scheme!r}")


def _init_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's layer sizes for both schemes and a random pair of fans for each.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. Glorot: σ = √(2/(fan_in + fan_out)): the Glorot cases.
    2. He: σ = √(2/fan_in), fan_in not fan_out: the He cases with fan_in ≠ fan_out.
    3. the standard deviation σ, not the variance σ² nor the uniform bound √3·σ: every case.
    4. the scheme chosen by its argument: both schemes at the same fans (256, 256).
    float32 answers are accepted (judged at float32 precision).
    """
    cases = [
        Case((256, 256, "glorot"), "fan_in = 256, fan_out = 256, Glorot"),
        Case((256, 256, "he"), "fan_in = 256, fan_out = 256, He"),
        Case((784, 100, "glorot"), "fan_in = 784, fan_out = 100, Glorot"),
        Case((100, 10, "he"), "fan_in = 100, fan_out = 10, He"),
    ]
    for scheme in ("glorot", "he"):
        fan_in, fan_out = (int(v) for v in rng.integers(3, 2000, size=2))
        cases.append(Case((fan_in, fan_out, scheme), f"fan_in = {fan_in}, fan_out = {fan_out}, "
                                                     f"{'Glorot' if scheme == 'glorot' else 'He'}"))
    return cases


def _init_hints(got: Any, expected: Any, case: Case) -> str | None:
    fan_in, fan_out, scheme = case.args
    g = as_number(got)
    if g is None:
        return "return one number, the standard deviation σ."
    if np.isclose(g, expected**2):
        return "that is the variance σ²; return its square root, the standard deviation σ."
    if np.isclose(g, math.sqrt(3) * expected):
        return "that is the bound a of the uniform version U[−a, a] (a = √3·σ); return σ of the normal version."
    if scheme == "glorot" and np.isclose(g, math.sqrt(1 / fan_in)):
        return "1/fan_in keeps only the forward signal; Glorot averages the two fans: σ² = 2/(fan_in + fan_out)."
    if scheme == "he" and np.isclose(g, math.sqrt(1 / fan_in)):
        return "a ReLU zeroes half of its inputs: He doubles the variance, σ² = 2/fan_in."
    if scheme == "he" and np.isclose(g, math.sqrt(2 / fan_out)):
        return "He's forward version counts the inputs of a unit: σ² = 2/fan_in."
    if scheme == "he" and np.isclose(g, math.sqrt(2 / (fan_in + fan_out))):
        return "that is Glorot's σ; He's is √(2/fan_in)."
    if scheme == "glorot" and np.isclose(g, math.sqrt(2 / fan_in)):
        return "that is He's σ; Glorot's is √(2/(fan_in + fan_out))."
    return None


register(
    Check(
        id="06.init_std",
        function="init_std",
        reference=init_std,
        cases=_init_cases,
        compare=compare_numbers(rtol=1e-12),
        diagnoses=(_init_hints,),
        hint="Glorot: σ² = 2/(fan_in + fan_out); He: σ² = 2/fan_in; return σ.",
        reference_names=("dlcourse.init.glorot_normal", "dlcourse.init.he_normal",
                         "dlcourse.init.glorot_uniform", "dlcourse.init.he_uniform"),
    )
)
