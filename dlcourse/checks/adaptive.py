"""Checks for the exercises of chapter 9, *Adaptive methods*.

The exercises follow PyTorch's conventions, so that the answers can be held against
``torch.optim``: ε is added *outside* the square root, and Adam's step counter t starts
at 1. One step of each rule is checked against the rules of :mod:`dlcourse.optim`; the
student's Adam step is then driven for many steps on fresh random problems and compared
with ``torch.optim.Adam`` iterate by iterate (:func:`drive_adam`). Typical mistakes are
recognised by replaying the same cases with wrong versions of the rules.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import landscapes, optim
from . import Case, Check, as_float_array, compare_trajectories, float32_exact, is_float32, register

from .momentum import require_torch, step_check, torch_path, variant_hint

__all__ = ["drive_adam", "torch_adam_run"]


def _describe(**arrays: Any) -> str:
    parts = []
    for name, value in arrays.items():
        if isinstance(value, np.ndarray):
            parts.append(f"{name} = {np.array2string(value, precision=4, separator=', ', max_line_width=200)}")
        else:
            parts.append(f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}")
    return ", ".join(parts)


# =================================================================== 09.adagrad_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - s ← s + g ⊙ g, accumulated (every case with s ≠ 0: the chapter's table, random ones);
# - the new s in the step, θ ← θ − η g/(√s + ε) (every case);
# - ε outside the square root (the first step with a tiny gradient 1e-6 and s = 0);
# - elementwise, any shape (a 3-vector, a 2 × 3 array); return (theta, s).
# Precision: one step needs no float64; a float32 answer is judged at float32 precision.
def adagrad_step_reference(theta: Any, grad: Any, s: Any, lr: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """AdaGrad: s ← s + g ⊙ g; θ ← θ − η g / (√s + ε) (dlcourse.optim.adagrad)."""
    theta = np.array(theta, dtype=np.float64)
    state = {"step": 0, "sum": np.array(s, dtype=np.float64)}
    optim.adagrad(theta, np.asarray(grad, dtype=np.float64), state, lr=lr, eps=eps)
    return theta, state["sum"]


def _ag_eps_inside(theta, g, s, lr, eps):
    s = s + g * g
    return theta - lr * g / np.sqrt(s + eps), s


def _ag_no_sqrt(theta, g, s, lr, eps):
    s = s + g * g
    return theta - lr * g / (s + eps), s


def _ag_old_s(theta, g, s, lr, eps):
    return theta - lr * g / (np.sqrt(s) + eps), s + g * g


def _ag_not_summed(theta, g, s, lr, eps):
    s = g * g
    return theta - lr * g / (np.sqrt(s) + eps), s


def _ag_plain_sum(theta, g, s, lr, eps):
    s = s + g
    with np.errstate(invalid="ignore"):
        return theta - lr * g / (np.sqrt(s) + eps), s


def _adagrad_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.array([-2.0, 2.0]), np.array([-40.0, 2.0]), np.array([2500.0, 6.25]), 0.5, 1e-10),
             "the chapter's table, step 2 on the bowl 10θ₁² + 0.5θ₂²: "
             "θ = [−2, 2], g = [−40, 2], s = [2500, 6.25], η = 0.5, ε = 1e-10"),
        Case((np.array([1.0, 1.0]), np.array([1e-6, 3.0]), np.zeros(2), 0.1, 1e-10),
             "a first step with one tiny gradient: θ = [1, 1], g = [1e-6, 3], s = [0, 0], η = 0.1, ε = 1e-10"),
    ]
    for shape in [(3,), (2, 3)]:
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        s = rng.uniform(0, 2, size=shape)
        lr = float(rng.choice([0.01, 0.1, 0.5]))
        cases.append(Case((theta, g, s, lr, 1e-10), _describe(θ=theta, g=g, s=s, η=lr, ε=1e-10)))
    return cases


register(step_check(
    id="09.adagrad_step",
    function="adagrad_step",
    reference=adagrad_step_reference,
    cases=_adagrad_cases,
    parts=("theta", "s"),
    mistakes=(
        (_ag_eps_inside, "ε goes outside the square root here (PyTorch's convention): divide by √s + ε, not √(s + ε)."),
        (_ag_no_sqrt, "divide by the square root of the accumulated squares, √s + ε: s has the units of g²."),
        (_ag_old_s, "θ moved with the old sum: add g ⊙ g to s first, then step with the new s."),
        (_ag_not_summed, "AdaGrad accumulates: s ← s + g ⊙ g keeps every past squared gradient."),
        (_ag_plain_sum, "accumulate the *squared* gradients, g ⊙ g (elementwise)."),
    ),
    hint="s ← s + g ⊙ g, then θ ← θ − η g / (√s + ε), all elementwise.",
    reference_names=("dlcourse.optim.adagrad", "dlcourse.optim.Adagrad"),
))


# =================================================================== 09.rmsprop_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - s ← βs + (1 − β) g ⊙ g: β on the past, 1 − β on the new square (every case);
# - the new s in the step; ε outside the square root (g = 1e-5 with s = 1e-12);
# - elementwise, any shape (a 3-vector, a 2 × 2 array); return (theta, s).
def rmsprop_step_reference(theta: Any, grad: Any, s: Any, lr: float, beta: float,
                           eps: float) -> tuple[np.ndarray, np.ndarray]:
    """RMSProp: s ← βs + (1 − β) g ⊙ g; θ ← θ − η g / (√s + ε) (dlcourse.optim.rmsprop, α = β)."""
    theta = np.array(theta, dtype=np.float64)
    state = {"step": 0, "square_avg": np.array(s, dtype=np.float64)}
    optim.rmsprop(theta, np.asarray(grad, dtype=np.float64), state, lr=lr, alpha=beta, eps=eps)
    return theta, state["square_avg"]


def _rms_swapped(theta, g, s, lr, beta, eps):
    s = (1 - beta) * s + beta * g * g
    return theta - lr * g / (np.sqrt(s) + eps), s


def _rms_summed(theta, g, s, lr, beta, eps):
    s = s + g * g
    return theta - lr * g / (np.sqrt(s) + eps), s


def _rms_no_one_minus(theta, g, s, lr, beta, eps):
    s = beta * s + g * g
    return theta - lr * g / (np.sqrt(s) + eps), s


def _rms_eps_inside(theta, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g * g
    return theta - lr * g / np.sqrt(s + eps), s


def _rms_old_s(theta, g, s, lr, beta, eps):
    return theta - lr * g / (np.sqrt(s) + eps), beta * s + (1 - beta) * g * g


def _rms_no_sqrt(theta, g, s, lr, beta, eps):
    s = beta * s + (1 - beta) * g * g
    return theta - lr * g / (s + eps), s


def _rmsprop_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.array([0.5, -1.0]), np.array([2.0, 1e-5]), np.array([4.0, 1e-12]), 0.01, 0.99, 1e-8),
             "θ = [0.5, −1], g = [2, 1e-5], s = [4, 1e-12], η = 0.01, β = 0.99, ε = 1e-8"),
        Case((np.array([-2.5, 2.5]), np.array([-50.0, 2.5]), np.zeros(2), 0.01, 0.9, 1e-8),
             "the first step on the bowl 10θ₁² + 0.5θ₂² from θ = [−2.5, 2.5]: g = [−50, 2.5], s = [0, 0], "
             "η = 0.01, β = 0.9, ε = 1e-8"),
    ]
    for shape in [(3,), (2, 2)]:
        theta, g = rng.normal(size=shape), rng.normal(size=shape)
        s = rng.uniform(0, 2, size=shape)
        lr, beta = float(rng.choice([0.001, 0.01])), float(rng.choice([0.9, 0.99]))
        cases.append(Case((theta, g, s, lr, beta, 1e-8), _describe(θ=theta, g=g, s=s, η=lr, β=beta, ε=1e-8)))
    return cases


register(step_check(
    id="09.rmsprop_step",
    function="rmsprop_step",
    reference=rmsprop_step_reference,
    cases=_rmsprop_cases,
    parts=("theta", "s"),
    mistakes=(
        (_rms_swapped, "β weighs the past: s ← βs + (1 − β) g ⊙ g, not (1 − β)s + β g ⊙ g."),
        (_rms_summed, "that is AdaGrad's running sum; RMSProp keeps a leaky average, s ← βs + (1 − β) g ⊙ g."),
        (_rms_no_one_minus, "the new squared gradient is weighted by 1 − β: s ← βs + (1 − β) g ⊙ g."),
        (_rms_eps_inside, "ε goes outside the square root here (PyTorch's convention): divide by √s + ε."),
        (_rms_old_s, "θ moved with the old average: update s first, then step with the new s."),
        (_rms_no_sqrt, "divide by the square root of the average, √s + ε."),
    ),
    hint="s ← βs + (1 − β) g ⊙ g, then θ ← θ − η g / (√s + ε).",
    reference_names=("dlcourse.optim.rmsprop", "dlcourse.optim.RMSprop"),
))


# =================================================================== 09.adam_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - m ← β1 m + (1 − β1) g and v ← β2 v + (1 − β2) g ⊙ g (every case; β1 ≠ β2);
# - bias correction with the power t, t from 1 (t = 2 of the bowl's run; random t = 3 … 2000);
# - ε outside √v̂ (t = 1 with a tiny gradient 1e-7);
# - return m and v themselves, not m̂ and v̂ (every case with t ≥ 1 compares m and v).
def adam_step_reference(theta: Any, grad: Any, m: Any, v: Any, t: int, lr: float, beta1: float,
                        beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adam's step t (t = 1, 2, …) with m = m_{t−1}, v = v_{t−1} (dlcourse.optim.adam)::

        m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g ⊙ g
        θ ← θ − η m̂ / (√v̂ + ε),  m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
    """
    theta = np.array(theta, dtype=np.float64)
    state = {"step": int(t) - 1, "exp_avg": np.array(m, dtype=np.float64),
             "exp_avg_sq": np.array(v, dtype=np.float64)}
    optim.adam(theta, np.asarray(grad, dtype=np.float64), state, lr=lr, betas=(beta1, beta2), eps=eps)
    return theta, state["exp_avg"], state["exp_avg_sq"]


