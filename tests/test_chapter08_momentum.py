"""Chapter 8's claims, each computed with the library: momentum, its conventions, Nesterov."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import landscapes, optim, schedules

BOWL = landscapes.ILL_CONDITIONED
BANANA = landscapes.ROSENBROCK
X0 = np.array([-2.5, 2.5])
START = [-1.2, 1.0]


def constant_gradient_run(form, lr, gamma, steps):
    """Velocities and step lengths of `optim.momentum` under the constant gradient g = 1."""
    theta, state, velocity, lengths = np.zeros(1), {}, [], []
    for t in range(steps):
        eta = lr(t) if callable(lr) else lr
        before = theta.copy()
        optim.momentum(theta, np.ones(1), state, lr=eta, gamma=gamma, form=form)
        velocity.append(state["velocity"][0])
        lengths.append((before - theta)[0])
    return np.array(velocity), np.array(lengths)


# ------------------------------------------------------------------ the ravine
def test_one_gd_step_on_the_bowl_multiplies_the_coordinates_by_1_minus_20_eta_and_1_minus_eta():
    run = optim.minimize(BOWL, X0, "sgd", steps=1, lr=0.09)
    np.testing.assert_allclose(run.path[1], [(1 - 20 * 0.09) * -2.5, (1 - 0.09) * 2.5], rtol=1e-15)


def test_momentum_with_eta_005_and_gamma_05_beats_both_gd_runs_on_the_bowl():
    gd_fast = optim.minimize(BOWL, X0, "sgd", steps=60, lr=0.09).losses
    gd_slow = optim.minimize(BOWL, X0, "sgd", steps=60, lr=0.01).losses
    mom = optim.minimize(BOWL, X0, "momentum", steps=60, lr=0.05, gamma=0.5, form="classical").losses
    assert mom[60] < gd_fast[60] / 10 and mom[20] < gd_fast[20]
    assert gd_slow[60] == pytest.approx(0.936, abs=1e-3)


def test_heavy_momentum_beats_gd_at_the_same_eta_but_not_gd_at_its_limit():
    heavy = optim.minimize(BOWL, X0, "momentum", steps=60, lr=0.01, gamma=0.9, form="classical").losses
    gd_slow = optim.minimize(BOWL, X0, "sgd", steps=60, lr=0.01).losses
    gd_fast = optim.minimize(BOWL, X0, "sgd", steps=60, lr=0.09).losses
    assert heavy[60] == pytest.approx(8.3e-2, rel=0.01)
    assert gd_fast[60] < heavy[60] < gd_slow[60] / 10


# ------------------------------------------------------------------ leaky average
def test_terminal_velocity_is_eta_over_one_minus_gamma_times_g():
    for gamma, limit in [(0.5, 0.2), (0.9, 1.0), (0.99, 10.0)]:
        velocity, _ = constant_gradient_run("classical", 0.1, gamma, 500)
        np.testing.assert_allclose(velocity, 0.1 * (1 - gamma ** np.arange(1, 501)) / (1 - gamma), rtol=1e-12)
        assert velocity[-1] == pytest.approx(limit, rel=1e-2)
    velocity, _ = constant_gradient_run("classical", 0.1, 0.99, 500)
    assert velocity[-1] == pytest.approx(9.9343, abs=1e-4)


def test_the_weights_of_past_gradients_sum_to_the_window_one_over_one_minus_gamma():
    for gamma in [0.5, 0.9, 0.99]:
        assert np.sum(gamma ** np.arange(10_000)) == pytest.approx(1 / (1 - gamma), rel=1e-12)


def test_momentum_unrolls_into_eta_times_a_geometric_sum_of_past_gradients():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(20, 3))
    theta, state = np.zeros(3), {}
    for g in grads:
        optim.momentum(theta, g, state, lr=0.1, gamma=0.8, form="classical")
    unrolled = 0.1 * sum(0.8**k * grads[-1 - k] for k in range(20))
    np.testing.assert_allclose(state["velocity"], unrolled, rtol=1e-13)


# ------------------------------------------------------------------ how much faster
def spectral_radius(eta, gamma, lam, nesterov=False):
    a = 1 - eta * lam if nesterov else 1.0
    M = np.array([[(1 + gamma) * a - (0 if nesterov else eta * lam), -gamma * a], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(M)).max()


def test_tuned_momentum_contracts_like_sqrt_kappa_minus_1_over_sqrt_kappa_plus_1():
    kappa = 20.0
    eta = 4 / (np.sqrt(20) + 1) ** 2
    gamma = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert eta == pytest.approx(0.1336, abs=1e-4) and gamma == pytest.approx(0.4026, abs=1e-4)
    for lam in [1.0, 20.0]:
        assert spectral_radius(eta, gamma, lam) == pytest.approx(0.6345, abs=1e-3)
        assert abs(1 - 2 / 21 * lam) == pytest.approx(19 / 21, rel=1e-12)  # GD's best
    # measured on the bowl: the error falls like ρ^t up to a factor t
    run = optim.minimize(BOWL, X0, "momentum", steps=80, lr=eta, gamma=gamma, form="classical")
    rate = (run.losses[80] / run.losses[40]) ** (1 / 80)
    assert 0.6345 < rate < 0.6345 * 1.03


@pytest.mark.parametrize("kappa, gd, mom", [(20, 0.9048, 0.6345), (100, 0.9802, 0.8182), (10_000, 0.9998, 0.9802)])
def test_rate_table_of_gd_and_momentum(kappa, gd, mom):
    assert (kappa - 1) / (kappa + 1) == pytest.approx(gd, abs=5e-5)
    assert (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1) == pytest.approx(mom, abs=5e-5)


def test_momentum_reaches_rosenbrocks_minimum_while_gd_crawls():
    gd = optim.minimize(BANANA, START, "sgd", steps=3000, lr=1e-3)
    mom = optim.minimize(BANANA, START, "momentum", steps=3000, lr=1e-3, gamma=0.9)
    assert gd.losses[-1] == pytest.approx(2.5e-2, rel=0.02)
    assert mom.losses[-1] < 2e-12
    np.testing.assert_allclose(mom.final, [1.0, 1.0], atol=1e-5)


def test_momentum_rolls_over_the_ripples_where_gd_stops():
    f = lambda x: x[0] ** 2 / 8 + 0.2 * (1 - np.cos(4 * x[0]))
    grad = lambda x: np.array([x[0] / 4 + 0.8 * np.sin(4 * x[0])])
    ends = {}
    for name, kw in [("gd", dict(optimizer="sgd")), ("0.8", dict(optimizer="momentum", gamma=0.8, form="classical")),
                     ("0.9", dict(optimizer="momentum", gamma=0.9, form="classical"))]:
        opt = kw.pop("optimizer")
        ends[name] = optim.minimize(f, [-4.5], opt, steps=150, grad=grad, lr=0.1, **kw).final[0]
    assert ends["gd"] == pytest.approx(-2.864, abs=1e-3)
    assert ends["0.8"] == pytest.approx(0.0, abs=1e-3)
    assert ends["0.9"] == pytest.approx(1.453, abs=1e-3)


# ------------------------------------------------------------------ conventions
def test_three_momentum_forms_and_torch_sgd_walk_the_same_path_with_constant_eta():
    torch = pytest.importorskip("torch")
    eta, beta = 1e-3, 0.9
    classical = optim.minimize(BANANA, START, "momentum", 500, lr=eta, gamma=beta, form="classical").path
    pytorch = optim.minimize(BANANA, START, "momentum", 500, lr=eta, gamma=beta, form="pytorch").path
    averaged = optim.minimize(BANANA, START, "momentum", 500, lr=eta / (1 - beta), gamma=beta, form="average").path
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=eta, momentum=beta)
    path = [p.detach().numpy().copy()]
    for _ in range(500):
        p.grad = torch.from_numpy(BANANA.grad(p.detach().numpy()))
        opt.step()
        path.append(p.detach().numpy().copy())
    for other in [classical, averaged, np.array(path)]:
        assert np.abs(other - pytorch).max() < 1e-13


def test_torch_dampening_starts_undamped_so_its_first_step_is_ten_times_the_averaged_one():
    torch = pytest.importorskip("torch")
    averaged = optim.minimize(BOWL, X0, "momentum", 1, lr=0.1, gamma=0.9, form="average").path[1]
    p = torch.tensor(X0, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.9)
    p.grad = torch.from_numpy(BOWL.grad(X0))
    opt.step()
    np.testing.assert_allclose(averaged, [-2.0, 2.475], rtol=1e-14)
    np.testing.assert_allclose(p.detach().numpy(), [2.5, 2.25], rtol=1e-14)
    np.testing.assert_allclose(X0 - p.detach().numpy(), 10 * (X0 - averaged), rtol=1e-13)


def test_schedule_example_pytorch_steps_09375_and_classical_1375_at_step_4():
    drop = lambda t: 1.0 if t < 3 else 0.5
    _, pytorch = constant_gradient_run("pytorch", drop, 0.5, 6)
    _, classical = constant_gradient_run("classical", drop, 0.5, 6)
    np.testing.assert_allclose(pytorch[:4], [1.0, 1.5, 1.75, 0.9375], rtol=1e-15)
    np.testing.assert_allclose(classical[:4], [1.0, 1.5, 1.75, 1.375], rtol=1e-15)


def test_classical_and_pytorch_forms_part_ways_under_a_step_schedule_on_rosenbrock():
    decay = schedules.StepDecay(1e-3, step_size=100, gamma=0.3)
    runs = {form: optim.minimize(BANANA, START, "momentum", 500, lr=decay, gamma=0.9, form=form).path
            for form in ["pytorch", "classical"]}
    gap = np.abs(runs["pytorch"] - runs["classical"])
    assert gap[:101].max() < 1e-13          # identical while η is constant
    assert gap.max() == pytest.approx(0.027, abs=1e-3)


def test_reversed_momentum_weights_let_the_zigzag_through():
    grads = [np.array([20.0 * (-1) ** t, 1.0]) for t in range(30)]
    velocities = {}
    for name, past in [("averaged", 0.9), ("reversed", 0.1)]:
        theta, state = np.zeros(2), {}
        for g in grads:
            optim.momentum(theta, g, state, lr=1.0, gamma=past, form="average")
        velocities[name] = state["velocity"]
    np.testing.assert_allclose(velocities["averaged"], [-1.008, 1 - 0.9**30], atol=1e-3)
    np.testing.assert_allclose(velocities["reversed"], [-16.3636, 1.0], atol=1e-4)
    assert 0.9 * 0.1**3 == pytest.approx(0.0009) and 0.1 * 0.9**3 == pytest.approx(0.0729)


# ------------------------------------------------------------------ Nesterov
def test_nesterov_contracts_by_sqrt_gamma_times_one_minus_eta_lambda():
    for lam, expected in [(20.0, 0.8485), (1.0, 0.9439)]:
        assert spectral_radius(0.01, 0.9, lam, nesterov=True) == pytest.approx(expected, abs=1e-4)
        assert np.sqrt(0.9 * (1 - 0.01 * lam)) == pytest.approx(expected, abs=1e-4)
        assert spectral_radius(0.01, 0.9, lam) == pytest.approx(0.9487, abs=1e-4)
    # the library's Nesterov on a 1-D quadratic with curvature 20 contracts at that rate
    run = optim.minimize(lambda x: 10 * x[0] ** 2, [1.0], "nesterov", steps=200,
                         grad=lambda x: 20 * x, lr=0.01, gamma=0.9)
    envelope = np.abs(run.path[100:, 0]).max() / np.abs(run.path[:100, 0]).max()
    assert envelope ** (1 / 100) == pytest.approx(0.8485, abs=0.01)


def test_nesterov_beats_momentum_by_three_orders_of_magnitude_on_the_bowl():
    mom = optim.minimize(BOWL, X0, "momentum", steps=100, lr=0.01, gamma=0.9, form="classical")
    nag = optim.minimize(BOWL, X0, "nesterov", steps=100, lr=0.01, gamma=0.9)
    gd = optim.minimize(BOWL, X0, "sgd", steps=100, lr=0.01)
    assert gd.losses[-1] == pytest.approx(0.42, abs=0.01)
    assert mom.losses[-1] == pytest.approx(5.3e-4, rel=0.02)
    assert nag.losses[-1] == pytest.approx(5.9e-7, rel=0.02)


def test_torch_nesterov_iterates_are_the_lecture_forms_lookahead_points():
    torch = pytest.importorskip("torch")
    eta, gamma = 1e-3, 0.9
    theta, state, lookahead = np.array(START), {}, [np.array(START)]
    for _ in range(2000):
        optim.nesterov(theta, BANANA.grad, state, lr=eta, gamma=gamma)
        lookahead.append(theta - gamma * state["velocity"])
    p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=eta, momentum=gamma, nesterov=True)
    path = [p.detach().numpy().copy()]
    for _ in range(2000):
        p.grad = torch.from_numpy(BANANA.grad(p.detach().numpy()))
        opt.step()
        path.append(p.detach().numpy().copy())
    assert np.abs(np.array(lookahead) - np.array(path)).max() < 1e-13
    np.testing.assert_allclose(theta, [1.0, 1.0], atol=3e-4)
