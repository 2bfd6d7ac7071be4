"""Chapter 7, *Stochastic and minibatch gradient descent*: every number the chapter prints."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from dlcourse import data, landscapes, optim, schedules
from dlcourse.checks.sgd import epoch_batches, minibatch_sgd

W_STAR = landscapes.FINITE_SUM.minimum[0]


def _regression():
    X, y = data.linear_regression(n=2000, w=[2.0, -3.4], b=4.2, noise=0.5, seed=0)
    return np.column_stack([X, np.ones(len(y))]), y


# ----------------------------------------------------------------- the worked step
def test_minibatch_gradient_of_batch_1_2_3_4_at_10_is_15_and_the_step_gives_8_5():
    g = landscapes.minibatch_grad(10.0, [1, 2, 3, 4])
    assert g == 15.0
    assert 10.0 - 0.1 * g == 8.5
    assert landscapes.minibatch_loss(10.0, [1, 2, 3, 4]) == 57.5


def test_batch_gradient_is_2w_minus_5_while_the_full_gradient_is_2w_minus_1001():
    for w in np.linspace(-50, 900, 7):
        assert landscapes.minibatch_grad(w, [1, 2, 3, 4]) == pytest.approx(2 * w - 5, abs=1e-12)
        assert landscapes.FINITE_SUM.grad(w) == pytest.approx(2 * w - 1001, abs=1e-12)
    assert landscapes.FINITE_SUM.grad(10.0) == -981.0
    assert W_STAR == 500.5


def test_the_quartic_misprint_would_give_354_5_instead_of_15():
    w = 10.0
    misprint = (2 * (w - 1) + 2 * (w - 2) + 4 * (w - 3) ** 3 + 2 * (w - 4)) / 4
    assert misprint == 354.5 != landscapes.minibatch_grad(w, [1, 2, 3, 4])


def test_the_misprints_gradient_354_5_and_15_are_gradients_the_steps_are_35_45_and_1_5():
    torch = pytest.importorskip("torch")
    w = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
    quartic = ((w - 1) ** 2 + (w - 2) ** 2 + (w - 3) ** 4 + (w - 4) ** 2) / 4
    (grad,) = torch.autograd.grad(quartic, w)
    eta = 0.1
    assert grad.item() == 354.5 and eta * grad.item() == pytest.approx(35.45, rel=1e-15)
    assert 10.0 - eta * grad.item() == pytest.approx(-25.45, rel=1e-15)
    g = landscapes.minibatch_grad(10.0, [1, 2, 3, 4])
    assert g == 15.0 and eta * g == pytest.approx(1.5, rel=1e-15)


def test_random_batches_of_4_average_to_the_full_gradient():
    rng = np.random.default_rng(0)
    estimates = [landscapes.minibatch_grad(10.0, rng.choice(np.arange(1, 1001), 4, replace=False))
                 for _ in range(20_000)]
    assert np.mean(estimates) == pytest.approx(-982.5, abs=0.05)
    assert np.std(estimates) == pytest.approx(286, abs=0.5)
    # the exact standard deviation: 2·sqrt(s²/4 · (N − 4)/(N − 1)) with s² = (N² − 1)/12
    assert 2 * math.sqrt((1000**2 - 1) / 12 / 4 * 996 / 999) == pytest.approx(288.2, abs=0.1)


# ----------------------------------------------------------------- unbiased, variance 1/b
def test_minibatch_gradient_is_unbiased_with_variance_sigma2_over_b_times_finite_population_factor():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(8, 3)) + np.array([1.0, -2.0, 0.5])       # per-example gradients, N = 8
    full = G.mean(axis=0)
    sigma2 = np.mean(np.sum((G - full) ** 2, axis=1))
    for b in range(1, 9):
        subsets = np.array([G[list(c)].mean(axis=0) for c in itertools.combinations(range(8), b)])
        np.testing.assert_allclose(subsets.mean(axis=0), full, atol=1e-14)
        variance = np.mean(np.sum((subsets - full) ** 2, axis=1))
        assert variance == pytest.approx(sigma2 / b * (8 - b) / 7, abs=1e-12)


def test_measured_variance_on_the_regression_matches_the_formula_and_halves_when_b_doubles():
    X, y = _regression()
    G = 2 * X * (X @ np.zeros(3) - y)[:, None]
    full = G.mean(axis=0)
    sigma2 = np.mean(np.sum((G - full) ** 2, axis=1))
    assert sigma2 == pytest.approx(377.6, abs=0.05)
    np.testing.assert_allclose(full, [-4.0519, 6.9143, -8.3703], atol=5e-5)
    rng = np.random.default_rng(0)
    measured = {}
    for b in (16, 32, 256):
        draws = np.array([G[rng.permutation(2000)[:b]].mean(axis=0) for _ in range(4000)])
        measured[b] = np.mean(np.sum((draws - full) ** 2, axis=1))
        assert measured[b] == pytest.approx(sigma2 / b * (2000 - b) / 1999, rel=0.08)
    assert measured[16] / measured[32] == pytest.approx(2 * 1984 / 1968, rel=0.1)


def test_replicated_data_step_with_eta_equals_step_with_k_eta_on_the_distinct_samples():
    M, K = 50, 20
    Xm, ym = data.linear_regression(n=M, w=[1.0, -2.0], b=0.5, noise=0.3, seed=1)
    Xm = np.column_stack([Xm, np.ones(M)])
    Xr, yr = np.tile(Xm, (K, 1)), np.tile(ym, K)
    grad = lambda w, X, y: 2 * X.T @ (X @ w - y)
    w0, eta = np.array([0.3, 0.2, -0.1]), 1e-4
    np.testing.assert_allclose(w0 - eta * grad(w0, Xr, yr), w0 - K * eta * grad(w0, Xm, ym), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(w0 - eta * grad(w0, Xr, yr), [0.3518, -0.1123, 0.0691], atol=5e-5)


# ----------------------------------------------------------------- epochs and iterations
def test_an_epoch_shuffles_and_partitions_10_examples_into_4_4_2():
    rng = np.random.default_rng(0)
    first, second = list(epoch_batches(10, 4, rng)), list(epoch_batches(10, 4, rng))
    assert [b.tolist() for b in first] == [[4, 6, 2, 7], [3, 5, 9, 0], [8, 1]]
    assert [b.tolist() for b in second] == [[2, 9, 3, 6], [0, 4, 8, 7], [5, 1]]
    loader = torch.utils.data.DataLoader(range(10), batch_size=4, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    batches = [b.tolist() for b in loader]
    assert [len(b) for b in batches] == [4, 4, 2] and sorted(sum(batches, [])) == list(range(10))


@pytest.mark.parametrize("b, per_epoch", [(1, 60000), (32, 1875), (128, 469), (1000, 60), (60000, 1)])
def test_an_epoch_of_60000_examples_takes_ceil_n_over_b_iterations(b, per_epoch):
    assert math.ceil(60_000 / b) == per_epoch
    assert sum(1 for _ in epoch_batches(60_000, b, np.random.default_rng(0))) == per_epoch


# ----------------------------------------------------------------- GD vs SGD, averaging
def test_gd_reaches_the_minimum_and_averaging_beats_the_last_sgd_iterate():
    bowl = landscapes.SGD_EXAMPLE
    assert bowl.f(np.array([-6.0, 8.0])) == 0.0
    gd = optim.minimize(bowl, (0.0, 0.0), "sgd", 100, lr=0.1)
    assert np.linalg.norm(gd.final - bowl.minimum) == pytest.approx(1.6e-9, rel=0.05)
    rng = np.random.default_rng(1)
    noisy = lambda x: bowl.grad(x) + np.array([2.5, 2.0]) * rng.normal(0.0, 2.0, size=2)
    sgd = optim.minimize(bowl, (0.0, 0.0), "sgd", 100, grad=noisy, lr=0.1)
    assert np.linalg.norm(sgd.final - bowl.minimum) == pytest.approx(1.120, abs=5e-4)
    assert np.linalg.norm(sgd.path[50:].mean(axis=0) - bowl.minimum) == pytest.approx(0.321, abs=5e-4)


def test_over_200_runs_the_averaged_iterate_is_about_8_times_closer():
    bowl = landscapes.SGD_EXAMPLE
    rng = np.random.default_rng(0)
    x, total = np.zeros((200, 2)), np.zeros((200, 2))
    for t in range(1, 101):
        x = x - 0.1 * (bowl.grad(x.T).T + np.array([2.5, 2.0]) * rng.normal(0.0, 2.0, size=x.shape))
        if t >= 50:
            total += x
    last = np.mean(np.sum((x - bowl.minimum) ** 2, axis=1))
    averaged = np.mean(np.sum((total / 51 - bowl.minimum) ** 2, axis=1))
    assert last == pytest.approx(1.155, abs=5e-4) and averaged == pytest.approx(0.147, abs=5e-4)


# ----------------------------------------------------------------- learning-rate decay
def test_constant_rate_noise_floor_is_eta_s2_over_b_times_1_minus_eta():
    s2, b = (1000**2 - 1) / 12, 10
    assert np.var(np.arange(1, 1001)) == pytest.approx(s2)
    for eta in (0.1, 0.01):
        e2 = (10 - W_STAR) ** 2
        for _ in range(5000):                              # the exact recursion of E e²
            e2 = (1 - 2 * eta) ** 2 * e2 + 4 * eta**2 * s2 / b
        assert e2 == pytest.approx(eta * s2 / (b * (1 - eta)), rel=1e-9)
    assert 0.1 * s2 / (b * 0.9) == pytest.approx(925.9, abs=0.05)
    assert 0.01 * s2 / (b * 0.99) == pytest.approx(84.2, abs=0.05)


def test_with_eta_t_equal_to_half_over_1_plus_t_sgd_is_the_running_mean_of_the_batches():
    rng = np.random.default_rng(0)
    rate = schedules.InverseTimeDecay(0.5, k=1.0)
    w, means = 10.0, []
    for t in range(200):
        batch = rng.integers(1, 1001, size=10)
        means.append(batch.mean())
        w = w - rate(t) * 2 * (w - batch.mean())
        assert w == pytest.approx(np.mean(means), rel=1e-12)


def test_sgd_on_the_finite_sum_reaches_the_chapters_errors():
    rates = [lambda t: 0.1, lambda t: 0.01, schedules.InverseTimeDecay(0.5, k=1.0), lambda t: 0.1 / (1 + t) ** 2]
    finals = []
    for rate in rates:
        rng = np.random.default_rng(0)
        w = np.full(200, 10.0)
        for t in range(3000):
            w = w - rate(t) * 2 * (w - rng.integers(1, 1001, size=(200, 10)).mean(axis=1))
        finals.append(np.mean((w - W_STAR) ** 2))
    np.testing.assert_allclose(finals, [950.59, 83.82, 2.38, 117607.52], rtol=2e-3)


def test_robbins_monro_sums_of_the_inverse_time_schedule():
    rates = schedules.InverseTimeDecay(0.5, k=1.0).values(10**6)
    np.testing.assert_allclose(rates[:6], [0.5, 0.25, 1 / 6, 0.125, 0.1, 1 / 12])
    assert rates.sum() == pytest.approx(0.5 * (np.log(1e6) + np.euler_gamma), abs=1e-5)
    assert rates.sum() == pytest.approx(7.20, abs=0.005)
    assert np.sum(rates**2) == pytest.approx(0.25 * np.pi**2 / 6, abs=1e-6)


def test_decaying_as_0_1_over_1_plus_t_squared_keeps_70_percent_of_the_error():
    product = np.prod(1 - 0.2 / (1 + np.arange(10**6)) ** 2)
    x = math.sqrt(0.2)
    assert product == pytest.approx(math.sin(math.pi * x) / (math.pi * x), rel=1e-5)
    assert product == pytest.approx(0.702, abs=5e-4)
    assert (product * (10 - W_STAR)) ** 2 == pytest.approx(1.19e5, rel=5e-3)


# ----------------------------------------------------------------- noise as a feature
def test_gradient_noise_escapes_the_shallow_dip_that_traps_gradient_descent():
    grad = lambda w: 0.2 * w + 0.3 * (w - 3) / 0.04 * np.exp(-(w - 3) ** 2 / 0.08)
    rng = np.random.default_rng(0)
    results = {}
    for noise in (0.0, 2.0):
        w = np.full(200, 3.3)
        for _ in range(500):
            w = w - 0.05 * (grad(w) + noise * rng.normal(size=w.shape))
        results[noise] = (np.mean(np.abs(w - 2.9) < 0.3), np.mean(np.abs(w) < 1.5))
    assert results[0.0] == (1.0, 0.0)
    assert results[2.0] == (0.0, 0.975)          # printed as 98 %


def test_small_batches_win_per_epoch_and_the_smallest_hit_the_highest_noise_floor():
    X, y = _regression()
    w_best = np.linalg.lstsq(X, y, rcond=None)[0]
    excess = lambda path: np.mean((path @ X.T - y) ** 2, axis=1) - np.mean((X @ w_best - y) ** 2)
    after = {}
    for b in (1, 10, 100, 2000):
        path = minibatch_sgd(X, y, np.zeros(3), 0.05, b, 5, np.random.default_rng(0))
        assert len(path) == 5 * math.ceil(2000 / b) + 1
        after[b] = (excess(path)[math.ceil(2000 / b)], excess(path)[-1])
    assert after[10][0] < 1e-3 < after[1][0] < after[100][0] < after[2000][0]
    assert after[100][1] < after[10][1] < after[1][1] and after[2000][1] > 10


def test_one_conv_layer_needs_3_06_mib_per_image_so_6_12_gib_at_b_2048():
    assert 64 * 112 * 112 * 4 * 2048 / 2**30 == pytest.approx(6.125, abs=1e-3)


# ----------------------------------------------------------------- summed vs averaged
def test_torch_sum_reduction_gives_b_times_the_mean_gradient():
    X, y = _regression()
    Xt, yt = torch.tensor(X[:32]), torch.tensor(y[:32])
    grads = {}
    for reduction in ("mean", "sum"):
        w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        torch.nn.functional.mse_loss(Xt @ w, yt, reduction=reduction).backward()
        grads[reduction] = w.grad.numpy()
    np.testing.assert_allclose(grads["sum"], 32 * grads["mean"], rtol=1e-13)
    np.testing.assert_allclose(grads["mean"], 2 * X[:32].T @ (X[:32] @ np.zeros(3) - y[:32]) / 32, rtol=1e-13)


@pytest.mark.parametrize("b, equal", [(40, True), (32, False)])
def test_sgd_on_the_sum_with_eta_over_b_equals_sgd_on_the_mean_when_b_divides_n(b, equal):
    X, y = _regression()

    def path(reduce, lr):
        rng, w, out = np.random.default_rng(0), np.zeros(3), []
        for _ in range(2):
            for batch in epoch_batches(len(y), b, rng):
                g = 2 * X[batch].T @ (X[batch] @ w - y[batch])
                optim.sgd(w, g / len(batch) if reduce == "mean" else g, {}, lr=lr)
                out.append(w.copy())
        return np.array(out)

    difference = np.abs(path("mean", 0.05) - path("sum", 0.05 / b)).max()
    assert (difference < 1e-13) == equal
    if not equal:
        assert difference == pytest.approx(1.5e-2, abs=1e-3)
