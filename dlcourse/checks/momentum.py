"""Checks for the exercises of chapter 8, *Momentum and Nesterov*.

Also home of what the checks of one optimizer step share in chapters 8 and 9:
:func:`compare_parts` (a step function's tuple of results, such as ``(theta, v)``),
:func:`variant_hint` (typical mistakes recognised by replaying wrong versions of the step)
and :func:`step_check`, which builds such a check. Runs of many steps are compared with
:func:`dlcourse.checks.compare_trajectories`, which reports the first step that differs,
against the path of a ``torch.optim`` optimizer (:func:`torch_path`).

Student functions receive copies of the arrays of a case (:func:`dlcourse.checks.on_copies`),
so an update written in place (``theta -= …``) cannot change the case the reference then sees.
torch is imported when a run is compared with ``torch.optim``, not when the registry loads.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .. import landscapes, optim
from . import (FLOAT32_RTOL, Case, Check, Comparator, Failure, _fmt, _fmt_pair, as_float_array,
               compare_arrays, compare_trajectories, float32_exact, is_float32,
               judge_plain_floats_by_value, on_copies, register)


__all__ = ["compare_parts", "variant_hint", "step_check", "torch_path", "require_torch", "TorchMissing"]

TORCH_MISSING = 'this check needs PyTorch, which is not installed: pip install "dlcourse[torch]"'


class TorchMissing(ModuleNotFoundError):
    """PyTorch is not installed: a ``ModuleNotFoundError`` that Jupyter shows as its one line."""

    def _render_traceback_(self) -> list[str]:
        return [f"ModuleNotFoundError: {self}"]


def require_torch() -> Any:
    """The torch module, imported now; without PyTorch one clear line says how to install it
    (:class:`TorchMissing`, whose traceback IPython renders as that line alone)."""
    try:
        import torch
    except ModuleNotFoundError:
        raise TorchMissing(TORCH_MISSING, name="torch") from None
    return torch


# =================================================================== shared helpers
def _distance(a: Any, b: Any) -> float:
    """The largest relative difference |a − b| / (|b| + 1e-12) over all elements (tuples part by part).

    Two NaNs (or equal infinities) count as equal; a shape mismatch is an infinite distance.
    """
    if isinstance(b, (tuple, list)):
        if not isinstance(a, (tuple, list)) or len(a) != len(b):
            return np.inf
        return max((_distance(x, y) for x, y in zip(a, b)), default=0.0)
    x, y = as_float_array(a), as_float_array(b)
    if x is None or y is None or x.shape != y.shape:
        return np.inf
    if x.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        rel = np.where(same, 0.0, np.abs(x - y) / (np.abs(y) + 1e-12))
    rel = np.where(np.isnan(rel), np.inf, rel)
    return float(rel.max())


def variant_hint(*variants: tuple[Callable[..., Any], str], call: Callable[..., Any] = on_copies,
                 rtol: float = 1e-6):
    """A diagnosis: the message of the typical mistake that reproduces the answer.

    Each variant is a wrong version of the exercise's function, applied to the case the
    way the check applies functions (``call``). Among the variants whose answer equals the
    student's (to ``rtol``), the closest one names the mistake (all of them, when several fit
    equally well) — except variants that make no real difference on this case (closer to
    the right answer than the student's is).
    """

    def diagnose(got: Any, expected: Any, case: Case) -> str | None:
        off = _distance(got, expected)
        found: list[tuple[float, str]] = []
        for wrong, message in variants:
            try:
                with np.errstate(all="ignore"):
                    answer = call(wrong, case)
            except Exception:  # noqa: BLE001 - a variant that cannot run on this case
                continue
            if isinstance(answer, list):
                answer = tuple(answer)
            if _distance(answer, expected) < 0.5 * off:
                continue  # this slip hardly changes the answer here: it cannot explain it
            d = _distance(got, answer)
            if d <= rtol:
                found.append((d, message))
        if not found:
            return None
        closest = min(d for d, _ in found)
        messages = list(dict.fromkeys(m for d, m in found if d <= closest + 1e-12))
        return messages[0] if len(messages) == 1 else " Or: ".join(messages)

    return diagnose


def compare_parts(names: Sequence[str], rtol: float = 1e-9, atol: float = 1e-12, *,
                  precision: str = "dtype") -> Comparator:
    """Compare a tuple of results (``(theta, v)`` …) part by part, naming the part that differs.

    With ``precision="dtype"`` (one optimizer step needs no float64) a float32 part — numpy
    or torch — is judged at float32 precision: rtol' = max(rtol, FLOAT32_RTOL) and
    atol' = max(atol, FLOAT32_RTOL·s), s the largest |expected| of that part; with
    ``"float64"`` every part is judged at ``rtol``/``atol``. A part given as Python floats whose
    values are float32 numbers (``.tolist()`` of a float32 result) counts as float32.
    """
    names = tuple(names)
    spelled = "(" + ", ".join(names) + ")"

    def compare(got: Any, expected: Any) -> Failure | None:
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            return Failure(f"expected the tuple {spelled}, got {_fmt(got) if not isinstance(got, (tuple, list)) else f'{len(got)} values'}",
                           f"return all {len(names)} results: return {', '.join(names)}")
        wrong = []
        for name, g, e in zip(names, got, expected):
            exp = np.asarray(e, dtype=np.float64)
            arr = as_float_array(g)
            if arr is None:
                wrong.append(f"the new {name}: expected a number or an array of shape {exp.shape}, got {g!r}")
                continue
            if arr.shape != exp.shape:
                wrong.append(f"the new {name}: expected shape {exp.shape}, got shape {arr.shape}")
                continue
            if not np.all(np.isfinite(arr)):
                where = [int(i) for i in np.argwhere(~np.isfinite(arr))[0]]
                wrong.append(f"the new {name}: NaN or inf at element {where}")
                continue
            r, a = rtol, atol
            low = precision == "dtype" and (is_float32(g) or float32_exact(g))
            if low:
                top = float(np.abs(exp).max()) if exp.size else 0.0
                r, a = max(rtol, FLOAT32_RTOL), max(atol, FLOAT32_RTOL * (top if top > 0 else 1.0))
            diff = np.abs(arr - exp)
            bad = ~(diff <= a + r * np.abs(exp))
            if bad.any():
                idx = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), exp.shape)
                where = f" at element {[int(i) for i in idx]}" if exp.ndim else ""
                e_txt, g_txt = _fmt_pair(float(exp[idx]), float(arr[idx]))
                wrong.append(f"the new {name}{where}: expected {e_txt}, got {g_txt} "
                             f"(|difference| {diff[idx]:.3g}; {int(bad.sum())} of {exp.size} elements wrong"
                             + (f"; float32, compared at rtol {r:.0e})" if low else ")"))
        if not wrong:
            return None
        right = [n for n, (g, e) in zip(names, zip(got, expected))
                 if not any(w.startswith(f"the new {n}") for w in wrong)]
        summary = "; ".join(wrong)
        if right:
            summary += f" (the new {' and '.join(right)} {'is' if len(right) == 1 else 'are'} right)"
        return Failure(summary)

    return compare


def step_check(id: str, function: str, reference: Callable[..., tuple[np.ndarray, ...]],
               cases: Callable[[np.random.Generator], Sequence[Case]], parts: Sequence[str],
               mistakes: Sequence[tuple[Callable[..., Any], str]], hint: str,
               reference_names: Sequence[str]) -> Check:
    """The check of one optimizer step: a function that returns the tuple ``parts``.

    The answer, e.g. ``(theta, v)``, is compared part by part (:func:`compare_parts`, rtol
    1e-10, atol 1e-12; a float32 answer at float32 precision) on copies of each case; the typical ``mistakes``, pairs (wrong version
    of the step, message), are recognised by :func:`variant_hint`.
    """
    return Check(id=id, function=function, reference=reference, cases=cases,
                 compare=compare_parts(parts, rtol=1e-10, atol=1e-12),
                 diagnoses=(variant_hint(*mistakes),), hint=hint,
                 reference_names=reference_names, call=on_copies)


def torch_path(optimizer: Callable[[list[Any]], Any], grad_fn: Callable[[np.ndarray], Any],
               theta0: Any, steps: int) -> np.ndarray:
    """θ_0 … θ_steps of the torch optimizer ``optimizer([θ])`` fed with ``grad_fn``, in float64.

    The reference of a run; torch is imported when it runs, not when the registry loads.
    """
    torch = require_torch()

    p = torch.tensor(np.asarray(theta0, dtype=np.float64), requires_grad=True)
    opt = optimizer([p])
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        p.grad = torch.as_tensor(np.asarray(grad_fn(p.detach().numpy().copy()), dtype=np.float64))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


# =================================================================== cases
def _values(**named: Any) -> str:
    """Values for a case's label, "θ = [0.5, -1.2], η = 0.01": arrays as lists, 3 decimals."""
    return ", ".join(f"{name} = {np.round(v, 3).tolist() if isinstance(v, np.ndarray) else v}"
                     for name, v in named.items())


def _bowl_grad(theta: np.ndarray) -> np.ndarray:
    return landscapes.ILL_CONDITIONED.grad(theta)


def _rosenbrock_grad(theta: np.ndarray) -> np.ndarray:
    return landscapes.ROSENBROCK.grad(theta)


def random_quadratic(rng: np.random.Generator, n: int, low: float = 0.5, high: float = 10.0):
    """∇R for R(θ) = ½ θᵀAθ − bᵀθ with A random symmetric positive definite (eigenvalues in [low, high])."""
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = q @ np.diag(rng.uniform(low, high, size=n)) @ q.T
    A = (A + A.T) / 2
    b = rng.normal(size=n)

    def grad(theta: np.ndarray, A: np.ndarray = A, b: np.ndarray = b) -> np.ndarray:
        return A @ np.asarray(theta, dtype=np.float64) - b

    return grad, A, b


def _step_cases(rng: np.random.Generator) -> list[Case]:
    """(theta, v, g, lr, beta) for one momentum step: the chapter's numbers, then random ones."""
    cases = [
        Case((np.array([-2.5, 2.5]), np.zeros(2), np.array([-50.0, 2.5]), 0.01, 0.9),
             "the first step on the bowl 10θ₁² + 0.5θ₂² from θ = [−2.5, 2.5]: v = 0, g = [−50, 2.5], η = 0.01, β = 0.9"),
        Case((np.zeros(1), np.array([1.75]), np.ones(1), 0.5, 0.5),
             "the chapter's schedule example at step 4: θ = [0], v = [1.75], g = [1], η = 0.5, β = 0.5"),
    ]
    for shape in [(3,), (2, 3)]:
        theta, v, g = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape)
        lr, beta = float(rng.choice([0.01, 0.05, 0.1])), float(rng.choice([0.5, 0.8, 0.9, 0.99]))
        cases.append(Case((theta, v, g, lr, beta), _values(θ=theta, v=v, g=g, η=lr, β=beta)))
    return cases


