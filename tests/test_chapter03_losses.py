"""Chapter 3, *Losses and the landscape*: every number the chapter prints, from the library."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import backprop, calculus, data, landscapes
from dlcourse.backprop import MLP
from dlcourse.checks.losses import binary_cross_entropy

from .strategies import vectors

H = np.array([1.0, 2.0, 3.0])


# ----------------------------------------------------------------- the losses
def test_softmax_of_1_2_3_is_0_0900_0_2447_0_6652() -> None:
    np.testing.assert_allclose(backprop.softmax(H), [0.0900306, 0.2447285, 0.6652410], atol=5e-8)


def test_cross_entropy_of_1_2_3_for_class_0_is_log_sum_exp_3_4076_minus_1() -> None:
    assert math.log(np.exp(H).sum()) == pytest.approx(3.4076059644, abs=1e-10)
    assert backprop.cross_entropy(H, 0) == pytest.approx(2.4076059644, abs=1e-10)
    assert backprop.cross_entropy(H, 2) == pytest.approx(0.4076059644, abs=1e-10)


def test_gradient_for_class_0_is_minus_0_9100_0_2447_0_6652_and_sums_to_zero() -> None:
    g = backprop.softmax_cross_entropy_grad(H, 0)
    np.testing.assert_allclose(g, [-0.9099694, 0.2447285, 0.6652410], atol=5e-8)
    np.testing.assert_allclose(g, backprop.softmax(H) - np.eye(3)[0], rtol=1e-15)
    assert abs(g.sum()) < 1e-15


def test_gradient_agrees_with_central_differences_and_torch_autograd() -> None:
    exact = backprop.softmax_cross_entropy_grad(H, 0)
    numerical = calculus.gradient(lambda v: backprop.cross_entropy(v, 0), H)
    assert calculus.relative_error(numerical, exact) < 1e-9
    logits = torch.tensor(H, requires_grad=True)
    torch.nn.functional.cross_entropy(logits[None, :], torch.tensor([0])).backward()
    assert calculus.relative_error(logits.grad.numpy(), exact) < 1e-15


@given(vectors(1, 5))
def test_gradient_of_log_sum_exp_is_the_softmax(h: np.ndarray) -> None:
    lse = lambda v: np.log(np.sum(np.exp(v)))
    np.testing.assert_allclose(calculus.gradient(lse, h), backprop.softmax(h), rtol=1e-7, atol=1e-10)


@given(vectors(2, 5))
def test_softmax_jacobian_is_diag_p_minus_p_p_transposed(h: np.ndarray) -> None:
    p = backprop.softmax(h)
    np.testing.assert_allclose(calculus.jacobian(backprop.softmax, h), np.diag(p) - np.outer(p, p),
                               rtol=1e-6, atol=1e-9)


def test_binary_cross_entropy_of_0_8_is_0_2231_for_y_1_and_1_6094_for_y_0() -> None:
    assert binary_cross_entropy([0.8], [1.0]) == pytest.approx(0.2231435513, abs=1e-10)
    assert binary_cross_entropy([0.8], [0.0]) == pytest.approx(1.6094379124, abs=1e-10)
    assert binary_cross_entropy([0.2], [1.0]) == pytest.approx(1.6094379124, abs=1e-10)


@given(st.floats(-6, 6), st.sampled_from([0.0, 1.0]))
def test_binary_cross_entropy_has_gradient_f_minus_y_in_the_logit(z: float, y: float) -> None:
    f = float(backprop.sigmoid(z))
    bce = lambda t: binary_cross_entropy([backprop.sigmoid(t)], [y])
    assert calculus.derivative(bce, z) == pytest.approx(f - y, abs=1e-8)
    squared = lambda t: 0.5 * (y - backprop.sigmoid(t)) ** 2
    assert calculus.derivative(squared, z) == pytest.approx(-(y - f) * f * (1 - f), abs=1e-8)


def test_squared_loss_gradient_vanishes_when_confidently_wrong_but_cross_entropy_does_not() -> None:
    f = float(backprop.sigmoid(-6.0))  # label 1, logit −6: confidently wrong
    assert abs(-(1 - f) * f * (1 - f)) < 3e-3
    assert f - 1 == pytest.approx(-1.0, abs=3e-3)


@given(st.floats(-8, 8))
def test_binary_cross_entropy_is_softmax_cross_entropy_with_logits_0_and_z(z: float) -> None:
    for y in (0, 1):
        bce = binary_cross_entropy([backprop.sigmoid(z)], [float(y)])
        assert backprop.cross_entropy([0.0, z], y) == pytest.approx(bce, rel=1e-9, abs=1e-12)


# ----------------------------------------------------------------- numerical stability
def _naive_softmax(h: np.ndarray) -> np.ndarray:
    e = np.exp(h)
    return e / e.sum()


def test_naive_softmax_gives_nan_at_1000_and_at_90_in_float32_but_the_library_does_not() -> None:
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(_naive_softmax(np.array([1000.0, 1001.0, 1002.0]))).all()
        assert np.isnan(_naive_softmax(np.array([90.0, 91.0], dtype=np.float32))).all()
    np.testing.assert_allclose(backprop.softmax([1000.0, 1001.0, 1002.0]), backprop.softmax(H), rtol=1e-15)
    assert backprop.cross_entropy([1000.0, 1001.0, 1002.0], 0) == pytest.approx(2.4076059644, abs=1e-10)


def test_exp_overflows_above_709_78_in_float64_and_88_72_in_float32_and_underflows_below() -> None:
    with np.errstate(over="ignore", under="ignore"):
        assert np.isfinite(np.exp(709.78)) and math.isinf(np.exp(709.79))
        assert np.isfinite(np.exp(np.float32(88.72))) and math.isinf(torch.tensor(88.73).exp().item())
        assert np.exp(-745.1) > 0 and np.exp(-745.2) == 0.0
        assert np.exp(np.float32(-103.9)) > 0 and np.exp(np.float32(-104.0)) == 0.0


def test_loss_of_0_minus_800_is_800_where_log_of_softmax_is_inf() -> None:
    h = np.array([0.0, -800.0])
    with np.errstate(divide="ignore"):
        assert math.isinf(-np.log(_naive_softmax(h)[1]))
    assert backprop.cross_entropy(h, 1) == 800.0
    assert backprop.cross_entropy([-1000.0, -1000.0], 0) == pytest.approx(math.log(2), rel=1e-15)


# ----------------------------------------------------------------- regularisation
def test_weight_decay_gradient_is_2_lambda_W() -> None:
    rng = np.random.default_rng(0)
    W, lam = rng.normal(size=6), 0.3
    np.testing.assert_allclose(calculus.gradient(lambda w: lam * np.sum(w**2), W), 2 * lam * W, rtol=1e-8)



def test_torch_weight_decay_2_lambda_is_the_chapters_penalty_lambda_w_squared() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y, lam = rng.normal(size=(20, 3)), rng.normal(size=20), 0.3
    data_loss = lambda w: ((torch.tensor(X) @ w - torch.tensor(y)) ** 2).mean()
    with_decay = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    with_penalty = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    decay = torch.optim.SGD([with_decay], lr=0.05, weight_decay=2 * lam)
    plain = torch.optim.SGD([with_penalty], lr=0.05)
    for _ in range(50):
        for opt, w, loss in [(decay, with_decay, data_loss(with_decay)),
                             (plain, with_penalty, data_loss(with_penalty) + lam * (with_penalty**2).sum())]:
            opt.zero_grad()
            loss.backward()
            opt.step()
    np.testing.assert_allclose(with_decay.detach().numpy(), with_penalty.detach().numpy(), rtol=1e-13)
    assert np.abs(with_decay.detach().numpy()).min() > 1e-3  # it moved


def _polynomial_table() -> dict[float, tuple[float, float, float]]:
    rng = np.random.default_rng(1)
    n = 10
    x = np.sort(rng.uniform(0, 1, n))
    y = np.sin(2 * np.pi * x) + rng.normal(scale=0.25, size=n)
    grid = np.linspace(0, 1, 200)
    features = lambda t: np.vander(t, 10, increasing=True)
    table = {}
    for lam in (0, 1e-5, 1e-3, 1e-1):
        Phi = features(x)
        w = (np.linalg.lstsq(Phi, y, rcond=None)[0] if lam == 0
             else np.linalg.solve(Phi.T @ Phi / n + 2 * lam * np.eye(10), Phi.T @ y / n))
        train = np.mean(0.5 * (y - Phi @ w) ** 2)
        truth = np.mean(0.5 * (np.sin(2 * np.pi * grid) - features(grid) @ w) ** 2)
        table[lam] = (train, truth, float(np.linalg.norm(w)))
    return table


def test_ridge_table_degree_9_polynomial_overfits_without_penalty() -> None:
    t = _polynomial_table()
    assert t[0][0] < 1e-12 and t[0][1] == pytest.approx(39.98, abs=0.01) and t[0][2] > 1e7
    for lam, (train, truth) in {1e-5: (0.0036, 0.0052), 1e-3: (0.0233, 0.0453), 1e-1: (0.0799, 0.1686)}.items():
        assert t[lam][0] == pytest.approx(train, abs=5e-5) and t[lam][1] == pytest.approx(truth, abs=5e-5)
    assert 7000 < t[0][1] / t[1e-5][1] < 8000  # "nearly 8000 times larger"
    train_risks = [t[lam][0] for lam in (0, 1e-5, 1e-3, 1e-1)]
    assert train_risks == sorted(train_risks)  # the training risk always prefers λ = 0


# ----------------------------------------------------------------- the landscape
def _logistic_risk(w: float, b: float, x: np.ndarray, y: np.ndarray) -> float:
    z = w * x + b
    return float(np.mean(np.logaddexp(0, z) - y * z))


def test_logistic_regression_risk_is_convex_with_minimum_near_2_25_minus_0_10() -> None:
    X1, y1 = data.blobs(n=100, centers=np.array([[-1.0], [1.0]]), std=1.0, seed=0)
    x1 = X1[:, 0]
    risk = lambda t: _logistic_risk(t[0], t[1], x1, y1)
    for point in ([-2.0, 3.0], [0.0, 0.0], [5.0, -3.0], [2.25, -0.1]):
        assert np.all(np.linalg.eigvalsh(calculus.hessian(risk, point)) > 0)
    W, B = np.meshgrid(np.linspace(-3, 6, 181), np.linspace(-4, 4, 161))
    Z = np.vectorize(lambda w, b: _logistic_risk(w, b, x1, y1))(W, B)
    i, j = np.unravel_index(np.argmin(Z), Z.shape)
    assert (W[i, j], B[i, j]) == pytest.approx((2.25, -0.10), abs=1e-9)
    assert Z[i, j] == pytest.approx(0.3033, abs=5e-5)


@pytest.fixture(scope="module")
def moons_net() -> tuple[MLP, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    X, y = data.moons(200, noise=0.15, seed=0)
    net = MLP((2, 8, 2), activation="tanh", seed=0)
    for _ in range(2000):
        net.loss(X, y)
        grads = net.backward(y)
        for name in net.params:
            net.params[name] -= 0.5 * grads[name]
    return net, {k: v.copy() for k, v in net.params.items()}, X, y


def _loss_at(net: MLP, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> float:
    net.params = params
    return net.loss(X, y)


def _permute(params: dict[str, np.ndarray], perm: np.ndarray) -> dict[str, np.ndarray]:
    return {"W1": params["W1"][:, perm], "b1": params["b1"][perm], "W2": params["W2"][perm, :],
            "b2": params["b2"].copy()}


def test_trained_moons_network_has_loss_0_0494_and_accuracy_0_98(moons_net) -> None:
    net, theta, X, y = moons_net
    assert _loss_at(net, theta, X, y) == pytest.approx(0.049444392742, abs=1e-11)
    assert np.mean(net.forward(X).argmax(axis=1) == y) == 0.98


def test_permuting_hidden_units_keeps_the_loss_and_the_midpoint_is_worse(moons_net) -> None:
    net, theta, X, y = moons_net
    best = _loss_at(net, theta, X, y)
    for shift in (1, 4):
        copy = _permute(theta, np.roll(np.arange(8), shift))
        assert _loss_at(net, copy, X, y) == pytest.approx(best, rel=1e-13)
    copy_a = _permute(theta, np.roll(np.arange(8), 1))
    distance = np.sqrt(sum(np.sum((theta[k] - copy_a[k]) ** 2) for k in theta))
    assert distance == pytest.approx(13.17, abs=0.005)
    midpoint = _loss_at(net, {k: (theta[k] + copy_a[k]) / 2 for k in theta}, X, y)
    assert midpoint == pytest.approx(0.1433, abs=5e-5)
    assert midpoint > best  # impossible for a convex function
    assert math.factorial(8) == 40_320 and math.factorial(8) * 2**8 == pytest.approx(1e7, rel=0.04)


def test_origin_of_the_tanh_network_is_a_saddle_with_eigenvalues_plus_minus_0_4918() -> None:
    X, y = data.moons(200, noise=0.15, seed=0)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    shapes = [("W1", (2, 8)), ("b1", (8,)), ("W2", (8, 2)), ("b2", (2,))]

    def loss(flat: torch.Tensor) -> torch.Tensor:
        p, start = {}, 0
        for name, shape in shapes:
            size = int(np.prod(shape))
            p[name] = flat[start:start + size].reshape(shape)
            start += size
        return torch.nn.functional.cross_entropy(torch.tanh(X_t @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], y_t)

    origin = torch.zeros(42, dtype=torch.float64, requires_grad=True)
    value = loss(origin)
    value.backward()
    assert value.item() == pytest.approx(math.log(2), rel=1e-15)
    assert origin.grad.norm().item() < 1e-15
    H = torch.autograd.functional.hessian(loss, origin.detach()).numpy()
    eig = np.linalg.eigvalsh(H)
    negative, zero, positive = eig[eig < -1e-9], eig[np.abs(eig) <= 1e-9], eig[eig > 1e-9]
    assert (len(negative), len(zero), len(positive)) == (8, 25, 9)
    np.testing.assert_allclose(negative, -0.4918, atol=5e-5)
    np.testing.assert_allclose(positive[:-1], 0.4918, atol=5e-5)
    assert positive[-1] == pytest.approx(0.5, abs=1e-12)  # curvature in the output bias
    assert calculus.critical_point_type(H) == "saddle"
    # the ±0.4918 pairs: the singular value of the 2×2 coupling (1/n) Xᵀ(P₀ − Y) of W¹ and W²
    M = X.T @ (0.5 - np.eye(2)[y]) / len(y)
    assert np.linalg.svd(M, compute_uv=False)[0] == pytest.approx(0.4918, abs=5e-5)


def test_training_from_tiny_weights_plateaus_near_0_29_for_2500_steps(moons_net) -> None:
    net, _, X, y = moons_net

    def train_from(scale: float) -> np.ndarray:
        net.params = {k: scale * v for k, v in MLP((2, 8, 2), activation="tanh", seed=0).params.items()}
        losses = []
        for _ in range(3000):
            losses.append(net.loss(X, y))
            grads = net.backward(y)
            for name in net.params:
                net.params[name] -= 0.5 * grads[name]
        return np.array(losses)

    usual, tiny = train_from(1.0), train_from(1e-3)
    np.testing.assert_allclose(usual[[100, 1000, 2000, 2999]], [0.290, 0.070, 0.049, 0.044], atol=5e-4)
    np.testing.assert_allclose(tiny[[100, 1000, 2000, 2999]], [0.289, 0.288, 0.287, 0.100], atol=5e-4)
    assert tiny[0] == pytest.approx(math.log(2), abs=1e-5)
    assert np.ptp(tiny[100:2500]) < 0.02  # the plateau


# ----------------------------------------------------------------- first vs second order
def test_newton_solves_the_ill_conditioned_bowl_in_one_step_where_gd_needs_80() -> None:
    bowl = landscapes.ILL_CONDITIONED
    start = np.array([-2.5, 2.5])
    np.testing.assert_allclose(calculus.hessian(bowl.f, start), np.diag([20.0, 1.0]), atol=1e-6)
    newton = start - np.linalg.solve(np.diag([20.0, 1.0]), bowl.grad(start))
    assert bowl.f(newton) == 0.0
    theta, steps = start, 0
    while bowl.f(theta) > 1e-6:
        theta, steps = theta - 0.09 * bowl.grad(theta), steps + 1
    assert steps == 80


def test_newton_jumps_onto_the_saddle_while_gd_moves_away() -> None:
    saddle = landscapes.SADDLE
    theta0 = np.array([1.0, 0.5])
    np.testing.assert_allclose(calculus.hessian(saddle.f, theta0), np.diag([2.0, -2.0]), atol=1e-6)
    np.testing.assert_array_equal(theta0 - np.linalg.solve(np.diag([2.0, -2.0]), saddle.grad(theta0)), [0.0, 0.0])
    step = theta0 - 0.1 * saddle.grad(theta0)
    np.testing.assert_allclose(step, [0.8, 0.6], rtol=1e-15)
    assert saddle.f(step) < saddle.f(theta0)

