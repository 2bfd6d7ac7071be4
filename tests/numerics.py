"""Numerical helpers shared by the test modules."""

from __future__ import annotations

from typing import Callable

import numpy as np


def central_difference(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """∂f/∂x for an array x of any shape, by (f(x + h e_j) − f(x − h e_j)) / 2h one entry at a
    time; x is restored afterwards. (dlcourse.calculus.gradient takes vectors only.)"""
    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        old = x[j]
        x[j] = old + h
        up = f(x)
        x[j] = old - h
        down = f(x)
        x[j] = old
        grad[j] = (up - down) / (2 * h)
    return grad
