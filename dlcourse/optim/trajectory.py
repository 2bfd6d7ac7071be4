"""Run an update rule on a numpy landscape and keep the path, for chapters 6–10's plots."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import rules
from ..calculus import _as_point

__all__ = ["Trajectory", "minimize"]


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The iterates θ₀, θ₁, … of a run of :func:`minimize` and their losses R(θ_t),
    which chapters 6–10 draw on contour plots and loss curves.

    ``path`` has shape (k + 1, n) and ``losses`` shape (k + 1,), where k is the number of
    steps taken: ``steps`` unless the run ``diverged``, in which case the path stops at
    the last iterate whose coordinates and loss were all finite.
    """

    path: NDArray[np.float64]
    losses: NDArray[np.float64]
    diverged: bool
    optimizer: str
    hyper: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> NDArray[np.float64]:
        """The last finite iterate θ_k."""
        return self.path[-1]

    def __repr__(self) -> str:
        k = len(self.path) - 1
        status = f"diverged after {k} steps" if self.diverged else f"{k} steps"
        return f"Trajectory({self.optimizer}, {status}, final loss {self.losses[-1]:.6g})"


def _loss_and_grad(f: Any, grad: Callable | None) -> tuple[Callable, Callable]:
    if hasattr(f, "f") and hasattr(f, "grad"):  # a dlcourse.landscapes.Landscape
        return f.f, grad if grad is not None else f.grad
    if not callable(f):
        raise TypeError(f"f must be a landscape (with .f and .grad) or a callable, got {f!r}")
    if grad is None:
        raise ValueError("f is a plain function: pass its gradient too, minimize(f, x0, grad=...)")
    return f, grad


def minimize(
    f: Any,
    x0: ArrayLike,
    optimizer: Union[str, Callable[..., None]] = "sgd",
    steps: int = 100,
    grad: Callable[[NDArray[np.float64]], ArrayLike] | None = None,
    **hyper: Any,
) -> Trajectory:
    """Take ``steps`` steps of an optimizer from x0 and return the :class:`Trajectory`.

    At every step t = 0, 1, …: g = ∇R(θ_t), then θ_{t+1} from the update rule (θ ← θ − ηg
    for ``"sgd"``, chapter 6; the others in chapters 8–9).

    ``f`` is a landscape with ``.f(θ)`` and ``.grad(θ)`` (see :mod:`dlcourse.landscapes`),
    or a plain function R(θ) with its gradient passed as ``grad`` (which also overrides a
    landscape's). ``optimizer`` names a rule of :data:`dlcourse.optim.rules.RULES`
    ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw",
    "adamax", "nadam") or is a rule function itself, for instance one a student wrote.
    ``hyper`` are the rule's hyper-parameters (defaults as in torch.optim); the learning
    rate ``lr`` may also be a schedule, a function t ↦ η_t such as those of
    :mod:`dlcourse.schedules`.

    Divergence does not raise: when an iterate or its loss stops being finite (a learning
    rate too large), the run stops, ``diverged`` is True and the path ends at the last
    finite iterate.
    """
    if isinstance(optimizer, str):
        if optimizer not in rules.RULES:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; choose one of {', '.join(rules.RULES)}"
            )
        name, rule = optimizer, rules.RULES[optimizer]
    elif callable(optimizer):
        name, rule = getattr(optimizer, "__name__", repr(optimizer)), optimizer
    else:
        raise TypeError(f"optimizer must be a name or an update rule, got {optimizer!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be a non-negative int, got {steps!r}")
    loss_fn, grad_fn = _loss_and_grad(f, grad)

    accepted = rules.hyper_defaults(rule)
    unknown = sorted(set(hyper) - set(accepted))
    if unknown and isinstance(optimizer, str):
        raise TypeError(
            f"{name} has no hyper-parameter {', '.join(map(repr, unknown))}; "
            f"it takes {', '.join(accepted)}"
        )
    hyper = {**accepted, **hyper}
    schedule = hyper["lr"] if callable(hyper.get("lr")) else None
    rules.check_hyper(**{k: v for k, v in hyper.items() if not (k == "lr" and schedule)})

    theta = _as_point(x0, "x0").copy()  # a copy: the rules update θ in place
    n = theta.size

    def loss(point: NDArray[np.float64]) -> float:
        value = np.asarray(loss_fn(point.copy()), dtype=np.float64)
        if value.size != 1:
            raise ValueError(f"f(θ) must be a number, got shape {value.shape} at θ = {point}")
        return float(value.reshape(()))

    def gradient(point: NDArray[np.float64]) -> NDArray[np.float64]:
        g = np.asarray(grad_fn(point.copy()), dtype=np.float64)
        if g.size != n:
            raise ValueError(f"the gradient at θ = {point} has shape {g.shape}, expected ({n},)")
        return g.reshape(n)

    first = loss(theta)
    if not np.isfinite(first):
        raise ValueError(f"f(x0) is not finite: f({theta}) = {first}")
    path, losses, state = [theta.copy()], [first], {}
    diverged = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for t in range(steps):
            if schedule is not None:
                hyper["lr"] = schedule(t)
                rules.check_hyper(lr=hyper["lr"])
            rule(theta, gradient if rule is rules.nesterov else gradient(theta), state, **hyper)
            value = loss(theta) if np.all(np.isfinite(theta)) else np.nan
            if not np.isfinite(value):
                diverged = True
                break
            path.append(theta.copy())
            losses.append(value)
    if schedule is not None:
        hyper["lr"] = schedule
    return Trajectory(np.array(path), np.array(losses), diverged, name, hyper)
