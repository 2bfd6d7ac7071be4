"""One SGD training step of a 64-128-128-10 ReLU network, batch 64: dlcourse.tensor vs torch (CPU).

Both start from the same weights; a step is the forward pass, the softmax
cross-entropy, the backward pass and the update θ ← θ − η ∂l/∂θ. Each timing is the
best of several repeats of many steps; the ratio (dlcourse / torch) is printed for
float32 and float64. Run: ``python bench/bench_tensor.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from dlcourse.tensor import Tensor, softmax_cross_entropy

SIZES = (64, 128, 128, 10)
BATCH, LR, STEPS, REPEATS = 64, 0.01, 200, 7


def best_time_per_step(step: Callable[[], float]) -> float:
    """Seconds per step: the best over REPEATS runs of STEPS steps (after a warm-up)."""
    for _ in range(20):
        step()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(STEPS):
            step()
        best = min(best, (time.perf_counter() - start) / STEPS)
    return best


def make_problem(dtype: type) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    init = []
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        init += [rng.normal(0, (2 / n_in) ** 0.5, size=(n_in, n_out)), np.zeros(n_out)]
    X = rng.normal(size=(BATCH, SIZES[0]))
    y = rng.integers(0, SIZES[-1], size=BATCH)
    return [v.astype(dtype) for v in init], X.astype(dtype), y


def dlcourse_step(init: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    params = [Tensor(v, requires_grad=True) for v in init]
    x = Tensor(X)

    def step() -> float:
        W1, b1, W2, b2, W3, b3 = params
        logits = ((x @ W1 + b1).relu() @ W2 + b2).relu() @ W3 + b3
        loss = softmax_cross_entropy(logits, y)
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
            p.zero_grad()
        return loss.item()

    return step


def torch_step(init: list[np.ndarray], X: np.ndarray, y: np.ndarray) -> Callable[[], float]:
    params = [torch.tensor(v, requires_grad=True) for v in init]
    x, labels = torch.from_numpy(X), torch.from_numpy(y)

    def step() -> float:
        W1, b1, W2, b2, W3, b3 = params
        logits = torch.relu(torch.relu(x @ W1 + b1) @ W2 + b2) @ W3 + b3
        loss = torch.nn.functional.cross_entropy(logits, labels)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return loss.item()

    return step


def main() -> None:
    print(f"network {'-'.join(map(str, SIZES))}, batch {BATCH}, torch threads "
          f"{torch.get_num_threads()}, best of {REPEATS} x {STEPS} steps")
    for dtype in (np.float32, np.float64):
        problem = make_problem(dtype)
        ours, theirs = dlcourse_step(*problem), torch_step(*problem)
        first = (ours(), theirs())  # same init: the first losses agree
        assert abs(first[0] - first[1]) <= (1e-5 if dtype == np.float32 else 1e-12) * first[1]
        t_ours, t_torch = best_time_per_step(ours), best_time_per_step(theirs)
        print(f"{np.dtype(dtype).name:>8}: dlcourse {t_ours * 1e6:8.1f} µs/step, "
              f"torch {t_torch * 1e6:8.1f} µs/step, ratio {t_ours / t_torch:5.2f}x")


if __name__ == "__main__":
    main()
