"""The update rules of chapters 6–9, each written once for numpy arrays and torch tensors.

A rule is a function ``rule(theta, g, state, **hyper)`` that performs **one** step: it
updates the parameters θ and the optimizer's ``state`` (a dict, empty before the first
step) *in place* and returns nothing. The arithmetic uses only what numpy arrays and
torch tensors share — the operators ``+ - * / **``, ``abs``, comparisons and in-place
assignments such as ``m *= β1`` — so the same lines drive :func:`dlcourse.optim.minimize`
on numpy vectors and the ``torch.optim`` optimizers of :mod:`dlcourse.optim.optimizers`.
The order of the operations is PyTorch's (for instance m + (1 − β1)(g − m), the way
``torch.lerp`` rounds β1 m + (1 − β1) g), so that the numpy paths of :func:`minimize`
follow torch.optim's to float64 round-off. The ``torch.optim`` classes execute each rule
with torch's in-place operations instead (:mod:`dlcourse.optim.inplace`, the same
formula and state, op for op torch's own step), which is what makes them as fast as
torch's on models with millions of parameters.

Hyper-parameters have the names and defaults of their ``torch.optim`` namesakes, and the
state uses the same keys (``exp_avg`` is m, ``exp_avg_sq`` is v, …). The step counter
``state["step"]`` is a Python int.

Notation (as in the book): θ parameters, g = ∇R(θ) the (minibatch) gradient, η the
learning rate, λ the weight decay, t = 1, 2, … the step, m and v running averages of g and
g ⊙ g, m̂ and v̂ their bias-corrected values, β1, β2 the averaging constants, ε a small
constant that keeps a denominator away from zero. Products, squares, roots and quotients
of vectors are elementwise.

Two conventions the sources disagree on are options here:

* ``eps_inside_sqrt``: the adaptive rules divide by √v̂ + ε (Kingma & Ba, PyTorch; the
  default) or by √(v̂ + ε) (some lecture notes, usually with ε ≈ 1e-6). The two differ
  most where v̂ is tiny, that is for parameters that have seen small gradients.
* the three momentum forms of chapter 8: see :func:`momentum`.

Gradient summed or averaged over a minibatch of b examples (chapter 7): the averaged
gradient is the summed one divided by b, so plain SGD on the sum with learning rate η
takes exactly the steps of SGD on the average with learning rate η·b. (Adam and the other
rules that divide by √v̂ hardly notice the scale: only ε breaks the invariance.)
"""

from __future__ import annotations

import inspect
import math
import numbers
import sys
from typing import Any, Callable, Protocol

import numpy as np

__all__ = [
    "Rule",
    "RULES",
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "adamw",
    "adamax",
    "nadam",
    "MOMENTUM_FORMS",
]

#: numpy.ndarray or torch.Tensor: the rules touch both only through shared arithmetic.
Array = Any
State = dict[str, Any]


class Rule(Protocol):
    """An update rule: one in-place step of θ and of the state (see the module docstring)."""

    def __call__(self, theta: Array, g: Any, state: State, **hyper: Any) -> None: ...


# ----------------------------------------------------------------------- state helpers
# Allocating the state is the one place where numpy and torch spell things differently.


def _zeros_like(x: Array) -> Array:
    if isinstance(x, np.ndarray):
        return np.zeros_like(x)
    import torch  # x is a tensor, so torch is loaded already

    return torch.zeros_like(x, memory_format=torch.preserve_format)


def _copy(x: Array) -> Array:
    if isinstance(x, np.ndarray):
        return x.copy()
    return x.clone()


def _maximum_(a: Array, b: Array) -> None:
    """a ← max(a, b) elementwise, in place, exactly, with operators only."""
    b_larger = b > a
    a *= ~b_larger  # keeps a where a ≥ b, zero elsewhere
    a += b * b_larger


def _next_step(state: State) -> int:
    state["step"] += 1
    return state["step"]


# ----------------------------------------------------------------------------- rules


