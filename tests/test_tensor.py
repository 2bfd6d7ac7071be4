"""dlcourse.tensor: every gradient equals torch.autograd (float64) and central differences."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse.tensor import Tensor, softmax_cross_entropy
from .numerics import central_difference

FAST = settings(max_examples=80, deadline=None)
TINY = 1e-300


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max(|a|, |b|, tiny), the largest entries setting the scale."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.size == 0:
        return 0.0
    scale = max(np.abs(a).max(), np.abs(b).max(), TINY)
    return float(np.abs(a - b).max() / scale)


def torch_leaf(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


@st.composite
def broadcast_pair(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast: the second drops leading axes and squeezes some to 1."""
    full = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    drop = draw(st.integers(0, len(full)))
    other = tuple(1 if draw(st.booleans()) else n for n in full[drop:])
    return (full, other) if draw(st.booleans()) else (other, full)


seeds = st.integers(0, 2**32 - 1)
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


# ------------------------------------------------------------------ agreement with torch
@pytest.mark.parametrize("op", list(BINARY))
@FAST
@given(shapes=broadcast_pair(), seed=seeds)
def test_binary_op_gradients_sum_back_to_each_input_shape(op: str, shapes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shapes[0])
    b = rng.uniform(0.5, 2.0, size=shapes[1]) * rng.choice([-1.0, 1.0], size=shapes[1])
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = BINARY[op](ta, tb)
    g = rng.normal(size=out.shape)
    out.backward(g)
    pa, pb = torch_leaf(a), torch_leaf(b)
    ref = BINARY[op](pa, pb)
    ref.backward(torch.from_numpy(g))
    assert out.shape == tuple(ref.shape)
    assert rel_err(out.data, ref.detach().numpy()) <= 1e-12
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    assert rel_err(ta.grad, pa.grad.numpy()) <= 1e-10
    assert rel_err(tb.grad, pb.grad.numpy()) <= 1e-10


@st.composite
def matmul_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    B, n, m, k = (draw(st.integers(1, 6)) for _ in range(4))
    return draw(st.sampled_from([
        ((B, n), (n, m)), ((n,), (n, m)), ((B, n), (n,)), ((n,), (n,)),
        ((k, B, n), (n, m)), ((B, n), (k, n, m)), ((k, B, n), (1, n, m)),
    ]))


@FAST
@given(shapes=matmul_shapes(), seed=seeds)
def test_matmul_gradients_are_g_Bt_and_At_g(shapes, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = ta @ tb
    g = rng.normal(size=out.shape)
    out.backward(g)
    pa, pb = torch_leaf(a), torch_leaf(b)
    ref = pa @ pb
    ref.backward(torch.from_numpy(g))
    assert rel_err(out.data, ref.detach().numpy()) <= 1e-12
    assert rel_err(ta.grad, pa.grad.numpy()) <= 1e-10
    assert rel_err(tb.grad, pb.grad.numpy()) <= 1e-10


UNARY = {
    "neg": (lambda t: -t, lambda t: -t),
    "exp": (Tensor.exp, torch.exp),
    "log": (Tensor.log, torch.log),
    "tanh": (Tensor.tanh, torch.tanh),
    "sigmoid": (Tensor.sigmoid, torch.sigmoid),
    "relu": (Tensor.relu, torch.relu),
    "square": (lambda t: t**2, lambda t: t**2),
    "cube": (lambda t: t**3, lambda t: t**3),
    "sqrt": (lambda t: t**0.5, lambda t: t**0.5),
    "reciprocal": (lambda t: t**-1, lambda t: t**-1),
    "power -1.5": (lambda t: t**-1.5, lambda t: t**-1.5),
    "power 0": (lambda t: t**0, lambda t: t**0),
}
POSITIVE_ONLY = {"log", "sqrt", "reciprocal", "power -1.5"}


@pytest.mark.parametrize("name", list(UNARY))
@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 5), max_size=3).map(tuple), seed=seeds)
def test_elementwise_gradients_match_torch(name: str, shape, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # |x| ≤ 4: beyond, 1 − tanh² and σ(1 − σ) cancel in both libraries and differ by ~1e-10
    x = rng.uniform(0.2, 3.0, size=shape) if name in POSITIVE_ONLY else rng.uniform(-4, 4, shape)
    ours, theirs = UNARY[name]
    t = Tensor(x, requires_grad=True)
    out = ours(t)
    g = rng.normal(size=out.shape)
    out.backward(g)
    p = torch_leaf(x)
    ref = theirs(p)
    ref.backward(torch.from_numpy(g))
    assert rel_err(out.data, ref.detach().numpy()) <= 1e-12
    assert rel_err(t.grad, p.grad.numpy()) <= 1e-10


@st.composite
def reductions(draw: st.DrawFn):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    axes = list(range(-len(shape), len(shape)))
    kind = draw(st.sampled_from(["all", "one", "tuple"]))
    if kind == "all":
        axis = None
    elif kind == "one":
        axis = draw(st.sampled_from(axes))
    else:
        picked = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True))
        axis = tuple(picked)
    return shape, axis, draw(st.booleans())


