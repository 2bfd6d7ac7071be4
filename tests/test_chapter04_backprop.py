"""Chapter 4, *Backpropagation*: every number the chapter prints, from the library."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import dlcourse
from dlcourse import backprop, data, init
from dlcourse.backprop import MLP, sigmoid
from dlcourse.checks.backprop import chapter_delta_network, chapter_network, network_gradients


def torch_gradients(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """The chapter's reference: every gradient of a sigmoid network's mean cross-entropy by autograd."""
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    inputs = torch.tensor(X, requires_grad=True)
    h, K = inputs, len(params) // 2
    for k in range(1, K + 1):
        h = h @ leaves[f"W{k}"] + leaves[f"b{k}"]
        if k < K:
            h = torch.sigmoid(h)
    torch.nn.functional.cross_entropy(h, torch.tensor(y)).backward()
    return {**{k: t.grad.numpy() for k, t in leaves.items()}, "x": inputs.grad.numpy()}


# ----------------------------------------------------------------- one layer
def test_lecture_layer_jacobian_A_W_transposed_is_4x3_and_equals_autograd_and_library() -> None:
    dlcourse.seed_everything(0)  # the chapter's first cell
    x = torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)
    W = torch.randn(3, 4, dtype=torch.float64)
    b = torch.randn(1, 4, dtype=torch.float64)
    h = torch.sigmoid(x @ W + b)
    derivative = torch.diag((h * (1 - h)).flatten()) @ W.T
    assert tuple(derivative.shape) == (4, 3)
    np.testing.assert_allclose(derivative[0].numpy(), [0.2960, -0.2083, -0.1381], atol=5e-5)
    autograd = torch.autograd.functional.jacobian(lambda v: torch.sigmoid(v @ W + b).flatten(), x)
    assert torch.equal(derivative, autograd)
    np.testing.assert_allclose(backprop.sigmoid_layer_jacobian(x.numpy(), W.numpy(), b.numpy()),
                               derivative.numpy(), rtol=1e-15, atol=1e-17)


def test_torch_diag_of_a_1x4_matrix_is_its_diagonal_not_a_4x4_matrix() -> None:
    v = torch.arange(4.0).reshape(1, 4)
    assert torch.diag(v).shape == (1,) and torch.diag(v.flatten()).shape == (4, 4)


@given(st.floats(-12, 12))
def test_sigmoid_derivative_is_sigma_times_one_minus_sigma_at_most_a_quarter(z: float) -> None:
    s = float(sigmoid(z))
    exact = math.exp(-z) / (1 + math.exp(-z)) ** 2
    assert s * (1 - s) == pytest.approx(exact, rel=1e-9, abs=1e-300)
    assert s * (1 - s) <= 0.25
    assert float(sigmoid(0.0)) * (1 - float(sigmoid(0.0))) == 0.25


# ----------------------------------------------------------------- the three-layer network
def _by_hand(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, dict]:
    """The chapter's backward pass, one line per row of its table."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    h1 = sigmoid(x @ W1 + b1)
    h2 = sigmoid(h1 @ W2 + b2)
    p = backprop.softmax(h2 @ W3 + b3)
    g3 = p - np.eye(W3.shape[1])[y]
    gbar2 = (g3 @ W3.T) * h2 * (1 - h2)
    gbar1 = (gbar2 @ W2.T) * h1 * (1 - h1)
    grads = {"W3": h2.T @ g3, "b3": g3[0], "W2": h1.T @ gbar2, "b2": gbar2[0],
             "W1": x.T @ gbar1, "b1": gbar1[0], "x": gbar1 @ W1.T}
    return float(-np.log(p[0, y[0]])), p[0], grads


def test_chapter_network_has_loss_1_9002_and_p_0_4631_0_3873_0_1495() -> None:
    params, x, y = chapter_network()
    loss, p, _ = _by_hand(params, x, y)
    assert loss == pytest.approx(1.9002, abs=5e-5)
    np.testing.assert_allclose(p, [0.4631, 0.3873, 0.1495], atol=5e-5)
    net = MLP((4, 5, 3, 3), activation="sigmoid", seed=0)
    net.params = params
    assert net.loss(x, y) == pytest.approx(loss, rel=1e-14)


