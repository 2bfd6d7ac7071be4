"""Checks for the exercises of chapter 10, *Schedules and training in practice*.

torch is imported when a training check runs, not when the registry loads.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import schedules
from . import Case, Check, Failure, as_float_array, compare_arrays, register

# --------------------------------------------------------------- 10.step_decay


def _step_decay_reference(lr0: float, gamma: float, step_size: int, epochs: int) -> np.ndarray:
    return schedules.StepDecay(lr0, step_size=step_size, gamma=gamma).values(epochs)


def _step_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((0.1, 0.5, 15, 40), "η₀ = 0.1, γ = 0.5 every 15 epochs, 40 epochs"),
             Case((0.01, 0.1, 3, 10), "η₀ = 0.01, γ = 0.1 every 3 epochs, 10 epochs")]
    for _ in range(3):
        lr0, gamma = float(rng.choice([0.1, 0.05, 0.3])), float(rng.choice([0.1, 0.2, 0.5]))
        s, n = int(rng.integers(2, 8)), int(rng.integers(10, 30))
        cases.append(Case((lr0, gamma, s, n), f"η₀ = {lr0}, γ = {gamma} every {s} epochs, {n} epochs"))
    return cases


def _step_off_by_one(got: Any, expected: Any, case: Case) -> str | None:
    lr0, gamma, s, n = case.args
    g = np.asarray(got, dtype=float)
    if g.shape != (n,):
        return f"return one learning rate per epoch: {n} values for epochs 0 … {n - 1}."
    t = np.arange(n)
    if np.allclose(g, lr0 * gamma ** ((t + 1) // s)) or np.allclose(g, lr0 * gamma ** (1 + t // s)):
        return "the first drop comes one epoch too early: epochs 0 … s−1 use η₀ itself (η_t = η₀γ^⌊t/s⌋)."
    if np.allclose(g, lr0 * gamma ** np.maximum(0, (t - 1) // s)):
        return "the first drop comes one epoch too late: epoch s already uses η₀γ."
    return None


register(Check(
    id="10.step_decay",
    function="step_decay",
    reference=_step_decay_reference,
    cases=_step_cases,
    compare=compare_arrays(rtol=1e-12, atol=1e-15),
    diagnoses=(_step_off_by_one,),
    hint="η_t = η₀ · γ^⌊t/s⌋ for t = 0, 1, …, epochs − 1.",
    reference_names=("dlcourse.schedules.StepDecay",),
))


# --------------------------------------------------------------- 10.early_stopping
def _early_stopping_reference(val_losses: list[float], patience: int, min_delta: float) -> tuple[int, int]:
    """(best epoch, epoch at which training stops); epochs count from 1."""
    best, best_epoch, bad = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def _loss_curve(rng: np.random.Generator, n: int) -> list[float]:
    t = np.arange(n)
    curve = 1.0 / (1 + 0.3 * t) + 0.004 * np.maximum(0, t - rng.integers(5, 15)) + 0.01 * rng.random(n)
    return [round(float(v), 4) for v in curve]


def _early_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [1.0, 0.8, 0.7, 0.69, 0.695, 0.7, 0.72, 0.65, 0.66, 0.67, 0.7]
    cases = [Case((fixed, 3, 0.0), f"losses {fixed}, patience 3, min_delta 0"),
             Case((fixed, 2, 0.02), f"losses {fixed}, patience 2, min_delta 0.02")]
    for _ in range(3):
        losses, patience = _loss_curve(rng, int(rng.integers(20, 40))), int(rng.integers(2, 6))
        delta = float(rng.choice([0.0, 0.001, 0.01]))
        cases.append(Case((losses, patience, delta), f"losses {losses}, patience {patience}, min_delta {delta}"))
    return cases


def _early_hints(got: Any, expected: Any, case: Case) -> str | None:
    losses, patience, delta = case.args
    try:
        g = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        return "return a pair (best_epoch, stop_epoch) of ints, counting epochs from 1."
    if g == _early_stopping_reference(losses, patience, 0.0) and delta > 0:
        return "an improvement only counts when it beats the best loss by more than min_delta."
    if g == (expected[0] - 1, expected[1] - 1):
        return "count epochs from 1, not 0."
    if g[0] == expected[0] and g[1] in (expected[1] + 1, expected[1] - 1):
        return "stop at the patience-th epoch in a row without improvement, not one earlier or later."
    return None


def _compare_pair(got: Any, expected: Any) -> Failure | None:
    try:
        pair = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        return Failure(f"expected a pair (best_epoch, stop_epoch), got {got!r}")
    if pair != tuple(expected):
        return Failure(f"expected (best_epoch, stop_epoch) = {tuple(expected)}, got {pair}")
    return None


register(Check(
    id="10.early_stopping",
    function="early_stopping",
    reference=_early_stopping_reference,
    cases=_early_cases,
    compare=_compare_pair,
    diagnoses=(_early_hints,),
    hint="track the best loss so far and how many epochs in a row have not improved on it.",
    reference_names=("dlcourse.training.EarlyStopping",),
))


# --------------------------------------------------------------- 10.train_epoch
def _epoch_setup(seed: int) -> tuple[Any, list[tuple[Any, Any]], Any, Any]:
    """A fresh model, batches, optimizer and loss, the same for every call with this seed."""
    import torch
    from torch import nn

    from ..data import digits

    X, y = digits()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))[:256]
    Xt = torch.as_tensor(X[idx], dtype=torch.float64)
    yt = torch.as_tensor(y[idx])
    batches = [(Xt[i:i + 32], yt[i:i + 32]) for i in range(0, 256, 32)]
    gen = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, batches, opt, nn.CrossEntropyLoss()


def _run_epoch(fn: Callable[..., Any], case: Case) -> np.ndarray:
    model, batches, opt, loss_fn = _epoch_setup(*case.args)
    mean_loss = fn(model, batches, opt, loss_fn)
    params = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    return np.concatenate([[float(mean_loss)], params])


def _epoch_reference(model: Any, batches: Any, optimizer: Any, loss_fn: Any) -> float:
    from ..training import train_epoch

    return train_epoch(model, batches, optimizer, loss_fn)


def _epoch_without_zero_grad(model: Any, batches: Any, optimizer: Any, loss_fn: Any) -> float:
    total = 0.0
    for X, y in batches:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    return total / sum(len(y) for _, y in batches)


_PARAMETERS = (("the first layer's weight", (16, 64)), ("the first layer's bias", (16,)),
               ("the second layer's weight", (10, 16)), ("the second layer's bias", (10,)))


def _compare_epoch(got: Any, expected: Any) -> Failure | None:
    """The mean loss first, then each parameter after the epoch, named."""
    failure = compare_arrays(rtol=1e-9, atol=1e-12)(got, expected)
    if failure is None or np.shape(got) != np.shape(expected):
        return failure
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if not np.isclose(g[0], e[0], rtol=1e-9, atol=1e-12):
        return Failure(f"the mean loss of the epoch: expected {e[0]:.6g}, got {g[0]:.6g}")
    start = 1
    for name, shape in _PARAMETERS:
        size = int(np.prod(shape))
        part = compare_arrays(rtol=1e-9, atol=1e-12)(g[start:start + size].reshape(shape),
                                                     e[start:start + size].reshape(shape))
        if part is not None:
            return Failure(f"after the epoch, {name}: {part.summary}")
        start += size
    return failure


def _epoch_cases(rng: np.random.Generator) -> list[Case]:
    return [Case((0,), "a 64-16-10 network, 8 batches of 32 digits, SGD (η = 0.1, momentum 0.9), seed 0")] + [
        Case((s,), f"the same with seed {s}") for s in rng.integers(1, 10_000, size=2).tolist()
    ]


def _epoch_hints(got: Any, expected: Any, case: Case) -> str | None:
    g = np.asarray(got, dtype=float)
    if g.shape != expected.shape:
        return None
    initial = _run_epoch(lambda *a: 0.0, case)
    if np.allclose(g[1:], initial[1:]):
        return "the weights did not change: call optimizer.step() after loss.backward()."
    if np.allclose(g[1:], _run_epoch(_epoch_without_zero_grad, case)[1:]):
        return "gradients accumulate: call optimizer.zero_grad() before every loss.backward()."
    if np.allclose(g[1:], expected[1:]) and not np.isclose(g[0], expected[0]):
        return "the weights are right; return the mean loss over all samples (weight each batch by its size)."
    return None


register(Check(
    id="10.train_epoch",
    function="train_one_epoch",
    reference=_epoch_reference,
    cases=_epoch_cases,
    compare=_compare_epoch,
    diagnoses=(_epoch_hints,),
    hint="for each batch: forward, loss, zero_grad, backward, step.",
    reference_names=("dlcourse.training.train_epoch", "dlcourse.training.fit"),
    call=_run_epoch,
))


# --------------------------------------------------------------- 10.accuracy
TARGET_ACCURACY = 0.95


def _test_logits(fn: Callable[..., Any], case: Case) -> np.ndarray:
    """The trained model's logits on the held-out test images, as plain numbers: the
    accuracy itself is computed in :func:`_at_least_target`, where a grader runs it."""
    import torch

    from ..data import digits_split

    model = fn(*case.args)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"train_digits must return the trained torch model, got {type(model).__name__}")
    X = torch.as_tensor(digits_split(seed=0).X_test, dtype=torch.float32)
    model = model.cpu().float().eval()
    with torch.no_grad():
        return np.array(model(X).tolist(), dtype=np.float64)


def _at_least_target(got: Any, expected: Any) -> Failure | None:
    from ..data import digits_split

    labels = digits_split(seed=0).y_test
    logits = as_float_array(got)
    if logits is None or logits.shape != (len(labels), 10):
        return Failure(f"the model must map the {len(labels)} test images to 10 logits each, "
                       f"got shape {np.shape(got)}")
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
    if accuracy < TARGET_ACCURACY:
        return Failure(
            f"test accuracy {accuracy:.1%} is below the target {TARGET_ACCURACY:.0%}",
            "widen the hidden layers (e.g. 64, 64, 32), train longer with early stopping, "
            "or try Adam with a learning rate around 0.005.",
        )
    return None


register(Check(
    id="10.accuracy",
    function="train_digits",
    reference=None,
    cases=lambda rng: [Case((0,), "train_digits(seed=0), evaluated on the held-out test split")],
    compare=_at_least_target,
    reference_names=("dlcourse.training.fit", "dlcourse.training.train_epoch"),
    call=_test_logits,
))