# =================================================================== 08.momentum_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - v ← βv + g with the gradient itself, not (1 − β)g nor ηg (every case, β ≠ 0);
# - v first, then θ ← θ − ηv with the new v (every case with v ≠ 0 or g ≠ 0);
# - return the new (theta, v), both (every case compares both parts);
# - arrays of any shape (a 3-vector and a 2 × 3 array); in-place updates allowed (copies).
# Precision: one step needs no float64; a float32 answer is judged at float32 precision.
def momentum_step_reference(theta: Any, v: Any, g: Any, lr: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's momentum: v ← βv + g; θ ← θ − ηv (dlcourse.optim.momentum, form="pytorch")."""
    theta, v = np.array(theta, dtype=np.float64), np.array(v, dtype=np.float64)
    state = {"velocity": v}
    optim.momentum(theta, np.asarray(g, dtype=np.float64), state, lr=lr, gamma=beta, form="pytorch")
    return theta, state["velocity"]


def _pt_theta_first(theta, v, g, lr, beta):
    return theta - lr * v, beta * v + g


def _pt_dampened(theta, v, g, lr, beta):
    v = beta * v + (1 - beta) * g
    return theta - lr * v, v


def _pt_classical(theta, v, g, lr, beta):
    v = beta * v + lr * g
    return theta - v, v


def _pt_reversed(theta, v, g, lr, beta):
    v = beta * g + (1 - beta) * v
    return theta - lr * v, v


def _pt_no_momentum(theta, v, g, lr, beta):
    return theta - lr * g, v


def _pt_nesterov(theta, v, g, lr, beta):
    v = beta * v + g
    return theta - lr * (g + beta * v), v


def _pt_sign(theta, v, g, lr, beta):
    v = beta * v + g
    return theta + lr * v, v


register(step_check(
    id="08.momentum_step",
    function="momentum_step",
    reference=momentum_step_reference,
    cases=_step_cases,
    parts=("theta", "v"),
    mistakes=(
        (_pt_theta_first, "θ moved with the old velocity: update v first, then step θ ← θ − ηv with the new v."),
        (_pt_dampened, "you damped the gradient: v ← βv + (1 − β)g is the averaged form (PyTorch's dampening=β); "
                       "PyTorch's default adds the gradient itself, v ← βv + g."),
        (_pt_classical, "that is the classical form u ← γu + ηg, θ ← θ − u; in PyTorch's form η multiplies the "
                        "velocity: v ← βv + g, θ ← θ − ηv."),
        (_pt_reversed, "β weighs the past: v ← βv + g. Multiplying the new gradient by β and the old velocity by "
                       "1 − β would mostly forget the past."),
        (_pt_no_momentum, "θ moved by −ηg, as in plain gradient descent: the step is −ηv, with the new velocity "
                          "v ← βv + g."),
        (_pt_sign, "θ moved uphill: the step is θ ← θ − ηv."),
        (_pt_nesterov, "that is PyTorch's Nesterov step (nesterov=True), θ ← θ − η(g + βv); plain momentum "
                       "steps θ ← θ − ηv with the new velocity."),
    ),
    hint="v ← βv + g, then θ ← θ − ηv (PyTorch's SGD with momentum=β).",
    reference_names=("dlcourse.optim.momentum", "dlcourse.optim.sgd", "dlcourse.optim.SGD"),
))


# =================================================================== 08.classical_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - u ← γu + ηg: η multiplies the new gradient (every case with η ≠ 1);
# - u first, then θ ← θ − u with the new u (every case);
# - return the new (theta, u) (both parts compared); any shape (a 4-vector, a 3 × 2 array).
def classical_step_reference(theta: Any, u: Any, g: Any, lr: float, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """Classical momentum: u ← γu + ηg; θ ← θ − u (dlcourse.optim.momentum, form="classical")."""
    theta, u = np.array(theta, dtype=np.float64), np.array(u, dtype=np.float64)
    state = {"velocity": u}
    optim.momentum(theta, np.asarray(g, dtype=np.float64), state, lr=lr, gamma=gamma, form="classical")
    return theta, state["velocity"]


def _cl_pytorch(theta, u, g, lr, gamma):
    u = gamma * u + g
    return theta - lr * u, u


def _cl_theta_first(theta, u, g, lr, gamma):
    return theta - u, gamma * u + lr * g


def _cl_averaged(theta, u, g, lr, gamma):
    u = gamma * u + (1 - gamma) * lr * g
    return theta - u, u


def _cl_reversed(theta, u, g, lr, gamma):
    u = gamma * lr * g + (1 - gamma) * u
    return theta - u, u


def _cl_sign(theta, u, g, lr, gamma):
    u = gamma * u + lr * g
    return theta + u, u


def _classical_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.array([-2.0, 2.475]), np.array([-0.5, 0.025]), np.array([-40.0, 2.475]), 0.01, 0.9),
             "the second step on the bowl 10θ₁² + 0.5θ₂²: θ = [−2, 2.475], u = [−0.5, 0.025], g = [−40, 2.475], "
             "η = 0.01, γ = 0.9"),
        Case((np.zeros(1), np.array([1.75]), np.ones(1), 0.5, 0.5),
             "the chapter's schedule example at step 4: θ = [0], u = [1.75], g = [1], η = 0.5, γ = 0.5"),
    ]
    for shape in [(4,), (3, 2)]:
        theta, u, g = rng.normal(size=shape), rng.normal(size=shape) * 0.1, rng.normal(size=shape)
        lr, gamma = float(rng.choice([0.01, 0.05, 0.1])), float(rng.choice([0.5, 0.8, 0.9, 0.99]))
        cases.append(Case((theta, u, g, lr, gamma), _values(θ=theta, u=u, g=g, η=lr, γ=gamma)))
    return cases


