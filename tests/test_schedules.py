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


# ------------------------------------------------------------------ the schedules torch users reach for
NEW_CASES = [
    (0.1, S.LinearWarmup(0.1), lambda o: lr_scheduler.LinearLR(o)),
    (0.1, S.LinearWarmup(0.1, start_factor=0.01, total_iters=40),
     lambda o: lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=40)),
    (0.1, S.LinearWarmup(0.1, start_factor=1.0, end_factor=0.05, total_iters=100),
     lambda o: lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.05, total_iters=100)),
    (0.1, S.MultiStepDecay(0.1, [30, 80, 80, 150], gamma=0.5),
     lambda o: lr_scheduler.MultiStepLR(o, [30, 80, 80, 150], gamma=0.5)),
    (0.1, S.PolynomialDecay(0.1, total_iters=250, power=0.9),
     lambda o: lr_scheduler.PolynomialLR(o, total_iters=250, power=0.9)),
    (0.1, S.PolynomialDecay(0.1, total_iters=100, power=2.0),
     lambda o: lr_scheduler.PolynomialLR(o, total_iters=100, power=2.0)),
    (0.1, S.OneCycle(0.1, total_steps=STEPS), lambda o: lr_scheduler.OneCycleLR(o, 0.1, STEPS)),
    (0.1, S.OneCycle(0.1, total_steps=STEPS + 1, pct_start=0.25, anneal_strategy="linear",
                     three_phase=True),
     lambda o: lr_scheduler.OneCycleLR(o, 0.1, STEPS + 1, pct_start=0.25, anneal_strategy="linear",
                                       three_phase=True)),
    (0.05, S.OneCycle(0.05, total_steps=STEPS, div_factor=10.0, final_div_factor=100.0,
                      three_phase=True),
     lambda o: lr_scheduler.OneCycleLR(o, 0.05, STEPS, div_factor=10.0, final_div_factor=100.0,
                                       three_phase=True, cycle_momentum=False)),
    (0.1, S.Sequential([S.LinearWarmup(0.1, 0.01, total_iters=10), S.CosineAnnealing(0.1, 90)], [10]),
     lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, 0.01, total_iters=10),
                                             lr_scheduler.CosineAnnealingLR(o, 90)], [10])),
    (0.1, S.Sequential([S.LinearWarmup(0.1, 0.1, total_iters=5), S.StepDecay(0.1, 20, 0.5),
                        S.ExponentialDecay(0.1, 0.99)], [5, 105]),
     lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, 0.1, total_iters=5),
                                             lr_scheduler.StepLR(o, 20, 0.5),
                                             lr_scheduler.ExponentialLR(o, 0.99)], [5, 105])),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # SequentialLR steps its parts with an epoch
@pytest.mark.parametrize("lr0, ours, theirs", NEW_CASES, ids=[repr(c[1]) for c in NEW_CASES])
def test_new_schedule_matches_torch_step_by_step_to_1e_12_for_300_steps(lr0, ours, theirs):
    expected = torch_rates(theirs, lr0)
    assert len(set(expected.round(12))) > 3  # the rate really changes
    assert same(ours.values(STEPS), expected)
    assert "chapter 10" in type(ours).__doc__.lower()


@settings(max_examples=25, deadline=None)
@given(lr=lrs, steps=st.integers(20, 200), pct=st.floats(0.1, 0.9), three=st.booleans(),
       linear=st.booleans(), div=st.floats(2.0, 100.0))
def test_one_cycle_matches_torch_for_any_arguments(lr, steps, pct, three, linear, div):
    # phases of at least one step (torch divides by zero otherwise); three phases need p < 1/2
    pct = pct / 2 if three else pct
    strategy = "linear" if linear else "cos"
    expected = torch_rates(lambda o: lr_scheduler.OneCycleLR(
        o, lr, steps, pct_start=pct, anneal_strategy=strategy, div_factor=div, three_phase=three),
        lr, steps=steps)
    ours = S.OneCycle(lr, steps, pct_start=pct, anneal_strategy=strategy, div_factor=div,
                      three_phase=three)
    assert same(ours.values(steps), expected)
    assert max(expected) <= lr * (1 + 1e-12)


@settings(max_examples=25, deadline=None)
@given(lr=lrs, start=st.floats(0.01, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 80),
       power=st.floats(0.1, 3.0), milestones=st.lists(st.integers(0, 120), max_size=5))
def test_linear_polynomial_and_multistep_match_torch_for_any_arguments(lr, start, end, total, power,
                                                                       milestones):
    for ours, theirs in [
        (S.LinearWarmup(lr, start, end, total), lambda o: lr_scheduler.LinearLR(o, start, end, total)),
        (S.PolynomialDecay(lr, total, power), lambda o: lr_scheduler.PolynomialLR(o, total, power)),
        (S.MultiStepDecay(lr, milestones, 0.7), lambda o: lr_scheduler.MultiStepLR(o, milestones, 0.7)),
    ]:
        assert same(ours.values(150), torch_rates(theirs, lr, steps=150))