def _adam_variant(c1: Callable[[float, int], float], c2: Callable[[float, int], float], *,
                  eps_inside: bool = False, theta_first: bool = False, swap: bool = False,
                  no_sqrt: bool = False, unsquared: bool = False, efficient: bool = False,
                  swap_all: bool = False) -> Callable[..., tuple]:
    """A wrong Adam step: bias corrections c1(β1, t), c2(β2, t) and one slip or another."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps):
        if swap_all:  # β1 and β2 exchanged everywhere, in the corrections too
            beta1, beta2 = beta2, beta1
        b1, b2 = (beta2, beta1) if swap else (beta1, beta2)
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * (g if unsquared else g * g)
        mm, vv = (m, v) if theta_first else (m_new, v_new)
        with np.errstate(all="ignore"):
            m_hat, v_hat = mm / c1(beta1, t), vv / c2(beta2, t)
            if efficient:
                step_size = lr * np.sqrt(c2(beta2, t)) / c1(beta1, t)
                return theta - step_size * mm / (np.sqrt(vv) + eps), m_new, v_new
            if no_sqrt:
                denom = v_hat + eps
            else:
                denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
            return theta - lr * m_hat / denom, m_new, v_new

    return step


def _power(beta: float, t: int) -> float:
    return 1 - beta**t


_ADAM_MISTAKES: tuple[tuple[Callable[..., tuple], str], ...] = (
    (_adam_variant(lambda b, t: 1 - b, lambda b, t: 1 - b),
     "the bias correction needs the power t: m̂ = m / (1 − β1ᵗ) and v̂ = v / (1 − β2ᵗ), not m / (1 − β1). "
     "Without it the first step is right and later ones are too long, then too short."),
    (_adam_variant(lambda b, t: 1.0, lambda b, t: 1.0),
     "did you apply bias correction? Divide m by 1 − β1ᵗ and v by 1 − β2ᵗ before the step."),
    (_adam_variant(_power, _power, eps_inside=True),
     "ε inside the square root: PyTorch and Kingma & Ba divide by √v̂ + ε, not √(v̂ + ε). "
     "The two differ most where v̂ is tiny."),
    (_adam_variant(lambda b, t: 1.0, _power),
     "θ was updated with the uncorrected m: use m̂ = m / (1 − β1ᵗ) in the step."),
    (_adam_variant(_power, lambda b, t: 1.0),
     "θ was updated with the uncorrected v: use v̂ = v / (1 − β2ᵗ) under the square root."),
    (_adam_variant(lambda b, t: 1 - b ** (t + 1), lambda b, t: 1 - b ** (t + 1)),
     "the powers are off by one: t counts steps from 1 (the first step has t = 1), so the correction is "
     "1 − βᵗ with the t you are given."),
    (_adam_variant(lambda b, t: 1 - b ** (t - 1), lambda b, t: 1 - b ** (t - 1)),
     "the powers are off by one: t starts at 1, not 0 — with 1 − β⁰ = 0 the first step divides by zero."),
    (_adam_variant(lambda b, t: 1 - b**t, lambda b, t: 1 - b**t, efficient=True),
     "that is the paper's 'efficient' form, η√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε): there ε is added to the "
     "uncorrected √v. PyTorch adds ε to the corrected one: θ ← θ − η m̂ / (√v̂ + ε)."),
    (_adam_variant(_power, _power, theta_first=True),
     "order of updates: update m and v with the new gradient first, then step θ with their corrected values."),
    (_adam_variant(_power, _power, swap=True),
     "β1 belongs to m (the gradients) and β2 to v (the squared gradients); yours are swapped."),
    (_adam_variant(_power, _power, swap_all=True),
     "β1 belongs to m (the gradients) and β2 to v (the squared gradients); yours are swapped."),
    (_adam_variant(_power, _power, unsquared=True),
     "v averages the *squared* gradients: v ← β2 v + (1 − β2) g ⊙ g."),
    (_adam_variant(_power, _power, no_sqrt=True),
     "divide by the square root √v̂ + ε: v̂ has the units of g²."),
)


def _adam_cases(rng: np.random.Generator) -> list[Case]:
    g1 = np.array([-50.0, 2.5])
    m1, v1 = 0.1 * g1, 0.001 * g1**2
    cases = [
        Case((np.array([-2.5, 2.5]), g1, np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-8),
             "t = 1 on the bowl 10θ₁² + 0.5θ₂² from θ = [−2.5, 2.5]: g = [−50, 2.5], m = v = 0, η = 0.1, "
             "β1 = 0.9, β2 = 0.999, ε = 1e-8"),
        Case((np.array([-2.4, 2.4]), np.array([-48.0, 2.4]), m1, v1, 2, 0.1, 0.9, 0.999, 1e-8),
             "t = 2 of the same run: θ = [−2.4, 2.4], g = [−48, 2.4], m = [−5, 0.25], v = [2.5, 0.00625]"),
        Case((np.array([1.0, -1.0]), np.array([1e-7, -2.0]), np.zeros(2), np.zeros(2), 1, 1e-3, 0.9, 0.999, 1e-8),
             "t = 1 with one tiny gradient: θ = [1, −1], g = [1e-7, −2], m = v = 0, the default η = 1e-3, "
             "β1 = 0.9, β2 = 0.999, ε = 1e-8"),
    ]
    for shape, t in [((3,), int(rng.integers(3, 20))), ((2, 3), int(rng.integers(100, 2000)))]:
        theta, g, m = rng.normal(size=shape), rng.normal(size=shape), 0.3 * rng.normal(size=shape)
        v = rng.uniform(0.01, 1.0, size=shape)
        lr = float(rng.choice([1e-3, 1e-2, 0.1]))
        b1, b2 = float(rng.choice([0.8, 0.9])), float(rng.choice([0.99, 0.999]))
        cases.append(Case((theta, g, m, v, t, lr, b1, b2, 1e-8),
                          _describe(θ=theta, g=g, m=m, v=v) + f", t = {t}, η = {lr:g}, β1 = {b1}, β2 = {b2}, ε = 1e-8"))
    return cases


register(step_check(
    id="09.adam_step",
    function="adam_step",
    reference=adam_step_reference,
    cases=_adam_cases,
    parts=("theta", "m", "v"),
    mistakes=_ADAM_MISTAKES,
    hint="m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; m̂ = m/(1 − β1ᵗ); v̂ = v/(1 − β2ᵗ); "
         "θ ← θ − η m̂ / (√v̂ + ε).",
    reference_names=("dlcourse.optim.adam", "dlcourse.optim.adamw", "dlcourse.optim.Adam",
                     "dlcourse.optim.AdamW"),
))


# =================================================================== 09.adam_torch
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - the step function driven from m = v = 0, t = 1, 2, … matches torch.optim.Adam iterate by
#   iterate for 100 … 200 steps (Rosenbrock, the bowl, two least-squares problems);
# - gradients of very different sizes (one input column ~1e-4): ε in the right place;
# - the t given is the step number: a counter of one's own breaks the later cases.
# Precision: a float32 step is judged at float32 precision over the run (drive_adam keeps
# the answer's dtype; the runs stay within it); float64 at rtol 1e-8.
def torch_adam_run(grad_fn: Callable[[np.ndarray], Any], theta0: np.ndarray, lr: float, beta1: float,
                   beta2: float, eps: float, steps: int) -> np.ndarray:
    """θ_0 … θ_steps of ``torch.optim.Adam`` fed with ``grad_fn``, in float64: the reference."""
    torch = require_torch()

    return torch_path(lambda params: torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps),
                      grad_fn, theta0, steps)


def drive_adam(fn: Callable[..., Any], case: Case) -> np.ndarray:
    """Run an ``adam_step`` function for a whole problem: θ_0 … θ_steps.

    Starting from m = v = 0, step t = 1, 2, … calls ``fn(θ, g, m, v, t, η, β1, β2, ε)`` with
    g = ∇R(θ) and copies of the arrays, and keeps the (θ, m, v) it returns. The reference
    :func:`torch_adam_run` runs ``torch.optim.Adam`` on the same problem instead. When the
    step returns float32 θ (numpy or torch), the path is returned as float32, so that the
    comparison judges it at float32 precision.
    """
    grad_fn, theta0, lr, beta1, beta2, eps, steps = case.args
    if fn is torch_adam_run:
        return torch_adam_run(*case.args)
    theta = np.array(theta0, dtype=np.float64)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    path = [theta.copy()]
    low = False
    for t in range(1, steps + 1):
        g = np.asarray(grad_fn(theta.copy()), dtype=np.float64)
        out = fn(theta.copy(), g.copy(), m.copy(), v.copy(), t, lr, beta1, beta2, eps)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            raise TypeError(f"adam_step must return the tuple (theta, m, v), got {out!r} at step t = {t}")
        arrays = []
        low = low or is_float32(out[0]) or float32_exact(out[0])
        for name, value in zip(("theta", "m", "v"), out):
            arr = as_float_array(value)
            if arr is None:
                raise TypeError(f"adam_step returned {name} = {value!r:.100} at step t = {t}: not an array")
            if arr.shape != theta.shape:
                raise ValueError(f"adam_step returned {name} of shape {arr.shape} at step t = {t}; "
                                 f"θ has shape {theta.shape}")
            arrays.append(arr)
        theta, m, v = arrays
        path.append(theta.copy())
        if not np.all(np.isfinite(theta)):  # no gradient to take there: the rest of the run is lost
            path.extend(np.full_like(theta, np.nan) for _ in range(steps - t))
            break
    return np.array(path, dtype=np.float32 if low else np.float64)


def _least_squares_problem(rng: np.random.Generator, small_column: float):
    """∇L for L(W) = ½ mean ‖xW − y‖² over 16 rows x ∈ R², W of shape 2 × 3; one input column tiny."""
    X = rng.normal(size=(16, 2)) * np.array([1.0, small_column])
    W_true = rng.normal(size=(2, 3))
    Y = X @ W_true + 0.1 * rng.normal(size=(16, 3))

    def grad(W: np.ndarray, X: np.ndarray = X, Y: np.ndarray = Y) -> np.ndarray:
        return X.T @ (X @ W - Y) / len(X)

    return grad


def _adam_run_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((landscapes.ROSENBROCK.grad, np.array([-1.5, 2.0]), 0.1, 0.9, 0.999, 1e-8, 100),
             "the lecture's Adam on Rosenbrock: θ₀ = [−1.5, 2], η = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8, 100 steps"),
        Case((landscapes.ILL_CONDITIONED.grad, np.array([-2.5, 2.5]), 0.1, 0.9, 0.999, 1e-8, 100),
             "the bowl 10θ₁² + 0.5θ₂² from θ₀ = [−2.5, 2.5], η = 0.1, β1 = 0.9, β2 = 0.999, ε = 1e-8, 100 steps"),
    ]
    for _ in range(2):
        grad = _least_squares_problem(rng, small_column=1e-4)
        theta0 = rng.normal(size=(2, 3))
        lr, b1, b2 = float(rng.choice([0.01, 0.05])), float(rng.choice([0.8, 0.9])), float(rng.choice([0.99, 0.999]))
        steps = int(rng.integers(100, 200))
        cases.append(Case((grad, theta0, lr, b1, b2, 1e-8, steps),
                          f"a fresh least-squares problem with a 2×3 weight matrix W (the second input tiny, "
                          f"so its gradients are ~1e-4), W₀ = {np.round(theta0, 3).tolist()}, η = {lr}, "
                          f"β1 = {b1}, β2 = {b2}, ε = 1e-8, {steps} steps"))
    return cases


register(Check(
    id="09.adam_torch",
    function="adam_step",
    reference=torch_adam_run,
    cases=_adam_run_cases,
    compare=compare_trajectories(rtol=1e-8, atol=1e-12, against="torch.optim.Adam", precision="dtype"),
    diagnoses=(variant_hint(*_ADAM_MISTAKES, call=drive_adam),),
    hint="compare your step with the chapter's formulas term by term, starting with the step t named above.",
    reference_names=("dlcourse.optim.adam", "dlcourse.optim.adamw", "dlcourse.optim.Adam",
                     "dlcourse.optim.AdamW", "dlcourse.optim.minimize"),
    call=drive_adam,
))


# =================================================================== 09.adamw_step
# The chapter's worked example of decoupled weight decay: AdamW, θ ← (1 − ηλ)θ − η m̂/(√v̂ + ε).
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - m and v from the loss gradient alone, not from g + λθ (every case with θ ≠ 0);
# - the decay ηλθ multiplied by the learning rate, not λθ alone (every case with η ≠ 1);
# - the decay applied to the θ of before the step (every case);
# - the Adam step as in 09.adam_step, with the power t (t = 2 of the bowl; random t);
# - return (theta, m, v).
def adamw_step_reference(theta: Any, grad: Any, m: Any, v: Any, t: int, lr: float, beta1: float,
                         beta2: float, eps: float, weight_decay: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AdamW's step t: θ ← θ − ηλθ, then Adam's step on g (dlcourse.optim.adamw, torch.optim.AdamW)."""
    theta = np.array(theta, dtype=np.float64)
    state = {"step": int(t) - 1, "exp_avg": np.array(m, dtype=np.float64),
             "exp_avg_sq": np.array(v, dtype=np.float64)}
    optim.adamw(theta, np.asarray(grad, dtype=np.float64), state, lr=lr, betas=(beta1, beta2), eps=eps,
                weight_decay=weight_decay)
    return theta, state["exp_avg"], state["exp_avg_sq"]


