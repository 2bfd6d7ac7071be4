"""Learning-rate schedules η_t (chapter 10; the 1/t decay of Robbins–Monro in chapter 7).

A schedule is a function of the step t = 0, 1, 2, … (an iteration or an epoch, as the
caller counts): ``schedule(t)`` is η_t and ``schedule.values(n)`` the array
η_0, …, η_{n−1} for a plot. Each one equals its ``torch.optim.lr_scheduler`` namesake,
step by step, when that scheduler starts from the same learning rate:

============================  ==========================================================
:class:`StepDecay`            ``StepLR``
:class:`ExponentialDecay`     ``ExponentialLR``
:class:`InverseTimeDecay`     ``LambdaLR(opt, lambda t: 1 / (1 + k * t))``
:class:`CosineAnnealing`      ``CosineAnnealingLR``
:class:`CosineWarmRestarts`   ``CosineAnnealingWarmRestarts``
:class:`Cyclic`               ``CyclicLR`` (modes triangular, triangular2, exp_range)
:class:`LinearWarmup`         ``LinearLR``
:class:`MultiStepDecay`       ``MultiStepLR``
:class:`PolynomialDecay`      ``PolynomialLR``
:class:`OneCycle`             ``OneCycleLR`` (the learning rate; not the momentum cycle)
:class:`Sequential`           ``SequentialLR`` (one schedule after another)
:class:`ReduceOnPlateau`      ``ReduceLROnPlateau`` (reacts to a metric, not to t)
============================  ==========================================================

The schedules are written in closed form, so η_t costs the same for every t (PyTorch
updates most of them multiplicatively, which agrees to round-off). Any schedule can
drive :func:`dlcourse.optim.minimize` (``lr=schedule``), and :func:`as_torch_scheduler`
turns one into a ``torch.optim.lr_scheduler`` scheduler for any PyTorch optimizer.

Every schedule has ``state_dict()`` and ``load_state_dict(state)``, as PyTorch's do: the
state is plain data (the class name, the hyper-parameters and, for
:class:`ReduceOnPlateau`, the counters), so it can be stored with ``torch.save`` or JSON,
and :func:`from_state_dict` rebuilds a schedule from it. This module imports numpy only.
"""

from __future__ import annotations

import bisect
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Schedule",
    "StepDecay",
    "ExponentialDecay",
    "InverseTimeDecay",
    "CosineAnnealing",
    "CosineWarmRestarts",
    "Cyclic",
    "LinearWarmup",
    "MultiStepDecay",
    "PolynomialDecay",
    "OneCycle",
    "Sequential",
    "ReduceOnPlateau",
    "from_state_dict",
    "as_torch_scheduler",
]


def _real(name: str, value: Any, low: float = 0.0, high: float = math.inf,
          low_open: bool = False, high_open: bool = False) -> float:
    """value as a float within [low, high] (or open ends), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    above = v > low if low_open else v >= low
    below = v < high if high_open else v <= high
    if not (above and below):  # also refuses NaN
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return v


def _count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


class Schedule(ABC):
    """A learning rate for every step: ``schedule(t)`` = η_t for t = 0, 1, 2, … (chapter 10)."""

    def __call__(self, t: int) -> float:
        return self.rate(_count("the step t", t, minimum=0))

    @abstractmethod
    def rate(self, t: int) -> float:
        """η_t for a valid step t ≥ 0."""

    def values(self, steps: int) -> NDArray[np.float64]:
        """η_0, η_1, …, η_{steps−1} as an array, for a plot."""
        return np.array([self.rate(t) for t in range(_count("steps", steps, minimum=0))])

    def state_dict(self) -> dict[str, Any]:
        """The schedule as plain data: ``{"schedule": class name, hyper-parameter: value, …}``.

        A closed-form schedule has no other state: η_t depends on t and the
        hyper-parameters only, so the caller's step count is all that a checkpoint adds.
        """
        state: dict[str, Any] = {"schedule": type(self).__name__}
        for f in fields(self):  # type: ignore[arg-type]
            state[f.name] = _plain(getattr(self, f.name))
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Take the hyper-parameters of ``state`` (from :meth:`state_dict`), in place.

        The state must come from the same class and carry exactly its hyper-parameters;
        the values are validated as the constructor would.
        """
        fresh = from_state_dict(state)
        if type(fresh) is not type(self):
            raise ValueError(
                f"state_dict is for a {type(fresh).__name__}, not a {type(self).__name__}"
            )
        self.__dict__.update(fresh.__dict__)

    @classmethod
    def _from_state(cls, params: dict[str, Any]) -> Schedule:
        return cls(**params)


