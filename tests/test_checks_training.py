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


# ----------------------------------------------------------------- requirements and rules
def test_early_stopping_has_ties_and_fails_an_answer_that_lets_them_improve():
    from dlcourse.checks.training import _early_variant

    cases = checks.get("10.early_stopping").cases(np.random.default_rng(0))
    assert any(len(set(c.args[0])) < len(c.args[0]) and c.args[2] == 0 for c in cases)
    v = checks.run("10.early_stopping", lambda l, p, d: _early_variant(l, p, d, ties=True), seed=0)
    assert not v.passed and "(use <, not <=)" in v.message


def test_random_min_delta_never_sits_on_the_grid_of_the_losses():
    for seed in range(30):
        for c in checks.get("10.early_stopping").cases(np.random.default_rng(seed))[4:]:
            losses, _, delta = c.args
            gaps = np.abs(np.subtract.outer(losses, losses)).ravel()
            assert delta == 0 or np.min(np.abs(gaps - delta)) > 1e-6


def test_train_epoch_batches_differ_in_size_and_an_unweighted_mean_fails():
    from dlcourse.checks.training import _epoch_unweighted

    torch.set_num_threads(1)
    assert all(len(set(c.args[1])) > 1 for c in checks.get("10.train_epoch").cases(np.random.default_rng(0)))
    v = checks.run("10.train_epoch", _epoch_unweighted, seed=0)
    assert not v.passed and "weight each batch's loss by its number of samples" in v.message


def test_train_epoch_accepts_a_loss_total_kept_in_a_float32_tensor():
    def float32_total(model, batches, optimizer, loss_fn):
        total, n = torch.zeros(()), 0
        for X, y in batches:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(y)
            n += len(y)
        return total / n

    torch.set_num_threads(1)
    assert checks.run("10.train_epoch", float32_total, seed=0).passed


def test_plateau_reference_matches_torch_and_a_cut_one_epoch_early_is_named():
    from dlcourse.checks.training import _plateau_reference, _plateau_variant

    losses = [1.0, 0.9, 0.9, 0.95, 0.9, 0.8, 0.85, 0.85, 0.85, 0.86, 0.9]
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, threshold=0.0,
                                                       threshold_mode="abs", eps=0.0)
    theirs = []
    for loss in losses:
        sched.step(loss)
        theirs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(_plateau_reference(losses, 0.1, 2, 0.5), theirs)
    v = checks.run("10.plateau", lambda *a: _plateau_variant(*a, early=True), seed=0)
    assert "one epoch early" in v.message


def _small_train_digits(use_test=False, use_val=True):
    from dlcourse import data

    def train_digits(seed):
        torch.manual_seed(seed)
        train, val, test = data.digits_loaders(batch_size=64, seed=seed)
        model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        opt = torch.optim.Adam(model.parameters(), lr=0.005)
        for _ in range(10):
            for loader in ([train, test] if use_test else [train]):
                train_epoch(model, loader, opt)
            if use_val:
                with torch.no_grad():
                    sum(torch.nn.functional.cross_entropy(model(X), y).item() for X, y in val)
        return model

    return train_digits


def test_accuracy_fails_training_on_the_test_split_and_ignoring_validation():
    torch.set_num_threads(1)
    assert checks.run("10.accuracy", _small_train_digits(), seed=0).passed
    v = checks.run("10.accuracy", _small_train_digits(use_test=True), seed=0)
    assert not v.passed and "used the test split (the test loader of data.digits_loaders)" in v.message
    v = checks.run("10.accuracy", _small_train_digits(use_val=False), seed=0)
    assert not v.passed and "never read the validation loader" in v.message


def test_the_data_functions_are_restored_after_a_watched_call():
    from dlcourse import data

    before = (data.digits, data.digits_split, data.digits_loaders)

    def crashes(seed):
        data.digits_loaders(seed=seed)
        raise RuntimeError("boom")

    v = checks.run("10.accuracy", crashes, seed=0)
    assert "raised RuntimeError: boom" in v.message
    assert (data.digits, data.digits_split, data.digits_loaders) == before


def test_a_watched_loader_can_be_copied_and_still_iterates():
    import copy

    from dlcourse import data
    from dlcourse.checks.training import _Watch, _watching_data

    watch = _Watch()
    with _watching_data(watch):
        _, val, test = data.digits_loaders(seed=0)
        copied = copy.deepcopy(val)
    assert sum(len(y) for _, y in copied) == len(val.dataset) and watch.val and not watch.test


def test_early_stopping_best_loss_is_that_of_the_last_improving_epoch():
    from dlcourse.checks.training import _early_variant

    for seed in (0, 1):
        v = checks.run("10.early_stopping", lambda l, p, d: _early_variant(l, p, d, running_min=True), seed=seed)
        assert not v.passed and "the loss of the last improving epoch" in v.message


def test_train_epoch_gets_a_data_loader_whose_dataset_counts_the_samples():
    def per_dataset(model, batches, optimizer, loss_fn):
        total = 0.0
        for X, y in batches:
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        return total / len(batches.dataset)

    assert checks.run("10.train_epoch", per_dataset, seed=0).passed