def test_every_gradient_by_hand_equals_autograd_and_mlp_backward_and_has_its_variables_shape() -> None:
    params, x, y = chapter_network()
    _, _, grads = _by_hand(params, x, y)
    reference, library = torch_gradients(params, x, y), network_gradients(params, x, y)
    assert list(library) == ["W3", "b3", "W2", "b2", "W1", "b1", "x"]
    shapes = {"W3": (3, 3), "b3": (3,), "W2": (5, 3), "b2": (3,), "W1": (4, 5), "b1": (5,), "x": (1, 4)}
    for name, g in grads.items():
        assert g.shape == shapes[name] == (x.shape if name == "x" else params[name].shape)
        np.testing.assert_allclose(g, reference[name], rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(g, library[name], rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(grads["b3"], [0.4631, 0.3873, -0.8505], atol=5e-5)


# ----------------------------------------------------------------- the δ form
def test_delta_form_gives_delta2_minus_0_1462_0_1476_and_equals_autograd() -> None:
    weights, biases, x, y = chapter_delta_network()
    a1 = sigmoid(x @ weights[0] + biases[0])
    f = sigmoid(a1 @ weights[1] + biases[1])
    delta2 = -(y - f) * f * (1 - f)
    delta1 = np.array([sum(weights[1][l, j] * delta2[j] for j in range(2)) for l in range(4)]) * a1 * (1 - a1)
    np.testing.assert_allclose(delta2, [-0.1462, 0.1476], atol=5e-5)
    np.testing.assert_allclose(delta1, [-0.0062, -0.0099, -0.0225, -0.0007], atol=5e-5)
    grads = backprop.delta_backprop(weights, biases, "sigmoid", x, y)
    np.testing.assert_allclose(grads["b1"], delta1, rtol=1e-14)
    np.testing.assert_allclose(grads["W1"], np.outer(x, delta1), rtol=1e-14)
    np.testing.assert_allclose(grads["W2"], np.outer(a1, delta2), rtol=1e-14)
    leaves = [torch.tensor(w, requires_grad=True) for w in weights + biases]
    out = torch.sigmoid(torch.sigmoid(torch.tensor(x) @ leaves[0] + leaves[2]) @ leaves[1] + leaves[3])
    (0.5 * ((torch.tensor(y) - out) ** 2).sum()).backward()
    for k, leaf in enumerate(leaves[:2], 1):
        np.testing.assert_allclose(leaf.grad.numpy(), grads[f"W{k}"], rtol=1e-12, atol=1e-17)


def test_deltas_are_the_matrix_forms_gbar_for_a_sigmoid_output() -> None:
    weights, biases, x, y = chapter_delta_network()
    net = MLP((3, 4, 2), activation="sigmoid")
    net.params = {"W1": weights[0], "b1": biases[0], "W2": weights[1], "b2": biases[1]}
    logits = net.forward(x[None, :])
    f = sigmoid(logits)
    matrix = net.backprop(-(y - f) * f * (1 - f))  # ḡᴷ = δᴷ; the rest is the matrix form
    by_delta = backprop.delta_backprop(weights, biases, "sigmoid", x, y)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(matrix[name], by_delta[name], rtol=1e-13, atol=1e-17)


# ----------------------------------------------------------------- minibatches
def _chapter_batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2)  # the chapter draws the batch after the δ example
    rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=4), rng.normal(size=2), rng.normal(size=3)
    return rng.normal(size=(32, 4)), rng.integers(0, 3, size=32)


