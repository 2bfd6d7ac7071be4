"""Optimizers of chapters 6–10: update rules, torch.optim classes, and trajectories.

Three layers, one source of truth:

* :mod:`dlcourse.optim.rules` — each update rule (SGD, momentum in its three forms,
  Nesterov, AdaGrad, RMSProp, Adadelta, Adam, AdamW, AdaMax, NAdam) written once, as a
  function ``rule(theta, g, state, **hyper)`` whose arithmetic numpy arrays and torch
  tensors share. Re-exported here: ``dlcourse.optim.adam`` is the Adam rule.
* :func:`minimize` — runs a rule on a numpy landscape and returns the path, for plots.
* ``SGD``, ``Adagrad``, ``RMSprop``, ``Adadelta``, ``Adam``, ``AdamW``, ``Adamax``,
  ``NAdam`` — ``torch.optim.Optimizer`` subclasses built on the same rules, drop-in
  replacements for their ``torch.optim`` namesakes, with the same constructor arguments
  (``foreach``, ``fused``, ``differentiable``, a tensor ``lr`` …) and bit for bit the
  same trajectories (:mod:`dlcourse.optim.optimizers`). They execute each rule with
  torch's in-place operations (:mod:`dlcourse.optim.inplace`), as fast as torch's own
  single-tensor step; tests check that the in-place execution agrees with the rule.

``import dlcourse.optim`` needs numpy only; torch is imported the first time one of the
torch classes is looked up (``dlcourse.optim.Adam``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .rules import (
    MOMENTUM_FORMS,
    RULES,
    Rule,
    adadelta,
    adagrad,
    adam,
    adamax,
    adamw,
    momentum,
    nadam,
    nesterov,
    rmsprop,
    sgd,
)
from .trajectory import Trajectory, minimize

if TYPE_CHECKING:  # pragma: no cover
    from .optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop

_TORCH_CLASSES = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam")

__all__ = [
    "Rule", "RULES", "MOMENTUM_FORMS", "minimize", "Trajectory",
    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta",
    "adam", "adamw", "adamax", "nadam",
    *_TORCH_CLASSES,
]


def __getattr__(name: str) -> Any:
    """Import torch and the optimizer classes on first use of one of them."""
    if name in _TORCH_CLASSES:
        from . import optimizers

        value = getattr(optimizers, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