register(step_check(
    id="08.classical_step",
    function="classical_momentum_step",
    reference=classical_step_reference,
    cases=_classical_cases,
    parts=("theta", "u"),
    mistakes=(
        (_cl_pytorch, "that is PyTorch's form (v ← γv + g, θ ← θ − ηv); in the classical form η multiplies each "
                      "new gradient: u ← γu + ηg, θ ← θ − u."),
        (_cl_theta_first, "θ moved with the old velocity: update u first, then θ ← θ − u."),
        (_cl_averaged, "no (1 − γ) factor in the classical form: u ← γu + ηg."),
        (_cl_reversed, "γ multiplies the old velocity, not the new gradient: u ← γu + ηg."),
        (_cl_sign, "θ moved uphill: the step is θ ← θ − u."),
    ),
    hint="u ← γu + ηg, then θ ← θ − u.",
    reference_names=("dlcourse.optim.momentum",),
))


# =================================================================== 08.nesterov_step
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - the gradient at the look-ahead point θ − γv, not at θ nor θ + γv (every case with v ≠ 0
#   on a curved landscape: the bowl, Rosenbrock, random quadratics);
# - the look-ahead must not move θ itself (θ − v is then taken from the right θ);
# - v ← γv + η∇R(·), then θ ← θ − v; return the new (theta, v).
def nesterov_step_reference(theta: Any, v: Any, grad_fn: Callable[[np.ndarray], Any], lr: float,
                            gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's Nesterov step: v ← γv + η∇R(θ − γv); θ ← θ − v (dlcourse.optim.nesterov)."""
    theta, v = np.array(theta, dtype=np.float64), np.array(v, dtype=np.float64)
    state = {"velocity": v}
    optim.nesterov(theta, lambda p: np.asarray(grad_fn(p), dtype=np.float64), state, lr=lr, gamma=gamma)
    return theta, state["velocity"]


def _nag_at_theta(theta, v, grad_fn, lr, gamma):
    v = gamma * v + lr * np.asarray(grad_fn(theta))
    return theta - v, v


def _nag_plus(theta, v, grad_fn, lr, gamma):
    v = gamma * v + lr * np.asarray(grad_fn(theta + gamma * v))
    return theta - v, v


def _nag_no_gamma(theta, v, grad_fn, lr, gamma):
    v_new = gamma * v + lr * np.asarray(grad_fn(theta - v))
    return theta - v_new, v_new


def _nag_lr(theta, v, grad_fn, lr, gamma):
    v = gamma * v + lr * np.asarray(grad_fn(theta - lr * v))
    return theta - v, v


def _nag_theta_first(theta, v, grad_fn, lr, gamma):
    return theta - v, gamma * v + lr * np.asarray(grad_fn(theta - gamma * v))


def _nesterov_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.array([-2.0, 2.475]), np.array([-0.5, 0.025]), _bowl_grad, 0.01, 0.9),
             "the second step on the bowl 10θ₁² + 0.5θ₂², ∇R = (20θ₁, θ₂): θ = [−2, 2.475], v = [−0.5, 0.025], "
             "η = 0.01, γ = 0.9"),
        Case((np.array([-1.2, 1.0]), np.array([-0.2, 0.05]), _rosenbrock_grad, 1e-3, 0.9),
             "Rosenbrock (1 − x)² + 100(y − x²)² at θ = [−1.2, 1] with v = [−0.2, 0.05], η = 1e-3, γ = 0.9"),
    ]
    for n in [3, 4]:
        grad, A, b = random_quadratic(rng, n)
        theta, v = rng.normal(size=n), rng.normal(size=n) * 0.3
        lr, gamma = float(rng.choice([0.01, 0.05])), float(rng.choice([0.8, 0.9]))
        at = _values(θ=theta, v=v, η=lr, γ=gamma)
        cases.append(Case((theta, v, grad, lr, gamma), f"∇R(θ) = Aθ − b with {_values(A=A, b=b)}, at {at}"))
    return cases