@pytest.mark.parametrize("method", ["sum", "mean"])
@FAST
@given(case=reductions(), seed=seeds)
def test_sum_and_mean_send_the_adjoint_to_every_term(method: str, case, seed: int) -> None:
    shape, axis, keepdims = case
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    t = Tensor(x, requires_grad=True)
    out = getattr(t, method)(axis=axis, keepdims=keepdims)
    g = rng.normal(size=out.shape)
    out.backward(g)
    p = torch_leaf(x)
    dim = tuple(range(len(shape))) if axis is None else axis
    ref = getattr(p, method)(dim=dim, keepdim=keepdims)
    ref.backward(torch.from_numpy(g))
    assert out.shape == tuple(ref.shape) == np.sum(x, axis=axis, keepdims=keepdims).shape
    assert rel_err(out.data, ref.detach().numpy()) <= 1e-12
    assert rel_err(t.grad, p.grad.numpy()) <= 1e-10


@FAST
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), seed=seeds)
def test_reshape_and_transpose_route_gradients_back(shape, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    w = rng.normal(size=(int(np.prod(shape)), 1))
    t = Tensor(x, requires_grad=True)
    out = (t.T.reshape(1, -1) @ w + t.reshape((-1,)).sum()).exp()
    out.backward(np.ones((1, 1)))
    p = torch_leaf(x)
    ref = (p.permute(*reversed(range(p.ndim))).reshape(1, -1) @ torch.from_numpy(w)
           + p.reshape(-1).sum()).exp()
    ref.backward(torch.ones(1, 1, dtype=torch.float64))
    assert rel_err(out.data, ref.detach().numpy()) <= 1e-12
    assert rel_err(t.grad, p.grad.numpy()) <= 1e-10


@FAST
@given(B=st.integers(1, 8), C=st.integers(1, 6), shift=st.sampled_from([0.0, 1000.0, -1000.0]),
       seed=seeds)
def test_softmax_cross_entropy_matches_torch_even_for_huge_logits(B: int, C: int, shift: float,
                                                                 seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, y = rng.normal(size=(B, C)), rng.integers(0, C, size=B)
    t = Tensor(h + shift, requires_grad=True)
    loss = softmax_cross_entropy(t, y)
    loss.backward()
    p = torch_leaf(h)
    ref = torch.nn.functional.cross_entropy(p, torch.from_numpy(y))
    ref.backward()
    assert np.isfinite(loss.item())
    assert abs(loss.item() - ref.item()) <= 1e-10 * max(1.0, abs(ref.item()))
    assert rel_err(t.grad, p.grad.numpy()) <= 1e-10


def test_softmax_cross_entropy_gradient_is_p_minus_one_hot_over_B() -> None:
    h = np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]])
    y = np.array([2, 0])
    t = Tensor(h, requires_grad=True)
    loss = softmax_cross_entropy(t, y)
    loss.backward()
    p = np.exp(h) / np.exp(h).sum(axis=1, keepdims=True)
    expected_loss = np.mean(np.log(np.exp(h).sum(axis=1)) - h[[0, 1], y])
    assert loss.item() == pytest.approx(expected_loss, rel=1e-14)
    np.testing.assert_allclose(t.grad, (p - np.eye(3)[y]) / 2, rtol=1e-13, atol=1e-16)