def _plain(value: Any) -> Any:
    """A hyper-parameter as plain data: schedules become their state dicts, tuples lists."""
    if isinstance(value, Schedule):
        return value.state_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


@dataclass
class StepDecay(Schedule):
    """η_t = η₀ · γ^⌊t / s⌋: multiply by γ every s steps (chapter 10; ``StepLR``)."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _count("step_size", self.step_size)
        _real("gamma", self.gamma, low_open=True)

    def rate(self, t: int) -> float:
        return self.lr * self.gamma ** (t // self.step_size)


@dataclass
class ExponentialDecay(Schedule):
    """η_t = η₀ · γᵗ (chapter 10; PyTorch's ``ExponentialLR``)."""

    lr: float
    gamma: float

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _real("gamma", self.gamma, low_open=True)

    def rate(self, t: int) -> float:
        return self.lr * self.gamma**t


@dataclass
class InverseTimeDecay(Schedule):
    """η_t = η₀ / (1 + k t), the 1/t decay of chapters 7 and 10.

    For k > 0 it meets the Robbins–Monro conditions Σ η_t = ∞ and Σ η_t² < ∞, under which
    SGD with an unbiased gradient estimate converges almost surely (to a stationary point).
    """

    lr: float
    k: float

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _real("k", self.k)

    def rate(self, t: int) -> float:
        return self.lr / (1 + self.k * t)


def _cosine(lr: float, eta_min: float, t: int, period: int) -> float:
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


@dataclass
class CosineAnnealing(Schedule):
    """η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2 (``CosineAnnealingLR``).

    Half a cosine from η₀ down to η_min over T_max steps (Loshchilov & Hutter 2017;
    chapter 10).
    Past T_max the cosine goes on, back up to η₀ at 2 T_max, as in PyTorch.
    """

    lr: float
    T_max: int
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _count("T_max", self.T_max)
        _real("eta_min", self.eta_min)

    def rate(self, t: int) -> float:
        return _cosine(self.lr, self.eta_min, t % (2 * self.T_max), self.T_max)


@dataclass
class CosineWarmRestarts(Schedule):
    """Cosine annealing restarted at η₀ (SGDR; chapter 10; ``CosineAnnealingWarmRestarts``).

    The i-th run lasts T_i = T_0 · T_multⁱ steps; within it, at step t_cur,
    η_t = η_min + (η₀ − η_min) · (1 + cos(π t_cur / T_i)) / 2.
    """

    lr: float
    T_0: int
    T_mult: int = 1
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _count("T_0", self.T_0)
        _count("T_mult", self.T_mult)
        _real("eta_min", self.eta_min)

    def rate(self, t: int) -> float:
        period = self.T_0
        while t >= period:
            t -= period
            period *= self.T_mult
        return _cosine(self.lr, self.eta_min, t, period)


CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


@dataclass
class Cyclic(Schedule):
    """Cyclical learning rates (Smith 2015/2017; chapter 10; PyTorch's ``CyclicLR``).

    η rises linearly from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps and falls
    back in ``step_size_down`` (default: the same), changing every batch. With
    c = t mod (up + down) the position in the current cycle k = ⌊t / (up + down)⌋::

        h = c / up  while c ≤ up,  else (up + down − c) / down
        η_t = base_lr + (max_lr − base_lr) · h · a

    where the amplitude factor a is 1 (``"triangular"``), 1/2ᵏ (``"triangular2"``, halved
    every cycle) or γᵗ (``"exp_range"``).
    """

    base_lr: float
    max_lr: float
    step_size_up: int = 2000
    step_size_down: int | None = None
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self) -> None:
        _real("base_lr", self.base_lr)
        _real("max_lr", self.max_lr)
        _count("step_size_up", self.step_size_up)
        if self.step_size_down is not None:
            _count("step_size_down", self.step_size_down)
        if self.mode not in CYCLIC_MODES:
            raise ValueError(f"Unknown cyclic mode {self.mode!r}; choose one of {CYCLIC_MODES}")
        _real("gamma", self.gamma, low_open=True)

    def rate(self, t: int) -> float:
        up = self.step_size_up
        down = up if self.step_size_down is None else self.step_size_down
        cycle, c = divmod(t, up + down)
        h = c / up if c <= up else (up + down - c) / down
        if self.mode == "triangular":
            amplitude = 1.0
        elif self.mode == "triangular2":
            amplitude = 1 / 2.0**cycle
        else:
            amplitude = self.gamma**t
        return self.base_lr + (self.max_lr - self.base_lr) * h * amplitude