def test_one_cycle_starts_at_max_over_25_peaks_at_max_and_ends_at_max_over_250000():
    s = S.OneCycle(0.1, total_steps=100)
    assert s(0) == pytest.approx(0.004, rel=1e-15) and s(29) == pytest.approx(0.1, rel=1e-15)
    assert s(99) == pytest.approx(0.1 / 25 / 1e4, rel=1e-12)
    with pytest.raises(ValueError, match="past the end of the cycle"):
        s(101)


def test_warmup_then_cosine_restarts_the_count_at_the_milestone():
    s = S.Sequential([S.LinearWarmup(0.1, 0.1, total_iters=4), S.CosineAnnealing(0.1, T_max=10)], [4])
    assert s.values(5).tolist() == pytest.approx([0.01, 0.0325, 0.055, 0.0775, 0.1], rel=1e-14)
    assert s(14) == pytest.approx(0.0, abs=1e-17)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: S.LinearWarmup(0.1, start_factor=0.0), ValueError, r"start_factor must lie in \(0.0, 1.0\]"),
        (lambda: S.LinearWarmup(0.1, end_factor=1.5), ValueError, "end_factor must lie in"),
        (lambda: S.LinearWarmup(0.1, total_iters=0), ValueError, "total_iters must be at least 1"),
        (lambda: S.MultiStepDecay(0.1, [10, -1]), ValueError, "a milestone must be at least 0"),
        (lambda: S.MultiStepDecay(0.1, 10), TypeError, "milestones must be a list of ints"),
        (lambda: S.PolynomialDecay(0.1, power=-1.0), ValueError, "power must lie in"),
        (lambda: S.OneCycle(0.1, 0), ValueError, "total_steps must be at least 1"),
        (lambda: S.OneCycle(0.1, 100, pct_start=1.5), ValueError, "pct_start must lie in"),
        (lambda: S.OneCycle(0.1, 100, anneal_strategy="cosine"), ValueError, "Unknown anneal_strategy 'cosine'"),
        (lambda: S.OneCycle(0.1, 10, pct_start=0.1)(0), ValueError, "phase 1 of the cycle has no steps"),
        (lambda: S.Sequential([S.StepDecay(0.1, 5), S.ReduceOnPlateau(0.1)], [5]), TypeError,
         r"schedules\[1\] is a ReduceOnPlateau"),
        (lambda: S.Sequential([S.StepDecay(0.1, 5), S.StepDecay(0.1, 5)], []), ValueError,
         "one milestone fewer than schedules: got 2 schedules and 0 milestones"),
        (lambda: S.Sequential([S.StepDecay(0.1, 5)] * 3, [10, 10]), ValueError, "increase strictly"),
        (lambda: S.Sequential([S.StepDecay(0.1, 5), lambda t: 0.1], [5]), TypeError,
         r"schedules\[1\] must be a schedule"),
    ],
)
def test_new_schedules_refuse_bad_arguments_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ------------------------------------------------------------------ ReduceOnPlateau takes tensors
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True:UserWarning")
def test_reduce_on_plateau_takes_0d_tensors_and_arrays_like_torch():
    curve = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]
    as_given = [torch.tensor(curve[0]), np.float32(curve[1]), np.array(curve[2]),
                torch.tensor([curve[3]]), torch.tensor(curve[4], dtype=torch.float64, requires_grad=True)]
    as_given += [torch.tensor(v) for v in curve[5:]]
    ours = S.ReduceOnPlateau(0.1, patience=2)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    theirs = lr_scheduler.ReduceLROnPlateau(opt, patience=2)
    ours_lrs, their_lrs = [], []
    for value in as_given:
        opt.step()
        theirs.step(value)
        ours_lrs.append(ours.step(value))
        their_lrs.append(opt.param_groups[0]["lr"])
    assert ours_lrs == their_lrs and min(ours_lrs) < 0.1
    assert ours.get_last_lr() == [ours_lrs[-1]]


@pytest.mark.parametrize(
    "metric, error, message",
    [(torch.tensor([1.0, 2.0]), ValueError, r"single number .* got shape \(2,\)"),
     (np.ones((2, 2)), ValueError, r"got shape \(2, 2\)"),
     (torch.tensor(True), TypeError, "must hold a real number, got bool"),
     (np.array(1 + 2j), TypeError, "must hold a real number, got complex"),
     ("0.5", TypeError, "metric must be a real number, got str"),
     (torch.tensor(float("nan")), ValueError, "metric must lie in")],
)
def test_reduce_on_plateau_refuses_metrics_that_are_not_one_real_number(metric, error, message):
    with pytest.raises(error, match=message):
        S.ReduceOnPlateau(0.1).step(metric)


# ------------------------------------------------------------------ state_dict / load_state_dict
ALL_SCHEDULES = [c[0] for c in CASES] + [c[1] for c in NEW_CASES]