# ------------------------------------------------------------------ central differences
def test_composite_gradient_agrees_with_central_differences() -> None:
    rng = np.random.default_rng(7)
    W0, b0, x0 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3))

    def f(W: np.ndarray, b: np.ndarray, x: np.ndarray, grad: bool = False):
        tW, tb, tx = (Tensor(v, requires_grad=grad) for v in (W, b, x))
        h = (tx @ tW + tb).tanh()
        z = (h * h.sigmoid() + 1.5).log() / (2.0 - h.exp().mean(axis=0, keepdims=True))
        out = (z**2).sum() + (z.T @ z).mean() - (-z).relu().sum()
        return out, (tW, tb, tx)

    loss, (tW, tb, tx) = f(W0, b0, x0, grad=True)
    loss.backward()
    for analytic, arg in ((tW.grad, 0), (tb.grad, 1), (tx.grad, 2)):
        values = [W0.copy(), b0.copy(), x0.copy()]

        def scalar(v: np.ndarray) -> float:
            values[arg] = v
            return f(*values)[0].item()

        numeric = central_difference(scalar, values[arg].copy())
        assert rel_err(analytic, numeric) <= 1e-7


# ---------------------------------------------------------------- the engine's behaviour
def test_an_input_used_twice_gets_the_sum_of_both_gradients() -> None:
    x = Tensor([2.0, -3.0], requires_grad=True)
    (x * x + x).sum().backward()  # d(x² + x)/dx = 2x + 1
    np.testing.assert_array_equal(x.grad, [5.0, -5.0])


def test_gradients_accumulate_over_backward_calls_until_zero_grad() -> None:
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [6.0, 6.0])
    w.zero_grad()
    assert w.grad is None
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_backward_handles_a_chain_of_20000_operations_without_recursion() -> None:
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(1.0001**20_000, rel=1e-10)


def test_constants_and_numpy_operands_get_no_gradient() -> None:
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    c = Tensor(np.full((2, 2), 3.0))
    out = np.array([1.0, 2.0]) * (2.0 - w / c) @ np.eye(2)
    assert isinstance(out, Tensor)
    out.sum().backward()
    assert c.grad is None
    # out_ij = a_j (2 − w_ij/3), the row a = [1, 2] broadcast over rows: ∂/∂w_ij = −a_j/3
    np.testing.assert_allclose(w.grad, -np.array([[1.0, 2.0], [1.0, 2.0]]) / 3, rtol=1e-15)


def test_float32_tensors_stay_float32_through_backward() -> None:
    w = Tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    loss = softmax_cross_entropy((x @ w * 0.5 + 1).relu(), [0, 1])
    loss.backward()
    assert loss.dtype == np.float32 and w.grad.dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float64


def test_tensor_copies_its_data() -> None:
    a = np.zeros(3)
    t = Tensor(a)
    t.data += 1
    assert a.sum() == 0.0