register(step_check(
    id="08.nesterov_step",
    function="nesterov_step",
    reference=nesterov_step_reference,
    cases=_nesterov_cases,
    parts=("theta", "v"),
    mistakes=(
        (_nag_at_theta, "you took the gradient at θ: that is ordinary momentum. Nesterov evaluates it at the "
                        "look-ahead point θ − γv, where the old velocity is about to carry θ."),
        (_nag_plus, "the look-ahead point is θ − γv (the velocity is subtracted from θ), not θ + γv."),
        (_nag_no_gamma, "the look-ahead point is θ − γv: the velocity is scaled by γ."),
        (_nag_lr, "the look-ahead point is θ − γv: the velocity is scaled by the momentum γ, not by η."),
        (_nag_theta_first, "θ moved with the old velocity: update v first, then θ ← θ − v."),
    ),
    hint="v ← γv + η·grad_fn(θ − γv), then θ ← θ − v.",
    reference_names=("dlcourse.optim.nesterov",),
))


# =================================================================== 08.momentum_run
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - start with v = 0 and keep v from step to step (every case; 40 … 200 steps);
# - PyTorch's form, step for step like torch.optim.SGD(momentum=β) (every case);
# - all iterates θ_0 … θ_steps, θ_0 included, as a (steps + 1, n) array (the shape; a list
#   of arrays passes); a copy of θ per row.
# Precision: a float32 run is judged at float32 precision (it stays within it on these
# problems); float64 runs at rtol 1e-9.
def torch_sgd_run(grad_fn: Callable[[np.ndarray], Any], theta0: Any, lr: float, beta: float,
                  steps: int) -> np.ndarray:
    """The iterates θ_0 … θ_steps of torch.optim.SGD(lr, momentum=β) fed with grad_fn, in float64."""
    torch = require_torch()

    return torch_path(lambda params: torch.optim.SGD(params, lr=lr, momentum=beta), grad_fn, theta0,
                      steps)


