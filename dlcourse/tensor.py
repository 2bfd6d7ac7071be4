"""A numpy tensor with reverse-mode automatic differentiation (chapters 3 and 4).

Every operation on a :class:`Tensor` computes its value and remembers how to send
a gradient back to its inputs. ``loss.backward()`` visits the graph in reverse
topological order and applies these local rules: each node's adjoint
ḡ = ∂loss/∂node is turned into its inputs' adjoints, summed where an input is used
more than once. Chapter 5 builds the scalar version of the same engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from dlcourse.backprop import _check_labels, _real_array, log_softmax, sigmoid

__all__ = ["Tensor", "softmax_cross_entropy"]

Array = NDArray[np.floating]
Operand = Union["Tensor", ArrayLike]
# A backward rule maps the output's adjoint to one adjoint per input (None: not needed).
BackwardRule = Callable[[Array], tuple[Union[Array, None], ...]]


def _unbroadcast(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum g over the axes that broadcasting added or stretched, so it has ``shape``."""
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)


class Tensor:
    """An n-dimensional array of floats that records how it was computed (chapters 3–4).

    ``Tensor(data, requires_grad=False, dtype=None)`` copies ``data`` into ``.data``
    (float64 unless ``data`` is already float32 or ``dtype`` says so). After
    ``loss.backward()``, a leaf ``w`` created with ``requires_grad=True`` holds
    ``w.grad`` = ∂loss/∂w, an array of ``w``'s shape. Like PyTorch, gradients
    *accumulate* over calls to ``backward``: call ``w.zero_grad()`` between steps.

    Operators ``+ - * / @ **`` (with a number exponent) and unary minus broadcast
    like numpy; the gradient of an input that was broadcast is summed back to the
    input's shape. Methods: ``sum``, ``mean``, ``reshape``, ``.T``, ``exp``,
    ``log``, ``tanh``, ``sigmoid``, ``relu``; :func:`softmax_cross_entropy` is the
    loss. Numbers and arrays mixed in are constants of the tensor's dtype.

    Example — one SGD step of a two-layer network h̄ = relu(XW¹ + b¹)W² + b²::

        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(32, 2)), rng.integers(0, 3, size=32)
        W1 = Tensor(rng.normal(size=(2, 16)) / 2**0.5, requires_grad=True)
        b1 = Tensor(np.zeros(16), requires_grad=True)
        W2 = Tensor(rng.normal(size=(16, 3)) / 4, requires_grad=True)
        b2 = Tensor(np.zeros(3), requires_grad=True)
        logits = (Tensor(X) @ W1 + b1).relu() @ W2 + b2
        loss = softmax_cross_entropy(logits, y)
        loss.backward()
        for w in (W1, b1, W2, b2):
            w.data -= 0.1 * w.grad      # θ ← θ − η ∂l/∂θ
            w.zero_grad()
    """

    __slots__ = ("data", "grad", "requires_grad", "_inputs", "_backward", "_op")
    __array_ufunc__ = None  # numpy defers to Tensor's operators: array + Tensor is a Tensor

    def __init__(
        self, data: ArrayLike, requires_grad: bool = False, dtype: DTypeLike = None
    ) -> None:
        if isinstance(data, Tensor):
            raise TypeError("data is already a Tensor; pass tensor.data to copy its values")
        arr = _real_array(data, "Tensor data", finite=False)
        if dtype is not None:
            if np.dtype(dtype) not in (np.float32, np.float64):
                raise TypeError(f"dtype must be float32 or float64, got {dtype!r}")
            arr = arr.astype(dtype)
        self.data: Array = np.array(arr, copy=True)
        self.grad: Array | None = None
        self.requires_grad = bool(requires_grad)
        self._inputs: tuple[Tensor, ...] = ()
        self._backward: BackwardRule | None = None
        self._op = ""

    @classmethod
    def _result(
        cls, data: Array, inputs: tuple[Tensor, ...], rule: BackwardRule, op: str
    ) -> Tensor:
        """A computed tensor; it joins the graph only if one of its inputs needs a gradient."""
        out = cls.__new__(cls)
        out.data, out.grad, out._op = data, None, op
        out.requires_grad = any(t.requires_grad for t in inputs)
        out._inputs = inputs if out.requires_grad else ()
        out._backward = rule if out.requires_grad else None
        return out

    def _lift(self, other: Operand) -> Tensor:
        """A constant Tensor of self's dtype for a number or array operand."""
        if isinstance(other, Tensor):
            return other
        arr = _real_array(other, "operand", finite=False)
        out = Tensor.__new__(Tensor)
        out.data, out.grad, out.requires_grad = arr.astype(self.data.dtype, copy=False), None, False
        out._inputs, out._backward, out._op = (), None, "const"
        return out

    # ------------------------------------------------------------------ conveniences
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return float(self.data.reshape(()))

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad = None``), as before each SGD step."""
        self.grad = None

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, separator=', ')}{flag})"

    # --------------------------------------------------------------- backpropagation
    def backward(self, grad: ArrayLike | None = None) -> None:
        """Accumulate ∂self/∂w into ``w.grad`` for every leaf w with ``requires_grad``.

        For a scalar output the seed is ∂self/∂self = 1; for any other shape pass
        ``grad`` = ḡ of the same shape, and the leaves get the vector–Jacobian
        products ḡ ∂self/∂w. The graph is ordered iteratively (no recursion), so
        chains of any length work.
        """
        if not self.requires_grad:
            raise ValueError("backward() on a tensor that does not require grad: "
                             "no input was created with requires_grad=True")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without grad needs a scalar output, got shape "
                                 f"{self.shape}; pass grad of shape {self.shape}")
            seed = np.ones_like(self.data)
        else:
            seed = _real_array(grad, "grad", finite=False).astype(self.data.dtype, copy=False)
            if seed.shape != self.shape:
                raise ValueError(
                    f"grad has shape {seed.shape} but the output has shape {self.shape}"
                )

        adjoint: dict[Tensor, Array] = {self: seed}
        for node in reversed(self._topological_order()):
            g = adjoint.pop(node, None)
            if g is None:
                continue
            if node._backward is None:  # a leaf: keep the gradient
                g = g.astype(node.data.dtype, copy=False)
                node.grad = np.array(g, copy=True) if node.grad is None else node.grad + g
                continue
            for inp, g_in in zip(node._inputs, node._backward(g)):
                if g_in is None or not inp.requires_grad:
                    continue
                if g_in.shape != inp.data.shape:
                    g_in = _unbroadcast(g_in, inp.data.shape)
                adjoint[inp] = adjoint[inp] + g_in if inp in adjoint else g_in

    def _topological_order(self) -> list[Tensor]:
        """Nodes that need a gradient, each after all of its inputs (iterative DFS)."""
        order: list[Tensor] = []
        seen: set[Tensor] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((t, False) for t in node._inputs if t.requires_grad and t not in seen)
        return order

    # ----------------------------------------------------------- elementwise, binary
    def _binary(self, other: Operand, symbol: str, fn: Callable[[Array, Array], Array]) -> Array:
        b = self._lift(other)
        try:
            return fn(self.data, b.data)
        except ValueError:
            raise ValueError(f"shapes {self.shape} and {b.shape} do not broadcast for "
                             f"'{symbol}'") from None

    def __add__(self, other: Operand) -> Tensor:
        b = self._lift(other)
        out = self._binary(b, "+", np.add)
        return Tensor._result(out, (self, b), lambda g: (g, g), "+")

    def __sub__(self, other: Operand) -> Tensor:
        b = self._lift(other)
        out = self._binary(b, "-", np.subtract)
        return Tensor._result(out, (self, b), lambda g: (g, -g if b.requires_grad else None), "-")

    def __mul__(self, other: Operand) -> Tensor:
        a, b = self, self._lift(other)
        out = self._binary(b, "*", np.multiply)

        def rule(g: Array) -> tuple[Array | None, Array | None]:
            return (g * b.data if a.requires_grad else None,
                    g * a.data if b.requires_grad else None)

        return Tensor._result(out, (a, b), rule, "*")

    def __truediv__(self, other: Operand) -> Tensor:
        a, b = self, self._lift(other)
        out = self._binary(b, "/", np.divide)

        def rule(g: Array) -> tuple[Array | None, Array | None]:
            g_a = g / b.data
            return (g_a if a.requires_grad else None,
                    -g_a * out if b.requires_grad else None)  # ∂(a/b)/∂b = −(a/b)/b

        return Tensor._result(out, (a, b), rule, "/")

    def __radd__(self, other: Operand) -> Tensor:
        return self._lift(other) + self

    def __rsub__(self, other: Operand) -> Tensor:
        return self._lift(other) - self

    def __rmul__(self, other: Operand) -> Tensor:
        return self._lift(other) * self

    def __rtruediv__(self, other: Operand) -> Tensor:
        return self._lift(other) / self

    def __neg__(self) -> Tensor:
        return Tensor._result(-self.data, (self,), lambda g: (-g,), "neg")

    def __pow__(self, p: float) -> Tensor:
        """x ** p for a number p; ∂/∂x = p x^(p−1) (0 when p = 0)."""
        if not isinstance(p, (int, float, np.integer, np.floating)):
            raise TypeError(f"the exponent must be a real number, got {type(p).__name__}")
        x = self.data

        def rule(g: Array) -> tuple[Array]:
            if p == 0:
                return (np.zeros_like(g),)
            return (g * (p * x ** (p - 1)),)

        return Tensor._result(x**p, (self,), rule, "**")

    # ---------------------------------------------------------------- matrix product
    def __matmul__(self, other: Operand) -> Tensor:
        """Matrix product (numpy's rules: 1-D vectors, stacks of matrices).

        For C = AB the adjoints are ∂l/∂A = ḡ Bᵀ and ∂l/∂B = Aᵀ ḡ.
        """
        a, b = self, self._lift(other)
        A, B = a.data, b.data
        if A.ndim == 0 or B.ndim == 0:
            raise ValueError(
                f"matmul needs at least 1-D operands, got shapes {A.shape} and {B.shape}"
            )
        inner = B.shape[0] if B.ndim == 1 else B.shape[-2]
        if A.shape[-1] != inner:
            raise ValueError(f"matmul of shapes {A.shape} and {B.shape}: {A.shape[-1]} columns "
                             f"on the left but {inner} rows on the right")
        try:
            out = A @ B
        except ValueError:
            raise ValueError(f"matmul of shapes {A.shape} and {B.shape}: the stacked (batch) "
                             f"dimensions do not broadcast") from None

        def rule(g: Array) -> tuple[Array | None, Array | None]:
            A2 = A[None, :] if A.ndim == 1 else A  # vectors become a row / a column
            B2 = B[:, None] if B.ndim == 1 else B
            g2 = g[..., None] if B.ndim == 1 else g
            g2 = g2[..., None, :] if A.ndim == 1 else g2
            g_a = g_b = None
            if a.requires_grad:
                g_a = g2 @ np.swapaxes(B2, -1, -2)
                g_a = g_a[..., 0, :] if A.ndim == 1 else g_a
            if b.requires_grad:
                g_b = np.swapaxes(A2, -1, -2) @ g2
                g_b = g_b[..., 0] if B.ndim == 1 else g_b
            return g_a, g_b

        return Tensor._result(out, (a, b), rule, "@")

    def __rmatmul__(self, other: Operand) -> Tensor:
        return self._lift(other) @ self

    # ------------------------------------------------------------ shape and reduction
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """Σ over ``axis`` (all axes by default); each input gets the output's adjoint."""
        shape = self.shape
        out = self.data.sum(axis=axis, keepdims=keepdims)

        def rule(g: Array) -> tuple[Array]:
            if not keepdims and axis is not None:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, shape),)

        return Tensor._result(np.asarray(out), (self,), rule, "sum")

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The average over ``axis``: the sum divided by the number of terms n."""
        if self.data.size == 0:
            raise ValueError(f"mean of an empty tensor of shape {self.shape}")
        total = self.sum(axis=axis, keepdims=keepdims)
        return total / (self.data.size // total.data.size)

    def reshape(self, *shape: int | tuple[int, ...]) -> Tensor:
        """The same numbers in a new shape (``reshape(2, 3)`` or ``reshape((2, 3))``)."""
        new = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple) else shape
        old = self.shape
        try:
            out = self.data.reshape(new)
        except ValueError:
            raise ValueError(f"cannot reshape a tensor of shape {old} into {new}") from None
        return Tensor._result(out, (self,), lambda g: (g.reshape(old),), "reshape")

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed, as numpy's ``.T``)."""
        return Tensor._result(self.data.T, (self,), lambda g: (g.T,), "T")

    # ------------------------------------------------------------- elementwise, unary
    def exp(self) -> Tensor:
        """eˣ; ∂/∂x = eˣ."""
        out = np.exp(self.data)
        return Tensor._result(out, (self,), lambda g: (g * out,), "exp")

    def log(self) -> Tensor:
        """ln x; ∂/∂x = 1/x."""
        x = self.data
        return Tensor._result(np.log(x), (self,), lambda g: (g / x,), "log")

    def tanh(self) -> Tensor:
        """tanh x; ∂/∂x = 1 − tanh² x."""
        out = np.tanh(self.data)
        return Tensor._result(out, (self,), lambda g: (g * (1.0 - out * out),), "tanh")

    def sigmoid(self) -> Tensor:
        """σ(x) = 1/(1 + e⁻ˣ), computed stably; ∂/∂x = σ(1 − σ)."""
        out = sigmoid(self.data)
        return Tensor._result(out, (self,), lambda g: (g * out * (1.0 - out),), "sigmoid")

    def relu(self) -> Tensor:
        """max(0, x); ∂/∂x = 1 where x > 0, else 0."""
        x = self.data
        return Tensor._result(np.maximum(x, 0.0), (self,), lambda g: (g * (x > 0),), "relu")


def softmax_cross_entropy(logits: Tensor, y: ArrayLike) -> Tensor:
    """The batch-mean softmax cross-entropy (chapter 3):

        l = (1/B) Σᵢ (log Σ_m exp(h̄ᵢₘ) − h̄_{i,yᵢ}).

    ``logits`` h̄ is a (B, C) Tensor, ``y`` the B integer labels. The log-sum-exp
    subtracts each row's maximum first, so large logits do not overflow. Its
    gradient is ∂l/∂h̄ = (p − 1_y)/B with p = softmax(h̄).
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"logits must be a Tensor, got {type(logits).__name__}")
    if logits.ndim != 2 or logits.data.size == 0:
        raise ValueError(f"logits must have shape (B, C) with B, C ≥ 1, got {logits.shape}")
    B, C = logits.shape
    labels = _check_labels(y, B, C)
    rows = np.arange(B)
    logp = log_softmax(logits.data)  # raises ValueError on NaN or inf
    loss = np.asarray(-logp[rows, labels].mean())

    def rule(g: Array) -> tuple[Array]:
        d = np.exp(logp)
        d[rows, labels] -= 1.0
        return (d * (g / B),)

    return Tensor._result(loss, (logits,), rule, "softmax_cross_entropy")
