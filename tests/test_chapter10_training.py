"""Chapter 10's claims: the wide network reaches 95 % test accuracy with the chapter's recipe."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from dlcourse import data, seed_everything  # noqa: E402
from dlcourse.training import FeedForward, evaluate, fit  # noqa: E402


def _run(hidden, epochs, patience=None):
    seed_everything(0)
    torch.set_num_threads(1)
    train, val, test = data.digits_loaders(batch_size=64, seed=0)
    net = FeedForward(64, 10, hidden)
    hist = fit(net, train, val, torch.optim.Adam(net.parameters(), lr=0.005), epochs,
               patience=patience, progress=False)
    return net, hist, val, test


def test_wide_network_with_early_stopping_reaches_95_percent_on_the_test_set():
    net, hist, _, test = _run((64, 64, 32), 100, patience=8)
    assert hist.stopped_early
    assert evaluate(net, test)[1] >= 0.95


def test_lecture_network_is_narrower_and_less_accurate_than_the_wide_one():
    narrow, _, val, _ = _run((10, 20, 15), 40)
    wide, _, _, _ = _run((64, 64, 32), 40)
    assert sum(p.numel() for p in narrow.parameters()) < sum(p.numel() for p in wide.parameters()) / 5
    assert evaluate(narrow, val)[1] < evaluate(wide, val)[1]


# ----------------------------------------------------------------- what the text says
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from dlcourse import schedules  # noqa: E402
from dlcourse.training import EarlyStopping  # noqa: E402

CHAPTER = (Path(__file__).resolve().parents[1] / "chapters" / "10_training.md").read_text()


def test_reduce_on_plateau_with_patience_3_cuts_after_the_fourth_flat_epoch_in_torch_and_dlcourse():
    # epoch 1 sets the best loss; epochs 2, 3, 4, 5, … do not improve on it
    losses = [1.0] + [1.5] * 8
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=3)
    ours = schedules.ReduceOnPlateau(0.1, factor=0.1, patience=3)
    torch_lrs, our_lrs = [], []
    for loss in losses:
        opt.step()
        theirs.step(loss)
        torch_lrs.append(opt.param_groups[0]["lr"])
        our_lrs.append(ours.step(loss))
    assert our_lrs == torch_lrs
    after_flat = torch_lrs[1:]  # the rate after the 1st, 2nd, … non-improving epoch
    assert after_flat[:3] == [0.1, 0.1, 0.1] and after_flat[3] == pytest.approx(0.01, rel=1e-15)
    assert "cuts on the fourth" in " ".join(CHAPTER.split())


def test_early_stopping_with_patience_3_stops_on_the_third_flat_epoch():
    stopper = EarlyStopping(3)
    assert [stopper.step(loss, epoch) for epoch, loss in enumerate([1.0, 1.5, 1.5, 1.5], 1)] == [
        False, False, False, True]


def test_learning_rate_sweep_spans_three_orders_of_magnitude_in_seven_rates():
    line = next(l for l in CHAPTER.splitlines() if l.startswith("lrs = np.logspace("))
    lrs = eval(line.split("=", 1)[1], {"np": np})
    assert len(lrs) == 7
    assert np.log10(lrs[-1] / lrs[0]) == pytest.approx(3.0, abs=1e-12)
    assert "three orders of magnitude" in " ".join(CHAPTER.split())


def test_training_loop_summary_counts_its_six_steps():
    summary = " ".join(CHAPTER.split())
    steps = summary.split("the same six steps:")[1].split(";")[0]
    assert len([s for s in steps.split(",") if s.strip()]) == 6


def test_the_schedule_table_names_the_torch_namesake_of_every_schedule_class():
    import inspect
    import re

    table = [line for line in CHAPTER.splitlines() if line.startswith("| ")]
    named_in_table = {name for line in table for name in re.findall(r"`(\w+)`\s*\|$", line)}
    namesakes = set()
    for name in schedules.__all__:
        cls = getattr(schedules, name)
        if inspect.isclass(cls) and cls is not schedules.Schedule:
            found = re.findall(r"``(\w+(?:LR|Restarts|Plateau))``", cls.__doc__ or "")
            namesakes |= {found[0]} if found else set()
            # every torch namesake is a real torch scheduler
            assert not found or hasattr(torch.optim.lr_scheduler, found[0]), (name, found)
    namesakes.add("LambdaLR")  # the inverse-time row: torch has no class of its own for it
    assert len(namesakes) >= 12 and namesakes == named_in_table, (namesakes ^ named_in_table)