def _numpy_run(update: Callable[..., tuple[np.ndarray, np.ndarray]]) -> Callable[..., np.ndarray]:
    def run(grad_fn, theta0, lr, beta, steps):
        theta = np.array(theta0, dtype=np.float64)
        v = np.zeros_like(theta)
        path = [theta.copy()]
        for _ in range(steps):
            theta, v = update(theta, v, np.asarray(grad_fn(theta.copy()), dtype=np.float64), lr, beta)
            path.append(np.array(theta, dtype=np.float64))
        return np.array(path)

    return run


def _torch_dampened_run(grad_fn, theta0, lr, beta, steps):
    """torch.optim.SGD(momentum=β, dampening=β): its buffer starts at the first gradient, undamped,
    then v ← βv + (1 − β)g (unlike the dampened step of the chapter, which damps from the start)."""
    theta = np.array(theta0, dtype=np.float64)
    v = None
    path = [theta.copy()]
    for _ in range(steps):
        g = np.asarray(grad_fn(theta.copy()), dtype=np.float64)
        v = g.copy() if v is None else beta * v + (1 - beta) * g
        theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


def _first_gradient_twice_run(grad_fn, theta0, lr, beta, steps):
    """v started at the first gradient and then updated with it again: v₁ = (1 + β)g₀."""
    theta = np.array(theta0, dtype=np.float64)
    v = np.asarray(grad_fn(theta.copy()), dtype=np.float64)
    path = [theta.copy()]
    for _ in range(steps):
        v = beta * v + np.asarray(grad_fn(theta.copy()), dtype=np.float64)
        theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


