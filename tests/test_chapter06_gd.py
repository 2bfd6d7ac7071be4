"""Chapter 6, *Gradient descent*: every number the chapter prints, from the library."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.polynomial import legendre

from dlcourse import backprop, data, init, landscapes, optim
from dlcourse.checks.gradient_descent import gd_example_step, init_std, max_stable_lr
from dlcourse.landscapes import Landscape

EXAMPLE = landscapes.GD_EXAMPLE
BOWL = landscapes.ILL_CONDITIONED


# ----------------------------------------------------------------- the update rule
def test_minimize_sgd_is_theta_minus_lr_times_gradient():
    path, theta = [np.array([-2.0, 2.5])], np.array([-2.0, 2.5])
    for _ in range(50):
        theta = theta - 0.09 * BOWL.grad(theta)
        path.append(theta)
    run = optim.minimize(BOWL, [-2.0, 2.5], "sgd", steps=50, lr=0.09)
    np.testing.assert_array_equal(run.path, np.array(path))
    assert run.losses[-1] == pytest.approx(0.000250613, rel=1e-5)


@given(st.integers(0, 2**32 - 1), st.floats(0.01, 1.99))
def test_a_step_below_2_over_L_decreases_the_risk_by_the_descent_bound(seed, fraction):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    lam = rng.uniform(0.1, 5.0, size=3)
    risk = landscapes.quadratic(q @ np.diag(lam) @ q.T, rng.normal(size=3))
    L = lam.max()
    eta = fraction / L
    theta = rng.normal(size=3)
    g = risk.grad(theta)
    after = risk.f(theta - eta * g)
    bound = risk.f(theta) - eta * (1 - L * eta / 2) * g @ g
    assert after <= bound + 1e-9 * (1 + abs(bound))
    assert after < risk.f(theta) or np.allclose(g, 0)


# ----------------------------------------------------------------- the worked step
def test_gd_step_from_1_gives_1_4_and_loss_2_72():
    assert EXAMPLE.f(1.0) == 4.0 and EXAMPLE.grad(1.0) == -4.0
    run = optim.minimize(EXAMPLE, [1.0], "sgd", steps=1, lr=0.1)
    assert run.path[1, 0] == pytest.approx(1.4, abs=1e-15)
    assert run.losses[1] == pytest.approx(2.72, abs=1e-14)
    assert gd_example_step(1.0, 0.1) == pytest.approx((1.4, 2.72), abs=1e-14)


def test_worked_steps_follow_w_t_equals_2_minus_0_6_to_the_t():
    run = optim.minimize(EXAMPLE, [1.0], "sgd", steps=6, lr=0.1)
    t = np.arange(7)
    np.testing.assert_allclose(run.path[:, 0], 2 - 0.6**t, atol=1e-14)
    np.testing.assert_allclose(run.losses, 2 + 2 * 0.36**t, atol=1e-13)
    np.testing.assert_allclose(run.path[:6, 0], [1, 1.4, 1.64, 1.784, 1.8704, 1.92224], atol=1e-14)
    np.testing.assert_allclose(run.losses[:4], [4, 2.72, 2.2592, 2.093312], atol=1e-13)


# ----------------------------------------------------------------- what GD finds
def _double_well() -> Landscape:
    f = lambda t: (t[0] ** 2 - 1) ** 2 + 0.3 * t[0] + t[1] ** 2
    g = lambda t: np.stack([4 * t[0] * (t[0] ** 2 - 1) + 0.3, 2 * t[1]])
    return Landscape("double well", f, g, None, ((-2, 2), (-2, 2)), "")


def test_two_starts_on_the_double_well_end_in_different_minima():
    well = _double_well()
    roots = np.sort(np.roots([4, 0, -4, 0.3]).real)
    np.testing.assert_allclose(roots, [-1.0356, 0.0754, 0.9601], atol=5e-5)
    left = optim.minimize(well, (-0.1, 1.5), "sgd", steps=100, lr=0.05)
    right = optim.minimize(well, (0.3, 1.5), "sgd", steps=100, lr=0.05)
    assert left.final[0] == pytest.approx(roots[0], abs=1e-4) and left.losses[-1] == pytest.approx(-0.3054, abs=1e-4)
    assert right.final[0] == pytest.approx(roots[2], abs=1e-4) and right.losses[-1] == pytest.approx(0.2941, abs=1e-4)
    for run in (left, right):
        assert np.linalg.norm(well.grad(run.final)) < 1e-4


def test_early_stopping_beats_the_global_minimum_of_the_training_error():
    rng = np.random.default_rng(0)
    x_train = np.sort(rng.uniform(-1, 1, 15))
    y_train = np.sin(np.pi * x_train) + 0.3 * rng.normal(size=15)
    x_test = np.linspace(-1, 1, 200)
    F, F_test = legendre.legvander(x_train, 12), legendre.legvander(x_test, 12)
    fit = landscapes.least_squares(F, y_train)
    L = np.linalg.eigvalsh(2 * F.T @ F / 15).max()
    path = optim.minimize(fit, np.zeros(13), "sgd", steps=20_000, lr=1 / L).path
    test_error = np.mean((path @ F_test.T - np.sin(np.pi * x_test)) ** 2, axis=1)
    best = int(np.argmin(test_error))
    assert best == 1152 and test_error[best] == pytest.approx(0.0419, abs=1e-4)
    assert test_error[-1] == pytest.approx(3.3501, abs=1e-3)
    global_test = np.mean((F_test @ fit.minimum - np.sin(np.pi * x_test)) ** 2)
    assert global_test == pytest.approx(168.2, abs=0.1)
    assert fit.f(fit.minimum) == pytest.approx(0.0025, abs=1e-4)
    assert fit.f(fit.minimum) < fit.f(path[best])


# ----------------------------------------------------------------- the hill
def test_walking_down_the_hill_from_minus_0_8_1_reaches_the_valley_at_minus_1_over_2pi():
    run = optim.minimize(landscapes.HILL, (-0.8, 1.0), "sgd", steps=100, lr=2.0)
    np.testing.assert_allclose(run.final, [np.pi / 2, np.pi / 2], atol=1e-10)
    assert run.losses[-1] == pytest.approx(-1 / (2 * np.pi), abs=1e-12)
    assert landscapes.HILL.f(np.array([-np.pi / 2, np.pi / 2])) == pytest.approx(1 / (2 * np.pi))


def test_a_start_further_round_the_hill_stalls_on_the_plateau():
    run = optim.minimize(landscapes.HILL, (-1.0, 0.6), "sgd", steps=100, lr=2.0)
    assert run.losses[-1] == pytest.approx(0.00023, abs=1e-5)
    assert np.linalg.norm(landscapes.HILL.grad(run.final)) == pytest.approx(1.2e-3, abs=1e-4)
    np.testing.assert_allclose(run.final, [-0.5424, -0.8524], atol=1e-4)


def test_hill_without_the_minus_sign_falls_without_bound_and_gradient_descent_runs_away():
    def misprint(t):
        return -np.sin(t[0]) * np.exp((t[1] - np.pi / 2) ** 2) / (2 * np.pi)

    def misprint_grad(t):
        e = np.exp((t[1] - np.pi / 2) ** 2)
        return np.stack([-np.cos(t[0]) * e / (2 * np.pi), -np.sin(t[0]) * e * (t[1] - np.pi / 2) / np.pi])

    values = [misprint(np.array([np.pi / 2, np.pi / 2 + u])) for u in range(4)]
    np.testing.assert_allclose(values, [-0.15915, -0.43263, -8.68957, -1289.64586], atol=5e-6)
    correct = [landscapes.HILL.f(np.array([np.pi / 2, np.pi / 2 + u])) for u in range(4)]
    assert min(correct) == correct[0] == pytest.approx(-1 / (2 * np.pi))
    run = optim.minimize(misprint, (1.4, 1.7), "sgd", steps=200, lr=2.0, grad=misprint_grad)
    assert run.diverged and len(run.path) == 6
    assert run.losses[-1] == pytest.approx(-1.10208e6, rel=1e-5)


# ----------------------------------------------------------------- learning rates
@pytest.mark.parametrize("lr, factor, verdict", [(0.02, 0.92, "slow"), (0.2, 0.2, "fast"),
                                                 (0.45, -0.8, "oscillates"), (0.55, -1.2, "diverges")])
def test_each_step_on_the_example_multiplies_the_error_by_1_minus_4_eta(lr, factor, verdict):
    run = optim.minimize(EXAMPLE, [0.6], "sgd", steps=30, lr=lr)
    errors = run.path[:, 0] - 2
    np.testing.assert_allclose(errors[1:6] / errors[:5], factor, rtol=1e-12)
    final = run.losses[-1] - 2
    expected = {"slow": 0.0263, "oscillates": 6.01e-06, "diverges": 2.21e05}
    if verdict == "fast":
        assert final < 1e-15
    else:
        assert final == pytest.approx(expected[verdict], rel=2e-3)


def test_stability_threshold_of_the_ill_conditioned_bowl_is_0_1():
    assert max_stable_lr(np.diag([20.0, 1.0])) == pytest.approx(0.1)
    assert max_stable_lr(np.array([[4.0]])) == 0.5
    below = optim.minimize(BOWL, (-1.0, 2.5), "sgd", steps=2000, lr=0.0999)
    above = optim.minimize(BOWL, (-1.0, 2.5), "sgd", steps=2000, lr=0.1001)
    assert below.losses[-1] < 0.01 < BOWL.f(np.array([-1.0, 2.5]))       # |1 − 20·0.0999| = 0.998 per step
    assert above.losses[-1] > 1e4                                         # |1 − 20·0.1001| = 1.002 per step


def test_best_fixed_rate_on_the_bowl_is_2_over_21_with_factor_0_905():
    lam = np.array([1.0, 20.0])
    eta = 2 / lam.sum()
    assert eta == pytest.approx(0.0952, abs=1e-4)
    assert np.max(np.abs(1 - eta * lam)) == pytest.approx((20 - 1) / (20 + 1)) == pytest.approx(0.9048, abs=1e-4)


# ----------------------------------------------------------------- ill-conditioning
def _line_search(theta, steps):
    H = np.diag([20.0, 1.0])
    path, rates = [theta], []
    for _ in range(steps):
        g = H @ theta
        rates.append(g @ g / (g @ H @ g))
        theta = theta - rates[-1] * g
        path.append(theta)
    return np.array(path), np.array(rates)


def test_100_fixed_steps_reach_2e_8_and_40_line_search_steps_1e_53():
    fixed = optim.minimize(BOWL, (-2.5, 2.5), "sgd", steps=100, lr=0.09)
    assert fixed.losses[-1] == pytest.approx(2.01e-8, rel=2e-3)
    path, rates = _line_search(np.array([-2.5, 2.5]), 40)
    assert BOWL.f(path[-1]) == pytest.approx(1.39e-53, rel=5e-3)
    np.testing.assert_allclose(rates[:4], [0.0501, 0.9548, 0.0501, 0.9548], atol=5e-5)
    g0, g1 = BOWL.grad(path[0]), BOWL.grad(path[1])
    assert abs(g0 @ g1) < 1e-12 * np.linalg.norm(g0) * np.linalg.norm(g1) * 1e3


def test_line_search_ratio_is_0_043_from_the_chapter_start_and_the_kantorovich_worst_case_otherwise():
    kappa = 20.0
    for start, ratio in [((-2.5, 2.5), 0.04297), (2.8 * np.array([1 / 20, 1.0]), ((kappa - 1) / (kappa + 1)) ** 2)]:
        path, _ = _line_search(np.array(start, dtype=float), 5)
        losses = BOWL.f(path.T)
        np.testing.assert_allclose(losses[1:] / losses[:-1], ratio, rtol=1e-4)
    assert ((kappa - 1) / (kappa + 1)) ** 2 == pytest.approx(0.8185941, abs=1e-7)


def test_the_sweep_on_the_anisotropic_bowl_ends_at_1_17_0_347_0_0292_and_28_8():
    aniso = landscapes.quadratic(np.diag([1.0, 40.0]))
    finals = [optim.minimize(aniso, (-2.8, 1.2), "sgd", steps=60, lr=lr).losses[-1] for lr in (1e-2, 2e-2, 4e-2, 5e-2)]
    np.testing.assert_allclose(finals, [1.17, 0.347, 0.0292, 28.8], rtol=5e-3)
    bounce = optim.minimize(aniso, (-2.8, 1.2), "sgd", steps=60, lr=5e-2).path[:, 1]
    np.testing.assert_allclose(np.abs(bounce), 1.2, rtol=1e-14)
    assert max_stable_lr(np.diag([1.0, 40.0])) == pytest.approx(0.05)


def test_badly_scaled_features_give_kappa_1e6_and_eta_5_3e_2_diverges():
    X, _ = landscapes.badly_scaled_data(seed=0)
    lam = np.linalg.eigvalsh(2 * X.T @ X / len(X))
    assert lam[0] == pytest.approx(0.7045, abs=1e-4) and lam[1] == pytest.approx(7.391e5, rel=1e-4)
    assert lam[1] / lam[0] == pytest.approx(1.05e6, rel=5e-3)
    assert max_stable_lr(2 * X.T @ X / len(X)) == pytest.approx(2.706e-6, rel=1e-3)
    raw = landscapes.badly_scaled_regression(seed=0)
    run = optim.minimize(raw, (0.0, 0.0), "sgd", steps=200, lr=5.3e-2)
    assert run.diverged and len(run.path) == 34
    crawl = optim.minimize(raw, (0.0, 0.0), "sgd", steps=200, lr=1.4e-6)
    assert not crawl.diverged and crawl.final[1] < 1e-3 * raw.minimum[1]


def test_scaled_features_tolerate_eta_up_to_0_92():
    X, _ = landscapes.badly_scaled_data(seed=0)
    Xs = X / np.sqrt(np.mean(X**2, axis=0))
    lam = np.linalg.eigvalsh(2 * Xs.T @ Xs / len(Xs))
    np.testing.assert_allclose(lam, [1.82, 2.18], atol=5e-3)
    assert 2 / lam[1] == pytest.approx(0.9175, abs=1e-4)
    scaled = landscapes.badly_scaled_regression(seed=0, scaled=True)
    for lr in (5.3e-2, 0.5, 0.9):
        assert np.linalg.norm(optim.minimize(scaled, (0, 0), "sgd", steps=200, lr=lr).final - scaled.minimum) < 0.03
    assert optim.minimize(scaled, (0, 0), "sgd", steps=200, lr=1.0).losses[-1] > 1e10


# ----------------------------------------------------------------- initialisation
def _train(net, X, y, steps=1000, lr=1.0):
    for _ in range(steps):
        loss = net.loss(X, y)
        grads = net.backward(y)
        for name, value in net.params.items():
            value -= lr * grads[name]
    return loss


def test_identical_hidden_units_stay_identical_and_learn_no_more_than_a_linear_model():
    X, y = data.moons(200, noise=0.1, seed=0)
    sym = backprop.MLP((2, 8, 2), activation="tanh", seed=0)
    sym.params["W1"][:] = 0.5
    sym.params["W2"][:] = 0.3
    rnd = backprop.MLP((2, 8, 2), activation="tanh", seed=0)
    sym_loss, rnd_loss = _train(sym, X, y), _train(rnd, X, y)
    W1, W2 = sym.params["W1"], sym.params["W2"]
    assert np.array_equal(W1, np.repeat(W1[:, :1], 8, axis=1))
    assert np.array_equal(W2, np.repeat(W2[:1], 8, axis=0))
    assert sym_loss == pytest.approx(0.2728, abs=1e-4) and rnd_loss == pytest.approx(0.0145, abs=1e-4)
    assert np.mean(sym.forward(X).argmax(1) == y) == 0.885
    assert np.mean(rnd.forward(X).argmax(1) == y) == 0.995
    linear = backprop.MLP((2, 2), seed=0)
    _train(linear, X, y)
    assert np.mean(linear.forward(X).argmax(1) == y) == 0.89


@pytest.mark.parametrize("fan_in, fan_out, scheme, sigma", [(256, 256, "glorot", 0.0625), (256, 256, "he", 0.08838835),
                                                            (784, 100, "glorot", 0.04756515), (100, 10, "he", 0.14142136)])
def test_glorot_and_he_standard_deviations(fan_in, fan_out, scheme, sigma):
    assert init_std(fan_in, fan_out, scheme) == pytest.approx(sigma, rel=1e-6)
    draw = {"glorot": init.glorot_normal, "he": init.he_normal}[scheme](fan_in, fan_out, 0)
    assert draw.std() == pytest.approx(sigma, rel=0.05)
    uniform = {"glorot": init.glorot_uniform, "he": init.he_uniform}[scheme](fan_in, fan_out, 0)
    assert np.abs(uniform).max() <= math.sqrt(3) * sigma and uniform.std() == pytest.approx(sigma, rel=0.05)


def _stds(act, make, layers=10):
    rng = np.random.default_rng(0)
    h, stds = rng.normal(size=(1000, 256)), []
    for _ in range(layers):
        h = act(h @ make(rng))
        stds.append(h.std())
    return np.array(stds)


def test_he_keeps_relu_signals_steady_while_small_weights_vanish_and_unit_weights_explode():
    relu = backprop.relu
    he = _stds(relu, lambda rng: init.he_normal(256, 256, rng))
    glorot = _stds(relu, lambda rng: init.glorot_normal(256, 256, rng))
    small = _stds(relu, lambda rng: rng.normal(0, 0.01, (256, 256)))
    large = _stds(relu, lambda rng: rng.normal(0, 1.0, (256, 256)))
    assert np.all((he > 0.5) & (he < 1.2))
    np.testing.assert_allclose(glorot[1:] / glorot[:-1], 1 / np.sqrt(2), rtol=0.15)
    assert small[-1] < 1e-8 and large[-1] > 1e9
    np.testing.assert_allclose(large[1:] / large[:-1], np.sqrt(128), rtol=0.15)


def test_tanh_signals_vanish_with_small_weights_and_saturate_with_unit_weights():
    small = _stds(np.tanh, lambda rng: rng.normal(0, 0.01, (256, 256)))
    large = _stds(np.tanh, lambda rng: rng.normal(0, 1.0, (256, 256)))
    glorot = _stds(np.tanh, lambda rng: init.glorot_normal(256, 256, rng))
    np.testing.assert_allclose(small[1:4] / small[:3], 0.16, rtol=0.05)
    assert np.all(large > 0.97) and 0.2 < glorot[-1] < 0.3
