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