def _nesterov_torch_style(theta, v, g, lr, beta):
    v = beta * v + g
    return theta - lr * (g + beta * v), v


_STEP_CAUSE = (" If momentum_run calls your momentum_step, the slip is probably there: check that "
               "08.momentum_step passes.")


def _run_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((_bowl_grad, np.array([-2.5, 2.5]), 0.01, 0.9, 100),
             "the chapter's bowl 10θ₁² + 0.5θ₂² from θ₀ = [−2.5, 2.5], η = 0.01, β = 0.9, 100 steps"),
        Case((_rosenbrock_grad, np.array([-1.2, 1.0]), 1e-3, 0.9, 200),
             "Rosenbrock from θ₀ = [−1.2, 1], η = 1e-3, β = 0.9, 200 steps"),
    ]
    for n in [3, 5]:
        grad, A, b = random_quadratic(rng, n)
        theta0 = rng.normal(size=n)
        lr, beta = float(rng.choice([0.01, 0.02])), float(rng.choice([0.5, 0.8, 0.9]))
        steps = int(rng.integers(40, 80))
        cases.append(Case((grad, theta0, lr, beta, steps),
                          f"∇R(θ) = Aθ − b, A a random {n}×{n} positive definite matrix (eigenvalues "
                          f"{np.round(np.linalg.eigvalsh(A), 2).tolist()}), θ₀ = {np.round(theta0, 3).tolist()}, "
                          f"η = {lr}, β = {beta}, {steps} steps"))
    return cases


