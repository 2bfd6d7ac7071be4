"""The update rules of :mod:`dlcourse.optim.rules`, executed in place on torch tensors.

Each function here performs the step of the readable rule of the same name — the same
formula, the same state keys, the same hyper-parameters — but with torch's in-place
operations (``mul_``, ``lerp_``, ``addcmul_``, ``addcdiv_``, ``add_(alpha=)``) in exactly
the order of torch's single-tensor implementation (``torch.optim.X(foreach=False)``). So a
step allocates no more temporary tensors than torch's, costs the same time, and rounds
the same way: the trajectories of :mod:`dlcourse.optim.optimizers` equal torch.optim's
bit for bit, in float32 as in float64. The readable rules remain the definition; a test
(``tests/test_optim.py``) runs both on the same problems and checks that they agree.

The translation, for the notation of the book (θ parameters, g the gradient, η the
learning rate, λ the weight decay, m, v running averages, β1, β2 their constants)::

    θ ← θ − η g                  param.add_(grad, alpha=-lr)
    m ← β1 m + (1 − β1) g        exp_avg.lerp_(grad, 1 - beta1)      (m + (1 − β1)(g − m))
    v ← β2 v + (1 − β2) g ⊙ g    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    θ ← θ − c · m / d            param.addcdiv_(exp_avg, denom, value=-c)

``differentiable=True`` follows torch's differentiable variant, which replaces the few
in-place operations on tensors that autograd saves by out-of-place ones. The step count
``state["step"]`` is a Python int (a tensor, as torch keeps it, is accepted too, for
state loaded from torch.optim); NAdam's product of momentum factors is a 0-d tensor of
the default dtype, as in torch.

This module imports torch; :mod:`dlcourse.optim.optimizers` uses it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = ["sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam", "FAST"]

State = dict[str, Any]
_PRESERVE = torch.preserve_format


def _advance(state: State) -> int | float:
    """t ← t + 1 in the state; returns t as a Python number."""
    step = state["step"]
    if isinstance(step, Tensor):  # state written by torch.optim
        step += 1
        return step.item()
    state["step"] = step = step + 1
    return step


def _scalar_dtype() -> torch.dtype:
    """The dtype torch.optim keeps its scalar state in (``_get_scalar_dtype``)."""
    return torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32


def sgd(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, momentum: float, dampening: float,
    weight_decay: Any, nesterov: bool, maximize: bool, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.sgd` in place: g ← g + λθ; v ← μv + (1 − τ)g; θ ← θ − ηg."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if isinstance(weight_decay, Tensor) and weight_decay.requires_grad:
            grad = grad.addcmul_(param.clone(), weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = grad.detach().clone()
        else:
            buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        grad = grad.add(buf, alpha=momentum) if nesterov else buf
    if isinstance(lr, Tensor) and lr.requires_grad:
        param.addcmul_(grad, lr, value=-1)
    else:
        param.add_(grad, alpha=-lr)


def adagrad(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, lr_decay: float, weight_decay: Any,
    initial_accumulator_value: float, eps: float, maximize: bool, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.adagrad` in place: s ← s + g ⊙ g; θ ← θ − η_t g/(√s + ε)."""
    state_sum = state.get("sum")
    if state_sum is None:
        state["step"] = 0
        state_sum = state["sum"] = torch.full_like(
            param, initial_accumulator_value, memory_format=_PRESERVE
        )
    step = _advance(state)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum.addcmul_(grad, grad, value=1)
    std = state_sum.sqrt() + eps if differentiable else state_sum.sqrt().add_(eps)
    param.addcdiv_(grad, std, value=-clr)


