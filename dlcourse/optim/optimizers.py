"""``torch.optim`` optimizers built on the update rules of :mod:`dlcourse.optim.rules`.

Chapters 8–10 train PyTorch models with these classes exactly as with their
``torch.optim`` namesakes: same constructor arguments and defaults, same validation
messages, ``zero_grad``, ``state_dict`` / ``load_state_dict``, parameter groups and
learning-rate schedulers all work, and the trajectories equal PyTorch's to float64
round-off. What differs is inside: each ``step`` applies the one rule the book shows
(e.g. :func:`~dlcourse.optim.rules.adam`) to every parameter that has a gradient.

Not supported: sparse gradients, complex parameters, and PyTorch's implementation
switches (``foreach``, ``fused``, ``capturable``, ``differentiable``). NAdam keeps the
product of its momentum factors as a Python float, where PyTorch keeps a float32 tensor
unless the default dtype is float64: the steps then differ in the eighth digit.

This module imports torch; ``import dlcourse.optim`` does not, until one of these classes
is first used.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Optional

import torch

from . import rules

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"]

Params = Iterable[Any]  # tensors, or dicts describing parameter groups


class _RuleOptimizer(torch.optim.Optimizer):
    """An optimizer whose step applies ``rule`` to each parameter with a gradient."""

    rule: Callable[..., None]
    hyper_names: tuple[str, ...] = ()  # the constructor's hyper-parameters, passed to rule

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.hyper_names = tuple(inspect.signature(cls.__init__).parameters)[2:]

    def __init__(self, params: Params, **defaults: Any) -> None:
        rules.check_hyper(**defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        rules.check_hyper(**{k: v for k, v in param_group.items() if k in self.hyper_names})
        super().add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        rule = type(self).rule
        for group in self.param_groups:
            hyper = {name: group[name] for name in self.hyper_names}
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse or p.is_complex():
                    raise TypeError(
                        f"{type(self).__name__} supports dense real tensors only, got a "
                        f"{'sparse gradient' if p.grad.is_sparse else p.dtype} "
                        f"for a parameter of shape {tuple(p.shape)}"
                    )
                rule(p, p.grad, self.state[p], **hyper)
        return loss


class SGD(_RuleOptimizer):
    """Stochastic gradient descent, with momentum, Nesterov and weight decay (chapters 7–8).

    The rule :func:`dlcourse.optim.rules.sgd`: g ← g + λθ; v ← μv + (1 − τ)g (v = g at
    the first step); g ← g + μv (nesterov) or g ← v; θ ← θ − ηg.
    """

    rule = staticmethod(rules.sgd)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, momentum=momentum, dampening=dampening,
            weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
        )


class Adagrad(_RuleOptimizer):
    """AdaGrad (chapter 9), the rule :func:`dlcourse.optim.rules.adagrad`.

    s ← s + g ⊙ g;  θ ← θ − η/(1 + (t − 1)·lr_decay) · g / (√s + ε).
    """

    rule = staticmethod(rules.adagrad)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize,
        )


class RMSprop(_RuleOptimizer):
    """RMSProp (chapter 9), the rule :func:`dlcourse.optim.rules.rmsprop`.

    v ← αv + (1 − α) g ⊙ g;  θ ← θ − η g / (√v + ε)  (centered: v − ḡ ⊙ ḡ under the root;
    momentum μ: b ← μb + g/(√v + ε), θ ← θ − ηb).
    """

    rule = staticmethod(rules.rmsprop)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
            momentum=momentum, centered=centered, maximize=maximize,
        )


class Adadelta(_RuleOptimizer):
    """Adadelta (chapter 9), the rule :func:`dlcourse.optim.rules.adadelta`.

    v ← ρv + (1 − ρ) g ⊙ g;  Δ = √(u + ε)/√(v + ε) ⊙ g;  u ← ρu + (1 − ρ) Δ ⊙ Δ;  θ ← θ − ηΔ.
    """

    rule = staticmethod(rules.adadelta)

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize
        )


class Adam(_RuleOptimizer):
    """Adam (chapter 9), the rule :func:`dlcourse.optim.rules.adam`.

    m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g ⊙ g;  m̂ = m/(1 − β1ᵗ);  v̂ = v/(1 − β2ᵗ);
    θ ← θ − η m̂ / (√v̂ + ε).  ``decoupled_weight_decay=True`` makes it AdamW.
    """

    rule = staticmethod(rules.adam)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
        )


class AdamW(_RuleOptimizer):
    """AdamW (chapter 9), the rule :func:`dlcourse.optim.rules.adamw`.

    θ ← θ − ηλθ, then Adam's step on the plain gradient. Default λ = 1e-2.
    """

    rule = staticmethod(rules.adamw)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize,
        )


class Adamax(_RuleOptimizer):
    """AdaMax (chapter 9), the rule :func:`dlcourse.optim.rules.adamax`.

    m ← β1 m + (1 − β1) g;  u ← max(β2 u, |g| + ε);  θ ← θ − η/(1 − β1ᵗ) · m/u.
    """

    rule = staticmethod(rules.adamax)

    def __init__(
        self,
        params: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize
        )


class NAdam(_RuleOptimizer):
    """NAdam (chapter 9), the rule :func:`dlcourse.optim.rules.nadam`: Adam with a
    Nesterov look-ahead, μ_t = β1(1 − ½·0.96^(tψ)) with ψ = momentum_decay.
    """

    rule = staticmethod(rules.nadam)

    def __init__(
        self,
        params: Params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