register(Check(
    id="08.momentum_run",
    function="momentum_run",
    reference=torch_sgd_run,
    cases=_run_cases,
    compare=judge_plain_floats_by_value(compare_trajectories(rtol=1e-9, atol=1e-12,
                                                             against="torch.optim.SGD(momentum=β)",
                                                             precision="dtype")),
    diagnoses=(variant_hint(
        (_numpy_run(_pt_theta_first), "θ moved with the old velocity: update v first, then θ ← θ − ηv." + _STEP_CAUSE),
        (_numpy_run(_pt_dampened), "you used dampening by accident: v ← βv + (1 − β)g is torch's dampening=β; "
                                   "the default is v ← βv + g." + _STEP_CAUSE),
        (_torch_dampened_run, "you used dampening by accident: torch's dampening=β makes v ← βv + (1 − β)g "
                              "after the first step; the default is v ← βv + g."),
        (_numpy_run(_nesterov_torch_style), "that is PyTorch's Nesterov update (nesterov=True); plain momentum "
                                            "steps θ ← θ − ηv." + _STEP_CAUSE),
        (_numpy_run(_pt_reversed), "β weighs the past: v ← βv + g." + _STEP_CAUSE),
        (_first_gradient_twice_run, "start with v = 0: the first step then makes v = g (what torch's buffer "
                                    "starts at); starting from v = g and adding g again counts the first "
                                    "gradient twice."),
        (_numpy_run(_pt_no_momentum), "your run is plain gradient descent: keep the velocity v from one step "
                                      "to the next (start at v = 0) and step along it."),
    ),),
    hint="start with v = 0; at each step g = grad_fn(θ), v ← βv + g, θ ← θ − ηv; return θ_0 … θ_steps.",
    reference_names=("dlcourse.optim.minimize", "dlcourse.optim.momentum", "dlcourse.optim.sgd",
                     "dlcourse.optim.SGD"),
    call=on_copies,
))