def _adamw_variant(*, l2: bool = False, no_lr: bool = False, after: bool = False,
                   none: bool = False, no_power: bool = False, both: bool = False) -> Callable[..., tuple]:
    """A wrong AdamW step: the L2 form, the decay without η, decayed after the step, …"""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        g_used = g + weight_decay * theta if l2 or both else g
        m = beta1 * m + (1 - beta1) * g_used
        v = beta2 * v + (1 - beta2) * g_used * g_used
        c1, c2 = (1 - beta1, 1 - beta2) if no_power else (1 - beta1**t, 1 - beta2**t)
        adam = lr * (m / c1) / (np.sqrt(v / c2) + eps)
        if l2 or none:
            return theta - adam, m, v
        decay = weight_decay if no_lr else lr * weight_decay
        if after:
            return (theta - adam) * (1 - decay), m, v
        return theta * (1 - decay) - adam, m, v

    return step


_ADAM_CAUSE = " If adamw_step calls your adam_step, the slip is there: check that 09.adam_step passes."


def _decoupled(adam_step: Callable[..., tuple]) -> Callable[..., tuple]:
    """AdamW built on a (wrong) Adam step: θ ← (1 − ηλ)θ, then that step."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adam_step(theta * (1 - lr * weight_decay), g, m, v, t, lr, beta1, beta2, eps)

    return step


def _adamw_cases(rng: np.random.Generator) -> list[Case]:
    g1 = np.array([-50.0, 2.5])
    cases = [
        Case((np.array([-2.5, 2.5]), g1, np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-8, 0.1),
             "t = 1 on the bowl 10θ₁² + 0.5θ₂² from θ = [−2.5, 2.5]: g = [−50, 2.5], m = v = 0, η = 0.1, "
             "β1 = 0.9, β2 = 0.999, ε = 1e-8, λ = 0.1"),
        Case((np.array([1.0, 1.0]), np.array([10.0, 0.1]), np.array([1.0, 0.01]), np.array([100.0, 0.01]), 2,
              1e-2, 0.9, 0.999, 1e-8, 0.1),
             "the chapter's two weights at 1 with gradients of size 10 and 0.1: θ = [1, 1], g = [10, 0.1], "
             "m = [1, 0.01], v = [100, 0.01], t = 2, η = 0.01, λ = 0.1"),
    ]
    for shape, t in [((3,), int(rng.integers(3, 20))), ((2, 3), int(rng.integers(100, 2000)))]:
        theta, g, m = 2 * rng.normal(size=shape), rng.normal(size=shape), 0.3 * rng.normal(size=shape)
        v = rng.uniform(0.01, 1.0, size=shape)
        lr, lam = float(rng.choice([1e-3, 1e-2, 0.1])), float(rng.choice([1e-2, 0.05, 0.1]))
        cases.append(Case((theta, g, m, v, t, lr, 0.9, 0.999, 1e-8, lam),
                          _describe(θ=theta, g=g, m=m, v=v) + f", t = {t}, η = {lr:g}, β1 = 0.9, β2 = 0.999, "
                          f"ε = 1e-8, λ = {lam:g}"))
    return cases


register(step_check(
    id="09.adamw_step",
    function="adamw_step",
    reference=adamw_step_reference,
    cases=_adamw_cases,
    parts=("theta", "m", "v"),
    mistakes=(
        (_adamw_variant(l2=True), "that is Adam with an L2 penalty: λθ went into the gradient, and so into m and v. "
                                  "AdamW keeps m and v from g alone and decays θ separately, θ ← θ − ηλθ."),
        (_adamw_variant(both=True), "λθ went into the gradient, and so into m and v, besides the decoupled decay: "
                                    "AdamW builds m and v from g alone and decays θ separately, θ ← (1 − ηλ)θ."),
        (_adamw_variant(no_lr=True), "the decay is multiplied by the learning rate: θ ← (1 − ηλ)θ, as in "
                                     "torch.optim.AdamW, not (1 − λ)θ."),
        (_adamw_variant(after=True), "decay the θ of before the step: θ ← (1 − ηλ)θ − η m̂/(√v̂ + ε), "
                                     "not (1 − ηλ)(θ − η m̂/(√v̂ + ε))."),
        (_adamw_variant(none=True), "the weight decay is missing: θ ← (1 − ηλ)θ − η m̂/(√v̂ + ε)."),
        (_adamw_variant(no_power=True), "the bias correction needs the power t: m̂ = m/(1 − β1ᵗ), "
                                        "v̂ = v/(1 − β2ᵗ). If you call your adam_step, check that 09.adam_step "
                                        "passes."),
        *((_decoupled(wrong), message + _ADAM_CAUSE) for wrong, message in _ADAM_MISTAKES),
    ),
    hint="θ ← (1 − ηλ)θ, then the Adam step of 09.adam_step with the plain gradient g.",
    reference_names=("dlcourse.optim.adamw", "dlcourse.optim.AdamW", "dlcourse.optim.adam",
                     "dlcourse.optim.Adam"),
))
