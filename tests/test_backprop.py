"""dlcourse.backprop: the lecture's formulas reproduce torch.autograd, layer by layer."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.backprop import (
    MLP,
    cross_entropy,
    delta_backprop,
    relu,
    sigmoid,
    sigmoid_layer_jacobian,
    softmax,
    softmax_cross_entropy_grad,
)
from dlcourse.tensor import Tensor, softmax_cross_entropy
from .numerics import central_difference

FAST = settings(max_examples=60, deadline=None)
seeds = st.integers(0, 2**32 - 1)
TORCH_ACT = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh,
             "identity": lambda z: z}


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max(|a|, |b|, tiny), the largest entries setting the scale."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a - b).max() / max(np.abs(a).max(), np.abs(b).max(), 1e-300))


def random_mlp(sizes: tuple[int, ...], activation: str, seed: int) -> MLP:
    net = MLP(sizes, activation=activation, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for name, value in net.params.items():  # non-zero biases too; no saturated units
        value[...] = rng.normal(size=value.shape) / np.sqrt(value.shape[0])
    return net


def torch_mlp_grads(net: MLP, X: np.ndarray, loss_of_logits) -> tuple[float, dict[str, np.ndarray]]:
    """The same network in torch; the gradients of loss_of_logits by autograd."""
    leaves = {name: torch.tensor(v, requires_grad=True) for name, v in net.params.items()}
    leaves["x"] = torch.tensor(X, requires_grad=True)
    h = leaves["x"]
    for k in range(1, net.depth + 1):
        h = h @ leaves[f"W{k}"] + leaves[f"b{k}"]
        if k < net.depth:
            h = TORCH_ACT[net.activation](h)
    loss = loss_of_logits(h)
    loss.backward()
    return loss.item(), {name: t.grad.numpy() for name, t in leaves.items()}


@st.composite
def networks(draw: st.DrawFn) -> tuple[tuple[int, ...], int]:
    depth = draw(st.integers(1, 3))
    sizes = tuple(draw(st.integers(1, 6)) for _ in range(depth + 1))
    return sizes, draw(st.integers(1, 8))


# ----------------------------------------------------------- one layer and the loss
def test_sigmoid_layer_jacobian_matches_torch_on_the_lectures_example() -> None:
    rng = np.random.default_rng(0)
    x = np.array([1.0, -1.0, 1.0])
    W, b = rng.normal(size=(3, 4)), rng.normal(size=(1, 4))
    J = sigmoid_layer_jacobian(x, W, b)
    ref = torch.autograd.functional.jacobian(
        lambda v: torch.sigmoid(v @ torch.from_numpy(W) + torch.from_numpy(b)).reshape(4),
        torch.from_numpy(x))
    assert J.shape == (4, 3)
    assert rel_err(J, ref.numpy()) <= 1e-12
    h = 1 / (1 + np.exp(-(x @ W + b[0])))
    np.testing.assert_allclose(J, (h * (1 - h))[:, None] * W.T, rtol=1e-14)


@FAST
@given(n=st.integers(1, 6), m=st.integers(1, 6), seed=seeds)
def test_sigmoid_layer_jacobian_is_diag_sigma_prime_times_W_transposed(
    n: int, m: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=n), rng.normal(size=(n, m)), rng.normal(size=m)
    ref = torch.autograd.functional.jacobian(
        lambda v: torch.sigmoid(v @ torch.from_numpy(W) + torch.from_numpy(b)), torch.from_numpy(x))
    assert rel_err(sigmoid_layer_jacobian(x, W, b), ref.numpy()) <= 1e-10


def test_activations_match_torch_and_do_not_overflow() -> None:
    x = np.array([-1000.0, -30.0, -1.5, 0.0, 0.7, 30.0, 1000.0])
    t = torch.from_numpy(x)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert rel_err(sigmoid(x), torch.sigmoid(t).numpy()) <= 1e-15
        np.testing.assert_array_equal(relu(x), torch.relu(t).numpy())
        rows = np.stack([x, x[::-1] / 3])
        p = softmax(rows)
    assert rel_err(p, torch.softmax(torch.from_numpy(rows), dim=-1).numpy()) <= 1e-14
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-15)
    assert sigmoid(np.float32(2.0)).dtype == np.float32


def test_cross_entropy_is_log_sum_exp_minus_the_true_logit() -> None:
    h = [1.0, 2.0, 3.0]
    assert cross_entropy(h, 0) == pytest.approx(math.log(math.e + math.e**2 + math.e**3) - 1.0,
                                                rel=1e-15)
    assert cross_entropy([[1000.0, 0.0]], [1]) == 1000.0  # stable: no inf
    assert cross_entropy([[1000.0, 0.0]], [0]) == 0.0


def test_softmax_cross_entropy_gradient_for_one_sample_is_p_minus_one_hot() -> None:
    h = np.array([0.3, -1.2, 2.0, 0.5])
    p = np.exp(h) / np.exp(h).sum()
    g = softmax_cross_entropy_grad(h, 2)
    np.testing.assert_allclose(g, p - np.array([0.0, 0.0, 1.0, 0.0]), rtol=1e-14, atol=1e-17)
    assert g.sum() == pytest.approx(0.0, abs=1e-15)


@FAST
@given(B=st.integers(1, 8), C=st.integers(1, 6), seed=seeds)
def test_cross_entropy_and_its_gradient_match_torch(B: int, C: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, y = 2 * rng.normal(size=(B, C)), rng.integers(0, C, size=B)
    t = torch.tensor(h, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.from_numpy(y))
    ref.backward()
    assert abs(cross_entropy(h, y) - ref.item()) <= 1e-10 * max(1.0, ref.item())
    assert rel_err(softmax_cross_entropy_grad(h, y), t.grad.numpy()) <= 1e-10


# -------------------------------------------------------------------- the matrix form
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
@FAST
@given(net=networks(), seed=seeds)
def test_mlp_backward_equals_torch_autograd_for_every_parameter_and_x(activation: str, net,
                                                                       seed: int) -> None:
    sizes, B = net
    mlp = random_mlp(sizes, activation, seed)
    rng = np.random.default_rng(seed + 2)
    X, y = rng.normal(size=(B, sizes[0])), rng.integers(0, sizes[-1], size=B)
    loss = mlp.loss(X, y)
    grads = mlp.backward(y)
    ref_loss, ref = torch_mlp_grads(
        mlp, X, lambda z: torch.nn.functional.cross_entropy(z, torch.from_numpy(y)))
    assert abs(loss - ref_loss) <= 1e-12 * max(1.0, ref_loss)
    assert list(grads) == [*mlp.params, "x"]
    for name, g in grads.items():
        assert rel_err(g, ref[name]) <= 1e-10, name


def test_mlp_backward_agrees_with_central_differences() -> None:
    rng = np.random.default_rng(3)
    mlp = random_mlp((4, 5, 3, 3), "sigmoid", seed=3)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    mlp.forward(X)
    grads = mlp.backward(y)
    for name, value in mlp.params.items():
        numeric = central_difference(lambda v: mlp.loss(X, y), value)
        assert rel_err(grads[name], numeric) <= 1e-7, name
    assert rel_err(grads["x"], central_difference(lambda v: mlp.loss(v, y), X.copy())) <= 1e-7


def test_mlp_forward_caches_every_layer_and_returns_the_logits() -> None:
    mlp = random_mlp((3, 4, 2), "sigmoid", seed=0)
    X = np.arange(6.0).reshape(2, 3) / 6
    logits = mlp.forward(X)
    c = mlp.cache
    assert list(c) == ["h0", "hbar1", "h1", "hbar2", "p"]
    np.testing.assert_array_equal(c["h0"], X)
    np.testing.assert_allclose(c["hbar1"], X @ mlp.params["W1"] + mlp.params["b1"], rtol=1e-15)
    np.testing.assert_allclose(c["h1"], 1 / (1 + np.exp(-c["hbar1"])), rtol=1e-15)
    assert logits is c["hbar2"] and logits.shape == (2, 2)
    np.testing.assert_allclose(c["p"], softmax(logits), rtol=1e-15)


def test_mlp_matches_the_tensor_engine() -> None:
    rng = np.random.default_rng(5)
    mlp = random_mlp((3, 6, 4), "relu", seed=5)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 4, size=7)
    mlp.loss(X, y)
    grads = mlp.backward(y)
    leaves = {name: Tensor(v, requires_grad=True) for name, v in mlp.params.items()}
    x = Tensor(X, requires_grad=True)
    logits = (x @ leaves["W1"] + leaves["b1"]).relu() @ leaves["W2"] + leaves["b2"]
    softmax_cross_entropy(logits, y).backward()
    for name, t in leaves.items():
        assert rel_err(grads[name], t.grad) <= 1e-13, name
    assert rel_err(grads["x"], x.grad) <= 1e-13


def test_sgd_with_explicit_backprop_learns_separable_blobs() -> None:
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 2.5], [2.5, -1.5], [-2.5, -1.5]])
    X = np.concatenate([c + 0.6 * rng.normal(size=(30, 2)) for c in centres])
    y = np.repeat(np.arange(3), 30)
    mlp = MLP((2, 16, 3), activation="sigmoid", seed=0)
    losses = []
    for _ in range(300):
        losses.append(mlp.loss(X, y))
        grads = mlp.backward(y)
        for name, value in mlp.params.items():
            value -= 1.0 * grads[name]
    assert losses[0] > 0.8
    assert losses[-1] < 0.05
    assert (np.argmax(mlp.forward(X), axis=1) == y).mean() == 1.0


def test_the_mlp_docstring_example_takes_a_step_that_lowers_the_loss() -> None:
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 3, size=20)
    scope = {"MLP": MLP, "X": X, "y": y}
    exec(textwrap.dedent(MLP.__doc__.split("::")[1]), scope)
    net = scope["net"]
    assert set(scope["grads"]) == {"W1", "b1", "W2", "b2", "x"}
    assert net.loss(X, y) < scope["loss"]


# ----------------------------------------------------------------------- the δ form
@pytest.mark.parametrize("activation,output", [("sigmoid", "sigmoid"), ("tanh", "identity"),
                                               ("relu", "identity")])
@FAST
@given(net=networks(), single=st.booleans(), seed=seeds)
def test_delta_backprop_equals_torch_autograd_for_the_squared_loss(activation: str, output: str,
                                                                   net, single: bool,
                                                                   seed: int) -> None:
    sizes, B = net
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(sizes, sizes[1:])]
    bs = [0.5 * rng.normal(size=b) for b in sizes[1:]]
    shape_x, shape_y = ((sizes[0],), (sizes[-1],)) if single else ((B, sizes[0]), (B, sizes[-1]))
    x, y = rng.normal(size=shape_x), rng.normal(size=shape_y)
    grads = delta_backprop(Ws, bs, activation, x, y, output_activation=output)

    leaves = [torch.tensor(v, requires_grad=True) for v in (*Ws, *bs, x)]
    a = leaves[-1]
    for k in range(len(Ws)):
        z = a @ leaves[k] + leaves[len(Ws) + k]
        a = TORCH_ACT[activation if k < len(Ws) - 1 else output](z)
    loss = 0.5 * ((torch.from_numpy(y) - a) ** 2).sum(dim=-1).mean()
    loss.backward()
    names = [f"W{k}" for k in range(1, len(Ws) + 1)] + [f"b{k}" for k in range(1, len(Ws) + 1)]
    for name, t in zip([*names, "x"], leaves):
        assert grads[name].shape == tuple(t.shape)
        assert rel_err(grads[name], t.grad.numpy()) <= 1e-10, name


@pytest.mark.parametrize("output", ["identity", "sigmoid"])
def test_deltas_are_the_matrix_forms_gbar(output: str) -> None:
    rng = np.random.default_rng(11)
    mlp = random_mlp((3, 5, 4, 2), "tanh", seed=11)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    Ws = [mlp.params[f"W{k}"] for k in (1, 2, 3)]
    bs = [mlp.params[f"b{k}"] for k in (1, 2, 3)]
    delta = delta_backprop(Ws, bs, "tanh", X, Y, output_activation=output)
    zK = mlp.forward(X)
    f = zK if output == "identity" else sigmoid(zK)
    fprime = np.ones_like(f) if output == "identity" else f * (1 - f)
    matrix = mlp.backprop(-(Y - f) * fprime / len(X))  # ḡᴷ = δᴷ averaged over the batch
    assert list(delta) == list(matrix)
    for name in matrix:
        assert rel_err(delta[name], matrix[name]) <= 1e-13, name


# ----------------------------------------------------------------------- bad input
def test_unknown_activation_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"'softplus'.*'sigmoid', 'relu', 'tanh', 'identity'"):
        MLP((2, 3), activation="softplus")
    with pytest.raises(ValueError, match="output_activation 'softmax'"):
        delta_backprop([np.ones((2, 1))], [np.ones(1)], "relu", np.ones(2), np.ones(1),
                       output_activation="softmax")


def test_mlp_names_mismatched_shapes() -> None:
    mlp = MLP((3, 4, 2), seed=0)
    with pytest.raises(ValueError, match=r"X has shape \(5, 2\).*W1 has shape \(3, 4\)"):
        mlp.forward(np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"\(B, n0\).*\(3,\)"):
        mlp.forward(np.ones(3))
    with pytest.raises(ValueError, match="before backward"):
        MLP((3, 2)).backward([0])
    mlp.forward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"\[0, 2\).*2"):
        mlp.backward([0, 1, 2, 0, 1])
    with pytest.raises(ValueError, match=r"\(5,\).*\(4,\)"):
        mlp.backward([0, 1, 1, 0])
    with pytest.raises(TypeError, match="integers"):
        mlp.backward(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        mlp.forward(np.full((1, 3), np.nan))
    with pytest.raises(ValueError, match="sizes"):
        MLP((3,))


def test_delta_backprop_and_jacobian_name_mismatched_shapes() -> None:
    W = [np.ones((3, 4)), np.ones((4, 2))]
    b = [np.ones(4), np.ones(2)]
    with pytest.raises(ValueError, match=r"x has shape \(2,\).*W1 has shape \(3, 4\)"):
        delta_backprop(W, b, "sigmoid", np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"y must have shape \(5, 2\).*got \(5, 3\)"):
        delta_backprop(W, b, "sigmoid", np.ones((5, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"W2 has shape \(5, 2\).*\(3, 4\)"):
        delta_backprop([W[0], np.ones((5, 2))], b, "sigmoid", np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"x must have shape \(3,\).*got \(2,\)"):
        sigmoid_layer_jacobian(np.ones(2), np.ones((3, 4)), np.ones(4))
    with pytest.raises(TypeError, match="real numbers"):
        softmax(["a", "b"])
