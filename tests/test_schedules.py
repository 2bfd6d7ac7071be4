"""dlcourse.schedules: each schedule equals its torch.optim.lr_scheduler namesake (chapter 10)."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import schedules as S
from dlcourse.optim import minimize

STEPS = 300


def torch_rates(make_scheduler, lr, steps=STEPS):
    """The learning rate torch uses at steps 0 … steps − 1."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


def same(ours, theirs, tol=1e-12):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    return float(np.max(np.abs(ours - theirs) / np.maximum(1.0, np.abs(theirs)))) <= tol


lr_scheduler = torch.optim.lr_scheduler

CASES = [
    (S.StepDecay(0.1, step_size=30), lambda o: lr_scheduler.StepLR(o, step_size=30)),
    (S.StepDecay(0.5, step_size=7, gamma=0.8),
     lambda o: lr_scheduler.StepLR(o, step_size=7, gamma=0.8)),
    (S.ExponentialDecay(0.1, gamma=0.98), lambda o: lr_scheduler.ExponentialLR(o, gamma=0.98)),
    (S.InverseTimeDecay(0.5, k=0.1),
     lambda o: lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t))),
    (S.CosineAnnealing(0.1, T_max=100), lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=100)),
    (S.CosineAnnealing(0.1, T_max=37, eta_min=0.01),
     lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=37, eta_min=0.01)),
    (S.CosineWarmRestarts(0.1, T_0=10, T_mult=2, eta_min=1e-3),
     lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3)),
    (S.CosineWarmRestarts(0.1, T_0=25),
     lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=25)),
    (S.Cyclic(0.001, 0.1, step_size_up=20),
     lambda o: lr_scheduler.CyclicLR(o, 0.001, 0.1, step_size_up=20, cycle_momentum=False)),
    (S.Cyclic(0.001, 0.1, step_size_up=10, step_size_down=30, mode="triangular2"),
     lambda o: lr_scheduler.CyclicLR(o, 0.001, 0.1, step_size_up=10, step_size_down=30,
                                     mode="triangular2", cycle_momentum=False)),
    (S.Cyclic(0.01, 0.2, step_size_up=15, mode="exp_range", gamma=0.995),
     lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.2, step_size_up=15, mode="exp_range",
                                     gamma=0.995, cycle_momentum=False)),
]


@pytest.mark.parametrize("ours, theirs", CASES, ids=[repr(c[0]) for c in CASES])
def test_schedule_matches_torch_step_by_step_for_300_steps(ours, theirs):
    lr0 = getattr(ours, "lr", getattr(ours, "base_lr", None))
    expected = torch_rates(theirs, lr0)
    assert len(set(expected.round(12))) > 5  # the rate really changes
    assert same(ours.values(STEPS), expected)
    assert ours(STEPS - 1) == ours.values(STEPS)[-1]


def test_step_decay_divides_by_ten_every_30_epochs():
    s = S.StepDecay(0.1, step_size=30)
    assert [s(t) for t in (0, 29, 30, 59, 60)] == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.001],
                                                                rel=1e-15)


def test_cosine_reaches_eta_min_at_T_max_and_half_way_at_T_max_over_2():
    s = S.CosineAnnealing(0.1, T_max=50, eta_min=0.02)
    assert s(0) == 0.1 and s(50) == pytest.approx(0.02, abs=1e-17)
    assert s(25) == pytest.approx(0.06, abs=1e-16)


def test_warm_restart_jumps_back_to_the_initial_rate():
    s = S.CosineWarmRestarts(0.1, T_0=10, T_mult=2)
    assert s(9) < 0.003 and s(10) == 0.1 and s(30) == 0.1 and s(29) < 0.001


def test_triangular_cycle_peaks_at_max_after_step_size_up():
    s = S.Cyclic(0.001, 0.006, step_size_up=4)
    assert s.values(9).tolist() == pytest.approx(
        [0.001, 0.00225, 0.0035, 0.00475, 0.006, 0.00475, 0.0035, 0.00225, 0.001], abs=1e-17)
    halved = S.Cyclic(0.0, 1.0, step_size_up=4, mode="triangular2")
    assert [halved(4), halved(12), halved(20)] == [1.0, 0.5, 0.25]


def test_inverse_time_rate_is_eta0_over_one_plus_kt():
    s = S.InverseTimeDecay(1.0, k=0.5)
    assert s.values(4).tolist() == [1.0, 1 / 1.5, 0.5, 1 / 2.5]


@pytest.mark.parametrize(
    "kwargs",
    [dict(), dict(mode="max"), dict(threshold_mode="abs", threshold=0.05),
     dict(mode="max", threshold_mode="abs", threshold=0.01, patience=3, cooldown=2),
     dict(patience=2, factor=0.5, min_lr=0.02, cooldown=1), dict(patience=0, eps=0.05)],
)
def test_reduce_on_plateau_matches_torch_on_a_noisy_loss_curve(kwargs):
    rng = np.random.default_rng(1)
    # a loss that falls, then plateaus with noise, then falls again
    curve = np.concatenate([np.linspace(2, 1, 40), 1 + 0.01 * rng.standard_normal(80),
                            np.linspace(1, 0.5, 40), 0.5 + 0.02 * rng.standard_normal(80)])
    if kwargs.get("mode") == "max":
        curve = -curve
    ours = S.ReduceOnPlateau(0.1, **kwargs)
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    theirs = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    ours_lrs, their_lrs = [], []
    for value in curve:
        opt.step()
        theirs.step(float(value))
        ours_lrs.append(ours.step(float(value)))
        their_lrs.append(opt.param_groups[0]["lr"])
    assert ours_lrs == their_lrs  # exactly: the same comparisons and products
    assert min(ours_lrs) < 0.1  # it did reduce