@dataclass
class LinearWarmup(Schedule):
    """A linear ramp of the factor: η_t = η₀ · (s + (e − s) · min(t, T) / T) (``LinearLR``).

    The factor goes from s = ``start_factor`` at t = 0 to e = ``end_factor`` at t = T =
    ``total_iters`` and stays there: with the defaults (s = 1/3, e = 1, T = 5) a warm-up
    from η₀/3 to η₀ over five steps, usually followed by another schedule
    (:class:`Sequential`). With e < s it is a linear decay. Chapter 10.
    """

    lr: float
    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_iters: int = 5

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _real("start_factor", self.start_factor, low_open=True, high=1.0)
        _real("end_factor", self.end_factor, high=1.0)
        _count("total_iters", self.total_iters)

    def rate(self, t: int) -> float:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        return self.lr * (s + (e - s) * min(T, t) / T)


@dataclass
class MultiStepDecay(Schedule):
    """η_t = η₀ · γ^(number of milestones ≤ t): multiply by γ at each milestone (``MultiStepLR``).

    Step decay at chosen epochs instead of every s of them, e.g. milestones (30, 80) for
    η₀, γη₀, γ²η₀ (chapter 10). A milestone listed twice multiplies by γ² there, as in PyTorch.
    """

    lr: float
    milestones: Sequence[int]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        if isinstance(self.milestones, (str, bytes)) or not isinstance(self.milestones, Sequence):
            raise TypeError(f"milestones must be a list of ints, got {self.milestones!r}")
        self.milestones = tuple(
            sorted(_count("a milestone", m, minimum=0) for m in self.milestones))
        _real("gamma", self.gamma, low_open=True)

    def rate(self, t: int) -> float:
        return self.lr * self.gamma ** bisect.bisect_right(self.milestones, t)


@dataclass
class PolynomialDecay(Schedule):
    """η_t = η₀ · (1 − min(t, T) / T)^p: down to 0 at t = T = ``total_iters`` (``PolynomialLR``).

    p = ``power`` = 1 is a linear decay to zero; 0 < p < 1 stays high longer, p > 1 drops
    early. Chapter 10.
    """

    lr: float
    total_iters: int = 5
    power: float = 1.0

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _count("total_iters", self.total_iters)
        _real("power", self.power)

    def rate(self, t: int) -> float:
        return self.lr * (1.0 - min(self.total_iters, t) / self.total_iters) ** self.power


ONE_CYCLE_ANNEALING = ("cos", "linear")


