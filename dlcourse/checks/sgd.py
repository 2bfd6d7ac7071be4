"""Checks for the exercises of chapter 7, *Stochastic and minibatch gradient descent*.

Random draws are part of these exercises, so the checks pass a seeded
``numpy.random.Generator`` and expect it to be used in one documented way: an epoch
shuffles with ``rng.permutation(N)`` and cuts the permutation into consecutive batches.
Each call gets a fresh generator from the case's seed (``call=``), so the student's
function and the reference see the same random numbers.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from .. import landscapes, schedules
from . import (Case, Check, Failure, as_float_array, as_number, compare_arrays,
               compare_trajectories, judge_plain_floats_by_value, on_copies, register)
from .gradient_descent import FIRST_ROW_HINT, same_path

__all__ = ["minibatch_gradient", "epoch_batches", "minibatch_sgd", "inverse_time", "polyak_average"]


# --------------------------------------------------------------- 07.minibatch_grad
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - the mean over the batch, not the sum (every case with |B| > 1; hint "summed");
# - divide by |B|, not by N = 1000 (the chapter's batch {1, 2, 3, 4}; the random batches);
# - the term is (w − i)², not the misprinted (w − 3)⁴ (the chapter's batch holds 3);
# - use only the batch's indices (B = {3, 700} and the random batches, not the full data);
# - return f̃′(w) as a float (any numeric scalar passes).
# Precision: the gradients are of order 1 … 2000 and every slip above changes them by a
# factor, so an answer is compared to rtol 1e-6, atol 1e-3: float32 arithmetic passes, also
# when its result is returned as a Python float (which no longer tells its dtype).
def minibatch_gradient(w: float, batch: Any) -> float:
    """f̃′(w) = (1/|B|) Σ_{i∈B} 2(w − i), the minibatch gradient of f(w) = (1/1000) Σ (w − i)²."""
    return float(landscapes.minibatch_grad(float(w), np.asarray(batch)))


def _grad_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((10.0, np.array([1, 2, 3, 4])), "the chapter's batch B = {1, 2, 3, 4} at w = 10"),
        Case((10.0, np.arange(1, 1001)), "the whole data set B = {1, …, 1000} at w = 10"),
        Case((250.0, np.array([3, 700])), "B = {3, 700} at w = 250"),
    ]
    for b in (1, 8, 32):
        batch = np.sort(rng.choice(np.arange(1, 1001), size=b, replace=False))
        w = round(float(rng.uniform(0, 1000)), 2)
        shown = np.array2string(batch, max_line_width=90, threshold=12)
        cases.append(Case((w, batch), f"a random batch of {b}, B = {shown}, at w = {w}"))
    return cases


def _quartic_slip(w: float, batch: np.ndarray) -> float:
    """The gradient with the misprinted (w − 3)⁴ term in place of (w − 3)²."""
    terms = np.where(batch == 3, 4 * (w - 3.0) ** 3, 2 * (w - batch))
    return float(np.mean(terms))


def _grad_hints(got: Any, expected: Any, case: Case) -> str | None:
    w, batch = case.args
    batch = np.asarray(batch)
    b = batch.size
    g = as_number(got)
    if g is None:
        return "return one number, the gradient f̃′(w)."
    if b > 1 and np.isclose(g, b * expected):
        return (f"your gradient is {b} times too large: you summed over the batch. The minibatch loss averages, "
                "f̃(w) = (1/|B|) Σ (w − i)², like PyTorch's mean-reduced losses.")
    if 3 in batch and np.isclose(g, _quartic_slip(w, batch)):
        return ("you differentiated (w − 3)⁴, a misprint in the lecture: the term is (w − 3)², and the stated "
                "derivative 2w − 5 belongs to it.")
    if b < 1000 and np.isclose(g, b * expected / 1000):
        return "divide by the batch size |B|, not by N = 1000: f̃ is the mean over the batch."
    if np.isclose(g, expected / 2):
        return "the derivative of (w − i)² is 2(w − i): the factor 2 is missing."
    if np.isclose(g, -expected):
        return "wrong sign: d/dw (w − i)² = 2(w − i)."
    if b < 1000 and np.isclose(g, 2 * w - 1001):
        return "that is the full gradient 2w − 1001; use only the indices in the batch."
    return None


register(
    Check(
        id="07.minibatch_grad",
        function="minibatch_gradient",
        reference=minibatch_gradient,
        cases=_grad_cases,
        compare=compare_arrays(rtol=1e-6, atol=1e-3),
        diagnoses=(_grad_hints,),
        hint="f̃′(w) = (1/|B|) Σ_{i∈B} 2(w − i).",
        reference_names=("dlcourse.landscapes.minibatch_grad", "dlcourse.landscapes.minibatch_loss"),
    )
)


# --------------------------------------------------------------- 07.minibatches
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - shuffle with rng.permutation(n), the generator given (every case compares the order);
# - consecutive batches of batch_size (n = 12, batch_size = 3; the random cases);
# - the last batch holds the remainder, not dropped (n = 10, batch_size = 4: sizes 4, 4, 2);
# - every index 0 … n − 1 exactly once per epoch (every case; indices 1 … n are named);
# - the next call with the same rng gives the next epoch, shuffled anew (two epochs per case);
# - a generator or a list of arrays (any sequence of 1-D integer arrays or lists passes).
def epoch_batches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """One epoch: shuffle 0 … n−1 with ``rng.permutation(n)``, yield consecutive slices of ``batch_size``.

    The last batch holds the n mod batch_size remaining indices when batch_size does not
    divide n (like a PyTorch ``DataLoader(shuffle=True)`` without ``drop_last``).
    """
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


EPOCHS_CHECKED = 2


def _run_epochs(fn: Callable[..., Any], case: Case) -> list[list[np.ndarray]]:
    """EPOCHS_CHECKED epochs from one generator seeded by the case: each a list of index arrays."""
    n, batch_size, seed = case.args
    rng = np.random.default_rng(seed)
    epochs = []
    for _ in range(EPOCHS_CHECKED):
        batches = fn(n, batch_size, rng)
        if batches is None:
            raise TypeError("minibatches returned None: yield (or return a list of) index arrays")
        epochs.append([np.asarray(batch) for batch in batches])
    return epochs


def _batches_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((10, 4, 0), "n = 10, batch_size = 4 (batches of 4, 4 and 2), seed 0"),
        Case((12, 3, 1), "n = 12, batch_size = 3, seed 1"),
        Case((5, 5, 2), "n = 5, batch_size = 5 (one batch per epoch), seed 2"),
    ]
    for _ in range(2):
        n = int(rng.integers(20, 200))
        b = int(rng.integers(2, 40))
        seed = int(rng.integers(0, 10_000))
        cases.append(Case((n, b, seed), f"n = {n}, batch_size = {b}, seed {seed}"))
    return cases


def _compare_epochs(got: Any, expected: Any) -> Failure | None:
    """Per epoch: number and sizes of the batches, every index exactly once, then the order."""
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return Failure(f"expected {len(expected)} epochs of batches, got {got!r:.200}")
    for e, (got_epoch, exp_epoch) in enumerate(zip(got, expected), start=1):
        n = sum(len(b) for b in exp_epoch)
        sizes = [len(b) for b in exp_epoch]
        try:
            got_arrays = [np.asarray(b) for b in got_epoch]
            got_sizes = [int(a.size) for a in got_arrays]
        except (TypeError, ValueError):
            return Failure(f"epoch {e}: expected a sequence of index arrays, got {got_epoch!r:.200}")
        if any(a.ndim != 1 for a in got_arrays):
            return Failure(f"epoch {e}: each batch must be a 1-D array of indices",
                           "yield order[start:start + batch_size], a slice of the permutation.")
        if got_sizes != sizes:
            shown = got_sizes if len(got_sizes) <= 20 else got_sizes[:20] + ["…"]
            hint = None
            if got_sizes == sizes[:-1] and sizes[-1] < sizes[0]:
                hint = "keep the last, smaller batch: every example is used once per epoch."
            elif len(got_sizes) == 1 and got_sizes[0] == n:
                hint = "cut the shuffled indices into batches of batch_size (yield each slice)."
            wanted = sizes if len(sizes) <= 20 else sizes[:20] + ["…"]
            return Failure(f"epoch {e}: expected {len(sizes)} batches of sizes {wanted}, "
                           f"got {len(got_sizes)} of sizes {shown}", hint or "")
        flat = np.concatenate(got_arrays) if got_arrays else np.array([])
        if flat.dtype.kind not in "iu" and not np.all(np.mod(flat, 1) == 0):
            return Failure(f"epoch {e}: the batches must hold integer indices, got {flat[:10]}")
        flat = flat.astype(np.int64)
        counts = np.bincount(flat[(flat >= 0) & (flat < n)], minlength=n)
        outside = flat[(flat < 0) | (flat >= n)]
        if outside.size:
            hint = "indices run from 0 to n − 1." if np.array_equal(np.sort(flat), np.arange(1, n + 1)) else ""
            return Failure(f"epoch {e}: index {int(outside[0])} lies outside 0 … {n - 1}", hint)
        if np.any(counts != 1):
            twice, never = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
            return Failure(
                f"epoch {e}: every index must appear exactly once per epoch; index {int(twice[0])} appears "
                f"{int(counts[twice[0]])} times and index {int(never[0])} never",
                "draw a permutation (rng.permutation(n)) and cut it into slices; sampling with replacement "
                "repeats some examples and skips others.",
            )
        exp_flat = np.concatenate(exp_epoch)
        if not np.array_equal(flat, exp_flat):
            k = int(np.flatnonzero(flat != exp_flat)[0])
            batch, pos = k // sizes[0], k % sizes[0]
            return Failure(f"epoch {e}: the batches partition 0 … {n - 1} correctly but in another order; "
                           f"batch {batch + 1}, position {pos}: expected index {int(exp_flat[k])}, got {int(flat[k])}")
    return None


def _batches_hints(got: Any, expected: Any, case: Case) -> str | None:
    n, batch_size, seed = case.args
    try:
        epochs = [np.concatenate([np.asarray(b) for b in epoch]) for epoch in got]
    except (TypeError, ValueError):
        return None
    if len(epochs) != EPOCHS_CHECKED or any(e.size != n for e in epochs):
        return None
    if np.array_equal(epochs[0], np.arange(n)):
        return "the first epoch is in the original order 0, 1, 2, …: shuffle first, with rng.permutation(n)."
    if np.array_equal(epochs[0], np.concatenate(expected[0])) and np.array_equal(epochs[1], epochs[0]):
        return ("the second epoch repeats the first one's order: draw a new permutation from the rng you are given "
                "at the start of every epoch (don't create a generator or reseed inside the function).")
    return ("use the generator you are given, once per epoch: order = rng.permutation(n), then yield "
            "order[0:b], order[b:2b], … (the check compares with exactly this order).")


register(
    Check(
        id="07.minibatches",
        function="minibatches",
        reference=epoch_batches,
        cases=_batches_cases,
        compare=_compare_epochs,
        diagnoses=(_batches_hints,),
        hint="order = rng.permutation(n); yield order[start:start + batch_size] for start = 0, b, 2b, …",
        call=_run_epochs,
    )
)


# --------------------------------------------------------------- 07.minibatch_sgd
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - a step per batch of minibatches(N, batch_size, rng), reshuffled every epoch (2–3 epochs
#   in every case);
# - the mean gradient over the batch, (2/|B|) X_Bᵀ(X_B w − y_B) (every case with b > 1);
# - |B| of the batch itself, smaller for the last one (N = 10, batch_size = 4; a random case
#   whose batch size does not divide N);
# - the path w_0, w_1, … with w_0 first, one row per step (every case checks the shape);
# - a copy of w per row (an in-place update appended without copying repeats the last w).
# Precision: SGD's path needs no float64, so a float32 path is judged at float32 precision.
def minibatch_sgd(X: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, batch_size: int,
                  epochs: int, rng: np.random.Generator) -> np.ndarray:
    """Minibatch SGD on L(w) = (1/N)‖Xw − y‖², shuffling and partitioning every epoch.

    For each epoch, for each batch B of :func:`epoch_batches`: g = (2/|B|) X_Bᵀ(X_B w − y_B)
    and w ← w − ηg. Returns the path w_0, w_1, … of shape (epochs·⌈N/b⌉ + 1, d).
    """
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(epochs):
        for batch in epoch_batches(len(y), batch_size, rng):
            Xb, yb = X[batch], y[batch]
            w = w - lr * (2 / len(batch)) * Xb.T @ (Xb @ w - yb)
            path.append(w.copy())
    return np.array(path)


def _regression(seed: int, n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(size=(n, d - 1)), np.ones(n)])
    w_true = np.round(rng.normal(size=d) * 2, 2)
    return X, X @ w_true + 0.3 * rng.normal(size=n)


def _sgd_cases(rng: np.random.Generator) -> list[Case]:
    X, y = _regression(0, 10, 2)
    cases = [Case((X, y, np.zeros(2), 0.1, 4, 2, 0),
                  "N = 10 examples, w = (slope, intercept) from w₀ = 0, η = 0.1, batch_size = 4 "
                  "(batches of 4, 4, 2), 2 epochs, seed 0")]
    for k in range(2):
        n, d = int(rng.integers(20, 60)), int(rng.integers(2, 4))
        data_seed, seed = (int(v) for v in rng.integers(0, 10_000, size=2))
        X, y = _regression(data_seed, n, d)
        b, epochs = int(rng.choice([1, 5, 8, 16])), int(rng.integers(2, 4))
        if k == 1:  # one random case with a smaller last batch
            b = int(rng.choice([size for size in (3, 5, 7, 8, 16) if n % size]))
        w0 = np.round(rng.normal(size=d), 3)
        cases.append(Case((X, y, w0, 0.05, b, epochs, seed),
                          f"N = {n} examples, {d} weights from w₀ = {w0}, η = 0.05, batch_size = {b}, "
                          f"{epochs} epochs, seed {seed}"))
    return cases


def _run_sgd(fn: Callable[..., Any], case: Case) -> Any:
    X, y, w0, lr, batch_size, epochs, seed = case.args
    return fn(X.copy(), y.copy(), np.array(w0, dtype=np.float64), lr, batch_size, epochs,
              np.random.default_rng(seed))


def _variant(case: Case, *, reshuffle: bool = True, reduce: str = "mean", full: bool = False,
             shuffle: bool = True) -> np.ndarray:
    """The reference with one typical mistake: a single permutation, a summed gradient, …"""
    X, y, w0, lr, batch_size, epochs, seed = case.args
    rng = np.random.default_rng(seed)
    n = len(y)
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    order = rng.permutation(n) if shuffle else np.arange(n)
    for _ in range(epochs):
        if reshuffle and shuffle and len(path) > 1:
            order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = np.arange(n) if full else order[start:start + batch_size]
            Xb, yb = X[batch], y[batch]
            scale = {"mean": 2 / len(batch), "sum": 2.0, "batch_size": 2 / batch_size}[reduce]
            w = w - lr * scale * Xb.T @ (Xb @ w - yb)
            path.append(w.copy())
    return np.array(path)


def _sgd_hints(got: Any, expected: Any, case: Case) -> str | None:
    X, y, w0, lr, batch_size, epochs, seed = case.args
    g = as_float_array(got)
    if g is None:
        return "return the path as a numpy array of shape (epochs·⌈N/b⌉ + 1, d)."
    n, d = X.shape
    per_epoch = math.ceil(n / batch_size)
    if g.shape == (epochs + 1, d):
        return "record w after every step (every minibatch), not once per epoch."
    if g.shape == (epochs * (n // batch_size) + 1, d) and n % batch_size:
        return ("keep the last, smaller batch of each epoch: every example is used once per epoch. If you "
                "loop over your minibatches, check that it passes 07.minibatches.")
    if g.shape == (epochs * per_epoch, d):
        return "the path starts with w₀, then one row per step."
    if g.shape != expected.shape:
        return None
    if not np.allclose(g[0], expected[0]):
        return FIRST_ROW_HINT
    if same_path(g, _variant(case, reshuffle=False)):
        return ("your first epoch is right, then the order repeats: call rng.permutation(N) again at the start "
                "of every epoch (in minibatches, called once per epoch), or SGD sees the same batches in the "
                "same order forever.")
    if same_path(g, _variant(case, shuffle=False)):
        return ("your steps take the examples in their original order 0, 1, 2, …: the batches must come from "
                "a shuffle, rng.permutation(N). If you loop over your minibatches, check that it passes "
                "07.minibatches.")
    if batch_size > 1 and same_path(g, _variant(case, reduce="sum")):
        return ("your steps are |B| times too large: you summed the gradient over the batch. Average it, "
                "g = (2/|B|) X_Bᵀ(X_B w − y_B), or divide η by the batch size.")
    if n % batch_size and same_path(g, _variant(case, reduce="batch_size")):
        return "the last batch is smaller: divide by its own size len(batch), not by batch_size."
    if same_path(g, _variant(case, full=True)):
        return "that is full-batch gradient descent: each step uses only the examples of one batch."
    if np.allclose(g[1], expected[1]):
        return None
    return ("the very first step differs: shuffle with rng.permutation(N) at the start of each epoch, take the "
            "batches in order, and step with the mean gradient (2/|B|) X_Bᵀ(X_B w − y_B). If you loop over "
            "your minibatches, check that it passes 07.minibatches.")


register(
    Check(
        id="07.minibatch_sgd",
        function="minibatch_sgd",
        reference=minibatch_sgd,
        cases=_sgd_cases,
        compare=judge_plain_floats_by_value(compare_trajectories(rtol=1e-9, atol=1e-12, precision="dtype")),
        diagnoses=(_sgd_hints,),
        hint="for each epoch, for each batch B: w ← w − η (2/|B|) X_Bᵀ(X_B w − y_B); append a copy of w.",
        reference_names=("dlcourse.optim.minimize", "dlcourse.optim.sgd", "dlcourse.optim.SGD"),
        call=_run_sgd,
    )
)


# --------------------------------------------------------------- 07.inverse_time
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - η_t = η₀/(1 + kt), not 1/√ or 1/(…)² (every case with k·t large enough, e.g. 0.5, 1, 6 steps);
# - t = 0, 1, …, steps − 1: η_0 = η₀ (every case), one rate per step (the shape);
# - a numpy array (a list of numbers passes too).
# Precision: a schedule needs no float64; a float32 answer is judged at float32 precision.
def inverse_time(lr0: float, k: float, steps: int) -> np.ndarray:
    """η_t = η₀/(1 + kt) for t = 0, …, steps − 1: Σ η_t = ∞ and Σ η_t² < ∞ (Robbins–Monro)."""
    return schedules.InverseTimeDecay(lr0, k).values(steps)


def _schedule_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((0.5, 1.0, 6), "η₀ = 0.5, k = 1, 6 steps (the chapter's schedule)"),
             Case((0.1, 0.1, 12), "η₀ = 0.1, k = 0.1, 12 steps")]
    for _ in range(2):
        lr0 = float(rng.choice([0.01, 0.05, 0.2, 1.0]))
        k = round(float(rng.uniform(0.01, 2.0)), 3)
        steps = int(rng.integers(5, 40))
        cases.append(Case((lr0, k, steps), f"η₀ = {lr0}, k = {k}, {steps} steps"))
    return cases


def _schedule_hints(got: Any, expected: Any, case: Case) -> str | None:
    lr0, k, steps = case.args
    g = as_float_array(got)
    if g is None or g.shape != (steps,):
        return f"return one rate per step: an array of {steps} values for t = 0, …, {steps - 1}."
    t = np.arange(steps, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        variants = {
            "off": lr0 / (1 + k * (t + 1)),
            "square": lr0 / (1 + k * t) ** 2,
            "sqrt": lr0 / np.sqrt(1 + k * t),
            "bare": lr0 / (k * t),
        }
    if np.allclose(g, variants["off"]):
        return "the schedule starts at η₀: t counts from 0, so η_0 = η₀/(1 + 0) = η₀."
    if np.allclose(g, variants["square"]):
        return ("η₀/(1 + kt)² decays too fast: its sum is finite, so SGD stalls before it arrives "
                "(Σ η_t = ∞ fails). Use η₀/(1 + kt).")
    if np.allclose(g, variants["sqrt"]):
        return ("η₀/√(1 + kt) decays too slowly for Robbins–Monro: Σ η_t² = ∞. Use η₀/(1 + kt).")
    if not np.all(np.isfinite(g)):
        return "η₀/(kt) is infinite at t = 0: the 1 in 1 + kt keeps the first rate at η₀."
    return None


register(
    Check(
        id="07.inverse_time",
        function="inverse_time",
        reference=inverse_time,
        cases=_schedule_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-12, atol=0.0, precision="dtype")),
        diagnoses=(_schedule_hints,),
        hint="η_t = η₀ / (1 + k·t) for t = 0, 1, …, steps − 1.",
        reference_names=("dlcourse.schedules.InverseTimeDecay",),
    )
)


# --------------------------------------------------------------- 07.polyak_average
# The chapter's worked example of Polyak–Ruppert averaging (GD against SGD on
# 1.25(x₁ + 6)² + (x₂ − 8)²): θ̄_T = (1/(T − T₀ + 1)) Σ_{t=T₀}^{T} θ_t after a burn-in T₀.
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - θ_{T₀} itself is included (every case with T₀ > 0: the chapter's T₀ = 50);
# - the divisor is the number of iterates averaged, T − T₀ + 1 (every case);
# - one running average per T = T₀, …, len(path) − 1, the first being θ_{T₀} (the shape);
# - T₀ = 0 averages from θ_0 (a random case); T₀ = the last index gives that iterate alone.
# Precision: an average needs no float64; a float32 answer is judged at float32 precision.
def polyak_average(path: Any, burn_in: int) -> np.ndarray:
    """θ̄_T = (1/(T − T₀ + 1)) Σ_{t=T₀}^{T} θ_t for T = T₀, …, len(path) − 1: shape (len(path) − T₀, d)."""
    tail = np.asarray(path, dtype=np.float64)[burn_in:]
    counts = np.arange(1, len(tail) + 1).reshape((-1,) + (1,) * (tail.ndim - 1))
    return np.cumsum(tail, axis=0) / counts


def _noisy_sgd_path(seed: int, steps: int, lr: float) -> np.ndarray:
    """SGD on the chapter's 1.25(x₁ + 6)² + (x₂ − 8)² with the gradient noise N(0, 2²) of the text."""
    rng = np.random.default_rng(seed)
    x = np.zeros(2)
    path = [x.copy()]
    for _ in range(steps):
        g = landscapes.SGD_EXAMPLE.grad(x) + np.array([2.5, 2.0]) * rng.normal(0.0, 2.0, size=2)
        x = x - lr * g
        path.append(x.copy())
    return np.array(path)