@pytest.mark.parametrize("schedule", ALL_SCHEDULES, ids=[repr(s) for s in ALL_SCHEDULES])
def test_state_dict_round_trip_through_json_and_torch_save(schedule, tmp_path):
    import json

    state = schedule.state_dict()
    assert state["schedule"] == type(schedule).__name__
    again = json.loads(json.dumps(state))
    rebuilt = S.from_state_dict(again)
    assert type(rebuilt) is type(schedule) and rebuilt == schedule
    assert rebuilt.values(STEPS).tolist() == schedule.values(STEPS).tolist()
    torch.save(state, tmp_path / "schedule.pt")
    loaded = torch.load(tmp_path / "schedule.pt", weights_only=True)
    # load into a schedule of the same class with other hyper-parameters: it takes them over
    other = S.from_state_dict(loaded)
    other.load_state_dict(loaded)
    assert other.values(STEPS).tolist() == schedule.values(STEPS).tolist()


def test_load_state_dict_replaces_the_hyper_parameters_in_place():
    s = S.StepDecay(0.5, step_size=3)
    s.load_state_dict(S.StepDecay(0.1, step_size=30, gamma=0.2).state_dict())
    assert (s.lr, s.step_size, s.gamma) == (0.1, 30, 0.2) and s(30) == pytest.approx(0.02)
    seq = S.Sequential([S.StepDecay(0.1, 5)], [])
    seq.load_state_dict(NEW_CASES[-1][1].state_dict())
    assert seq == NEW_CASES[-1][1]


def test_reduce_on_plateau_resumed_from_its_state_dict_continues_exactly():
    rng = np.random.default_rng(3)
    curve = np.concatenate([np.linspace(2, 1, 10), 1 + 0.01 * rng.standard_normal(60)])
    whole = S.ReduceOnPlateau(0.1, patience=2, cooldown=1, factor=0.5)
    first = S.ReduceOnPlateau(0.1, patience=2, cooldown=1, factor=0.5)
    expected = [whole.step(float(v)) for v in curve]
    got = [first.step(float(v)) for v in curve[:25]]
    state = first.state_dict()
    assert state["num_bad_epochs"] == first.num_bad_epochs and state["best"] == first.best
    resumed = S.ReduceOnPlateau(1.0)  # other hyper-parameters: the state replaces them
    resumed.load_state_dict(state)
    got += [resumed.step(float(v)) for v in curve[25:]]
    assert got == expected and min(expected) < 0.05


@pytest.mark.parametrize(
    "state, error, message",
    [
        ({"schedule": "StepLR", "lr": 0.1}, ValueError, "names no known schedule: 'schedule' is 'StepLR'"),
        ({"lr": 0.1, "step_size": 3, "gamma": 0.1}, ValueError, "names no known schedule"),
        ({"schedule": "StepDecay", "lr": 0.1}, ValueError, r"missing \['gamma', 'step_size'\]"),
        ({"schedule": "StepDecay", "lr": 0.1, "step_size": 3, "gamma": 0.1, "T_max": 5}, ValueError,
         r"unexpected \['T_max'\]"),
        ({"schedule": "StepDecay", "lr": -0.1, "step_size": 3, "gamma": 0.1}, ValueError, "lr must lie in"),
        ([("schedule", "StepDecay")], TypeError, "state_dict must be a dict, got list"),
    ],
)
def test_bad_state_dicts_are_refused_naming_the_problem(state, error, message):
    with pytest.raises(error, match=message):
        S.from_state_dict(state)


def test_loading_another_schedules_state_is_refused():
    with pytest.raises(ValueError, match="state_dict is for a ExponentialDecay, not a StepDecay"):
        S.StepDecay(0.1, 5).load_state_dict(S.ExponentialDecay(0.1, 0.9).state_dict())
    with pytest.raises(ValueError, match="not a ReduceOnPlateau"):
        S.ReduceOnPlateau(0.1).load_state_dict(S.ExponentialDecay(0.1, 0.9).state_dict())


# ------------------------------------------------------------------ the adapter to torch.optim
def test_as_torch_scheduler_drives_a_torch_optimizer_and_resumes_from_its_state(tmp_path):
    schedule = S.Sequential([S.LinearWarmup(0.1, 0.01, total_iters=10), S.OneCycle(0.1, 100)], [10])
    p = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p]}, {"params": [torch.zeros(1, requires_grad=True)]}], lr=0.1)
    sched = S.as_torch_scheduler(schedule, opt)
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
    rates = []
    for t in range(110):
        rates.append([g["lr"] for g in opt.param_groups])
        if t == 50:
            torch.save(sched.state_dict(), tmp_path / "sched.pt")
        opt.step()
        sched.step()
    assert [r[0] for r in rates] == schedule.values(110).tolist() == [r[1] for r in rates]
    # resume at step 51 in a fresh optimizer, with a Sequential of other hyper-parameters
    opt2 = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)
    sched2 = S.as_torch_scheduler(S.Sequential([S.StepDecay(1.0, 3)], []), opt2)
    sched2.load_state_dict(torch.load(tmp_path / "sched.pt", weights_only=True))
    opt2.step()
    sched2.step()
    assert opt2.param_groups[0]["lr"] == schedule(51) and sched2.schedule == schedule
    assert isinstance(sched, S.ScheduleLR)


def test_as_torch_scheduler_refuses_a_plateau_and_says_how_to_use_it():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match=r"got ReduceOnPlateau \(use it directly"):
        S.as_torch_scheduler(S.ReduceOnPlateau(0.1), opt)