def test_reduce_on_plateau_divides_by_ten_on_the_eleventh_flat_epoch():
    s = S.ReduceOnPlateau(1.0)
    rates = [s.step(5.0) for _ in range(12)]
    assert rates[:11] == [1.0] * 11  # epoch 1 sets best = 5; 10 flat epochs are tolerated
    assert rates[11] == pytest.approx(0.1, rel=1e-15) and s.num_bad_epochs == 0


def test_schedules_drive_minimize():
    # f = w²/2, w ← (1 − η_t) w
    s = S.ExponentialDecay(0.5, gamma=0.9)
    run = minimize(lambda w: 0.5 * w[0] ** 2, [1.0], steps=5, grad=lambda w: w, lr=s)
    assert run.path[:, 0] == pytest.approx(np.cumprod([1.0] + [1 - s(t) for t in range(5)]),
                                           rel=1e-15)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: S.StepDecay(-0.1, 10), ValueError, r"lr must lie in \[0.0, inf\], got -0.1"),
        (lambda: S.StepDecay(0.1, 0), ValueError, "step_size must be at least 1, got 0"),
        (lambda: S.StepDecay(0.1, 2.5), TypeError, "step_size must be an int, got float"),
        (lambda: S.ExponentialDecay(0.1, gamma=0.0), ValueError, "gamma must lie in"),
        (lambda: S.ExponentialDecay(float("nan"), 0.9), ValueError, "lr must lie in"),
        (lambda: S.InverseTimeDecay(0.1, k=-1), ValueError, "k must lie in"),
        (lambda: S.CosineAnnealing(0.1, T_max=0), ValueError, "T_max must be at least 1"),
        (lambda: S.CosineWarmRestarts(0.1, T_0=10, T_mult=0), ValueError, "T_mult must be at"),
        (lambda: S.Cyclic(0.1, 1.0, mode="sine"), ValueError, "Unknown cyclic mode 'sine';"),
        (lambda: S.ReduceOnPlateau(0.1, factor=1.0), ValueError, r"factor must lie in \(0.0, 1"),
        (lambda: S.ReduceOnPlateau(0.1, mode="lowest"), ValueError, "Unknown mode 'lowest'"),
        (lambda: S.ReduceOnPlateau(0.1, threshold_mode="pct"), ValueError, "threshold_mode 'pct'"),
        (lambda: S.ReduceOnPlateau(0.1).step(float("nan")), ValueError, "metric must lie in"),
        (lambda: S.StepDecay(0.1, 10)(-1), ValueError, "the step t must be at least 0"),
        (lambda: S.StepDecay(0.1, 10)(1.5), TypeError, "the step t must be an int"),
        (lambda: S.StepDecay("0.1", 10), TypeError, "lr must be a real number, got str"),
    ],
)
def test_bad_arguments_are_refused_with_the_argument_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_import_schedules_loads_numpy_only():
    code = "import sys, dlcourse.schedules; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


lrs = st.floats(1e-4, 1.0)


@settings(max_examples=30, deadline=None)
@given(lr=lrs, frac=st.floats(0.0, 1.0), T_max=st.integers(1, 60), t=st.integers(0, 500))
def test_cosine_stays_between_eta_min_and_eta0(lr, frac, T_max, t):
    s = S.CosineAnnealing(lr, T_max=T_max, eta_min=lr * frac)
    assert lr * frac - 1e-15 <= s(t) <= lr + 1e-15
    assert s(t) == s(t + 2 * T_max)  # period 2 T_max


@settings(max_examples=30, deadline=None)
@given(base=lrs, span=lrs, up=st.integers(1, 30), down=st.integers(1, 30), t=st.integers(0, 500))
def test_triangular_cycle_stays_within_bounds_and_repeats(base, span, up, down, t):
    s = S.Cyclic(base, base + span, step_size_up=up, step_size_down=down)
    assert base <= s(t) <= base + span + 1e-15
    assert s(t) == s(t + up + down)
    assert s((t // (up + down)) * (up + down) + up) == pytest.approx(base + span, rel=1e-15)


@settings(max_examples=20, deadline=None)
@given(lr=lrs, step_size=st.integers(1, 20), gamma=st.floats(0.1, 0.99))
def test_step_decay_matches_torch_for_any_arguments(lr, step_size, gamma):
    expected = torch_rates(lambda o: lr_scheduler.StepLR(o, step_size, gamma), lr, steps=100)
    assert same(S.StepDecay(lr, step_size, gamma).values(100), expected)
    assert math.isclose(S.StepDecay(lr, step_size, gamma)(99),
                        lr * gamma ** (99 // step_size), rel_tol=1e-15)
