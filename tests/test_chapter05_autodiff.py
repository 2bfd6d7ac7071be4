"""The claims and worked numbers of chapter 5, *Automatic differentiation*, checked with the library."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given
from hypothesis import strategies as st

from dlcourse import calculus
from dlcourse.autodiff import Dual, Tape, Var, exp, log, sin, tanh, trace, zero_grad
from dlcourse.checks.autodiff import baydin


@pytest.fixture(autouse=True)
def fresh_tape():
    with Tape() as tape:
        yield tape


@pytest.fixture
def worked():
    return trace(baydin, x1=2, x2=5)


# ------------------------------------------------------------------ four ways
def test_gradient_by_hand_at_2_5_is_5_5_and_1_716():
    by_hand = (1 / 2 + 5, 2 - math.cos(5))
    assert by_hand[0] == 5.5
    assert round(by_hand[1], 3) == 1.716


def test_central_differences_are_close_but_not_exact():
    numerical = calculus.gradient(lambda x: math.log(x[0]) + x[0] * x[1] - math.sin(x[1]), [2.0, 5.0])
    error = np.abs(numerical - np.array([5.5, 2 - math.cos(5)])).max()
    assert 0 < error < 1e-9


X = sp.symbols("x")


def _logistic(n: int) -> sp.Expr:
    l = X
    for _ in range(n - 1):
        l = 4 * l * (1 - l)
    return l


@pytest.mark.parametrize(
    "n, closed_form",
    [
        (2, 4 * X * (1 - X)),
        (3, 16 * X * (1 - X) * (1 - 2 * X) ** 2),
        (4, 64 * X * (1 - X) * (1 - 2 * X) ** 2 * (1 - 8 * X + 8 * X**2) ** 2),
    ],
)
def test_logistic_map_iterates_have_the_closed_forms(n, closed_form):
    assert sp.expand(_logistic(n) - closed_form) == 0


def test_l4_expanded_is_a_polynomial_of_degree_8():
    l4 = sp.Poly(sp.expand(_logistic(4)), X)
    assert l4.degree() == 8
    assert l4.all_coeffs() == [-16384, 65536, -106496, 90112, -42240, 10752, -1344, 64, 0]


def _program_operations(n: int) -> int:
    with Tape() as tape:
        l = Var(0.3)
        for _ in range(n - 1):
            l = 4 * l * (1 - l)
    return len(tape) - 1 if n > 1 else 0


def test_symbolic_derivative_of_logistic_map_swells_while_the_program_grows_by_3_per_step():
    rows = []
    for n in range(1, 8):
        l_n = _logistic(n)
        d_n = sp.diff(l_n, X)
        d_expanded = sp.diff(sp.expand(l_n), X)
        if n <= 5:  # expanding the derivative gives the same polynomial (slow beyond n = 5)
            assert sp.expand(d_n - d_expanded) == 0
        rows.append((n, sp.count_ops(l_n), sp.count_ops(d_n), sp.count_ops(d_expanded), _program_operations(n)))
    assert rows == [
        (1, 0, 0, 0, 0),
        (2, 3, 2, 2, 3),
        (3, 8, 21, 8, 6),
        (4, 18, 82, 20, 9),
        (5, 38, 264, 44, 12),
        (6, 78, 768, 92, 15),
        (7, 158, 2096, 188, 18),
    ]


@pytest.mark.parametrize("n", [2, 4, 7])
def test_forward_mode_on_the_logistic_program_equals_the_symbolic_derivative(n):
    l = Dual(0.3, 1.0)
    for _ in range(n - 1):
        l = 4 * l * (1 - l)
    symbolic = float(sp.diff(_logistic(n), X).subs(X, sp.Rational(3, 10)))
    assert l.tangent == pytest.approx(symbolic, rel=1e-12)


# ------------------------------------------------------------------ forward mode
def test_forward_mode_of_xy_plus_sin_x_at_2_5():
    x, y = Dual(2.0, 1.0), Dual(5.0, 0.0)
    a, b = x * y, sin(x)
    z = a + b
    assert (a.value, a.tangent) == (10.0, 5.0)
    assert b.tangent == pytest.approx(math.cos(2.0), rel=1e-15)
    assert z.tangent == pytest.approx(5 + math.cos(2.0), rel=1e-15)
    assert round(z.tangent, 3) == 4.584
    assert round(z.value, 4) == 10.9093
    seeded_y = Dual(2.0, 0.0) * Dual(5.0, 1.0) + sin(Dual(2.0, 0.0))
    assert seeded_y.tangent == 2.0  # ∂z/∂y = x


small = st.floats(-10, 10, allow_nan=False)


@given(small, small, small, small)
def test_dual_product_keeps_only_the_first_order_term(a, a_dot, b, b_dot):
    d = Dual(a, a_dot) * Dual(b, b_dot)
    assert d.value == a * b
    assert d.tangent == pytest.approx(a_dot * b + a * b_dot, rel=1e-12, abs=1e-12)


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_dual_numbers_apply_the_chain_rule_to_compositions(a, a_dot):
    d = exp(sin(Dual(a, a_dot)))
    assert d.tangent == pytest.approx(math.exp(math.sin(a)) * math.cos(a) * a_dot, rel=1e-12, abs=1e-12)


def test_tangent_trace_seeded_on_x1_gives_5_5(worked):
    t = worked.tangent({"x1": 1.0})
    assert [(r.name, round(r.value, 3)) for r in t] == [
        ("v̇₋₁", 1.0), ("v̇₀", 0.0), ("v̇₁", 0.5), ("v̇₂", 5.0), ("v̇₃", 0.0), ("v̇₄", 5.5), ("v̇₅", 5.5), ("ẏ", 5.5),
    ]


def test_tangent_trace_seeded_on_x2_gives_1_716(worked):
    t = worked.tangent({"x2": 1.0})
    assert t.row("v̇₃").value == pytest.approx(math.cos(5), rel=1e-15)
    assert round(t.row("v̇₃").value, 3) == 0.284
    assert t.row("v̇₂").value == 2.0
    assert round(t.row("ẏ").value, 3) == 1.716


# ------------------------------------------------------------------ reverse mode
def test_reverse_mode_of_xy_plus_sin_x_gives_y_plus_cos_x_and_x():
    x, y = Var(2.0), Var(5.0)
    z = x * y + sin(x)
    z.backward()
    assert x.grad == pytest.approx(5 + math.cos(2.0), rel=1e-15)
    assert y.grad == 2.0


def test_worked_primal_trace_of_ln_x1_plus_x1_x2_minus_sin_x2_at_2_5(worked):
    assert [(r.name, r.expression, round(r.value, 3)) for r in worked.primal] == [
        ("v₋₁", "x₁", 2.0),
        ("v₀", "x₂", 5.0),
        ("v₁", "ln v₋₁", 0.693),
        ("v₂", "v₋₁ × v₀", 10.0),
        ("v₃", "sin v₀", -0.959),
        ("v₄", "v₁ + v₂", 10.693),
        ("v₅", "v₄ − v₃", 11.652),
        ("y", "v₅", 11.652),
    ]


def test_worked_adjoint_trace_accumulates_twice_and_gives_5_5_and_1_716(worked):
    assert [(r.name, r.op, r.expression, round(r.value, 3)) for r in worked.adjoint] == [
        ("v̄₅", "=", "ȳ", 1.0),
        ("v̄₄", "=", "v̄₅", 1.0),
        ("v̄₃", "=", "−v̄₅", -1.0),
        ("v̄₁", "=", "v̄₄", 1.0),
        ("v̄₂", "=", "v̄₄", 1.0),
        ("v̄₀", "=", "v̄₃ cos v₀", -0.284),
        ("v̄₋₁", "=", "v̄₂ v₀", 5.0),
        ("v̄₀", "+=", "v̄₂ v₋₁", 1.716),
        ("v̄₋₁", "+=", "v̄₁ / v₋₁", 5.5),
        ("x̄₁", "=", "v̄₋₁", 5.5),
        ("x̄₂", "=", "v̄₀", 1.716),
    ]
    assert worked.grad == {"x1": 5.5, "x2": 2 - math.cos(5)}


def test_forgetting_one_accumulation_gives_x2_bar_minus_0_284_or_2(worked):
    only_sin = worked.adjoint.row("v̄₀").value
    only_product = worked.adjoint.row("v̄₀", "+=").value - only_sin
    assert (round(only_sin, 3), round(only_product, 3)) == (-0.284, 2.0)


def test_worked_gradient_equals_torch_autograd_to_the_last_bit(worked):
    x1 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor(5.0, dtype=torch.float64, requires_grad=True)
    y = torch.log(x1) + x1 * x2 - torch.sin(x2)
    y.backward()
    assert worked.grad["x1"] == x1.grad.item()
    assert worked.grad["x2"] == x2.grad.item()
    assert round(y.item(), 6) == round(worked.output, 6) == 11.652071


# ------------------------------------------------------------------ the tiny engine
def test_worked_example_puts_7_values_on_the_tape(fresh_tape):
    x1, x2 = Var(2.0), Var(5.0)
    y = baydin(x1, x2)
    y.backward()
    assert len(fresh_tape) == 7
    assert (x1.grad, round(x2.grad, 4)) == (5.5, 1.7163)


XS = np.linspace(-2, 2, 12)
YS = np.sin(1.5 * XS)


def _chapter_network():
    rng = np.random.default_rng(0)
    H = 4
    return {
        "w1": [Var(w) for w in rng.normal(0, 1, H)],
        "b1": [Var(b) for b in rng.normal(0, 1, H)],
        "w2": [Var(w) for w in rng.normal(0, 1 / math.sqrt(H), H)],
        "b2": [Var(0.0)],
    }


def _net(p, x):
    out = p["b2"][0]
    for w1, b1, w2 in zip(p["w1"], p["b1"], p["w2"]):
        out = out + w2 * tanh(w1 * x + b1)
    return out


def _mse(p):
    total = 0.0
    for x, y in zip(XS, YS):
        total = total + (_net(p, float(x)) - float(y)) ** 2
    return total / len(XS)


def test_first_gradient_of_the_tanh_network_matches_torch():
    params = _chapter_network()
    flat = [p for group in params.values() for p in group]
    loss = _mse(params)
    loss.backward()
    w1, b1, w2, b2 = (torch.tensor([p.value for p in g], dtype=torch.float64, requires_grad=True) for g in params.values())
    X, Y = torch.tensor(XS)[:, None], torch.tensor(YS)
    torch_loss = ((torch.tanh(X * w1 + b1) @ w2 + b2 - Y) ** 2).mean()
    torch_loss.backward()
    theirs = torch.cat([w1.grad, b1.grad, w2.grad, b2.grad]).numpy()
    assert round(loss.value, 6) == round(torch_loss.item(), 6) == 0.576331
    np.testing.assert_allclose([p.grad for p in flat], theirs, rtol=1e-13, atol=1e-15)


def test_gradient_descent_with_var_fits_the_network_to_loss_0_000953():
    params = _chapter_network()
    flat = [p for group in params.values() for p in group]
    losses = []
    for _ in range(2000):
        with Tape():
            loss = _mse(params)
            loss.backward()
        losses.append(loss.value)
        for p in flat:
            p.value -= 0.1 * p.grad
        zero_grad(flat)
    assert round(losses[0], 4) == 0.5763
    assert round(losses[-1], 6) == 0.000953
    assert all(b <= a for a, b in zip(losses, losses[1:]))


# ------------------------------------------------------------------ cost
def _rosenbrock(x):
    total = 0.0
    for a, b in zip(x[:-1], x[1:]):
        total = total + 100 * (b - a * a) ** 2 + (1 - a) ** 2
    return total


@pytest.mark.parametrize("n", [2, 4, 16, 256])
def test_rosenbrock_program_has_8_n_minus_1_operations(n, fresh_tape):
    xs = [Var(float(v)) for v in np.random.default_rng(n).normal(size=n)]
    _rosenbrock(xs)
    assert len(fresh_tape) - n == 8 * (n - 1)


def test_operation_counts_of_the_table_at_n_256():
    n, m = 256, 8 * 255
    assert (m, n * m, 2 * m) == (2040, 522240, 4080)


@pytest.mark.parametrize("n", [3, 17])
def test_n_forward_passes_and_one_reverse_pass_give_the_same_gradient(n):
    point = [float(v) for v in np.random.default_rng(n).normal(size=n)]
    forward = [_rosenbrock([Dual(v, float(i == j)) for j, v in enumerate(point)]).tangent for i in range(n)]
    xs = [Var(v) for v in point]
    _rosenbrock(xs).backward()
    np.testing.assert_allclose(forward, [x.grad for x in xs], rtol=1e-12, atol=1e-9)
    t = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (100 * (t[1:] - t[:-1] ** 2) ** 2 + (1 - t[:-1]) ** 2).sum().backward()
    np.testing.assert_allclose(forward, t.grad.numpy(), rtol=1e-12, atol=1e-9)


def _f_vec(x1, x2, x3):
    return [x1 * x1 + x2 * x2, x2 * x2 + x3 * x3 * x2]


def test_jacobian_by_three_forward_passes_and_by_two_reverse_passes():
    point = [1.0, 2.0, 3.0]
    columns = [[o.tangent for o in _f_vec(*(Dual(v, float(i == j)) for i, v in enumerate(point)))] for j in range(3)]
    rows = []
    for i in range(2):
        with Tape():
            xs = [Var(v) for v in point]
            _f_vec(*xs)[i].backward()
        rows.append([x.grad for x in xs])
    expected = [[2.0, 4.0, 0.0], [0.0, 13.0, 12.0]]
    assert np.array(columns).T.tolist() == expected
    assert rows == expected


# ------------------------------------------------------------------ frameworks
def test_pytorch_graph_of_the_worked_example_reaches_x1_by_two_paths():
    x1 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor(5.0, dtype=torch.float64, requires_grad=True)
    y = torch.log(x1) + x1 * x2 - torch.sin(x2)
    seen, stack = [], [y.grad_fn]
    while stack:
        node = stack.pop()
        seen.append(node)
        stack.extend(p for p, _ in node.next_functions if p is not None)
    names = sorted(type(n).__name__ for n in seen)
    assert names.count("AccumulateGrad") == 4
    assert sum(getattr(n, "variable", None) is x1 for n in seen) == 2
    assert type(y.grad_fn).__name__ == "SubBackward0"


def _halve_then_square(x):
    while x > 1 or x < -1:
        x = x / 2
    return x * x


@pytest.mark.parametrize("start, operations, slope", [(10.0, 5, 0.078125), (3.0, 3, 0.375)])
def test_dynamic_graph_of_halve_then_square(start, operations, slope):
    with Tape() as tape:
        v = Var(start)
        _halve_then_square(v).backward()
    t = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    _halve_then_square(t).backward()
    assert len(tape) - 1 == operations
    assert v.grad == t.grad.item() == slope


def test_torch_func_forward_and_reverse_modes_agree_with_ours():
    from torch.func import jacfwd, jacrev, jvp

    def f(x):
        return torch.stack([x[0] ** 2 + x[1] ** 2, x[1] ** 2 + x[2] ** 2 * x[1]])

    _, tangent = jvp(
        lambda x: torch.log(x[0]) + x[0] * x[1] - torch.sin(x[1]),
        (torch.tensor([2.0, 5.0], dtype=torch.float64),),
        (torch.tensor([1.0, 0.0], dtype=torch.float64),),
    )
    assert tangent.item() == 5.5
    point = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    expected = [[2.0, 4.0, 0.0], [0.0, 13.0, 12.0]]
    assert jacfwd(f)(point).tolist() == expected == jacrev(f)(point).tolist()


def test_library_functions_serve_floats_duals_and_vars_alike():
    assert baydin(2.0, 5.0) == pytest.approx(math.log(2) + 10 - math.sin(5), rel=1e-15)
    assert baydin(Dual(2.0, 1.0), Dual(5.0, 0.0)).tangent == 5.5
    assert isinstance(log(Var(2.0)), Var)
