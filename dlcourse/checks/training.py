"""Checks for the exercises of chapter 10, *Schedules and training in practice*.

torch is imported when a training check runs, not when the registry loads; without it the
check says in one line how to install it (:func:`dlcourse.checks.momentum.require_torch`).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np

from .. import schedules
from . import (FLOAT32_RTOL, Case, Check, Failure, as_float_array, as_number, compare_arrays,
               judge_plain_floats_by_value, register)

from .momentum import require_torch

# --------------------------------------------------------------- 10.step_decay
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - η_t = η₀γ^⌊t/s⌋: the first drop at epoch s, not s ± 1 (every case runs past s);
# - t = 0, …, epochs − 1, one rate per epoch (the shape);
# - γ raised to the number of drops, not multiplied (every case with two drops or more).
# Precision: a schedule needs no float64; a float32 answer is judged at float32 precision.


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
    g = as_float_array(got)
    if g is None or g.shape != (n,):
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
    compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-12, atol=1e-15, precision="dtype")),
    diagnoses=(_step_off_by_one,),
    hint="η_t = η₀ · γ^⌊t/s⌋ for t = 0, 1, …, epochs − 1.",
    reference_names=("dlcourse.schedules.StepDecay",),
))


# --------------------------------------------------------------- 10.early_stopping
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - an epoch improves only when its loss is below the best *so far* by more than min_delta
#   (the losses rise and fall again; min_delta 0.02 on the fixed losses, random 0.00125, 0.01025);
# - a loss equal to the best is no improvement (a curve with exact ties, min_delta 0; a
#   random curve rounded to 2 decimals, full of ties);
# - stop at the epoch that makes `patience` non-improving epochs *in a row* (the counter is
#   reset by an improvement: the fixed losses improve again after two bad epochs);
# - stop_epoch = len(val_losses) when patience is never reached (the tie curve with
#   patience 5); best_epoch is the last improving epoch, not the lowest loss (min_delta 0.02);
# - the best loss so far is the loss of the last improving epoch, not the lowest loss seen: a
#   loss lower by less than min_delta does not become the best (the fixed curve with min_delta 0.045);
# - epochs count from 1 (every case).
# The random min_delta values are off the 1e-4 grid of the 4-decimal losses, so that no loss
# lies within rounding of "best − min_delta" (where two correct formulas could differ).
def _early_stopping_reference(val_losses: list[float], patience: int, min_delta: float) -> tuple[int, int]:
    """(best epoch, epoch at which training stops); epochs count from 1."""
    return _early_variant(val_losses, patience, min_delta)


def _early_variant(val_losses: list[float], patience: int, min_delta: float, *, ties: bool = False,
                   previous: bool = False, no_reset: bool = False, late: int = 0,
                   lowest: bool = False, start: int = 1, running_min: bool = False) -> tuple[int, int]:
    """The rule, or with one typical slip: ties improve, the previous epoch compared, …"""
    best, best_epoch, bad, prev, low = np.inf, 0, 0, np.inf, np.inf
    stop = len(val_losses) + start - 1
    for epoch, loss in enumerate(val_losses, start=start):
        ref = prev if previous else low if running_min else best
        low = min(low, loss)
        if loss < ref - min_delta or (ties and loss <= ref - min_delta):
            best, best_epoch = loss, epoch
            if not no_reset:
                bad = 0
        else:
            bad += 1
            if bad >= patience + late:
                stop = epoch
                break
        prev = loss
    if lowest:
        seen = val_losses[:stop - start + 1]
        best_epoch = int(np.argmin(seen)) + start
    return best_epoch, stop


_EARLY_SLIPS: tuple[tuple[dict[str, Any], str], ...] = (
    ({"ties": True}, "a loss equal to the best so far is no improvement: it must be *below* best − min_delta "
                     "(use <, not <=)."),
    ({"running_min": True}, "the best loss so far is the loss of the last improving epoch: a loss that is lower "
                            "but not by more than min_delta is no improvement and does not become the new best "
                            "(as in Keras and PyTorch Lightning)."),
    ({"previous": True}, "compare each loss with the best loss so far, not with the previous epoch's."),
    ({"no_reset": True}, "count the epochs *in a row* without improvement: reset the counter to 0 when an "
                         "epoch improves."),
    ({"late": 1}, "stop at the epoch that makes `patience` epochs in a row without improvement — the "
                  "patience-th epoch, not one later."),
    ({"late": -1}, "stop at the epoch that makes `patience` epochs in a row without improvement — the "
                   "patience-th epoch, not one earlier."),
    ({"lowest": True}, "best_epoch is the last *improving* epoch; with min_delta > 0 a later epoch can have a "
                       "slightly lower loss without counting as an improvement."),
    ({"start": 0}, "count epochs from 1, not 0."),
)


def _loss_curve(rng: np.random.Generator, n: int, decimals: int = 4) -> list[float]:
    t = np.arange(n)
    curve = 1.0 / (1 + 0.3 * t) + 0.004 * np.maximum(0, t - rng.integers(5, 15)) + 0.01 * rng.random(n)
    return [round(float(v), decimals) for v in curve]


def _early_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [1.0, 0.8, 0.7, 0.69, 0.695, 0.7, 0.72, 0.65, 0.66, 0.67, 0.7]
    ties = [0.9, 0.7, 0.7, 0.6, 0.6, 0.6, 0.55, 0.55, 0.6, 0.55]
    within = [1.0, 0.97, 0.93, 0.92, 0.9, 0.9, 0.89]
    cases = [Case((fixed, 3, 0.0), f"losses {fixed}, patience 3, min_delta 0"),
             Case((fixed, 2, 0.02), f"losses {fixed}, patience 2, min_delta 0.02"),
             Case((ties, 2, 0.0), f"losses with ties {ties}, patience 2, min_delta 0"),
             Case((ties, 5, 0.0), f"losses with ties {ties}, patience 5, min_delta 0 (never stops early)"),
             Case((within, 3, 0.045), f"losses {within}, patience 3, min_delta 0.045 (epoch 2 is lower than epoch 1 "
                                     "but by less than min_delta: no improvement, and the best loss stays 1.0)")]
    for k in range(3):
        losses, patience = _loss_curve(rng, int(rng.integers(20, 40))), int(rng.integers(2, 6))
        delta = float(rng.choice([0.0, 0.00125, 0.01025])) if k else 0.00125
        cases.append(Case((losses, patience, delta), f"losses {losses}, patience {patience}, min_delta {delta}"))
    plateau, patience = _loss_curve(rng, int(rng.integers(20, 40)), decimals=2), int(rng.integers(2, 5))
    cases.append(Case((plateau, patience, 0.0),
                      f"losses rounded to 2 decimals, with ties, {plateau}, patience {patience}, min_delta 0"))
    return cases


def _early_hints(got: Any, expected: Any, case: Case) -> str | None:
    losses, patience, delta = case.args
    try:
        g = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        return "return a pair (best_epoch, stop_epoch) of ints, counting epochs from 1."
    if delta > 0 and g == _early_variant(losses, patience, 0.0):
        return "an improvement only counts when it beats the best loss by more than min_delta."
    for slip, hint in _EARLY_SLIPS:
        if patience + slip.get("late", 0) < 1:
            continue
        if g == _early_variant(losses, patience, delta, **slip):
            return hint
    return None


def _compare_pair(got: Any, expected: Any) -> Failure | None:
    try:
        pair = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        return Failure(f"expected a pair (best_epoch, stop_epoch), got {got!r:.200}")
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


# --------------------------------------------------------------- 10.plateau
# The chapter's reduce-on-plateau schedule (ReduceLROnPlateau with threshold 0).
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - an epoch improves when its loss is below the best so far (a tie is no improvement: the
#   curve with ties; the best so far, not the previous loss: the curves that rise and fall);
# - η ← factor·η after *more than* patience epochs in a row without improvement, on the
#   (patience + 1)-th (every case that reduces);
# - the count restarts after a reduction and after an improvement (the long flat curve
#   reduces twice; the fixed losses improve between bad epochs);
# - one rate per epoch, the rate after that epoch's loss is recorded (the shape);
# - threshold 0: any loss below the best improves, however little (losses that creep down by
#   5e-5: torch's default relative threshold 1e-4 would cut the rate).
def _plateau_reference(val_losses: list[float], lr0: float, patience: int, factor: float) -> np.ndarray:
    """η after each epoch of ReduceOnPlateau(lr0, factor, patience, threshold 0)."""
    sched = schedules.ReduceOnPlateau(lr0, factor=factor, patience=patience, threshold=0.0,
                                      threshold_mode="abs", eps=0.0)
    return np.array([sched.step(loss) for loss in val_losses])


def _plateau_variant(val_losses: list[float], lr0: float, patience: int, factor: float, *,
                     early: bool = False, ties: bool = False, previous: bool = False,
                     no_restart: bool = False, before: bool = False, rel: float = 0.0) -> np.ndarray:
    """The rule with one typical slip: a cut one epoch early, ties improving, …"""
    lr, best, prev, bad, rates = lr0, np.inf, np.inf, 0, []
    for loss in val_losses:
        ref = prev if previous else best
        if rel and ref < np.inf:
            ref = ref * (1 - rel)
        if loss < ref or (ties and loss <= ref):
            best, bad = min(best, loss) if not previous else loss, 0
        else:
            bad += 1
        prev = loss
        rate_now = lr
        if bad > patience - (1 if early else 0):
            lr *= factor
            if not no_restart:
                bad = 0
        rates.append(rate_now if before else lr)
    return np.array(rates)


_PLATEAU_SLIPS: tuple[tuple[dict[str, Any], str], ...] = (
    ({"early": True}, "the cut comes one epoch early: patience epochs without improvement are tolerated, the "
                      "rate drops on the (patience + 1)-th in a row (PyTorch: num_bad_epochs > patience)."),
    ({"ties": True}, "a loss equal to the best so far is no improvement: it must be strictly below the best."),
    ({"previous": True}, "compare each loss with the best loss so far, not with the previous epoch's."),
    ({"no_restart": True}, "after a reduction, restart the count of bad epochs at 0: the next cut needs another "
                           "patience + 1 epochs without improvement."),
    ({"rel": 1e-4}, "any loss below the best so far improves (threshold 0): torch's ReduceLROnPlateau counts "
                    "only a loss below best·(1 − 1e-4) by default; give it threshold=0."),
    ({"before": True}, "return the rate *after* each epoch's loss is recorded (what scheduler.step(loss) sets "
                       "for the next epoch), not the rate the epoch was trained with."),
)


def _plateau_cases(rng: np.random.Generator) -> list[Case]:
    fixed = [1.0, 0.8, 0.7, 0.69, 0.695, 0.7, 0.72, 0.65, 0.66, 0.67, 0.7, 0.68]
    ties = [0.9, 0.7, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.55, 0.6]
    flat = [0.5] + [0.6] * 11
    creeping = [1.0, 0.99995, 0.9999, 0.99985, 0.9998, 0.99975, 0.9997, 0.99965, 0.9996]
    cases = [Case((fixed, 0.1, 2, 0.1), f"losses {fixed}, η₀ = 0.1, patience 2, factor 0.1"),
             Case((ties, 0.1, 2, 0.5), f"losses with ties {ties}, η₀ = 0.1, patience 2, factor 0.5"),
             Case((flat, 1.0, 3, 0.1), f"losses {flat} (flat after epoch 1), η₀ = 1, patience 3, factor 0.1"),
             Case((creeping, 0.1, 1, 0.5), f"losses {creeping} (each a little below the last: every epoch "
                                           "improves), η₀ = 0.1, patience 1, factor 0.5")]
    for decimals in (4, 2):
        losses = _loss_curve(rng, int(rng.integers(20, 40)), decimals=decimals)
        lr0, patience = float(rng.choice([0.1, 0.05, 0.01])), int(rng.integers(1, 5))
        factor = float(rng.choice([0.1, 0.2, 0.5]))
        cases.append(Case((losses, lr0, patience, factor),
                          f"losses {losses}, η₀ = {lr0}, patience {patience}, factor {factor}"))
    return cases


def _plateau_hints(got: Any, expected: Any, case: Case) -> str | None:
    losses, lr0, patience, factor = case.args
    g = as_float_array(got)
    if g is None or g.shape != (len(losses),):
        return f"return one learning rate per epoch: {len(losses)} values."
    for slip, hint in _PLATEAU_SLIPS:
        if np.allclose(g, _plateau_variant(losses, lr0, patience, factor, **slip), rtol=FLOAT32_RTOL, atol=0):
            return hint
    return None


register(Check(
    id="10.plateau",
    function="plateau_rates",
    reference=_plateau_reference,
    cases=_plateau_cases,
    compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-9, atol=1e-15, precision="dtype")),
    diagnoses=(_plateau_hints,),
    hint="keep the best loss and a count of epochs in a row without improvement; when the count exceeds "
         "patience, multiply η by factor and restart the count.",
    reference_names=("dlcourse.schedules.ReduceOnPlateau",),
))


# --------------------------------------------------------------- 10.train_epoch
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - the batches come as a DataLoader (as in train_digits): iterate it for (X, y); its
#   len(batches.dataset) is the number of samples;
# - for each batch: forward, loss, clear the gradients, backward, step (every case compares
#   the weights after the epoch: a missing zero_grad or step changes them);
# - the mean loss over all *samples*, each batch's loss weighted by its number of samples
#   (every case has batches of unequal sizes: 7 of 32 and one of 26; random sizes 8 … 47);
# - the loss of each batch as computed for the step, not recomputed after it.
# Precision: the model is float64, so the weights are compared to rtol 1e-9; the mean loss
# needs no float64 (an epoch loss accumulated in a float32 tensor, common PyTorch, is right),
# so it is compared to rtol FLOAT32_RTOL = 1e-5, far below what any slip above changes.
LOSS_RTOL = FLOAT32_RTOL


def _epoch_setup(seed: int, sizes: tuple[int, ...]) -> tuple[Any, Any, Any, Any]:
    """A fresh model, a DataLoader of batches of these sizes, optimizer and loss, the same for every call."""
    torch = require_torch()
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from ..data import digits

    X, y = digits()
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(y))[:sum(sizes)]
    Xt = torch.as_tensor(X[idx], dtype=torch.float64)
    yt = torch.as_tensor(y[idx])
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    # a DataLoader, like the ones train_digits passes: iterating it gives the (X, y) batches of
    # these sizes in order, and len(batches.dataset) is the number of samples, as in PyTorch's
    # tutorials; batches[i] and len(batches) work too, as on a list of batches
    ranges = [list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:])]

    class Batches(DataLoader):
        """A DataLoader over these batches that can also be indexed like a list of them."""

        def __getitem__(self, index: Any) -> Any:
            listed = [(Xt[r[0]:r[-1] + 1], yt[r[0]:r[-1] + 1]) for r in ranges]
            return listed[index]

    batches = Batches(TensorDataset(Xt, yt), batch_sampler=ranges)
    gen = torch.Generator().manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, batches, opt, nn.CrossEntropyLoss()


def _run_epoch(fn: Callable[..., Any], case: Case) -> np.ndarray:
    """[mean loss, every parameter after the epoch] for ``fn`` on fresh objects of the case."""
    model, batches, opt, loss_fn = _epoch_setup(*case.args)
    mean_loss = fn(model, batches, opt, loss_fn)
    loss = as_number(mean_loss)
    if loss is None:
        raise TypeError(f"train_one_epoch returned {mean_loss!r:.100}: return the mean loss, one number")
    params = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    return np.concatenate([[loss], params])


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


def _epoch_unweighted(model: Any, batches: Any, optimizer: Any, loss_fn: Any) -> float:
    losses = []
    for X, y in batches:
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)


_PARAMETERS = (("the first layer's weight", (16, 64)), ("the first layer's bias", (16,)),
               ("the second layer's weight", (10, 16)), ("the second layer's bias", (10,)))


def _compare_epoch(got: Any, expected: Any) -> Failure | None:
    """The mean loss first (to rtol 1e-5), then each parameter after the epoch (rtol 1e-9), named."""
    g, e = as_float_array(got), np.asarray(expected, dtype=float)
    if g is None or g.shape != e.shape:
        return compare_arrays(rtol=1e-9, atol=1e-12)(got, expected)
    loss = compare_arrays(rtol=LOSS_RTOL, atol=1e-12)(g[0], e[0])
    if loss is not None:
        return Failure(f"the mean loss of the epoch: {loss.summary}", loss.hint)
    start = 1
    for name, shape in _PARAMETERS:
        size = int(np.prod(shape))
        part = compare_arrays(rtol=1e-9, atol=1e-12)(g[start:start + size].reshape(shape),
                                                     e[start:start + size].reshape(shape))
        if part is not None:
            return Failure(f"after the epoch, {name}: {part.summary}")
        start += size
    return None


def _epoch_case(seed: int, sizes: tuple[int, ...], first: bool = False) -> Case:
    what = "a 64-16-10 network, SGD (η = 0.1, momentum 0.9)" if first else "the same network"
    return Case((seed, sizes), f"{what}, {len(sizes)} batches of {sum(sizes)} digits of sizes "
                               f"{list(sizes)}, seed {seed}")


def _epoch_cases(rng: np.random.Generator) -> list[Case]:
    cases = [_epoch_case(0, (32,) * 7 + (26,), first=True)]
    for seed in rng.integers(1, 10_000, size=2).tolist():
        sizes = tuple(int(b) for b in rng.integers(8, 48, size=int(rng.integers(5, 9))))
        cases.append(_epoch_case(int(seed), sizes))
    return cases


def _epoch_hints(got: Any, expected: Any, case: Case) -> str | None:
    g = as_float_array(got)
    if g is None or g.shape != expected.shape:
        return None
    initial = _run_epoch(lambda *a: 0.0, case)
    if np.allclose(g[1:], initial[1:]):
        return ("the weights did not change: call optimizer.step() after loss.backward(), and clear the "
                "gradients (optimizer.zero_grad()) before loss.backward(), not between it and the step.")
    if np.allclose(g[1:], _run_epoch(_epoch_without_zero_grad, case)[1:]):
        return "gradients accumulate: call optimizer.zero_grad() before every loss.backward()."
    if np.allclose(g[1:], expected[1:]) and not np.isclose(g[0], expected[0], rtol=LOSS_RTOL):
        if np.isclose(g[0], _run_epoch(_epoch_unweighted, case)[0], rtol=LOSS_RTOL):
            return ("that is the plain mean of the batch losses; the batches differ in size, so weight each "
                    "batch's loss by its number of samples: Σ loss_b·|b| / Σ |b|.")
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
# Requirements stated by the exercise, and the case that fails an answer breaking each:
# - a trained model with at least TARGET_ACCURACY on the held-out test split (the one case);
# - the test split is not used: while train_digits runs, the test loader of
#   data.digits_loaders, the test part of data.digits_split and the whole set data.digits()
#   are watched, and an answer that reads them fails ("uses the test split");
# - the validation loader decides when to stop: an answer that never reads it fails;
# - it returns the model (a torch.nn.Module).
TARGET_ACCURACY = 0.95


class _Watch:
    """What a train_digits call touched of the data: the validation and the test split."""

    def __init__(self) -> None:
        self.val = False
        self.test: list[str] = []


class _WatchedLoader:
    """A DataLoader that notes when it is read (iterated, or its dataset looked at)."""

    def __init__(self, loader: Any, note: Callable[[], None]) -> None:
        self._loader, self._note = loader, note

    def __iter__(self) -> Iterator[Any]:
        self._note()
        return iter(self._loader)

    def __len__(self) -> int:
        return len(self._loader)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy, pickle and the like look up dunders: no recursion
            raise AttributeError(name)
        if name == "dataset":
            self._note()
        return getattr(self._loader, name)


class _WatchedSplit:
    """A :class:`dlcourse.data.Split` whose test part notes when it is read."""

    def __init__(self, split: Any, watch: _Watch) -> None:
        self._split, self._watch = split, watch

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("X_test", "y_test"):
            self._watch.test.append(f"data.digits_split(…).{name}")
        if name in ("X_val", "y_val"):
            self._watch.val = True
        return getattr(self._split, name)


@contextlib.contextmanager
def _watching_data(watch: _Watch) -> Iterator[None]:
    """Replace the digits functions of dlcourse.data by watched ones while the block runs.

    Inside the originals (digits_loaders calls digits_split, which calls digits) the
    originals are used, so only the student's own reads are noted.
    """
    from .. import data

    originals = {name: getattr(data, name) for name in ("digits", "digits_split", "digits_loaders")}

    @contextlib.contextmanager
    def unwatched() -> Iterator[None]:
        watched = {name: getattr(data, name) for name in originals}
        for name, fn in originals.items():
            setattr(data, name, fn)
        try:
            yield
        finally:
            for name, fn in watched.items():
                setattr(data, name, fn)

    def digits(*args: Any, **kwargs: Any) -> Any:
        watch.test.append("data.digits() (the whole set, test images included)")
        with unwatched():
            return originals["digits"](*args, **kwargs)

    def digits_split(*args: Any, **kwargs: Any) -> Any:
        with unwatched():
            return _WatchedSplit(originals["digits_split"](*args, **kwargs), watch)

    def digits_loaders(*args: Any, **kwargs: Any) -> Any:
        with unwatched():
            train, val, test = originals["digits_loaders"](*args, **kwargs)

        def saw_val() -> None:
            watch.val = True

        def saw_test() -> None:
            watch.test.append("the test loader of data.digits_loaders")

        return train, _WatchedLoader(val, saw_val), _WatchedLoader(test, saw_test)

    data.digits, data.digits_split, data.digits_loaders = digits, digits_split, digits_loaders
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(data, name, fn)


def _test_logits(fn: Callable[..., Any], case: Case) -> tuple[Any, ...]:
    """The trained model's logits on the held-out test images, as plain numbers, with what the
    training read of the data: (logits, read the validation split, what of the test split it read).
    The accuracy itself is computed in :func:`_at_least_target`, where a grader runs it."""
    torch = require_torch()

    from ..data import digits_split

    watch = _Watch()
    with _watching_data(watch):
        model = fn(*case.args)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"train_digits must return the trained torch model, got {type(model).__name__}")
    X = torch.as_tensor(digits_split(seed=0).X_test, dtype=torch.float32)
    model = model.cpu().float().eval()
    with torch.no_grad():
        logits = np.array(model(X).tolist(), dtype=np.float64)
    return (logits, watch.val, "; ".join(dict.fromkeys(watch.test)))


def _at_least_target(got: Any, expected: Any) -> Failure | None:
    from ..data import digits_split

    labels = digits_split(seed=0).y_test
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        return Failure(f"expected the model's test logits and what it read, got {got!r:.200}")
    logits, used_val, used_test = as_float_array(got[0]), got[1], got[2]
    if used_test:
        return Failure(f"train_digits used the test split ({used_test}): the test split is for the final "
                       "report only, never for training or for deciding when to stop",
                       "train on the training loader, decide when to stop on the validation loader, "
                       "and leave the test loader alone.")
    if logits is None or logits.shape != (len(labels), 10):
        return Failure(f"the model must map the {len(labels)} test images to 10 logits each, "
                       f"got shape {np.shape(got[0])}")
    accuracy = float(np.mean(np.argmax(logits, axis=1) == labels))
    if accuracy < TARGET_ACCURACY:
        return Failure(
            f"test accuracy {accuracy:.1%} is below the target {TARGET_ACCURACY:.0%}",
            "widen the hidden layers (e.g. 64, 64, 32), train longer with early stopping, "
            "or try Adam with a learning rate around 0.005. If train_digits uses your train_one_epoch, "
            "make sure 10.train_epoch passes first.",
        )
    if used_val is not True:
        return Failure("train_digits never read the validation loader: use it to decide when to stop "
                       "(evaluate the validation loss after every epoch, keep the best weights)",
                       "after each epoch, compute the loss on val under torch.no_grad(); stop when it has "
                       "not improved for a few epochs, and return the weights of the best epoch.")
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
