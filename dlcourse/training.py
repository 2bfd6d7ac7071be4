"""A short training loop for chapter 10: epochs, validation, early stopping, schedules.

Chapter 10 first writes the loop by hand — forward, loss, ``zero_grad``, ``backward``,
``step`` — and only then uses :func:`fit`, which is the same loop plus bookkeeping:

    for epoch in 1 … E:
        for (X, y) in train:  θ ← optimizer step on  ℓ(model_θ(X), y)
        evaluate on validation; step the scheduler
        keep the θ with the lowest validation loss; stop after ``patience`` epochs
        without an improvement larger than ``min_delta``

This module imports torch (it trains torch models).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from dlcourse._extras import require

require("torch", by="dlcourse.training")

import torch  # noqa: E402
from torch import nn  # noqa: E402

__all__ = ["FeedForward", "History", "evaluate", "train_epoch", "fit", "EarlyStopping"]


class FeedForward(nn.Module):
    """Fully connected layers with ReLU between them: the lecture's ``OurFFN`` for any widths.

    h⁰ = x; hᵏ = ReLU(hᵏ⁻¹Wᵏ + bᵏ) for the hidden layers; the last layer returns logits.
    ``FeedForward(64, 10)`` has the lecture's widths n → 10 → 20 → 15 → classes.
    """

    def __init__(self, n_in: int, n_classes: int, hidden: tuple[int, ...] = (10, 20, 15)) -> None:
        super().__init__()
        sizes = (n_in, *hidden, n_classes)
        if any(not isinstance(n, int) or n < 1 for n in sizes):
            raise ValueError(f"layer sizes must be positive ints, got {sizes}")
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


@dataclass
class History:
    """What :func:`fit` saw, one entry per epoch (epoch 1 first)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


class EarlyStopping:
    """Stop when the monitored loss has not improved by more than ``min_delta`` for
    ``patience`` epochs in a row; remember the best epoch (1-based) and its weights."""

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"patience must be an int ≥ 1, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be ≥ 0, got {min_delta!r}")
        self.patience, self.min_delta = patience, float(min_delta)
        self.best = math.inf
        self.best_epoch = 0
        self.best_state: dict[str, Any] | None = None
        self.bad_epochs = 0

    def step(self, loss: float, epoch: int, model: nn.Module | None = None) -> bool:
        """Record this epoch's loss; return True when training should stop."""
        if loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = loss, epoch, 0
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def _device_of(model: nn.Module) -> torch.device:
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


@torch.no_grad()
def evaluate(
    model: nn.Module, loader: Iterable, loss_fn: Callable[..., torch.Tensor] | None = None
) -> tuple[float, float]:
    """Mean loss and accuracy of a classifier over a loader (model in eval mode)."""
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = _device_of(model)
    was_training = model.training
    model.eval()
    total, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        logits = model(X)
        total += loss_fn(logits, y).item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        n += len(y)
    model.train(was_training)
    if n == 0:
        raise ValueError("the loader yielded no samples")
    return total / n, correct / n


def train_epoch(
    model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
    loss_fn: Callable[..., torch.Tensor] | None = None, scheduler: Any = None,
) -> float:
    """One pass over ``loader``: forward, loss, zero_grad, backward, step; the mean loss.

    ``scheduler`` here is a per-*batch* schedule (e.g. a cyclic learning rate).
    """
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = _device_of(model)
    model.train()
    total, n = 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss.item()}: lower the learning rate")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(y)
        n += len(y)
    return total / max(n, 1)


def fit(
    model: nn.Module,
    train: Iterable,
    val: Iterable,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    loss_fn: Callable[..., torch.Tensor] | None = None,
    scheduler: Any = None,
    batch_scheduler: Any = None,
    patience: int | None = None,
    min_delta: float = 0.0,
    progress: bool = True,
    log_every: int | None = None,
) -> History:
    """Train for up to ``epochs`` epochs and return the :class:`History`.

    ``scheduler`` is stepped once per epoch — with the validation loss if it is a
    ``ReduceLROnPlateau`` — and ``batch_scheduler`` once per batch. With ``patience``,
    training stops early and the weights of the best validation epoch are restored.
    ``progress`` shows a tqdm bar (it adapts to notebooks); ``log_every`` prints one
    deterministic line every so many epochs instead.
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an int ≥ 1, got {epochs!r}")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    stopper = EarlyStopping(patience, min_delta) if patience is not None else None
    history = History()
    bar = None
    if progress:
        tqdm = require("tqdm.auto", by="fit(progress=True)").tqdm

        bar = tqdm(total=epochs, unit="epoch", leave=False)
    for epoch in range(1, epochs + 1):
        history.lr.append(optimizer.param_groups[0]["lr"])
        history.train_loss.append(train_epoch(model, train, optimizer, loss_fn, batch_scheduler))
        val_loss, val_acc = evaluate(model, val, loss_fn)
        history.val_loss.append(val_loss)
        history.val_accuracy.append(val_acc)
        if scheduler is not None:
            plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
            scheduler.step(val_loss) if plateau else scheduler.step()
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", val_acc=f"{val_acc:.3f}")
        if log_every and epoch % log_every == 0:
            print(f"epoch {epoch:3d}: train loss {history.train_loss[-1]:.4f}, "
                  f"val loss {val_loss:.4f}, val accuracy {val_acc:.1%}")
        if stopper is not None and stopper.step(val_loss, epoch, model):
            history.stopped_early = True
            break
    if bar is not None:
        bar.close()
    if stopper is not None and stopper.best_state is not None:
        model.load_state_dict(stopper.best_state)
        history.best_epoch = stopper.best_epoch
    else:
        history.best_epoch = min(range(len(history.val_loss)), key=history.val_loss.__getitem__) + 1
    return history