def rmsprop(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, alpha: float, eps: float,
    weight_decay: Any, momentum: float, centered: bool, maximize: bool,
    differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.rmsprop` in place: v ← αv + (1 − α) g ⊙ g (centered:
    ḡ ← αḡ + (1 − α)g, v − ḡ ⊙ ḡ under the root); θ ← θ − η g/(√v + ε) or via momentum."""
    square_avg = state.get("square_avg")
    if square_avg is None:
        state["step"] = 0
        square_avg = state["square_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
        if momentum > 0:
            state["momentum_buffer"] = torch.zeros_like(param, memory_format=_PRESERVE)
        if centered:
            state["grad_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
    if maximize:
        grad = -grad
    _advance(state)
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg.lerp_(grad, 1 - alpha)
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
    else:
        avg = square_avg.sqrt()
    avg = avg.add(eps) if differentiable else avg.add_(eps)
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf.mul_(momentum).addcdiv_(grad, avg)
        param.add_(buf, alpha=-lr)
    else:
        param.addcdiv_(grad, avg, value=-lr)


def adadelta(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, rho: float, eps: float,
    weight_decay: Any, maximize: bool, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.adadelta` in place: v ← ρv + (1 − ρ) g ⊙ g;
    Δ = √(u + ε)/√(v + ε) ⊙ g; u ← ρu + (1 − ρ) Δ ⊙ Δ; θ ← θ − ηΔ."""
    square_avg = state.get("square_avg")
    if square_avg is None:
        state["step"] = 0
        square_avg = state["square_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
        state["acc_delta"] = torch.zeros_like(param, memory_format=_PRESERVE)
    acc_delta = state["acc_delta"]
    _advance(state)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    std = square_avg.add(eps).sqrt_()
    delta = acc_delta.add(eps).sqrt_()
    if differentiable:
        delta = delta.clone()
    delta.div_(std).mul_(grad)
    acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    param.add_(delta, alpha=-lr)


def adam(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, betas: tuple[float, float],
    eps: float, weight_decay: Any, amsgrad: bool, maximize: bool,
    decoupled_weight_decay: bool = False, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.adam` in place: m ← β1 m + (1 − β1) g;
    v ← β2 v + (1 − β2) g ⊙ g; θ ← θ − η/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε)."""
    beta1, beta2 = betas
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        state["step"] = 0
        exp_avg = state["exp_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
        state["exp_avg_sq"] = torch.zeros_like(param, memory_format=_PRESERVE)
        if amsgrad:
            state["max_exp_avg_sq"] = torch.zeros_like(param, memory_format=_PRESERVE)
    exp_avg_sq = state["exp_avg_sq"]
    if maximize:
        grad = -grad
    step = _advance(state)
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    if differentiable:  # torch's differentiable branch: bias corrections as tensors
        step_t = torch.tensor(float(step), dtype=_scalar_dtype())
        bias_correction1 = 1 - beta1**step_t
        bias_correction2 = 1 - beta2**step_t
        step_size_neg = (lr / bias_correction1).neg()
        bias_correction2_sqrt = bias_correction2.sqrt()
        if amsgrad:
            max_exp_avg_sq = state["max_exp_avg_sq"]
            max_exp_avg_sq.copy_(torch.maximum(max_exp_avg_sq.clone(), exp_avg_sq))
            exp_avg_sq = max_exp_avg_sq
        denom = (exp_avg_sq.sqrt() / (bias_correction2_sqrt * step_size_neg)).add_(
            eps / step_size_neg
        )
        param.addcdiv_(exp_avg.clone(), denom)
        return
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    if amsgrad:
        max_exp_avg_sq = state["max_exp_avg_sq"]
        torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        exp_avg_sq = max_exp_avg_sq
    denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    param.addcdiv_(exp_avg, denom, value=-step_size)


def adamw(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, betas: tuple[float, float],
    eps: float, weight_decay: Any, amsgrad: bool, maximize: bool,
    differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.adamw` in place: θ ← θ − ηλθ, then Adam's step."""
    adam(
        param, grad, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
        amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True,
        differentiable=differentiable,
    )


def adamax(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, betas: tuple[float, float],
    eps: float, weight_decay: Any, maximize: bool, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.adamax` in place: m ← β1 m + (1 − β1) g;
    u ← max(β2 u, |g| + ε); θ ← θ − η/(1 − β1ᵗ) · m/u."""
    beta1, beta2 = betas
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        state["step"] = 0
        exp_avg = state["exp_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
        state["exp_inf"] = torch.zeros_like(param, memory_format=_PRESERVE)
    exp_inf = state["exp_inf"]
    if maximize:
        grad = -grad
    step = _advance(state)
    if weight_decay != 0:
        grad = grad.add(param, alpha=weight_decay)
    exp_avg.lerp_(grad, 1 - beta1)
    if differentiable:
        norm_buf = torch.cat(
            [exp_inf.mul_(beta2).unsqueeze(0), grad.abs().add_(eps).unsqueeze_(0)], 0
        )
        exp_inf.copy_(torch.amax(norm_buf, 0, keepdim=False))
    else:
        torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
    clr = lr / (1 - beta1**step)
    param.addcdiv_(exp_avg, exp_inf, value=-clr)


def nadam(
    param: Tensor, grad: Tensor, state: State, *, lr: Any, betas: tuple[float, float],
    eps: float, weight_decay: Any, momentum_decay: float, decoupled_weight_decay: bool,
    maximize: bool, differentiable: bool = False,
) -> None:
    """:func:`dlcourse.optim.rules.nadam` in place: μ_t = β1(1 − ½·0.96^(tψ)); Adam's m and
    v; θ ← θ − η(1 − μ_t)/(1 − Πμ_i) · g/d − η μ_{t+1}/(1 − Πμ_i·μ_{t+1}) · m/d."""
    beta1, beta2 = betas
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        state["step"] = 0
        state["mu_product"] = torch.tensor(1.0, dtype=_scalar_dtype())
        exp_avg = state["exp_avg"] = torch.zeros_like(param, memory_format=_PRESERVE)
        state["exp_avg_sq"] = torch.zeros_like(param, memory_format=_PRESERVE)
    exp_avg_sq = state["exp_avg_sq"]
    if maximize:
        grad = -grad
    step = _advance(state)
    bias_correction2 = 1 - beta2**step
    if weight_decay != 0:
        if decoupled_weight_decay:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product = state["mu_product"]
    if isinstance(mu_product, Tensor):
        mu_product *= mu
    else:  # a float, as the readable rule keeps it
        mu_product = state["mu_product"] = mu_product * mu
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    denom = exp_avg_sq.div(bias_correction2).sqrt()
    if differentiable:
        denom = denom.add(eps)
        mu_product_next = mu_product * mu_next
        grad = grad * (-lr * (1.0 - mu) / (1.0 - mu_product))
        exp_avg = exp_avg * (-lr * mu_next / (1.0 - mu_product_next))
        param.addcdiv_(grad, denom)
        param.addcdiv_(exp_avg, denom)
        return
    mu_product = float(mu_product)
    mu_product_next = mu_product * mu_next
    denom.add_(eps)
    param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product)))
    param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))


#: The in-place execution of each readable rule, by the rule's name.
FAST = {
    "sgd": sgd, "adagrad": adagrad, "rmsprop": rmsprop, "adadelta": adadelta,
    "adam": adam, "adamw": adamw, "adamax": adamax, "nadam": nadam,
}