def _average_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((_noisy_sgd_path(1, 100, 0.1), 50),
                  "the chapter's SGD path on 1.25(x₁ + 6)² + (x₂ − 8)² (η = 0.1, 100 steps, noise seed 1), "
                  "burn-in T₀ = 50"),
             Case((np.arange(12.0).reshape(6, 2), 5), "path [[0, 1], [2, 3], …, [10, 11]], burn-in T₀ = 5 (the last)")]
    for burn_in in (0, int(rng.integers(5, 30))):
        seed, steps = int(rng.integers(0, 10_000)), int(rng.integers(40, 80))
        cases.append(Case((_noisy_sgd_path(seed, steps, 0.05), burn_in),
                          f"an SGD path of {steps} steps on the same bowl (η = 0.05, noise seed {seed}), "
                          f"burn-in T₀ = {burn_in}"))
    return cases


def _average_hints(got: Any, expected: Any, case: Case) -> str | None:
    path, burn_in = case.args
    path = np.asarray(path, dtype=np.float64)
    g = as_float_array(got)
    if g is None:
        return "return the running averages as an array of shape (len(path) − burn_in, d)."
    if g.shape == expected.shape[1:]:
        return "return every running average θ̄_T, T = T₀ … len(path) − 1, not only the last one."
    if burn_in > 0 and g.shape == (len(path) - burn_in - 1, path.shape[1]):
        return "θ_{T₀} itself is the first term: the averages run over t = T₀, …, T (path[burn_in:])."
    if g.shape != expected.shape:
        return None
    tail = path[burn_in:]
    if np.allclose(g, np.cumsum(tail, axis=0) / np.arange(len(tail)).clip(1)[:, None]):
        return "divide by the number of iterates averaged, T − T₀ + 1 (1 for the first)."
    if np.allclose(g, np.cumsum(tail, axis=0)):
        return "that is the running sum: divide by the number of iterates averaged, T − T₀ + 1."
    if np.allclose(g, np.cumsum(path, axis=0)[burn_in:] / np.arange(burn_in + 1, len(path) + 1)[:, None]):
        return "average from θ_{T₀} on, not from θ_0: the burn-in iterates are left out."
    return None


register(
    Check(
        id="07.polyak_average",
        function="polyak_average",
        reference=polyak_average,
        cases=_average_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-10, atol=1e-12, precision="dtype")),
        diagnoses=(_average_hints,),
        hint="θ̄_T = (θ_{T₀} + … + θ_T) / (T − T₀ + 1) for T = T₀, …, len(path) − 1: "
             "np.cumsum(path[burn_in:], axis=0) divided by 1, 2, 3, …",
        call=on_copies,
    )
)