# =================================================================== 08.terminal_velocity
# The chapter's worked example: under a constant gradient g the classical velocity is the
# geometric series u_t = ηg(1 + γ + … + γ^{t−1}) = ηg(1 − γᵗ)/(1 − γ) → ηg/(1 − γ).
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - u_t for t = 1, …, steps, u_1 = ηg (every case: the first row);
# - the sum of t terms, (1 − γᵗ), not t + 1 or t − 1 terms (every case);
# - the closed form or a loop alike; for γ = 0.99 the velocity still builds up after 100
#   steps (the chapter's γ = 0.99 case), so the limit ηg/(1 − γ) alone is wrong;
# - any shape of g (a scalar gradient as a 1-vector, a 2-vector).
# Precision: float32 is judged at float32 precision.
def velocities_reference(lr: float, gamma: float, g: Any, steps: int) -> np.ndarray:
    """u_1 … u_steps of classical momentum under the constant gradient g: shape (steps, *g.shape)."""
    g = np.asarray(g, dtype=np.float64)
    u, rows = np.zeros_like(g), []
    for _ in range(steps):
        u = gamma * u + lr * g
        rows.append(u.copy())
    return np.array(rows)


def _velocity_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((0.1, gamma, np.ones(1), steps), f"η = 0.1, γ = {gamma}, g = [1], {steps} steps (the chapter's)")
             for gamma, steps in ((0.5, 10), (0.9, 50), (0.99, 100))]
    g = np.round(rng.normal(size=2), 3)
    lr, gamma = float(rng.choice([0.01, 0.05, 0.2])), float(rng.choice([0.6, 0.8, 0.95]))
    steps = int(rng.integers(5, 30))
    cases.append(Case((lr, gamma, g, steps), _values(η=lr, γ=gamma, g=g) + f", {steps} steps"))
    return cases


def _velocity_hints(got: Any, expected: Any, case: Case) -> str | None:
    lr, gamma, g, steps = case.args
    arr = as_float_array(got)
    if arr is None or arr.shape != expected.shape:
        return f"return one velocity per step, u_1 … u_{steps}: an array of shape {expected.shape}."
    t = np.arange(1, steps + 1).reshape((-1,) + (1,) * np.ndim(g))
    g = np.asarray(g, dtype=np.float64)
    if np.allclose(arr, lr * g * (1 - gamma ** (t + 1)) / (1 - gamma)):
        return "u_1 = ηg: after t steps the sum has t terms, ηg(1 − γᵗ)/(1 − γ), not t + 1."
    if np.allclose(arr, lr * g * (1 - gamma ** (t - 1)) / (1 - gamma)):
        return "the first row is u_1 = ηg, not u_0 = 0: the sum has t terms, ηg(1 − γᵗ)/(1 − γ)."
    if np.allclose(arr, np.broadcast_to(lr * g / (1 - gamma), arr.shape)):
        return "that is the limit ηg/(1 − γ); the velocity only approaches it: u_t = ηg(1 − γᵗ)/(1 − γ)."
    if np.allclose(arr, g * (1 - gamma**t) / (1 - gamma)):
        return ("the classical velocity carries η: u ← γu + ηg. If velocities runs your "
                "classical_momentum_step, check that 08.classical_step passes.")
    return None


register(Check(
    id="08.terminal_velocity",
    function="velocities",
    reference=velocities_reference,
    cases=_velocity_cases,
    compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-10, atol=1e-14, precision="dtype")),
    diagnoses=(_velocity_hints,),
    hint="u_t = ηg(1 + γ + … + γ^{t−1}) = ηg(1 − γᵗ)/(1 − γ) for t = 1, …, steps.",
    reference_names=("dlcourse.optim.momentum",),
    call=on_copies,
))
