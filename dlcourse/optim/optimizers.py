"""``torch.optim`` optimizers built on the update rules of :mod:`dlcourse.optim.rules`.

Chapters 8–10 train PyTorch models with these classes exactly as with their
``torch.optim`` namesakes: same constructor arguments, positional order and defaults, same
validation messages, ``zero_grad``, ``state_dict`` / ``load_state_dict``, parameter groups
and learning-rate schedulers all work, and the trajectories equal PyTorch's single-tensor
ones (``foreach=False``) bit for bit, in float32 and float64. Each ``step`` applies the
rule the book shows (e.g. :func:`~dlcourse.optim.rules.adam`, m ← β1 m + (1 − β1) g, …) to
every parameter that has a gradient, executed in place with torch's own operations
(:mod:`dlcourse.optim.inplace`), so it costs what torch's single-tensor step costs.

PyTorch's implementation switches are accepted, so that code copied from PyTorch runs
unchanged:

* ``lr`` may be a 1-element tensor (a learning rate a scheduler updates in place).
* ``foreach`` (None, True or False) selects torch's multi-tensor implementation; here it
  is recorded in the parameter groups and changes nothing: every step runs per tensor,
  which computes the same numbers. torch's refusals are kept (``fused`` together with
  ``foreach``; Adam and AdamW refuse a tensor ``lr`` with ``foreach=True``).
* ``fused`` (SGD, Adagrad, Adam, AdamW, as in torch) selects torch's fused kernels; here
  it is recorded and changes nothing either, after torch's checks: parameters must be
  floating point on a device with fused kernels, and neither ``differentiable`` nor
  ``foreach`` may be set.
* ``differentiable=True`` is honoured as in torch: the step runs with autograd on and
  uses torch's out-of-place variant, so that gradients flow through the update.
* ``capturable=True`` (CUDA-graph capture) cannot be honoured, because the step count is
  a Python number read on the host; it raises a ValueError naming torch's class to use.
* ``maximize=True`` ascends.

Not supported: sparse gradients and complex parameters (a TypeError says so).

This module imports torch; ``import dlcourse.optim`` does not, until one of these classes
is first used.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Iterable, Optional, Union

from dlcourse._extras import require

require("torch", by="dlcourse.optim's torch.optim classes")

import torch  # noqa: E402
from torch import Tensor  # noqa: E402

from . import inplace, rules  # noqa: E402

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"]

Params = Iterable[Any]  # tensors, (name, tensor) pairs, or dicts describing parameter groups
LR = Union[float, Tensor]

#: torch's implementation switches: recorded in the groups, never passed to the rules.
SWITCHES = ("foreach", "fused", "capturable", "differentiable")


_set_grad_enabled = torch._C._set_grad_enabled  # torch.set_grad_enabled without its object


def _fused_devices() -> list[str]:
    from torch.utils._foreach_utils import _get_fused_kernels_supported_devices

    return _get_fused_kernels_supported_devices()


class _RuleOptimizer(torch.optim.Optimizer):
    """An optimizer whose step applies ``rule`` (executed in place by ``fast``) to each
    parameter with a gradient."""

    rule: Callable[..., None]
    fast: Callable[..., None]
    hyper_names: tuple[str, ...] = ()  # the constructor's hyper-parameters, passed to rule
    _tensor_lr_needs_single_tensor = False  # Adam, AdamW: torch refuses it with foreach

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = tuple(inspect.signature(cls.__init__).parameters)[2:]
        cls.hyper_names = tuple(n for n in names if n not in SWITCHES)

    def __init__(self, params: Params, **defaults: Any) -> None:
        name = type(self).__name__
        rules.check_hyper(**{k: v for k, v in defaults.items() if k in self.hyper_names})
        if defaults.get("capturable"):
            raise ValueError(
                f"capturable=True is not supported by dlcourse.optim.{name}: its step count "
                "is a Python number on the host, which a captured CUDA graph would replay "
                f"unchanged; use torch.optim.{name}(..., capturable=True) for CUDA graphs"
            )
        if (self._tensor_lr_needs_single_tensor and isinstance(defaults["lr"], Tensor)
                and defaults.get("foreach")):
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        super().__init__(params, defaults)
        if defaults.get("fused"):
            if defaults["differentiable"]:
                raise RuntimeError("`fused` does not support `differentiable`")
            if defaults["foreach"]:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
            devices = _fused_devices()
            for group in self.param_groups:
                for p in group["params"]:
                    if not (p.device.type in devices and torch.is_floating_point(p)):
                        raise RuntimeError(
                            "`fused=True` requires all the params to be floating point Tensors "
                            f"of supported devices: {devices} but {p.dtype} and {p.device.type}"
                        )

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        rules.check_hyper(**{k: v for k, v in param_group.items() if k in self.hyper_names})
        super().add_param_group(param_group)

    def step(  # type: ignore[override]
        self, closure: Optional[Callable[[], float]] = None
    ) -> Optional[float]:
        """One update of every parameter that has a gradient; returns ``closure()`` if given.

        Autograd is off during the update unless the optimizer is ``differentiable``.
        """
        previous = torch.is_grad_enabled()
        try:
            _set_grad_enabled(bool(self.defaults.get("differentiable", False)))
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            fast = type(self).fast
            names = self.hyper_names
            state = self.state
            for group in self.param_groups:
                hyper = {name: group[name] for name in names}
                lr = hyper["lr"]
                if isinstance(lr, Tensor) and lr.dim() != 0:
                    hyper["lr"] = lr.squeeze()
                hyper["differentiable"] = bool(group.get("differentiable", False))
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    if grad.is_sparse or p.is_complex():
                        raise TypeError(
                            f"{type(self).__name__} supports dense real tensors only, got a "
                            f"{'sparse gradient' if grad.is_sparse else p.dtype} "
                            f"for a parameter of shape {tuple(p.shape)}"
                        )
                    fast(p, grad, state[p], **hyper)
        finally:
            _set_grad_enabled(previous)
        return loss


class SGD(_RuleOptimizer):
    """Stochastic gradient descent, with momentum, Nesterov and weight decay (chapters 7–8).

    The rule :func:`dlcourse.optim.rules.sgd`: g ← g + λθ; v ← μv + (1 − τ)g (v = g at
    the first step); g ← g + μv (nesterov) or g ← v; θ ← θ − ηg.
    """

    rule = staticmethod(rules.sgd)
    fast = staticmethod(inplace.sgd)

    def __init__(
        self,
        params: Params,
        lr: LR = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: Union[float, Tensor] = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: Optional[bool] = None,
        differentiable: bool = False,
        fused: Optional[bool] = None,
    ) -> None:
        super().__init__(
            params, lr=lr, momentum=momentum, dampening=dampening,
            weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
            foreach=foreach, differentiable=differentiable, fused=fused,
        )


class Adagrad(_RuleOptimizer):
    """AdaGrad (chapter 9), the rule :func:`dlcourse.optim.rules.adagrad`.

    s ← s + g ⊙ g;  θ ← θ − η/(1 + (t − 1)·lr_decay) · g / (√s + ε).
    """

    rule = staticmethod(rules.adagrad)
    fast = staticmethod(inplace.adagrad)

    def __init__(
        self,
        params: Params,
        lr: LR = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: Optional[bool] = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: Optional[bool] = None,
    ) -> None:
        super().__init__(
            params, lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize,
            foreach=foreach, differentiable=differentiable, fused=fused,
        )


class RMSprop(_RuleOptimizer):
    """RMSProp (chapter 9), the rule :func:`dlcourse.optim.rules.rmsprop`.

    v ← αv + (1 − α) g ⊙ g;  θ ← θ − η g / (√v + ε)  (centered: ḡ ← αḡ + (1 − α)g and
    v − ḡ ⊙ ḡ under the root; momentum μ: b ← μb + g/(√v + ε), θ ← θ − ηb).
    """

    rule = staticmethod(rules.rmsprop)
    fast = staticmethod(inplace.rmsprop)

    def __init__(
        self,
        params: Params,
        lr: LR = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: Optional[bool] = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
            momentum=momentum, centered=centered, capturable=capturable, foreach=foreach,
            maximize=maximize, differentiable=differentiable,
        )


class Adadelta(_RuleOptimizer):
    """Adadelta (chapter 9), the rule :func:`dlcourse.optim.rules.adadelta`.

    v ← ρv + (1 − ρ) g ⊙ g;  Δ = √(u + ε)/√(v + ε) ⊙ g;  u ← ρu + (1 − ρ) Δ ⊙ Δ;  θ ← θ − ηΔ.
    """

    rule = staticmethod(rules.adadelta)
    fast = staticmethod(inplace.adadelta)

    def __init__(
        self,
        params: Params,
        lr: LR = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: Optional[bool] = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable,
        )


class Adam(_RuleOptimizer):
    """Adam (chapter 9), the rule :func:`dlcourse.optim.rules.adam`.

    m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g ⊙ g;  m̂ = m/(1 − β1ᵗ);  v̂ = v/(1 − β2ᵗ);
    θ ← θ − η m̂ / (√v̂ + ε).  ``decoupled_weight_decay=True`` makes it AdamW.
    """

    rule = staticmethod(rules.adam)
    fast = staticmethod(inplace.adam)
    _tensor_lr_needs_single_tensor = True

    def __init__(
        self,
        params: Params,
        lr: LR = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: Optional[bool] = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Optional[bool] = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )


class AdamW(_RuleOptimizer):
    """AdamW (chapter 9), the rule :func:`dlcourse.optim.rules.adamw`.

    θ ← θ − ηλθ, then Adam's step on the plain gradient. Default λ = 1e-2.
    """

    rule = staticmethod(rules.adamw)
    fast = staticmethod(inplace.adamw)
    _tensor_lr_needs_single_tensor = True

    def __init__(
        self,
        params: Params,
        lr: LR = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: Optional[bool] = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Optional[bool] = None,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,  # recorded like torch's AdamW (an Adam subclass)
        )


class Adamax(_RuleOptimizer):
    """AdaMax (chapter 9), the rule :func:`dlcourse.optim.rules.adamax`.

    m ← β1 m + (1 − β1) g;  u ← max(β2 u, |g| + ε);  θ ← θ − η/(1 − β1ᵗ) · m/u.
    """

    rule = staticmethod(rules.adamax)
    fast = staticmethod(inplace.adamax)

    def __init__(
        self,
        params: Params,
        lr: LR = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: Optional[bool] = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, differentiable=differentiable, capturable=capturable,
        )


class NAdam(_RuleOptimizer):
    """NAdam (chapter 9), the rule :func:`dlcourse.optim.rules.nadam`: Adam with a
    Nesterov look-ahead, μ_t = β1(1 − ½·0.96^(tψ)) with ψ = momentum_decay. The product
    Π μ_i is kept, as in torch, in a 0-d tensor of the default dtype.
    """

    rule = staticmethod(rules.nadam)
    fast = staticmethod(inplace.nadam)

    def __init__(
        self,
        params: Params,
        lr: LR = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: Optional[bool] = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable,
        )
