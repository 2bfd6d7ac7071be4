"""Forward-mode AD with dual numbers (chapter 5), and the scalar rules both modes share.

A dual number v + v̇ε (ε² = 0) carries a value and its tangent; evaluating a program on
duals applies, operation by operation and in program order, the differential of each
primitive. The helpers here (checked conversion of numbers, real powers, a sigmoid that
does not overflow) are shared with reverse mode so that both give the same values.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Union

__all__ = ["Dual"]

Real = Union[int, float]


def _real(x: Any, what: str) -> float:
    """x as a finite float, or a TypeError/ValueError that names ``what``."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _constant(x: Any) -> float | None:
    """A number met in an operation with a Dual or Var, as a float; None if x is no number."""
    if type(x) is float or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        value = float(x)
        if value != value:
            raise ValueError("cannot combine NaN with a Dual or Var")
        return value
    return None


def _positive_for_log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log is defined for positive numbers only, got {x!r}")
    return x


def _power(a: float, c: float) -> float:
    """a ** c for a real result; a clear ValueError where there is none."""
    if a < 0 and not c.is_integer():
        raise ValueError(f"{a!r} ** {c!r}: a negative base needs an integer exponent")
    if a == 0 and c < 0:
        raise ValueError(f"0 ** {c!r}: zero cannot be raised to a negative power")
    return a**c


def _power_slope(a: float, c: float) -> float:
    """∂(a^c)/∂a = c a^(c−1), with its limits at a = 0 (0 for c = 0, ∞ for 0 < c < 1)."""
    if c == 0:
        return 0.0
    if a == 0 and c < 1:
        return math.inf
    return c * a ** (c - 1)


def _positive_base(a: float) -> float:
    if a <= 0:
        raise ValueError(
            "a ** b with a variable exponent b needs a positive base (a^b = exp(b ln a)), "
            f"got a = {a!r}"
        )
    return a


def _sigmoid(x: float) -> float:
    """σ(x) = 1 / (1 + e^(−x)), written so that neither branch overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _dual(value: float, tangent: float) -> Dual:
    """A Dual built without validation (the result of an operation)."""
    d = object.__new__(Dual)
    d.value = value
    d.tangent = tangent
    return d


class Dual:
    """A dual number v + v̇ε with ε² = 0: forward-mode AD (chapter 5).

    ``value`` is v and ``tangent`` is v̇ = ∂v/∂t, the derivative along the seed direction.
    Seed an input with tangent 1 and every result carries its derivative:
    f(x + ẋε) = f(x) + f′(x) ẋ ε. The rules are those of calculus, applied in program
    order: (a ± b)˙ = ȧ ± ḃ, (ab)˙ = ȧb + aḃ, (a/b)˙ = (ȧ − (a/b) ḃ)/b, (aᶜ)˙ = c aᶜ⁻¹ ȧ,
    (cᵃ)˙ = cᵃ ln c · ȧ, sin˙ a = ȧ cos a, and so on.

    >>> x = Dual(2.0, 1.0)
    >>> (x * x + 3 * x).tangent     # d/dx (x² + 3x) = 2x + 3 at x = 2
    7.0

    ``<``, ``<=``, ``>``, ``>=`` compare values (with Duals or numbers); ``==`` is object
    identity, since two duals with equal values may carry different tangents.
    """

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None  # numpy defers to our operators instead of making object arrays
    value: float
    tangent: float

    def __init__(self, value: Real, tangent: Real = 0.0) -> None:
        self.value = _real(value, "Dual value")
        self.tangent = _real(tangent, "Dual tangent")

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"

    # arithmetic ---------------------------------------------------------------
    def __add__(self, other: Dual | Real) -> Dual:
        if type(other) is Dual:
            return _dual(self.value + other.value, self.tangent + other.tangent)
        c = _constant(other)
        return NotImplemented if c is None else _dual(self.value + c, self.tangent)

    __radd__ = __add__

    def __sub__(self, other: Dual | Real) -> Dual:
        if type(other) is Dual:
            return _dual(self.value - other.value, self.tangent - other.tangent)
        c = _constant(other)
        return NotImplemented if c is None else _dual(self.value - c, self.tangent)

    def __rsub__(self, other: Real) -> Dual:
        c = _constant(other)
        return NotImplemented if c is None else _dual(c - self.value, -self.tangent)

    def __mul__(self, other: Dual | Real) -> Dual:
        if type(other) is Dual:
            return _dual(
                self.value * other.value,
                self.tangent * other.value + self.value * other.tangent,
            )
        c = _constant(other)
        return NotImplemented if c is None else _dual(self.value * c, self.tangent * c)

    __rmul__ = __mul__

    def __truediv__(self, other: Dual | Real) -> Dual:
        if type(other) is Dual:
            q = self.value / other.value
            return _dual(q, (self.tangent - q * other.tangent) / other.value)
        c = _constant(other)
        return NotImplemented if c is None else _dual(self.value / c, self.tangent / c)

    def __rtruediv__(self, other: Real) -> Dual:
        c = _constant(other)
        if c is None:
            return NotImplemented
        q = c / self.value
        return _dual(q, -q * self.tangent / self.value)

    def __pow__(self, other: Dual | Real) -> Dual:
        a = self.value
        if type(other) is Dual:
            b = other.value
            v = _power(_positive_base(a), b)
            return _dual(v, _power_slope(a, b) * self.tangent + v * math.log(a) * other.tangent)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _dual(_power(a, c), _power_slope(a, c) * self.tangent)

    def __rpow__(self, other: Real) -> Dual:
        c = _constant(other)
        if c is None:
            return NotImplemented
        v = _power(_positive_base(c), self.value)
        return _dual(v, v * math.log(c) * self.tangent)

    def __neg__(self) -> Dual:
        return _dual(-self.value, -self.tangent)

    def __pos__(self) -> Dual:
        return self

    # comparisons of values ------------------------------------------------------
    def _other_value(self, other: Any) -> float | None:
        return other.value if type(other) is Dual else _constant(other)

    def __lt__(self, other: Dual | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value < o

    def __le__(self, other: Dual | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value <= o

    def __gt__(self, other: Dual | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value > o

    def __ge__(self, other: Dual | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value >= o

    # elementary functions: v̇ = f′(a) ȧ ---------------------------------------
    def sin(self) -> Dual:
        """sin: v̇ = ȧ cos a."""
        return _dual(math.sin(self.value), math.cos(self.value) * self.tangent)

    def cos(self) -> Dual:
        """cos: v̇ = −ȧ sin a."""
        return _dual(math.cos(self.value), -math.sin(self.value) * self.tangent)

    def exp(self) -> Dual:
        """exp: v̇ = ȧ eᵃ."""
        v = math.exp(self.value)
        return _dual(v, v * self.tangent)

    def log(self) -> Dual:
        """ln: v̇ = ȧ / a (a > 0)."""
        a = _positive_for_log(self.value)
        return _dual(math.log(a), self.tangent / a)

    def tanh(self) -> Dual:
        """tanh: v̇ = ȧ (1 − v²)."""
        v = math.tanh(self.value)
        return _dual(v, (1.0 - v * v) * self.tangent)

    def sigmoid(self) -> Dual:
        """σ: v̇ = ȧ v (1 − v)."""
        v = _sigmoid(self.value)
        return _dual(v, v * (1.0 - v) * self.tangent)

    def relu(self) -> Dual:
        """max(0, a): v̇ = ȧ if a > 0 else 0 (the slope at 0 is taken as 0, as in PyTorch)."""
        return _dual(self.value, self.tangent) if self.value > 0 else _dual(0.0, 0.0)