@dataclass
class OneCycle(Schedule):
    """Smith's one-cycle policy, for the learning rate (chapter 10; ``OneCycleLR``).

    With η_max = ``max_lr``, the schedule starts at η₀ = η_max / ``div_factor``, rises to
    η_max over the first ``pct_start`` of the ``total_steps`` steps and then anneals to
    η_min = η₀ / ``final_div_factor``. Each phase runs from step a to step b (PyTorch's
    phase ends: p·N − 1, then N − 1, with p = ``pct_start`` and N = ``total_steps``) and
    interpolates from η_start to η_end with x = (t − a) / (b − a)::

        "cos":     η_t = η_end + (η_start − η_end) · (1 + cos(π x)) / 2
        "linear":  η_t = η_start + (η_end − η_start) · x

    With ``three_phase`` the rise is followed by a symmetric fall back to η₀ (ending at
    2pN − 2) and only then the annealing to η_min. η_t exists for 0 ≤ t ≤ N, like
    PyTorch's, which refuses to step further. PyTorch's scheduler also cycles the momentum
    (``cycle_momentum``) in the opposite direction; this class gives the learning rate only.
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False

    def __post_init__(self) -> None:
        _real("max_lr", self.max_lr)
        _count("total_steps", self.total_steps)
        _real("pct_start", self.pct_start, high=1.0)
        if self.anneal_strategy not in ONE_CYCLE_ANNEALING:
            raise ValueError(
                f"Unknown anneal_strategy {self.anneal_strategy!r}; "
                f"choose one of {ONE_CYCLE_ANNEALING}"
            )
        _real("div_factor", self.div_factor, low_open=True)
        _real("final_div_factor", self.final_div_factor, low_open=True)
        if not isinstance(self.three_phase, bool):
            raise TypeError(f"three_phase must be True or False, got {self.three_phase!r}")

    @property
    def initial_lr(self) -> float:
        """η₀ = η_max / div_factor, the rate at t = 0."""
        return self.max_lr / self.div_factor

    @property
    def min_lr(self) -> float:
        """η_min = η₀ / final_div_factor, the rate at the end."""
        return self.initial_lr / self.final_div_factor

    def _phases(self) -> list[tuple[float, float, float]]:
        """(end step, η_start, η_end) of each phase, as PyTorch computes them."""
        n, p = self.total_steps, self.pct_start
        up = float(p * n) - 1
        if self.three_phase:
            return [(up, self.initial_lr, self.max_lr),
                    (float(2 * p * n) - 2, self.max_lr, self.initial_lr),
                    (n - 1, self.initial_lr, self.min_lr)]
        return [(up, self.initial_lr, self.max_lr), (n - 1, self.max_lr, self.min_lr)]

    def rate(self, t: int) -> float:
        if t > self.total_steps:
            raise ValueError(
                f"the step t = {t} is past the end of the cycle (total_steps = {self.total_steps})"
            )
        phases, start = self._phases(), 0.0
        for i, (end, lr_start, lr_end) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                if end == start:
                    raise ValueError(
                        f"phase {i + 1} of the cycle has no steps (pct_start = {self.pct_start}, "
                        f"total_steps = {self.total_steps}); choose a larger total_steps"
                    )
                x = (t - start) / (end - start)
                if self.anneal_strategy == "cos":
                    return lr_end + (lr_start - lr_end) / 2.0 * (math.cos(math.pi * x) + 1)
                return (lr_end - lr_start) * x + lr_start
            start = end
        raise AssertionError("unreachable")


@dataclass
class Sequential(Schedule):
    """One schedule after another, switching at the milestones (chapter 10; ``SequentialLR``).

    With milestones m₁ < m₂ < …, and m₀ = 0, η_t = ηᵢ(t − mᵢ) for mᵢ ≤ t < mᵢ₊₁: each
    schedule restarts its own count at its milestone, as in PyTorch. The usual use is a
    warm-up then a decay, e.g. ``Sequential([LinearWarmup(0.1, 0.01, total_iters=5),
    CosineAnnealing(0.1, T_max=95)], milestones=[5])``. Each part carries its own η₀; to
    reproduce a ``SequentialLR``, whose parts share the optimizer's rate, give them the same.
    """

    schedules: Sequence[Schedule]
    milestones: Sequence[int]

    def __post_init__(self) -> None:
        if isinstance(self.schedules, Schedule) or not isinstance(self.schedules, Sequence):
            raise TypeError(f"schedules must be a list of schedules, got {self.schedules!r}")
        for i, part in enumerate(self.schedules):
            if isinstance(part, ReduceOnPlateau):
                raise TypeError(
                    f"schedules[{i}] is a ReduceOnPlateau, which reacts to a metric, not to the "
                    "step t, and cannot be put in a sequence (nor in PyTorch's SequentialLR)"
                )
            if not isinstance(part, Schedule):
                raise TypeError(f"schedules[{i}] must be a schedule, got {type(part).__name__}")
        if not self.schedules:
            raise ValueError("Sequential needs at least one schedule")
        if isinstance(self.milestones, (str, bytes)) or not isinstance(self.milestones, Sequence):
            raise TypeError(f"milestones must be a list of ints, got {self.milestones!r}")
        self.schedules, self.milestones = tuple(self.schedules), tuple(
            _count("a milestone", m) for m in self.milestones)
        if len(self.milestones) != len(self.schedules) - 1:
            raise ValueError(
                f"Sequential needs one milestone fewer than schedules: got {len(self.schedules)} "
                f"schedules and {len(self.milestones)} milestones"
            )
        if any(a >= b for a, b in zip(self.milestones, self.milestones[1:])):
            raise ValueError(f"milestones must increase strictly, got {list(self.milestones)}")

    def rate(self, t: int) -> float:
        i = bisect.bisect_right(self.milestones, t)
        return self.schedules[i].rate(t - (self.milestones[i - 1] if i else 0))

    @classmethod
    def _from_state(cls, params: dict[str, Any]) -> Schedule:
        parts = params["schedules"]
        if isinstance(parts, Mapping) or not isinstance(parts, Sequence):
            raise TypeError(f"schedules must be a list of state dicts, got {parts!r}")
        return cls([from_state_dict(part) for part in parts], params["milestones"])


class ReduceOnPlateau:
    """Divide η when a metric stops improving (chapter 10; ``ReduceLROnPlateau``).

    Call :meth:`step` once per epoch with the validation loss (``mode="min"``) or accuracy
    (``mode="max"``). An epoch *improves* when the metric beats the best so far by more
    than the threshold: a < best·(1 − threshold) (``"rel"``) or a < best − threshold
    (``"abs"``) for ``"min"``, mirrored for ``"max"``. After more than ``patience``
    epochs in a row without improvement, η ← max(η · factor, min_lr) (skipped when that
    changes η by ε or less), the count restarts, and the next ``cooldown`` epochs are
    not counted. With the defaults, the 11th flat epoch divides η by 10; with
    ``patience=3``, the 4th (chapter 10): patience k tolerates k flat epochs and cuts on the
    (k + 1)-th, as PyTorch does.

    The metric may be a float, a numpy scalar or a one-element tensor or array (a 0-d
    ``torch.Tensor`` loss, on any device, is read with ``.item()``). :meth:`state_dict`
    holds the hyper-parameters and the counters (η, best, bad epochs, cooldown).
    """

    _HYPER = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
              "min_lr", "eps")
    _COUNTERS = ("lr", "best", "num_bad_epochs", "cooldown_counter")

    def __init__(
        self,
        lr: float,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"Unknown mode {mode!r}; choose 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"Unknown threshold_mode {threshold_mode!r}; choose 'rel' or 'abs'")
        self.lr = _real("lr", lr)
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor = _real("factor", factor, low_open=True, high=1.0, high_open=True)
        self.patience = _count("patience", patience, minimum=0)
        self.threshold = _real("threshold", threshold)
        self.cooldown = _count("cooldown", cooldown, minimum=0)
        self.min_lr = _real("min_lr", min_lr)
        self.eps = _real("eps", eps)
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def improves(self, metric: float) -> bool:
        """Whether ``metric`` beats the best so far by more than the threshold."""
        best, th = self.best, self.threshold
        if self.mode == "min":
            return metric < (best * (1 - th) if self.threshold_mode == "rel" else best - th)
        return metric > (best * (1 + th) if self.threshold_mode == "rel" else best + th)

    def step(self, metric: Any) -> float:
        """Record one epoch's metric and return the learning rate for the next epoch.

        ``metric``: a real number, or a one-element tensor or array (e.g. a 0-d loss tensor).
        """
        value = _real("metric", _scalar_metric(metric), low=-math.inf)
        if self.improves(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        return self.lr

    def get_last_lr(self) -> list[float]:
        """[η], the current learning rate, as PyTorch's schedulers return it."""
        return [self.lr]

    def state_dict(self) -> dict[str, Any]:
        """Hyper-parameters and counters as plain data (``{"schedule": "ReduceOnPlateau", …}``)."""
        state: dict[str, Any] = {"schedule": "ReduceOnPlateau"}
        for name in self._HYPER + self._COUNTERS:
            state[name] = getattr(self, name)
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and counters from :meth:`state_dict`, in place."""
        fresh = from_state_dict(state)
        if not isinstance(fresh, ReduceOnPlateau):
            raise ValueError(f"state_dict is for a {type(fresh).__name__}, not a ReduceOnPlateau")
        self.__dict__.update(fresh.__dict__)

    @classmethod
    def _from_state(cls, params: dict[str, Any]) -> ReduceOnPlateau:
        counters = {name: params.pop(name) for name in cls._COUNTERS}
        plateau = cls(counters["lr"], **params)
        best = _real("best", counters["best"], low=-math.inf)
        plateau.best = best
        plateau.num_bad_epochs = _count("num_bad_epochs", counters["num_bad_epochs"], minimum=0)
        plateau.cooldown_counter = _count("cooldown_counter", counters["cooldown_counter"],
                                          minimum=0)
        return plateau

    def __repr__(self) -> str:
        return (f"ReduceOnPlateau(lr={self.lr}, best={self.best}, "
                f"bad epochs={self.num_bad_epochs}/{self.patience})")


def _scalar_metric(metric: Any) -> Any:
    """A float from a number or a one-element tensor/array, without importing torch."""
    if isinstance(metric, numbers.Real) and not isinstance(metric, bool):
        return metric
    shape = getattr(metric, "shape", None)
    if shape is None or not callable(getattr(metric, "item", None)):
        return metric  # _real names the type
    size = math.prod(tuple(shape))
    if size != 1:
        raise ValueError(
            f"metric must be a single number (a float, or a 0-d or one-element tensor or "
            f"array), got shape {tuple(shape)}"
        )
    value = metric.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"metric must hold a real number, got {type(value).__name__} {value!r} "
            f"(dtype {getattr(metric, 'dtype', '?')})"
        )
    return value


def _schedule_classes() -> dict[str, type]:
    return {cls.__name__: cls for cls in (
        StepDecay, ExponentialDecay, InverseTimeDecay, CosineAnnealing, CosineWarmRestarts,
        Cyclic, LinearWarmup, MultiStepDecay, PolynomialDecay, OneCycle, Sequential,
        ReduceOnPlateau)}


def from_state_dict(state: Mapping[str, Any]) -> Schedule | ReduceOnPlateau:
    """A new schedule built from ``state_dict()``'s plain data (chapter 10).

    ``state["schedule"]`` names the class; the other keys must be exactly its
    hyper-parameters (and, for :class:`ReduceOnPlateau`, its counters). Values are
    validated as the constructors do.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"state_dict must be a dict, got {type(state).__name__}")
    classes = _schedule_classes()
    name = state.get("schedule")
    if name not in classes:
        raise ValueError(
            f"state_dict names no known schedule: 'schedule' is {name!r}; expected one of "
            f"{sorted(classes)}"
        )
    cls = classes[name]
    if cls is ReduceOnPlateau:
        expected = set(ReduceOnPlateau._HYPER + ReduceOnPlateau._COUNTERS)
    else:
        expected = {f.name for f in fields(cls)}
    params = {k: v for k, v in state.items() if k != "schedule"}
    missing, unexpected = sorted(expected - set(params)), sorted(set(params) - expected)
    if missing or unexpected:
        raise ValueError(
            f"state_dict for {name} does not match its hyper-parameters: "
            f"missing {missing}, unexpected {unexpected}"
        )
    return cls._from_state(params)