def test_batch_gradient_is_the_mean_of_32_single_sample_gradients_and_equals_autograd() -> None:
    params, _, _ = chapter_network()
    X, y = _chapter_batch()
    batch = network_gradients(params, X, y)
    singles = [network_gradients(params, X[i:i + 1], y[i:i + 1]) for i in range(32)]
    reference = torch_gradients(params, X, y)
    for name in ("W3", "b3", "W2", "b2", "W1", "b1"):
        np.testing.assert_allclose(batch[name], np.mean([s[name] for s in singles], axis=0), rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(batch[name], reference[name], rtol=1e-12, atol=1e-16)
        assert batch[name].shape == params[name].shape
    assert batch["x"].shape == (32, 4)
    np.testing.assert_allclose(batch["x"], reference["x"], rtol=1e-12, atol=1e-17)


def test_summing_over_the_batch_gives_B_times_the_mean_gradient() -> None:
    params, _, _ = chapter_network()
    X, y = _chapter_batch()
    mean = network_gradients(params, X, y)
    net = MLP((4, 5, 3, 3), activation="sigmoid")
    net.params = params
    net.forward(X)
    summed = net.backprop(32 * backprop.softmax_cross_entropy_grad(net.cache["hbar3"], y))  # P − Y
    for name in ("W1", "b1", "W3"):
        np.testing.assert_allclose(summed[name], 32 * mean[name], rtol=1e-13)


def test_training_flop_2_41e10_per_step_at_batch_32_and_7_5e14_per_epoch() -> None:
    sizes = (1024,) + (4096,) * 8 + (1000,)
    per_step = lambda B: sum(6 * B * a * b for a, b in zip(sizes[:-1], sizes[1:]))
    assert per_step(32) == pytest.approx(2.41e10, rel=5e-3)
    assert per_step(256) == pytest.approx(1.93e11, rel=5e-3)
    for B in (32, 256):
        epoch = math.ceil(1e6 / B) * per_step(B)
        assert epoch == pytest.approx(7.5e14, rel=0.01)
        assert epoch / 6.6e12 / 60 == pytest.approx(1.9, abs=0.05)
    assert math.ceil(300 / 32) == 10


def test_backward_pass_costs_twice_the_forward_so_a_gradient_costs_three_forward_passes() -> None:
    from torch.utils.flop_counter import FlopCounterMode

    sizes, B = (64, 128, 32, 10), 16
    torch.manual_seed(0)
    layers = [torch.nn.Linear(a, b, dtype=torch.float64) for a, b in zip(sizes[:-1], sizes[1:])]
    x = torch.randn(B, sizes[0], dtype=torch.float64, requires_grad=True)  # ∂l/∂x too, as in the table
    with FlopCounterMode(display=False) as forward:
        h = x
        for k, layer in enumerate(layers):
            h = layer(h) if k == len(layers) - 1 else torch.sigmoid(layer(h))
        loss = torch.nn.functional.cross_entropy(h, torch.zeros(B, dtype=torch.long))
    with FlopCounterMode(display=False) as backward:
        loss.backward()
    fwd, bwd = forward.get_total_flops(), backward.get_total_flops()
    assert fwd == sum(2 * B * a * b for a, b in zip(sizes[:-1], sizes[1:]))  # 2·B·n_in·n_out
    assert bwd == 2 * fwd and fwd + bwd == 3 * fwd  # the chapter's 6·B·n_in·n_out per layer


# ----------------------------------------------------------------- vanishing gradients
def _layer_gradient_norms(activation: str, initialiser=None) -> np.ndarray:
    X, y = data.spirals(300, classes=3, noise=0.2, seed=0)
    deep = (2,) + (32,) * 10 + (3,)
    net = MLP(deep, activation=activation, seed=0)
    rng = np.random.default_rng(0)
    if initialiser is not None:
        for k in range(1, len(deep)):
            net.params[f"W{k}"] = initialiser(deep[k - 1], deep[k], rng)
    net.loss(X, y)
    grads = net.backward(y)
    return np.array([np.linalg.norm(grads[f"W{k}"]) for k in range(1, len(deep))])


def test_sigmoid_gradients_shrink_7_orders_through_11_layers_but_tanh_and_relu_do_not() -> None:
    ratios = {}
    for name, (activation, initialiser) in {"sigmoid": ("sigmoid", None), "sigmoid glorot": ("sigmoid", init.glorot_normal),
                                            "tanh": ("tanh", init.glorot_normal), "relu": ("relu", init.he_normal)}.items():
        norms = _layer_gradient_norms(activation, initialiser)
        ratios[name] = norms[0] / norms[-1]
    assert ratios["sigmoid"] == pytest.approx(6.2e-8, rel=0.01)
    assert ratios["sigmoid glorot"] == pytest.approx(7.4e-8, rel=0.01)
    assert ratios["tanh"] == pytest.approx(0.62, abs=0.005)
    assert ratios["relu"] == pytest.approx(0.45, abs=0.005)


# ----------------------------------------------------------------- representation and training
def test_staircase_of_4_16_64_sigmoids_has_max_error_0_251_0_050_0_013() -> None:
    target = lambda t: np.sin(2 * np.pi * t) + 0.5 * t
    t = np.linspace(0, 1, 1001)
    errors = []
    for N in (4, 16, 64):
        a, k = np.linspace(0, 1, N + 1), 4.0 * N
        hidden = sigmoid(t[:, None] * k - k * (a[1:] - 0.5 / N))
        approx = hidden @ np.diff(target(a)) + target(a[0])
        errors.append(np.abs(approx - target(t)).max())
    np.testing.assert_allclose(errors, [0.251, 0.050, 0.013], atol=5e-4)


def test_spirals_network_reaches_0_993_training_and_0_983_test_accuracy_in_2000_iterations() -> None:
    X, y = data.spirals(300, classes=3, noise=0.2, seed=0)
    X_test, y_test = data.spirals(300, classes=3, noise=0.2, seed=1)
    model = MLP((2, 32, 32, 3), activation="relu", seed=0)
    rng = np.random.default_rng(0)
    for k in (1, 2, 3):
        model.params[f"W{k}"] = init.he_normal(*model.params[f"W{k}"].shape, rng=rng)
    iterations, losses = 0, []
    for _ in range(200):
        order = rng.permutation(300)
        for start in range(0, 300, 32):
            idx = order[start:start + 32]
            model.loss(X[idx], y[idx])
            grads = model.backward(y[idx])
            for name in model.params:
                model.params[name] -= 0.1 * grads[name]
            iterations += 1
        losses.append(model.loss(X, y))
    assert iterations == 2000
    assert 0.9 < losses[0] < 1.1 and losses[-1] < 0.05
    assert np.mean(model.forward(X).argmax(axis=1) == y) == pytest.approx(0.993, abs=5e-4)
    assert np.mean(model.forward(X_test).argmax(axis=1) == y_test) == pytest.approx(0.983, abs=5e-4)
    assert model.loss(X_test, y_test) > losses[-1]
