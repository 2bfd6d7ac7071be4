"""Weight initialisation: random, zero-centred, with a variance set by the layer sizes.

Chapter 6: identical weights give identical neurons, which receive identical
gradients and stay identical, so weights start random to break the symmetry. Glorot
and He choose the variance so that signals (forward) and gradients (backward) neither
shrink nor blow up from layer to layer.

The book writes a layer as h = φ(xW + b) with x a row vector, so W has shape
``(fan_in, fan_out)``. (PyTorch's ``nn.Linear`` stores the transpose, shape
``(fan_out, fan_in)``.) This module imports numpy only.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"]

RngLike = np.random.Generator | int | None


def _rng(rng: RngLike) -> np.random.Generator:
    """A Generator from a Generator, a seed, or (None) a seed drawn from numpy's global state.

    Drawing the seed from ``np.random`` makes ``dlcourse.seed_everything`` reproduce the
    weights of a notebook that passes no ``rng``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(np.random.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng seed must be >= 0, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")


def _fan(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name} must be a positive int (a layer size), got {value}")
    return int(value)


def glorot_uniform(fan_in: int, fan_out: int, rng: RngLike = None) -> np.ndarray:
    """W_ij ~ U[−a, a] with a = √(6 / (fan_in + fan_out)), so Var W_ij = 2 / (fan_in + fan_out).

    Glorot & Bengio (2010), also called Xavier initialisation; chapter 6. The variance
    is the compromise between 1/fan_in (keeps forward signals) and 1/fan_out (keeps
    backward gradients). Returns shape (fan_in, fan_out). Same as PyTorch's
    ``nn.init.xavier_uniform_`` with gain 1.
    """
    fan_in, fan_out = _fan(fan_in, "fan_in"), _fan(fan_out, "fan_out")
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return _rng(rng).uniform(-a, a, size=(fan_in, fan_out))


def glorot_normal(fan_in: int, fan_out: int, rng: RngLike = None) -> np.ndarray:
    """W_ij ~ N(0, σ²) with σ² = 2 / (fan_in + fan_out): Glorot & Bengio (2010), chapter 6.

    Returns shape (fan_in, fan_out). Same as PyTorch's ``nn.init.xavier_normal_``
    (a plain, untruncated normal) with gain 1.
    """
    fan_in, fan_out = _fan(fan_in, "fan_in"), _fan(fan_out, "fan_out")
    sigma = math.sqrt(2.0 / (fan_in + fan_out))
    return _rng(rng).normal(0.0, sigma, size=(fan_in, fan_out))


def he_uniform(fan_in: int, fan_out: int, rng: RngLike = None) -> np.ndarray:
    """W_ij ~ U[−a, a] with a = √(6 / fan_in), so Var W_ij = 2 / fan_in.

    He et al. (2015), for ReLU layers: a ReLU zeroes half of its inputs, and the factor
    2 restores the variance that loses; chapter 6. Returns shape (fan_in, fan_out).
    Same as PyTorch's ``nn.init.kaiming_uniform_(mode="fan_in", nonlinearity="relu")``.
    """
    fan_in, fan_out = _fan(fan_in, "fan_in"), _fan(fan_out, "fan_out")
    a = math.sqrt(6.0 / fan_in)
    return _rng(rng).uniform(-a, a, size=(fan_in, fan_out))


def he_normal(fan_in: int, fan_out: int, rng: RngLike = None) -> np.ndarray:
    """W_ij ~ N(0, σ²) with σ² = 2 / fan_in: He et al. (2015), for ReLU layers; chapter 6.

    Returns shape (fan_in, fan_out). Same as PyTorch's
    ``nn.init.kaiming_normal_(mode="fan_in", nonlinearity="relu")``.
    """
    fan_in, fan_out = _fan(fan_in, "fan_in"), _fan(fan_out, "fan_out")
    sigma = math.sqrt(2.0 / fan_in)
    return _rng(rng).normal(0.0, sigma, size=(fan_in, fan_out))
