"""Reverse mode on a tape (dlcourse.autodiff.Var) against micrograd's Value (chapter 5).

One training step — forward pass and backward pass — of a 2-16-16-1 MLP with tanh hidden
units and a mean squared error on 100 points, built twice from the same weights: once
with micrograd's ``MLP``/``Value``, once with ``Var``. The model code is shared, so both
engines run the same operations. The script checks that the gradients agree to 1e-9 and
prints the best of several timings for each and their ratio. A second line repeats the
comparison with Python's cyclic garbage collector switched off: micrograd's graph is
made of reference cycles (each node's backward closure refers to the node), and the
collector's passes over them are part of its cost in normal use.

Run: python bench/bench_autodiff.py
"""

from __future__ import annotations

import gc
import math
import random
import time
from typing import Any, Callable

from micrograd.engine import Value
from micrograd.nn import MLP

from dlcourse.autodiff import Tape, Var, zero_grad

N_POINTS = 100
REPEATS = 5


def micrograd_tanh(v: Value) -> Value:
    """tanh as a micrograd operation (the pip release has no tanh), in its own style."""
    t = math.tanh(v.data)
    out = Value(t, (v,), "tanh")

    def _backward() -> None:
        v.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


Layers = list[tuple[list[list[Any]], list[Any]]]


def mse(layers: Layers, act: Callable[[Any], Any], xs: list[list[float]], ys: list[float]) -> Any:
    """(1/n) Σ (f(x) − y)² for the MLP h ← act(W h + b), linear output: shared by both engines."""
    total: Any = 0.0
    last = len(layers) - 1
    for x, y in zip(xs, ys):
        h: list[Any] = x
        for depth, (weights, biases) in enumerate(layers):
            h = [sum((w * hi for w, hi in zip(row, h)), b) for row, b in zip(weights, biases)]
            if depth != last:
                h = [act(z) for z in h]
        total = total + (h[0] - y) ** 2
    return total * (1.0 / len(xs))


def best_time(step: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    xs = [[random.uniform(-2, 2), random.uniform(-2, 2)] for _ in range(N_POINTS)]
    ys = [math.sin(x0) * x1 for x0, x1 in xs]

    mg_layers: Layers = [
        ([n.w for n in layer.neurons], [n.b for n in layer.neurons]) for layer in model.layers
    ]
    var_layers: Layers = [
        ([[Var(w.data) for w in row] for row in weights], [Var(b.data) for b in biases])
        for weights, biases in mg_layers
    ]
    var_params = [w for weights, _ in var_layers for row in weights for w in row] + [
        b for _, biases in var_layers for b in biases
    ]
    mg_order = [w for weights, _ in mg_layers for row in weights for w in row] + [
        b for _, biases in mg_layers for b in biases
    ]
    assert len(model.parameters()) == len(var_params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1

    def micrograd_step() -> float:
        model.zero_grad()
        loss = mse(mg_layers, micrograd_tanh, xs, ys)
        loss.backward()
        return loss.data

    def var_step() -> float:
        zero_grad(var_params)
        with Tape():  # a fresh tape per step: the records of old steps are freed
            loss = mse(var_layers, Var.tanh, xs, ys)
            loss.backward()
        return loss.value

    loss_mg, loss_var = micrograd_step(), var_step()
    worst = max(abs(a.grad - b.grad) for a, b in zip(mg_order, var_params))
    print(f"loss: micrograd {loss_mg:.12f}, Var {loss_var:.12f}")
    print(f"largest gradient difference over {len(var_params)} parameters: {worst:.1e}")
    if abs(loss_mg - loss_var) > 1e-12 or worst > 1e-9:
        raise SystemExit("the two engines disagree")

    for label in ("garbage collector on (default)", "garbage collector off"):
        if label.endswith("off"):
            gc.collect()
            gc.disable()
        t_mg, t_var = best_time(micrograd_step), best_time(var_step)
        gc.enable()
        print(
            f"{label:32s} micrograd {t_mg * 1e3:7.1f} ms   Var {t_var * 1e3:6.1f} ms   "
            f"speed-up {t_mg / t_var:5.1f}x"
        )


if __name__ == "__main__":
    main()
