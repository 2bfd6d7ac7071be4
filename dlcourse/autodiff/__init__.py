"""Automatic differentiation of scalar programs (chapter 5, *Automatic differentiation*).

Three ways to evaluate the same Python function ``f``:

* with floats — the plain value;
* with :class:`Dual` numbers — **forward mode** (``forward.py``): every value v carries a
  tangent v̇ = ∂v/∂t along a chosen input direction, and every primitive applies its
  differential rule in the same order as the program (v = a·b ⇒ v̇ = ȧ b + a ḃ);
* with :class:`Var` — **reverse mode** (``reverse.py``): the program is recorded on a
  :class:`Tape` as it runs, and one sweep backwards from the output y accumulates the
  adjoints v̄ = ∂y/∂v of every value (v̄ₚ += v̄ₖ ∂vₖ/∂vₚ for each vₖ that uses vₚ).

The functions :func:`sin`, :func:`cos`, :func:`exp`, :func:`log`, :func:`tanh`,
:func:`sigmoid` and :func:`relu` (``functions.py``) accept all three, so one ``f`` serves
them all. :func:`trace` (``traces.py``) tabulates the primal, adjoint and tangent traces
of chapter 5 (the evaluation trace of Baydin et al., 2018) and :func:`draw_graph`
(``graph.py``) draws the recorded graph with matplotlib.

A training loop starts a fresh tape for every step, so that old records are freed, and
resets the gradients, which accumulate::

    params = [Var(w) for w in initial_weights]
    for step in range(steps):
        with Tape():
            loss = model(params, data)
            loss.backward()
        for p in params:
            p.value -= lr * p.grad
        zero_grad(params)

Importing this package loads neither torch nor matplotlib.
"""

from .forward import Dual
from .functions import cos, exp, log, relu, sigmoid, sin, tanh
from .graph import draw_graph
from .reverse import Tape, Var, zero_grad
from .traces import Row, Table, Trace, trace

__all__ = [
    "Dual",
    "Var",
    "Tape",
    "zero_grad",
    "sin",
    "cos",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "trace",
    "Trace",
    "Row",
    "Table",
    "draw_graph",
]
