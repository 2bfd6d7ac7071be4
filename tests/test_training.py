"""dlcourse.training: the loop equals the hand-written one, early stopping restores the best weights."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from dlcourse import data, seed_everything  # noqa: E402
from dlcourse.training import EarlyStopping, evaluate, fit, train_epoch  # noqa: E402


def _setup(seed=0):
    seed_everything(seed)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    train, val, test = data.digits_loaders(batch_size=64, seed=seed)
    return model, train, val, test


def test_train_epoch_equals_the_hand_written_loop():
    model, train, _, _ = _setup()
    twin = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    twin.load_state_dict(model.state_dict())
    opt_a = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt_b = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    batches = list(train)
    mean_loss = train_epoch(model, batches, opt_a)
    losses = []
    for X, y in batches:
        loss = nn.functional.cross_entropy(twin(X), y)
        opt_b.zero_grad()
        loss.backward()
        opt_b.step()
        losses.append(loss.item() * len(y))
    assert mean_loss == pytest.approx(sum(losses) / sum(len(y) for _, y in batches), rel=1e-12)
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


def test_fit_reaches_95_percent_on_digits_and_restores_the_best_epoch():
    model, train, val, test = _setup()
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    hist = fit(model, train, val, opt, epochs=60, patience=5, progress=False)
    assert hist.stopped_early and hist.epochs < 60
    assert hist.best_epoch == hist.epochs - 5
    best_val = min(hist.val_loss)
    assert hist.val_loss[hist.best_epoch - 1] == best_val
    assert evaluate(model, val)[0] == pytest.approx(best_val, rel=1e-6)  # the best weights are back
    assert evaluate(model, test)[1] >= 0.95


def test_epoch_scheduler_and_plateau_scheduler_are_stepped():
    model, train, val, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    hist = fit(model, train, val, opt, epochs=4, progress=False,
               scheduler=torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5))
    assert hist.lr == pytest.approx([0.1, 0.1, 0.05, 0.05])
    opt = torch.optim.SGD(model.parameters(), lr=1e-6)  # almost no progress: a plateau
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=1)
    hist = fit(model, train, val, opt, epochs=5, progress=False, scheduler=plateau)
    assert hist.lr[-1] < 1e-6


def test_early_stopping_counts_epochs_without_improvement():
    stopper = EarlyStopping(patience=2, min_delta=0.01)
    decisions = [stopper.step(loss, epoch) for epoch, loss in enumerate([1.0, 0.9, 0.895, 0.95, 0.5], 1)]
    assert decisions == [False, False, False, True, False]
    assert stopper.best_epoch == 5 and stopper.best == 0.5


def test_log_every_prints_deterministic_lines(capsys):
    model, train, val, _ = _setup()
    fit(model, train, val, torch.optim.Adam(model.parameters(), 1e-3), epochs=2, progress=False, log_every=1)
    lines = capsys.readouterr().out.splitlines()
    assert [line[:10] for line in lines] == ["epoch   1:", "epoch   2:"]


@pytest.mark.parametrize("kwargs, message", [({"epochs": 0}, "epochs"), ({"epochs": 2, "patience": 0}, "patience")])
def test_bad_arguments_are_refused(kwargs, message):
    model, train, val, _ = _setup()
    with pytest.raises(ValueError, match=message):
        fit(model, train, val, torch.optim.SGD(model.parameters(), 0.1), progress=False, **kwargs)


def test_a_non_finite_loss_is_reported_not_hidden():
    model, _, val, _ = _setup()
    X, y = next(iter(val))
    poisoned = [(X.clone().fill_(float("inf")), y)]
    with pytest.raises(FloatingPointError, match="learning rate"):
        fit(model, poisoned, val, torch.optim.SGD(model.parameters(), lr=0.1), epochs=1, progress=False)


def test_feedforward_has_the_lecture_widths_and_computes_relu_layers():
    from dlcourse.training import FeedForward

    net = FeedForward(64, 10)
    assert [(l.in_features, l.out_features) for l in net.layers] == [(64, 10), (10, 20), (20, 15), (15, 10)]
    x = torch.randn(3, 64)
    h = x
    for layer in net.layers[:-1]:
        h = torch.clamp(h @ layer.weight.T + layer.bias, min=0)
    torch.testing.assert_close(net(x), h @ net.layers[-1].weight.T + net.layers[-1].bias)
    with pytest.raises(ValueError, match="positive ints"):
        FeedForward(64, 10, hidden=(0,))
