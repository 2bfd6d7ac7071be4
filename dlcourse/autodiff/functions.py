"""sin, cos, exp, log, tanh, σ and ReLU for floats, numpy scalars, Dual and Var (chapter 5).

One definition of f then serves all three evaluations: ``f(2.0)``, ``f(Dual(2.0, 1.0))``
and ``f(Var(2.0))``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

from .forward import Dual, _positive_for_log, _sigmoid
from .reverse import Var

__all__ = ["sin", "cos", "exp", "log", "tanh", "sigmoid", "relu"]


def _elementary(name: str, x: Any, on_float: Callable[[float], float]) -> Any:
    if isinstance(x, (Dual, Var)):
        return getattr(x, name)()
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} expects a number, a Dual or a Var, got {type(x).__name__} {x!r}")
    return on_float(float(x))


def sin(x: Any) -> Any:
    """sin x; d/dx sin x = cos x. Floats, numpy scalars, Dual and Var (chapter 5)."""
    return _elementary("sin", x, math.sin)


def cos(x: Any) -> Any:
    """cos x; d/dx cos x = −sin x. Floats, numpy scalars, Dual and Var (chapter 5)."""
    return _elementary("cos", x, math.cos)


def exp(x: Any) -> Any:
    """eˣ; d/dx eˣ = eˣ. Floats, numpy scalars, Dual and Var (chapter 5)."""
    return _elementary("exp", x, math.exp)


def log(x: Any) -> Any:
    """ln x for x > 0; d/dx ln x = 1/x. Floats, numpy scalars, Dual and Var (chapter 5)."""
    return _elementary("log", x, lambda a: math.log(_positive_for_log(a)))


def tanh(x: Any) -> Any:
    """tanh x; d/dx tanh x = 1 − tanh² x. Floats, numpy scalars, Dual and Var (chapter 5)."""
    return _elementary("tanh", x, math.tanh)


def sigmoid(x: Any) -> Any:
    """σ(x) = 1/(1 + e⁻ˣ); σ′ = σ(1 − σ). Floats, numpy scalars, Dual and Var (chapters 4–5)."""
    return _elementary("sigmoid", x, _sigmoid)


def relu(x: Any) -> Any:
    """max(0, x); slope 1 for x > 0, else 0. Floats, numpy scalars, Dual and Var (chapters 4–5)."""
    return _elementary("relu", x, lambda a: a if a > 0 else 0.0)
