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
:class:`ReduceOnPlateau`      ``ReduceLROnPlateau`` (reacts to a metric, not to t)
============================  ==========================================================

The schedules are written in closed form, so η_t costs the same for every t (PyTorch
updates most of them multiplicatively, which agrees to round-off). Any schedule can
drive :func:`dlcourse.optim.minimize` (``lr=schedule``). This module imports numpy only.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass
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
    "ReduceOnPlateau",
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ExponentialDecay(Schedule):
    """η_t = η₀ · γᵗ (chapter 10; PyTorch's ``ExponentialLR``)."""

    lr: float
    gamma: float

    def __post_init__(self) -> None:
        _real("lr", self.lr)
        _real("gamma", self.gamma, low_open=True)

    def rate(self, t: int) -> float:
        return self.lr * self.gamma**t


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


class ReduceOnPlateau:
    """Divide η when a metric stops improving (chapter 10; ``ReduceLROnPlateau``).

    Call :meth:`step` once per epoch with the validation loss (``mode="min"``) or accuracy
    (``mode="max"``). An epoch *improves* when the metric beats the best so far by more
    than the threshold: a < best·(1 − threshold) (``"rel"``) or a < best − threshold
    (``"abs"``) for ``"min"``, mirrored for ``"max"``. After more than ``patience``
    epochs in a row without improvement, η ← max(η · factor, min_lr) (skipped when that
    changes η by ε or less), the count restarts, and the next ``cooldown`` epochs are
    not counted. With the defaults, the 11th flat epoch divides η by 10 (chapter 10).
    """

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

    def step(self, metric: float) -> float:
        """Record one epoch's metric and return the learning rate for the next epoch."""
        value = _real("metric", metric, low=-math.inf)
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

    def __repr__(self) -> str:
        return (f"ReduceOnPlateau(lr={self.lr}, best={self.best}, "
                f"bad epochs={self.num_bad_epochs}/{self.patience})")