# ------------------------------------------------------------------ training a network
def make_blobs(n_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 2.5], [2.5, -1.5], [-2.5, -1.5]])
    X = np.concatenate([c + 0.6 * rng.normal(size=(n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return X, y


def test_two_layer_mlp_trains_and_follows_torchs_sgd_trajectory() -> None:
    X, y = make_blobs(30, seed=0)
    rng = np.random.default_rng(1)
    init = [rng.normal(size=(2, 16)) / np.sqrt(2), 0.1 * rng.normal(size=16),
            rng.normal(size=(16, 3)) / 4, 0.1 * rng.normal(size=3)]
    lr, steps = 0.3, 150

    ours = [Tensor(v, requires_grad=True) for v in init]
    our_losses = []
    for _ in range(steps):
        W1, b1, W2, b2 = ours
        loss = softmax_cross_entropy((Tensor(X) @ W1 + b1).relu() @ W2 + b2, y)
        loss.backward()
        for w in ours:
            w.data -= lr * w.grad
            w.zero_grad()
        our_losses.append(loss.item())

    theirs = [torch_leaf(v) for v in init]
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)
    their_losses = []
    for _ in range(steps):
        W1, b1, W2, b2 = theirs
        loss = torch.nn.functional.cross_entropy(torch.relu(tX @ W1 + b1) @ W2 + b2, ty)
        loss.backward()
        with torch.no_grad():
            for w in theirs:
                w -= lr * w.grad
                w.grad = None
        their_losses.append(loss.item())

    assert our_losses[0] > 0.5
    assert our_losses[-1] < 0.05
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10, atol=0)
    for mine, ref in zip(ours, theirs):
        assert rel_err(mine.data, ref.detach().numpy()) <= 1e-10


def test_the_docstring_example_takes_a_step_that_lowers_the_loss() -> None:
    code = textwrap.dedent(Tensor.__doc__.split("::")[1])
    scope = {"np": np, "Tensor": Tensor, "softmax_cross_entropy": softmax_cross_entropy}
    exec(code, scope)
    W1, b1, W2, b2, X, y = (scope[k] for k in ("W1", "b1", "W2", "b2", "X", "y"))
    assert W1.grad is None  # zero_grad ran
    after = softmax_cross_entropy((Tensor(X) @ W1 + b1).relu() @ W2 + b2, y).item()
    assert after < scope["loss"].item()


# ----------------------------------------------------------------------- bad input
def test_matmul_of_incompatible_shapes_names_both() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 2, 3\).*\(3, 3, 4\)"):
        Tensor(np.ones((2, 2, 3))) @ Tensor(np.ones((3, 3, 4)))


def test_shapes_that_do_not_broadcast_are_named() -> None:
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2,\).*'\+'"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(2))


def test_backward_on_a_non_scalar_without_grad_names_the_shape() -> None:
    out = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"scalar.*\(2, 3\)"):
        out.backward()
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        out.backward(np.ones((3, 2)))


def test_backward_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="requires_grad"):
        (Tensor(1.0) * 2).backward()


@pytest.mark.parametrize("bad", ["abc", ["1", "2"], None, [1 + 2j], {"a": 1}])
def test_non_numeric_data_is_a_type_error(bad) -> None:
    with pytest.raises(TypeError, match="real numbers"):
        Tensor(bad)
    with pytest.raises(TypeError):
        Tensor([1.0]) + bad


def test_exponent_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="exponent"):
        Tensor([2.0]) ** Tensor([2.0])
    with pytest.raises(TypeError, match="float32 or float64"):
        Tensor([1.0], dtype=np.int64)


def test_cross_entropy_rejects_bad_labels_and_logits() -> None:
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"\[0, 3\).*3"):
        softmax_cross_entropy(logits, [0, 3])
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        softmax_cross_entropy(logits, [0, 1, 2])
    with pytest.raises(TypeError, match="integers"):
        softmax_cross_entropy(logits, [0.0, 1.0])
    with pytest.raises(ValueError, match=r"\(B, C\).*\(3,\)"):
        softmax_cross_entropy(Tensor(np.zeros(3)), [0])
    with pytest.raises(ValueError, match="NaN"):
        softmax_cross_entropy(Tensor([[np.nan, 0.0]]), [0])