def sgd(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> None:
    r"""(Stochastic) gradient descent with PyTorch's momentum (chapters 6, 7 and 8).

    Without momentum (μ = 0) this is the update of chapter 6, θ ← θ − ηg. In full::

        g ← g + λθ                               weight decay λ (an L2 penalty λ/2 ‖θ‖²)
        v ← μv + (1 − τ)g    (v = g at t = 1)    momentum μ, dampening τ
        g ← g + μv  if nesterov,  else g ← v
        θ ← θ − ηg

    The velocity v starts as the first gradient itself, undamped. ``maximize`` ascends
    (g ← −g first). The book's other momentum forms are :func:`momentum` and
    :func:`nesterov`; the Nesterov form here is PyTorch's, whose iterate is the
    look-ahead point θ − γv of the book's.

    A gradient summed over a minibatch of b examples is b times the averaged one: on the
    sum use η/b to take the same steps as η on the average (chapter 7).
    """
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * theta
    if momentum != 0:
        v = state.get("momentum_buffer")
        if v is None:
            v = state["momentum_buffer"] = _copy(g)
        else:
            v *= momentum
            v += g if dampening == 0 else (1 - dampening) * g
        g = g + momentum * v if nesterov else v
    theta -= lr * g


#: The momentum conventions of chapter 8, the names :func:`momentum` accepts.
MOMENTUM_FORMS = ("pytorch", "classical", "average")


def momentum(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-3,
    gamma: float = 0.9,
    form: str = "pytorch",
) -> None:
    r"""Gradient descent with momentum in the three forms of chapter 8 (v₀ = 0).

    ``"pytorch"``    v ← γv + g;          θ ← θ − ηv
    ``"classical"``  u ← γu + ηg;         θ ← θ − u
    ``"average"``    v ← γv + (1 − γ)g;   θ ← θ − ηv

    γ = 0 is plain gradient descent in all three. With a constant η the classical velocity
    is u = ηv, so the first two take the same steps; they part ways when η changes
    (a schedule): the PyTorch form rescales the whole velocity at once, the classical one
    only the newest gradient. The averaged form is the PyTorch form with learning rate
    η(1 − γ) — PyTorch's ``SGD(dampening=γ)`` too, except that PyTorch starts the buffer
    at the first gradient. Under a constant gradient g the step tends to the terminal
    velocity η/(1 − γ)·g (pytorch, classical) or ηg (average).
    """
    if form not in MOMENTUM_FORMS:
        raise ValueError(f"Unknown momentum form {form!r}; choose one of {MOMENTUM_FORMS}")
    v = state.get("velocity")
    if v is None:
        v = state["velocity"] = _zeros_like(theta)
    v *= gamma
    if form == "pytorch":
        v += g
        theta -= lr * v
    elif form == "classical":
        v += lr * g
        theta -= v
    else:  # average
        v += (1 - gamma) * g
        theta -= lr * v


def nesterov(
    theta: Array,
    grad: Callable[[Array], Array],
    state: State,
    *,
    lr: float = 1e-3,
    gamma: float = 0.9,
) -> None:
    r"""Nesterov's accelerated gradient as the lecture writes it (chapter 8).

    v ← γv + η ∇R(θ − γv);   θ ← θ − v      (v₀ = 0)

    The gradient is taken at the look-ahead point θ − γv, where momentum is about to
    carry θ, so the rule needs the gradient *function* ``grad``, not a gradient. PyTorch
    (``sgd(..., nesterov=True)``) tracks the look-ahead point itself: its iterate is
    φ = θ − γv and its buffer is b = v/η, which turns this rule into
    b ← γb + ∇R(φ), φ ← φ − η(∇R(φ) + γb) — the same sequence of points.
    """
    v = state.get("velocity")
    if v is None:
        v = state["velocity"] = _zeros_like(theta)
    g = grad(theta - gamma * v)
    v *= gamma
    v += lr * g
    theta -= v


def adagrad(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
    eps_inside_sqrt: bool = False,
) -> None:
    r"""AdaGrad (Duchi, Hazan & Singer 2011; chapter 9): per-parameter learning rates.

    s₀ = initial_accumulator_value, then at step t::

        g ← g + λθ
        s ← s + g ⊙ g                       the running sum of squared gradients
        η_t = η / (1 + (t − 1)·lr_decay)
        θ ← θ − η_t g / (√s + ε)            (√(s + ε) with eps_inside_sqrt)

    Coordinates with large past gradients get small steps; the rates only ever shrink.
    """
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["sum"] = _zeros_like(theta)
        state["sum"] += initial_accumulator_value
    t = _next_step(state)
    if weight_decay != 0:
        g = g + weight_decay * theta
    s = state["sum"]
    s += g * g
    denom = (s + eps) ** 0.5 if eps_inside_sqrt else s**0.5 + eps
    theta -= lr / (1 + (t - 1) * lr_decay) * (g / denom)


def rmsprop(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
    eps_inside_sqrt: bool = False,
) -> None:
    r"""RMSProp (Hinton's lecture 6e; chapter 9): AdaGrad with a leaky average.

    ::

        g ← g + λθ
        v ← αv + (1 − α) g ⊙ g
        centered:  ḡ ← αḡ + (1 − α)g,  v̄ = v − ḡ ⊙ ḡ  (a variance);  else v̄ = v
        d = √v̄ + ε                                  (√(v̄ + ε) with eps_inside_sqrt)
        momentum μ > 0:  b ← μb + g/d,  θ ← θ − ηb;   else θ ← θ − η g/d

    (Chapter 9 writes β for α and s for v, the averaged squared gradient.)
    """
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["square_avg"] = _zeros_like(theta)
        if momentum > 0:
            state["momentum_buffer"] = _zeros_like(theta)
        if centered:
            state["grad_avg"] = _zeros_like(theta)
    _next_step(state)
    if weight_decay != 0:
        g = g + weight_decay * theta
    v = state["square_avg"]
    v *= alpha
    v += (1 - alpha) * g * g
    if centered:
        g_avg = state["grad_avg"]
        g_avg += (1 - alpha) * (g - g_avg)  # ḡ ← αḡ + (1 − α)g, rounded as torch's lerp
        v = v - g_avg * g_avg
    denom = (v + eps) ** 0.5 if eps_inside_sqrt else v**0.5 + eps
    if momentum > 0:
        b = state["momentum_buffer"]
        b *= momentum
        b += g / denom
        theta -= lr * b
    else:
        theta -= lr * (g / denom)


def adadelta(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""Adadelta (Zeiler 2012; chapter 9): RMSProp whose step carries its own units.

    ::

        g ← g + λθ
        v ← ρv + (1 − ρ) g ⊙ g                  running average of squared gradients
        Δ = √(u + ε) / √(v + ε) ⊙ g             u: running average of squared steps
        u ← ρu + (1 − ρ) Δ ⊙ Δ
        θ ← θ − ηΔ                              (Zeiler uses η = 1, PyTorch's default)

    ε sits inside the roots here by definition: it also seeds the first steps, when u = 0.
    """
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["square_avg"] = _zeros_like(theta)
        state["acc_delta"] = _zeros_like(theta)
    _next_step(state)
    if weight_decay != 0:
        g = g + weight_decay * theta
    v, u = state["square_avg"], state["acc_delta"]
    v *= rho
    v += (1 - rho) * g * g
    delta = (u + eps) ** 0.5 / (v + eps) ** 0.5 * g
    u *= rho
    u += (1 - rho) * delta * delta
    theta -= lr * delta


def adam(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
    eps_inside_sqrt: bool = False,
) -> None:
    r"""Adam (Kingma & Ba 2015; chapter 9): momentum plus per-parameter scaling.

    ::

        g ← g + λθ              (decoupled_weight_decay: θ ← θ − ηλθ instead; see adamw)
        m ← β1 m + (1 − β1) g
        v ← β2 v + (1 − β2) g ⊙ g
        m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)       bias correction, with the power t
        amsgrad:  v_max ← max(v_max, v) and v̂ = v_max / (1 − β2ᵗ)
        θ ← θ − η m̂ / (√v̂ + ε)                       (√(v̂ + ε) with eps_inside_sqrt)

    Defaults η = 1e-3, β1 = 0.9, β2 = 0.999, ε = 1e-8. Because m and v start at zero they
    are biased towards zero early on; dividing by 1 − βᵗ removes the bias, so the first
    step moves every coordinate by about η. (The code rounds like PyTorch: √v̂ is
    √v / √(1 − β2ᵗ), and m ← β1 m + (1 − β1) g is computed as m + (1 − β1)(g − m).)
    """
    beta1, beta2 = betas
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["exp_avg"] = _zeros_like(theta)
        state["exp_avg_sq"] = _zeros_like(theta)
        if amsgrad:
            state["max_exp_avg_sq"] = _zeros_like(theta)
    t = _next_step(state)
    if weight_decay != 0:
        if decoupled_weight_decay:
            theta *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * theta
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (1 - beta1) * (g - m)  # m ← β1 m + (1 − β1) g
    v *= beta2
    v += (1 - beta2) * g * g  # v ← β2 v + (1 − β2) g ⊙ g
    if amsgrad:
        _maximum_(state["max_exp_avg_sq"], v)
        v = state["max_exp_avg_sq"]
    if eps_inside_sqrt:
        denom = (v / (1 - beta2**t) + eps) ** 0.5  # √(v̂ + ε)
    else:
        denom = v**0.5 / (1 - beta2**t) ** 0.5 + eps  # √v̂ + ε
    theta -= lr / (1 - beta1**t) * (m / denom)  # η m̂ / (√v̂ + ε)


def adamw(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    maximize: bool = False,
    eps_inside_sqrt: bool = False,
) -> None:
    r"""AdamW (Loshchilov & Hutter 2019; chapter 9): Adam with decoupled weight decay.

    θ ← θ − ηλθ, then the Adam step of :func:`adam` on the plain gradient g.

    Adam with an L2 penalty adds λθ to g, and the division by √v̂ then shrinks the decay of
    parameters with large gradients; AdamW decays every weight at the same rate ηλ.
    """
    adam(
        theta, g, state, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
        amsgrad=amsgrad, decoupled_weight_decay=True, maximize=maximize,
        eps_inside_sqrt=eps_inside_sqrt,
    )


def adamax(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> None:
    r"""AdaMax (Kingma & Ba 2015, section 7; chapter 9): Adam with the ∞-norm.

    ::

        g ← g + λθ
        m ← β1 m + (1 − β1) g
        u ← max(β2 u, |g| + ε)
        θ ← θ − η / (1 − β1ᵗ) · m / u

    u needs no bias correction (it is a maximum, not an average started at zero).
    """
    beta1, beta2 = betas
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["exp_avg"] = _zeros_like(theta)
        state["exp_inf"] = _zeros_like(theta)
    t = _next_step(state)
    if weight_decay != 0:
        g = g + weight_decay * theta
    m, u = state["exp_avg"], state["exp_inf"]
    m += (1 - beta1) * (g - m)  # m ← β1 m + (1 − β1) g
    u *= beta2
    _maximum_(u, abs(g) + eps)
    theta -= lr / (1 - beta1**t) * (m / u)


def nadam(
    theta: Array,
    g: Array,
    state: State,
    *,
    lr: float = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
    eps_inside_sqrt: bool = False,
) -> None:
    r"""NAdam (Dozat 2016; chapter 9): Adam with a Nesterov look-ahead in m.

    With the momentum schedule μ_t = β1 (1 − ½ · 0.96^(t ψ)) (ψ = momentum_decay)::

        g ← g + λθ                  (decoupled_weight_decay: θ ← θ − ηλθ instead)
        m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g ⊙ g
        d = √(v / (1 − β2ᵗ)) + ε                      (√(v̂ + ε) with eps_inside_sqrt)
        θ ← θ − η (1 − μ_t) / (1 − Π_{i≤t} μ_i) · g / d
              − η μ_{t+1} / (1 − Π_{i≤t+1} μ_i) · m / d

    The product Π μ_i is kept in the state (``mu_product``) as a float.
    """
    beta1, beta2 = betas
    if maximize:
        g = -g
    if not state:
        state["step"] = 0
        state["mu_product"] = 1.0
        state["exp_avg"] = _zeros_like(theta)
        state["exp_avg_sq"] = _zeros_like(theta)
    t = _next_step(state)
    if weight_decay != 0:
        if decoupled_weight_decay:
            theta *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * theta
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    state["mu_product"] *= mu
    mu_product = state["mu_product"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m += (1 - beta1) * (g - m)  # m ← β1 m + (1 − β1) g
    v *= beta2
    v += (1 - beta2) * g * g
    v_hat = v / (1 - beta2**t)
    denom = (v_hat + eps) ** 0.5 if eps_inside_sqrt else v_hat**0.5 + eps
    theta -= lr * (1 - mu) / (1 - mu_product) * (g / denom)
    theta -= lr * mu_next / (1 - mu_product * mu_next) * (m / denom)


#: The rules by the names :func:`dlcourse.optim.minimize` accepts.
RULES: dict[str, Rule] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamw": adamw,
    "adamax": adamax,
    "nadam": nadam,
}


# ------------------------------------------------------------------- hyper-parameters


def hyper_defaults(rule: Callable[..., None]) -> dict[str, Any]:
    """The keyword-only hyper-parameters of ``rule`` (η, β1, β2, ε, …) with their defaults."""
    return {
        name: p.default
        for name, p in inspect.signature(rule).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def _is_tensor(value: Any) -> bool:
    torch = sys.modules.get("torch")  # a tensor means torch is loaded already
    return torch is not None and isinstance(value, torch.Tensor)


#: The hyper-parameters that torch.optim also accepts as a 1-element tensor.
_TENSOR_OK = ("lr", "weight_decay")


def _real(name: str, value: Any) -> float:
    if name in _TENSOR_OK and _is_tensor(value):
        if value.numel() != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        if value.is_complex() or value.dtype == sys.modules["torch"].bool:
            raise TypeError(f"{name} must be a real number, got a {value.dtype} tensor")
        return float(value.item())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


# The checks and messages of torch.optim, which also turn NaN away.
_AT_LEAST_ZERO = {
    "lr": "learning rate",
    "momentum": "momentum value",
    "weight_decay": "weight_decay value",
    "eps": "epsilon value",
    "lr_decay": "lr_decay value",
    "initial_accumulator_value": "initial_accumulator_value value",
    "alpha": "alpha value",
    "momentum_decay": "momentum_decay value",
}


def check_hyper(**hyper: Any) -> None:
    """Raise ValueError (TypeError) for a hyper-parameter value (type) that torch.optim refuses.

    Known names: those of the rules above. The messages are torch's, e.g.
    ``Invalid learning rate: -0.1``; NaN is refused too. ``lr`` and ``weight_decay`` may
    be 1-element torch tensors, as in torch.optim.
    """
    for name, value in hyper.items():
        if name in _AT_LEAST_ZERO:
            if not _real(name, value) >= 0.0:
                raise ValueError(f"Invalid {_AT_LEAST_ZERO[name]}: {value}")
        elif name == "dampening":
            if not math.isfinite(_real(name, value)):
                raise ValueError(f"Invalid dampening value: {value}")
        elif name == "rho":
            if not 0.0 <= _real(name, value) <= 1.0:
                raise ValueError(f"Invalid rho value: {value}")
        elif name == "gamma":
            if not 0.0 <= _real(name, value) < 1.0:
                raise ValueError(f"Invalid gamma value: {value} (momentum needs 0 ≤ γ < 1)")
        elif name == "betas":
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"betas must be a pair (β1, β2), got {value!r}")
            for i, beta in enumerate(value):
                if not 0.0 <= _real(f"betas[{i}]", beta) < 1.0:
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        elif name == "form":
            if value not in MOMENTUM_FORMS:
                raise ValueError(f"Unknown momentum form {value!r}; choose one of {MOMENTUM_FORMS}")
    if hyper.get("nesterov") and (hyper.get("momentum", 0) <= 0 or hyper.get("dampening", 0) != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
