"""Chapter 10's checks: right answers pass; typical mistakes are named."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dlcourse import checks  # noqa: E402
from dlcourse.checks.training import _early_stopping_reference, _epoch_without_zero_grad  # noqa: E402
from dlcourse.training import EarlyStopping, train_epoch  # noqa: E402


def test_step_decay_reference_passes_and_off_by_one_is_named():
    assert checks.run("10.step_decay", lambda lr, g, s, n: lr * g ** (np.arange(n) // s), seed=1).passed
    v = checks.run("10.step_decay", lambda lr, g, s, n: lr * g ** ((np.arange(n) + 1) // s), seed=1)
    assert "at element [14] expected 0.1, got 0.05" in v.message
    assert "one epoch too early" in v.message


def test_early_stopping_reference_agrees_with_the_library_class():
    rng = np.random.default_rng(0)
    for _ in range(50):
        losses = list(1 / (1 + np.arange(30)) + 0.05 * rng.random(30))
        patience, delta = int(rng.integers(1, 6)), float(rng.choice([0.0, 0.01]))
        stopper, stop = EarlyStopping(patience, delta), len(losses)
        for epoch, loss in enumerate(losses, 1):
            if stopper.step(loss, epoch):
                stop = epoch
                break
        assert _early_stopping_reference(losses, patience, delta) == (stopper.best_epoch, stop)


def test_ignoring_min_delta_is_named():
    v = checks.run("10.early_stopping", lambda l, p, d: _early_stopping_reference(l, p, 0.0), seed=0)
    assert "expected (best_epoch, stop_epoch) = (3, 5), got (4, 6)" in v.message
    assert "min_delta" in v.message


def test_train_epoch_reference_passes_and_forgotten_steps_are_named():
    torch.set_num_threads(1)
    assert checks.run("10.train_epoch", train_epoch, seed=0).passed
    no_zero = checks.run("10.train_epoch", _epoch_without_zero_grad, seed=0)
    assert "zero_grad" in no_zero.message
    nothing = checks.run("10.train_epoch", lambda m, b, o, l: 0.0, seed=0)
    assert "the mean loss of the epoch: expected" in nothing.message and "optimizer.step()" in nothing.message


def test_accuracy_check_fails_an_untrained_model_with_advice():
    v = checks.run("10.accuracy", lambda seed: torch.nn.Linear(64, 10), seed=0)
    assert not v.passed and "below the target 95%" in v.message and "Hint:" in v.message
    bad = checks.run("10.accuracy", lambda seed: "a model", seed=0)
    assert "must return the trained torch model" in bad.message