def as_torch_scheduler(schedule: Schedule, optimizer: Any, last_epoch: int = -1) -> Any:
    """A ``torch.optim.lr_scheduler.LRScheduler`` that sets every group's rate to η_t.

    The adapter for PyTorch code (chapter 10): ``scheduler.step()`` after each
    ``optimizer.step()`` advances t, and ``param_group["lr"]`` becomes ``schedule(t)`` in
    every parameter group (an absolute rate; for rates relative to each group's own, use
    ``LambdaLR(opt, lambda t: schedule(t) / schedule(0))``). Its ``state_dict`` holds
    ``schedule.state_dict()`` and torch's counters, plain data that
    ``torch.load(weights_only=True)`` accepts. The class is ``dlcourse.schedules.ScheduleLR``;
    torch is imported when it is first used.
    """
    return _schedule_lr_class()(optimizer, schedule, last_epoch)


_SCHEDULE_LR: type | None = None


def _schedule_lr_class() -> type:
    global _SCHEDULE_LR
    if _SCHEDULE_LR is not None:
        return _SCHEDULE_LR
    from torch.optim.lr_scheduler import LRScheduler

    class ScheduleLR(LRScheduler):
        """A dlcourse schedule driving a PyTorch optimizer: η_t = schedule(t) in every group."""

        def __init__(self, optimizer: Any, schedule: Schedule, last_epoch: int = -1) -> None:
            if not isinstance(schedule, Schedule):
                raise TypeError(
                    f"schedule must be a dlcourse schedule of t, got {type(schedule).__name__}"
                    + (" (use it directly: lr = plateau.step(loss) once per epoch)"
                       if isinstance(schedule, ReduceOnPlateau) else "")
                )
            self.schedule = schedule
            super().__init__(optimizer, last_epoch)

        def get_lr(self) -> list[float]:
            return [self.schedule(self.last_epoch)] * len(self.optimizer.param_groups)

        def _get_closed_form_lr(self) -> list[float]:
            return self.get_lr()

        def state_dict(self) -> dict[str, Any]:
            state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "schedule")}
            state["schedule"] = self.schedule.state_dict()
            return state

        def load_state_dict(self, state_dict: dict[str, Any]) -> None:
            state = dict(state_dict)
            self.schedule.load_state_dict(state.pop("schedule"))
            self.__dict__.update(state)

    ScheduleLR.__module__, ScheduleLR.__qualname__ = __name__, "ScheduleLR"
    _SCHEDULE_LR = ScheduleLR
    return ScheduleLR


def __getattr__(name: str) -> Any:
    if name == "ScheduleLR":
        return _schedule_lr_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
