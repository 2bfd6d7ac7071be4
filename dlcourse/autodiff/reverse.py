"""Reverse-mode AD on a tape: :class:`Var`, :class:`Tape`, :func:`zero_grad` (chapter 5).

Every operation on a :class:`Var` appends one record to the current :class:`Tape`: the
indices of its (at most two) parents, the local partial derivatives ∂vₖ/∂vₐ and ∂vₖ/∂v_b
as floats, the operation's name and its value. The records are in evaluation order, so
the tape *is* the primal trace (a Wengert list): :meth:`Var.backward` needs no
topological sort and no closures — it is a single loop over the tape from the output back
to the start. Records hold only numbers, so a graph is freed as soon as the last Var
computed on it goes away (no reference cycles for the garbage collector to chase).

Memory: the tape grows by one record per operation. Start a fresh tape for every
training step so that old records are freed::

    params = [Var(w) for w in initial_weights]
    for step in range(steps):
        with Tape():                       # records of this step only
            loss = model(params, data)
            loss.backward()
        for p in params:
            p.value -= lr * p.grad
        zero_grad(params)                  # gradients accumulate until reset

Leaves (``Var(number)``) can be reused on any later tape: they join the current tape
the first time they are used there. Values computed on a tape cannot be mixed with
values of another one. The engine is not thread-safe.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Iterable

from .forward import (
    Dual,
    Real,
    _constant,
    _positive_base,
    _positive_for_log,
    _power,
    _power_slope,
    _real,
    _sigmoid,
)

__all__ = ["Tape", "Var", "zero_grad"]

# A record is a tuple (a, ∂v/∂a, b, ∂v/∂b, op, constant, v):
#   a, b      indices of the parents on the same tape, or −1 where there is none;
#   ∂v/∂·     the local partial derivatives, as floats, evaluated during the forward pass;
#   op        the operation's name ("mul", "sin", …; "input" for a leaf);
#   constant  the number combined with a, for operations such as v = a + 2 (else None);
#   v         the value computed (kept for the traces and the drawing).
# Index −1 addresses a spare slot at the end of the adjoint list, so that records with
# fewer than two parents need no special case in the backward loop.


class _Records(list):
    """The records of one tape, plus its leaves and the accumulated adjoints."""

    __slots__ = ("leaves", "grads", "warned", "__weakref__")

    def __init__(self) -> None:
        super().__init__()
        self.leaves: list[tuple[int, Var]] = []  # (index, leaf Var) for every leaf record
        self.grads: list[float] | None = None  # adjoints accumulated by backward()
        self.warned = False


#: Records of the current tape (rebound when a tape is entered, left or cleared).
_records: _Records


class Tape:
    """A Wengert list: the record of every operation on :class:`Var` values (chapter 5).

    One tape is current at any time. ``with Tape():`` makes a fresh tape current for
    the block (and restores the previous one after it); :meth:`clear` starts the tape
    afresh. Clearing or leaving a tape does not break values already computed: a Var
    keeps the records it was computed from, and they are freed when the last such Var
    goes away. That is why one ``with Tape():`` per training step keeps memory bounded.
    """

    _stack: list[Tape] = []

    def __init__(self) -> None:
        self._records = _Records()

    def __enter__(self) -> Tape:
        global _records
        Tape._stack.append(self)
        _records = self._records
        return self

    def __exit__(self, *exc: object) -> None:
        global _records
        Tape._stack.pop()
        _records = Tape._stack[-1]._records

    def clear(self) -> None:
        """Start this tape afresh; Vars computed before keep their own records."""
        global _records
        self._records = _Records()
        if Tape._stack[-1] is self:
            _records = self._records

    @staticmethod
    def current() -> Tape:
        """The tape that operations on Vars are recorded on now."""
        return Tape._stack[-1]

    def __len__(self) -> int:
        return len(self._records)

    def __repr__(self) -> str:
        return f"<Tape with {len(self._records)} records>"


Tape._stack.append(Tape())  # the default tape
_records = Tape._stack[0]._records

#: backward() warns once per tape beyond this many records (about a gigabyte): the sign of
#: a training loop that never starts a fresh tape.
_TAPE_WARN = 5_000_000


def _join(v: Var, r: _Records) -> None:
    """Put a leaf on tape r (first use there); refuse values computed on another tape."""
    if v._grad is None:
        raise ValueError(
            f"{v!r} was computed on another tape (or on one cleared since): only leaves "
            "move between tapes; start from Var(v.value) to use its value as a new input"
        )
    v._i = len(r)
    v._r = r
    r.append((-1, 0.0, -1, 0.0, "input", None, v.value))
    r.leaves.append((v._i, v))


_new = object.__new__


def _push(r: _Records, record: tuple) -> Var:
    """Append a record to r and return the Var holding its value.

    (``__add__``, ``__mul__`` and ``_unary`` — most operations of a training step — repeat
    these lines instead of calling this function: that saves a tenth of the time.)
    """
    out = _new(Var)
    out.value = record[6]
    out._i = len(r)
    out._r = r
    out._grad = None
    r.append(record)
    return out


class Var:
    """A scalar for reverse-mode AD: value v, adjoint ``grad`` = ∂y/∂v (chapter 5).

    ``Var(2.0)`` makes a leaf (an input or a parameter). Operations (``+ − × / **``,
    unary minus, and the methods :meth:`sin` … :meth:`relu`) return new Vars and record
    themselves on the current :class:`Tape`. ``y.backward()`` runs the reverse sweep as
    one loop over the tape,

        v̄ₘ = ȳ = 1;   for k = m, m − 1, …:  v̄ₐ += v̄ₖ ∂vₖ/∂vₐ,  v̄_b += v̄ₖ ∂vₖ/∂v_b

    where y = vₘ and a, b are the operands of vₖ — no recursion, so graphs of millions
    of nodes are fine.

    **Gradients accumulate**, as in PyTorch: every ``backward()`` *adds* ∂y/∂v to
    ``v.grad``. That is what a variable used by several losses needs, but a training
    loop that forgets to reset silently follows the sum of all past gradients — the
    commonest bug in small engines. Reset with :func:`zero_grad` (or ``v.zero_grad()``)
    after each update.

    ``<``, ``<=``, ``>``, ``>=`` compare values; ``==`` is identity (Vars are graph nodes).
    """

    __slots__ = ("value", "_i", "_r", "_grad")
    __array_ufunc__ = None  # numpy defers to our operators instead of making object arrays
    value: float
    _i: int  # index of this value's record on its tape
    _r: _Records | None  # the records holding it (None: a leaf not used yet)
    _grad: float | None  # accumulated gradient of a leaf; None marks a computed value

    def __init__(self, value: Real) -> None:
        if isinstance(value, (Var, Dual)):
            raise TypeError(f"Var needs a number, got {value!r}; use Var(v.value) for its value")
        self.value = _real(value, "Var value")
        self._i = -1
        self._r = None
        self._grad = 0.0

    def __repr__(self) -> str:
        return f"Var(value={self.value!r}, grad={self.grad!r})"

    @property
    def is_leaf(self) -> bool:
        """True for a Var made by ``Var(number)``, False for a computed one."""
        return self._grad is not None

    @property
    def grad(self) -> float:
        """Σ ȳ ∂y/∂v over the ``backward()`` calls since the last reset (0 before any)."""
        if self._grad is not None:
            return self._grad
        grads = self._r.grads  # type: ignore[union-attr]
        return grads[self._i] if grads is not None and self._i < len(grads) else 0.0

    @grad.setter
    def grad(self, value: Real) -> None:
        value = _real(value, "grad")
        if self._grad is not None:
            self._grad = value
            return
        r = self._r
        assert r is not None
        if r.grads is None:
            r.grads = [0.0] * len(r)
        elif len(r.grads) < len(r):
            r.grads.extend([0.0] * (len(r) - len(r.grads)))
        r.grads[self._i] = value

    def zero_grad(self) -> None:
        """Reset this Var's accumulated gradient to 0."""
        self.grad = 0.0

    # recording -------------------------------------------------------------------
    def _binary(self, other: Any, op: str, rule: Callable) -> Var:
        """Record v = self ∘ other; rule(a, b) gives (v, ∂v/∂a, ∂v/∂b)."""
        r = _records
        if self._r is not r:
            _join(self, r)
        if type(other) is Var:
            if other._r is not r:
                _join(other, r)
            v, da, db = rule(self.value, other.value)
            return _push(r, (self._i, da, other._i, db, op, None, v))
        c = _constant(other)
        if c is None:
            return NotImplemented
        v, da, _ = rule(self.value, c)
        return _push(r, (self._i, da, -1, 0.0, op, c, v))

    def __add__(self, other: Var | Real) -> Var:
        r = _records
        if self._r is not r:
            _join(self, r)
        if type(other) is Var:
            if other._r is not r:
                _join(other, r)
            out = _new(Var)
            out.value = v = self.value + other.value
            out._i = len(r)
            out._r = r
            out._grad = None
            r.append((self._i, 1.0, other._i, 1.0, "add", None, v))
            return out
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _push(r, (self._i, 1.0, -1, 0.0, "add", c, self.value + c))

    def __radd__(self, other: Real) -> Var:
        return self._reflected(other, "radd", lambda a, c: (c + a, 1.0))

    def __sub__(self, other: Var | Real) -> Var:
        return self._binary(other, "sub", lambda a, b: (a - b, 1.0, -1.0))

    def __rsub__(self, other: Real) -> Var:
        return self._reflected(other, "rsub", lambda a, c: (c - a, -1.0))

    def __mul__(self, other: Var | Real) -> Var:
        r = _records
        if self._r is not r:
            _join(self, r)
        if type(other) is Var:
            if other._r is not r:
                _join(other, r)
            a, b = self.value, other.value
            out = _new(Var)
            out.value = v = a * b
            out._i = len(r)
            out._r = r
            out._grad = None
            r.append((self._i, b, other._i, a, "mul", None, v))
            return out
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _push(r, (self._i, c, -1, 0.0, "mul", c, self.value * c))

    def __rmul__(self, other: Real) -> Var:
        return self._reflected(other, "rmul", lambda a, c: (c * a, c))

    def __truediv__(self, other: Var | Real) -> Var:
        def rule(a: float, b: float) -> tuple[float, float, float]:
            q = a / b
            return q, 1.0 / b, -q / b

        return self._binary(other, "div", rule)

    def __rtruediv__(self, other: Real) -> Var:
        def rule(a: float, c: float) -> tuple[float, float]:
            q = c / a
            return q, -q / a

        return self._reflected(other, "rdiv", rule)

    def __pow__(self, other: Var | Real) -> Var:
        def rule(a: float, b: float) -> tuple[float, float, float]:
            v = _power(_positive_base(a), b)  # a^b = exp(b ln a): ∂/∂b = v ln a
            return v, _power_slope(a, b), v * math.log(a)

        def constant_rule(a: float, c: float) -> tuple[float, float, float]:
            return _power(a, c), _power_slope(a, c), 0.0

        return self._binary(other, "pow", rule if type(other) is Var else constant_rule)

    def __rpow__(self, other: Real) -> Var:
        def rule(a: float, c: float) -> tuple[float, float]:
            v = _power(_positive_base(c), a)
            return v, v * math.log(c)

        return self._reflected(other, "rpow", rule)

    def _reflected(self, other: Any, op: str, rule: Callable) -> Var:
        """Record v = other ∘ self for a number ``other``; rule(a, c) gives (v, ∂v/∂a)."""
        c = _constant(other)
        if c is None:
            return NotImplemented
        r = _records
        if self._r is not r:
            _join(self, r)
        v, da = rule(self.value, c)
        return _push(r, (self._i, da, -1, 0.0, op, c, v))

    def _unary(self, op: str, v: float, slope: float) -> Var:
        """Record v = op(self) with ∂v/∂a = slope."""
        r = _records
        if self._r is not r:
            _join(self, r)
        out = _new(Var)
        out.value = v
        out._i = len(r)
        out._r = r
        out._grad = None
        r.append((self._i, slope, -1, 0.0, op, None, v))
        return out

    def __neg__(self) -> Var:
        return self._unary("neg", -self.value, -1.0)

    def __pos__(self) -> Var:
        return self

    def sin(self) -> Var:
        """v = sin a, ∂v/∂a = cos a."""
        return self._unary("sin", math.sin(self.value), math.cos(self.value))

    def cos(self) -> Var:
        """v = cos a, ∂v/∂a = −sin a."""
        return self._unary("cos", math.cos(self.value), -math.sin(self.value))

    def exp(self) -> Var:
        """v = eᵃ, ∂v/∂a = v."""
        v = math.exp(self.value)
        return self._unary("exp", v, v)

    def log(self) -> Var:
        """v = ln a, ∂v/∂a = 1/a (a > 0)."""
        a = _positive_for_log(self.value)
        return self._unary("log", math.log(a), 1.0 / a)

    def tanh(self) -> Var:
        """v = tanh a, ∂v/∂a = 1 − v²."""
        v = math.tanh(self.value)
        return self._unary("tanh", v, 1.0 - v * v)

    def sigmoid(self) -> Var:
        """v = σ(a) = 1/(1 + e⁻ᵃ), ∂v/∂a = v(1 − v)."""
        v = _sigmoid(self.value)
        return self._unary("sigmoid", v, v * (1.0 - v))

    def relu(self) -> Var:
        """v = max(0, a), ∂v/∂a = 1 if a > 0 else 0 (0 at a = 0, as in PyTorch)."""
        a = self.value
        return self._unary("relu", a if a > 0 else 0.0, 1.0 if a > 0 else 0.0)

    # comparisons of values ---------------------------------------------------------
    def _other_value(self, other: Any) -> float | None:
        return other.value if type(other) is Var else _constant(other)

    def __lt__(self, other: Var | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value < o

    def __le__(self, other: Var | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value <= o

    def __gt__(self, other: Var | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value > o

    def __ge__(self, other: Var | Real) -> bool:
        o = self._other_value(other)
        return NotImplemented if o is None else self.value >= o

    # the reverse sweep -------------------------------------------------------------
    def backward(self, seed: Real = 1.0) -> None:
        """Add ȳ ∂y/∂v to ``v.grad`` for every v that y = self depends on (ȳ = ``seed``).

        One pass over the tape from y back to its start (chapter 5): for each record
        vₖ, v̄ₐ += v̄ₖ ∂vₖ/∂vₐ and v̄_b += v̄ₖ ∂vₖ/∂v_b. Gradients accumulate across calls;
        see :func:`zero_grad`.
        """
        ybar = _real(seed, "backward seed ȳ")
        r = self._r
        if r is None:  # a leaf never used: ∂y/∂y = 1
            self._grad += ybar  # type: ignore[operator]
            return
        if len(r) > _TAPE_WARN and not r.warned:
            r.warned = True
            warnings.warn(
                f"the tape holds {len(r)} records; if this is a training loop, wrap each "
                "step in `with Tape():` (or call Tape.current().clear()) so old steps are freed",
                stacklevel=2,
            )
        adjoint = _adjoints(r, self._i, ybar)
        for k, leaf in r.leaves:
            leaf._grad += adjoint[k]  # type: ignore[operator]
        old = r.grads  # adjoints of earlier calls; the tape may have grown since
        if old is not None:
            adjoint = [g + h for g, h in zip(adjoint, old)] + adjoint[len(old) :]
        r.grads = adjoint


def _adjoints(r: list, out: int, ybar: float) -> list[float]:
    """v̄ₖ = ∂y/∂vₖ · ȳ for every record k of r, for the output y at index ``out``."""
    adjoint = [0.0] * (len(r) + 1)  # + 1: the spare slot that index −1 addresses
    adjoint[out] = ybar
    for k in range(out, -1, -1):
        a, da, b, db, _, _, _ = r[k]
        g = adjoint[k]
        adjoint[a] += g * da
        adjoint[b] += g * db
    adjoint.pop()
    return adjoint


def zero_grad(variables: Iterable[Var]) -> None:
    """Set ``v.grad = 0`` for every v: call it after each update (gradients accumulate).

    Chapter 5 and the training loops of chapter 6 use it as ``zero_grad(params)``.
    """
    for v in variables:
        if not isinstance(v, Var):
            raise TypeError(f"zero_grad expects Vars, got {type(v).__name__} {v!r}")
        v.zero_grad()
