"""Tests of dlcourse.autodiff: forward mode, reverse mode, traces and graphs (chapter 5)."""

from __future__ import annotations

import gc
import math
import re
import subprocess
import sys
import warnings
import weakref
from html.parser import HTMLParser
from typing import Any, Callable

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from dlcourse.autodiff import reverse
from dlcourse.autodiff import (
    Dual,
    Tape,
    Trace,
    Var,
    cos,
    draw_graph,
    exp,
    log,
    relu,
    sigmoid,
    sin,
    tanh,
    trace,
    zero_grad,
)

FUNCTIONS = {
    "sin": sin, "cos": cos, "exp": exp, "log": log, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
}  # fmt: skip
TORCH_FUNCTIONS = {
    "sin": torch.sin,
    "cos": torch.cos,
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}
#: The same functions for inputs that may be plain floats (constant parts of an expression).
TORCH_ANY = {
    name: (lambda fn: lambda t: fn(torch.as_tensor(t, dtype=torch.float64)))(fn)
    for name, fn in TORCH_FUNCTIONS.items()
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


@pytest.fixture(autouse=True)
def fresh_tape():
    """Every test records on a tape of its own, so the default tape stays empty."""
    with Tape() as tape:
        yield tape


def torch_value_and_grad(f: Callable, *point: float) -> tuple[float, list[float]]:
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    y = f(*xs)
    grads = torch.autograd.grad(y, xs, allow_unused=True)
    return y.item(), [0.0 if g is None else g.item() for g in grads]


def dual_gradient(f: Callable, *point: float) -> tuple[float, list[float]]:
    """∇f by n forward passes, one seed direction eᵢ each."""
    tangents = []
    for i in range(len(point)):
        y = f(*(Dual(p, 1.0 if j == i else 0.0) for j, p in enumerate(point)))
        tangents.append(y.tangent if isinstance(y, Dual) else 0.0)
    return y.value if isinstance(y, Dual) else y, tangents


def var_gradient(f: Callable, *point: float) -> tuple[float, list[float]]:
    xs = [Var(p) for p in point]
    y = f(*xs)
    y.backward()
    return y.value, [x.grad for x in xs]


# --------------------------------------------------------------------------- forward mode


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("x", [-1.3, 0.4, 2.5])
def test_dual_tangent_of_each_function_is_its_derivative(name: str, x: float) -> None:
    if name == "log" and x <= 0:
        x = -x
    y, (dy,) = dual_gradient(FUNCTIONS[name], x)
    ty, (tdy,) = torch_value_and_grad(TORCH_FUNCTIONS[name], x)
    assert y == pytest.approx(ty, rel=1e-14, abs=1e-15)
    assert dy == pytest.approx(tdy, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("form", ["dual∘dual", "dual∘number", "number∘dual"])
def test_dual_arithmetic_follows_the_differentiation_rules(op: str, form: str) -> None:
    a, b, c = 1.7, 0.6, 2.5
    f = {
        "dual∘dual": lambda x, y: BINARY[op](x, y),
        "dual∘number": lambda x, y: BINARY[op](x, c) * y,
        "number∘dual": lambda x, y: BINARY[op](c, x) * y,
    }[form]
    y, grad = dual_gradient(f, a, b)
    ty, tgrad = torch_value_and_grad(f, a, b)
    assert y == pytest.approx(ty, rel=1e-14)
    assert grad == pytest.approx(tgrad, rel=1e-14)


def test_dual_rules_by_hand() -> None:
    x = Dual(2.0, 1.0)
    assert (x * x + 3 * x).tangent == 7.0  # d/dx (x² + 3x) = 2x + 3
    assert (1 / x).tangent == -0.25  # −1/x²
    assert (2**x).tangent == pytest.approx(4 * math.log(2), rel=1e-15)
    assert (x**x).tangent == pytest.approx(4 * (math.log(2) + 1), rel=1e-15)  # xˣ (ln x + 1)
    assert (-x).value == -2.0 and (-x).tangent == -1.0
    assert (+x) is x


def test_forward_mode_example_of_the_lecture() -> None:
    # a = xy, b = sin x, z = a + b:  ż = ȧ + ḃ = (x ẏ + y ẋ) + cos x ẋ
    x, y = 0.8, -1.9
    z = Dual(x, 1.0) * Dual(y, 0.0) + sin(Dual(x, 1.0))
    assert z.tangent == pytest.approx(y + math.cos(x), rel=1e-15)
    z = Dual(x, 0.0) * Dual(y, 1.0) + sin(Dual(x, 0.0))
    assert z.tangent == x


def test_relu_slope_at_zero_is_zero_as_in_torch() -> None:
    assert relu(Dual(0.0, 1.0)).tangent == 0.0
    assert relu(Dual(-2.0, 1.0)).value == 0.0
    v = Var(0.0)
    relu(v).backward()
    assert v.grad == 0.0 == torch_value_and_grad(torch.relu, 0.0)[1][0]


def test_duals_compare_by_value() -> None:
    assert Dual(1.0, 5.0) < Dual(2.0, -5.0) <= 2 < Dual(3.0)
    assert Dual(3.0) > 2.5 and Dual(3.0) >= Dual(3.0, 1.0)
    assert max(Dual(1.0, 1.0), Dual(4.0, 2.0)).tangent == 2.0


def test_square_root_has_infinite_slope_at_zero_like_torch() -> None:
    assert (Dual(0.0, 1.0) ** 0.5).tangent == math.inf
    assert (Dual(0.0, 1.0) ** 0).tangent == 0.0
    assert (Dual(0.0, 1.0) ** 0).value == 1.0


# --------------------------------------------------------------------------- functions


def test_functions_on_floats_and_numpy_scalars_return_floats() -> None:
    assert sin(0.5) == math.sin(0.5)
    assert exp(np.float64(1.0)) == math.e
    y = log(np.float32(2.0))
    assert type(y) is float and y == math.log(2.0)
    assert tanh(3) == math.tanh(3)
    assert relu(-2) == 0.0 and relu(np.int64(3)) == 3.0
    assert sigmoid(0.0) == 0.5


def test_sigmoid_does_not_overflow_far_from_zero() -> None:
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0
    expected = torch.sigmoid(torch.tensor(-30.0, dtype=torch.float64)).item()
    assert sigmoid(-30.0) == pytest.approx(expected, rel=1e-15)


def test_one_function_serves_floats_duals_and_vars() -> None:
    def f(x):
        return sigmoid(x) * exp(-x) + log(1 + x * x) - relu(x - 1) + cos(x) / tanh(x)

    value = f(0.7)
    dual = f(Dual(0.7, 1.0))
    x = Var(0.7)
    y = f(x)
    y.backward()
    _, (expected,) = torch_value_and_grad(
        lambda t: torch.sigmoid(t) * torch.exp(-t)
        + torch.log(1 + t * t)
        - torch.relu(t - 1)
        + torch.cos(t) / torch.tanh(t),
        0.7,
    )
    assert value == dual.value == y.value
    assert dual.tangent == pytest.approx(expected, rel=1e-13)
    assert x.grad == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(
    "bad", [0, -2.5, Dual(-1.0, 1.0), Var(0.0)], ids=["0", "-2.5", "dual", "var"]
)
def test_log_of_a_non_positive_number_names_the_number(bad: Any) -> None:
    shown = repr(float(bad)) if isinstance(bad, (int, float)) else repr(bad.value)
    with pytest.raises(ValueError, match=f"positive.*{re.escape(shown)}"):
        log(bad)


@pytest.mark.parametrize("bad", ["a", None, [1.0], np.ones(2), True, 1j])
def test_functions_refuse_what_is_not_a_number(bad: Any) -> None:
    with pytest.raises(TypeError, match="sin expects a number"):
        sin(bad)


# --------------------------------------------------------------------------- reverse mode


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("form", ["var∘var", "var∘number", "number∘var", "var∘itself"])
def test_var_gradients_of_arithmetic_match_torch(op: str, form: str) -> None:
    a, b, c = 1.7, 0.6, 2.5
    f = {
        "var∘var": lambda x, y: BINARY[op](x, y),
        "var∘number": lambda x, y: BINARY[op](x, c) * y,
        "number∘var": lambda x, y: BINARY[op](c, x) * y,
        "var∘itself": lambda x, y: BINARY[op](x, x) + y,
    }[form]
    y, grad = var_gradient(f, a, b)
    ty, tgrad = torch_value_and_grad(f, a, b)
    assert y == pytest.approx(ty, rel=1e-14)
    assert grad == pytest.approx(tgrad, rel=1e-14)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_var_methods_and_functions_match_torch(name: str) -> None:
    for x0 in (0.3, 1.9) if name == "log" else (-1.1, 0.3, 1.9):
        x = Var(x0)
        y = getattr(x, name)() * 3.0 + FUNCTIONS[name](x)
        y.backward()
        _, (expected,) = torch_value_and_grad(lambda t: TORCH_FUNCTIONS[name](t) * 4.0, x0)
        assert x.grad == pytest.approx(expected, rel=1e-14, abs=1e-15)


def test_a_value_used_twice_gets_the_sum_of_both_paths() -> None:
    x = Var(3.0)
    (x * x).backward()  # the two uses of x contribute x̄ = v̄ x + v̄ x
    assert x.grad == 6.0


def test_gradients_accumulate_across_backward_calls_until_zero_grad() -> None:
    x, w = Var(2.0), Var(-1.5)
    y = w * x + sin(w)
    y.backward()
    y.backward()
    assert w.grad == 2 * (2.0 + math.cos(-1.5))
    assert x.grad == 2 * -1.5
    zero_grad([x, w])
    assert (x.grad, w.grad) == (0.0, 0.0)
    y.backward()
    assert w.grad == 2.0 + math.cos(-1.5)


def test_intermediate_values_accumulate_too_and_reset_individually() -> None:
    x = Var(0.5)
    h = x * 4.0
    y = h * h
    y.backward()
    assert h.grad == 2 * 2.0  # ∂y/∂h = 2h
    y.backward(seed=0.5)
    assert h.grad == 6.0
    h.zero_grad()
    assert h.grad == 0.0 and x.grad == 4 * 4.0 * 1.5
    h.grad = 1.25
    assert h.grad == 1.25


def test_backward_seed_scales_every_gradient() -> None:
    x = Var(1.2)
    (x**3).backward(seed=-2.0)
    assert x.grad == pytest.approx(-2.0 * 3 * 1.2**2, rel=1e-15)


def test_backward_of_an_unused_leaf_is_one() -> None:
    x = Var(4.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_of_a_200000_step_chain_needs_no_recursion() -> None:
    n = 200_000
    x = Var(1.0)
    y = x
    for _ in range(n):
        y = sin(y)
    y.backward()
    value, slope = 1.0, 1.0  # chain rule by hand: dy/dx = Π cos vₖ
    for _ in range(n):
        slope *= math.cos(value)
        value = math.sin(value)
    assert len(Tape.current()) == n + 1
    assert y.value == value
    assert x.grad == pytest.approx(slope, rel=1e-12)


def test_a_var_cannot_slip_through_math_functions_unrecorded() -> None:
    with pytest.raises(TypeError):
        math.sin(Var(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        np.sin(Var(1.0))


def test_numpy_scalars_combine_with_vars_and_duals() -> None:
    x = Var(2.0)
    y = np.float64(3.0) * x + np.float32(0.5)
    assert isinstance(y, Var) and y.value == 6.5
    y.backward()
    assert x.grad == 3.0
    d = np.float64(2.0) ** Dual(3.0, 1.0)
    assert isinstance(d, Dual) and d.tangent == pytest.approx(8 * math.log(2), rel=1e-15)


def test_vars_compare_by_value() -> None:
    assert Var(1.0) < Var(2.0) and Var(2.0) >= 2 and 3 > Var(2.0)
    a = Var(1.0)
    assert a == a and a != Var(1.0)  # equality is identity: Vars are graph nodes


def test_repr_shows_value_and_gradient() -> None:
    assert repr(Var(2.0)) == "Var(value=2.0, grad=0.0)"
    assert repr(Dual(1.5, 2.0)) == "Dual(value=1.5, tangent=2.0)"


# --------------------------------------------------------------------------- tapes


def test_training_with_a_fresh_tape_per_step_matches_torch_sgd_and_frees_old_steps() -> None:
    rng = np.random.default_rng(0)
    w1, b1, w2 = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=3)
    xs, ys = rng.normal(size=(8, 2)), rng.normal(size=8)

    def loss(W1, B1, W2, tanh_fn):
        total = 0.0
        for x, t in zip(xs, ys):
            h = [tanh_fn(W1[j][0] * x[0] + W1[j][1] * x[1] + B1[j]) for j in range(3)]
            total = total + (sum(W2[j] * h[j] for j in range(3)) - t) ** 2
        return total / len(xs)

    params = [Var(v) for v in (*w1.ravel(), *b1, *w2)]
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (w1, b1, w2)]
    optimizer = torch.optim.SGD(tensors, lr=0.1)
    outer = Tape.current()
    sizes, records = [], []
    gc.disable()  # show that reference counting alone frees old steps
    try:
        for _ in range(5):
            with Tape() as step_tape:
                W1 = [params[0:2], params[2:4], params[4:6]]
                value = loss(W1, params[6:9], params[9:12], tanh)
                value.backward()
            sizes.append(len(step_tape))
            records.append(weakref.ref(step_tape._records))
            for p in params:
                p.value -= 0.1 * p.grad
            zero_grad(params)
            optimizer.zero_grad()
            loss(*tensors, torch.tanh).backward()
            optimizer.step()
        alive = [r() is not None for r in records]
    finally:
        gc.enable()
    expected = np.concatenate([t.detach().numpy().ravel() for t in tensors])
    np.testing.assert_allclose([p.value for p in params], expected, rtol=1e-13, atol=1e-15)
    assert len(set(sizes)) == 1  # every step records the same program,
    assert len(outer) == 0  # none of it lands on the enclosing tape,
    assert alive == [False, False, False, False, True]  # and only the last step is kept


def test_clearing_a_tape_keeps_values_computed_before_usable() -> None:
    tape = Tape.current()
    x = Var(2.0)
    y = x * x
    tape.clear()
    assert len(tape) == 0
    y.backward()  # y keeps the records it was computed from
    assert x.grad == 4.0
    z = x * 3.0  # the leaf x joins the cleared tape afresh
    z.backward()
    assert x.grad == 7.0 and len(tape) == 2


def test_values_from_another_tape_cannot_be_combined() -> None:
    x = Var(1.0)
    y = x + 1.0
    with Tape():
        with pytest.raises(ValueError, match="computed on another tape"):
            y * 2.0
        (x * 2.0).backward()  # leaves move freely
    assert x.grad == 2.0


def test_a_huge_tape_warns_once_that_steps_should_use_fresh_tapes(monkeypatch) -> None:
    monkeypatch.setattr(reverse, "_TAPE_WARN", 10)
    x = Var(1.0)
    y = x
    for _ in range(20):
        y = y * 1.0
    with pytest.warns(UserWarning, match="with Tape"):
        y.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()


# --------------------------------------------------------------------------- properties


def leaf() -> st.SearchStrategy:
    variables = st.sampled_from(["x", "y"])
    constants = st.floats(-3, 3, allow_nan=False).map(lambda c: round(c, 2))
    return st.one_of(variables, variables, constants)  # two variables for each constant


def expressions() -> st.SearchStrategy:
    return st.recursive(
        leaf(),
        lambda inner: st.tuples(st.sampled_from(sorted(FUNCTIONS) + ["neg"]), inner)
        | st.tuples(st.sampled_from(sorted(BINARY)), inner, inner),
        max_leaves=8,
    )


def has_variable(tree: Any) -> bool:
    if isinstance(tree, str):
        return True
    return isinstance(tree, tuple) and any(has_variable(t) for t in tree[1:])


def evaluate(tree: Any, env: dict, functions: dict, check: bool = False) -> Any:
    """The expression with the given inputs and functions; check=True vets the float domain."""
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, float):
        return tree
    op, *args = tree
    vals = [evaluate(a, env, functions, check) for a in args]
    if op == "neg":
        out = -vals[0]
    elif op in functions:
        if check and op == "log" and vals[0] <= 1e-3:
            raise ValueError("log near 0")
        if check and op == "relu" and abs(vals[0]) < 1e-9:
            raise ValueError("at the kink")
        out = functions[op](vals[0])
    else:
        a, b = vals
        if check and op == "/" and abs(b) < 1e-3:
            raise ValueError("division by almost 0")
        if check and op == "**" and has_variable(args[1]) and a <= 1e-3:
            raise ValueError("a variable exponent needs a positive base")
        if check and op == "**" and a < 0 and b != int(b):
            raise ValueError("no real power")
        if check and op == "**" and a == 0:
            raise ValueError("power of 0")
        out = BINARY[op](a, b)
    if check and not (isinstance(out, float) and abs(out) < 1e4):
        raise ValueError("out of range")
    return out


def close(a: float, b: float, tol: float = 1e-10) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


@settings(max_examples=300, deadline=None)
@given(tree=expressions(), x=st.floats(-2, 2), y=st.floats(-2, 2))
def test_floats_duals_vars_and_torch_agree_on_random_programs(tree: Any, x: float, y: float):
    assume(has_variable(tree))
    try:
        value = evaluate(tree, {"x": x, "y": y}, FUNCTIONS, check=True)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    dx = evaluate(tree, {"x": Dual(x, 1.0), "y": Dual(y, 0.0)}, FUNCTIONS)
    dy = evaluate(tree, {"x": Dual(x, 0.0), "y": Dual(y, 1.0)}, FUNCTIONS)
    vx, vy = Var(x), Var(y)
    out = evaluate(tree, {"x": vx, "y": vy}, FUNCTIONS)
    assume(isinstance(out, Var))
    out.backward()
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    t_out = evaluate(tree, {"x": tx, "y": ty}, TORCH_ANY)
    grads = torch.autograd.grad(t_out, [tx, ty], allow_unused=True)
    gx, gy = (0.0 if g is None else g.item() for g in grads)

    assert dx.value == dy.value == out.value == value  # the same float operations
    assert close(value, t_out.item(), 1e-12)
    for forward, reverse, reference in ((dx.tangent, vx.grad, gx), (dy.tangent, vy.grad, gy)):
        assert close(reverse, reference)
        assert close(forward, reference)


@settings(max_examples=100, deadline=None)
@given(
    tree=expressions(),
    x=st.floats(-2, 2),
    y=st.floats(-2, 2),
    sx=st.floats(-1, 1),
    sy=st.floats(-1, 1),
)
def test_traces_agree_with_the_engine_and_with_dual_numbers(tree, x, y, sx, sy) -> None:
    assume(has_variable(tree))
    try:
        evaluate(tree, {"x": x, "y": y}, FUNCTIONS, check=True)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    vx, vy = Var(x), Var(y)
    out = evaluate(tree, {"x": vx, "y": vy}, FUNCTIONS)
    assume(isinstance(out, Var))
    out.backward()
    t = trace(lambda x, y: evaluate(tree, {"x": x, "y": y}, FUNCTIONS), x=x, y=y)
    assert t.output == out.value
    assert t.grad == {"x": vx.grad, "y": vy.grad}  # the trace's sweep is the engine's
    assert [r.value for r in t.adjoint[-2:]] == [vx.grad, vy.grad]  # the rows x̄ = v̄₋₁, ȳ = v̄₀
    tangent = t.tangent({"x": sx, "y": sy})
    directional = evaluate(tree, {"x": Dual(x, sx), "y": Dual(y, sy)}, FUNCTIONS)
    assert close(tangent[-1].value, directional.tangent)
    assert close(tangent[-1].value, sx * vx.grad + sy * vy.grad)  # ẏ = ∇f · ẋ


# --------------------------------------------------------------------------- the worked trace


def baydin(x1, x2):
    """f(x1, x2) = ln x1 + x1 x2 − sin x2, in the statement order of Baydin et al. (2018)."""
    v1 = log(x1)
    v2 = x1 * x2
    v3 = sin(x2)
    v4 = v1 + v2
    return v4 - v3


@pytest.fixture
def worked() -> Trace:
    return trace(baydin, x1=2, x2=5)


def test_primal_trace_reproduces_the_lecture_table(worked: Trace) -> None:
    rows = [(r.name, r.expression, r.value) for r in worked.primal]
    ln2, s5 = math.log(2), math.sin(5)
    assert rows == [
        ("v₋₁", "x₁", 2.0),
        ("v₀", "x₂", 5.0),
        ("v₁", "ln v₋₁", ln2),
        ("v₂", "v₋₁ × v₀", 10.0),
        ("v₃", "sin v₀", s5),
        ("v₄", "v₁ + v₂", ln2 + 10),
        ("v₅", "v₄ − v₃", ln2 + 10 - s5),
        ("y", "v₅", ln2 + 10 - s5),
    ]
    rounded = [round(r.value, 3) for r in worked.primal]
    assert rounded == [2, 5, 0.693, 10, -0.959, 10.693, 11.652, 11.652]


def test_adjoint_trace_reproduces_the_lecture_table(worked: Trace) -> None:
    c5 = math.cos(5)
    assert [tuple(r) for r in worked.adjoint] == [
        ("v̄₅", "=", "ȳ", 1.0),
        ("v̄₄", "=", "v̄₅", 1.0),
        ("v̄₃", "=", "−v̄₅", -1.0),
        ("v̄₁", "=", "v̄₄", 1.0),
        ("v̄₂", "=", "v̄₄", 1.0),
        ("v̄₀", "=", "v̄₃ cos v₀", -c5),
        ("v̄₋₁", "=", "v̄₂ v₀", 5.0),
        ("v̄₀", "+=", "v̄₂ v₋₁", -c5 + 2.0),
        ("v̄₋₁", "+=", "v̄₁ / v₋₁", 5.5),
        ("x̄₁", "=", "v̄₋₁", 5.5),
        ("x̄₂", "=", "v̄₀", 2.0 - c5),
    ]
    assert round(worked.adjoint.row("v̄₀").value, 3) == -0.284
    assert round(worked.adjoint.row("v̄₀", "+=").value, 3) == 1.716


def test_trace_output_and_gradient_are_those_of_the_lecture(worked: Trace) -> None:
    assert round(worked.output, 3) == 11.652
    assert worked.grad == {"x1": 5.5, "x2": 2.0 - math.cos(5)}
    assert round(worked.grad["x2"], 3) == 1.716
    _, expected = torch_value_and_grad(lambda a, b: torch.log(a) + a * b - torch.sin(b), 2.0, 5.0)
    assert list(worked.grad.values()) == pytest.approx(expected, rel=1e-15)


def test_tangent_trace_reproduces_the_forward_mode_table(worked: Trace) -> None:
    rows = worked.tangent({"x1": 1})
    assert [(r.name, r.expression, r.value) for r in rows] == [
        ("v̇₋₁", "ẋ₁", 1.0),
        ("v̇₀", "ẋ₂", 0.0),
        ("v̇₁", "v̇₋₁ / v₋₁", 0.5),
        ("v̇₂", "v̇₋₁ v₀ + v̇₀ v₋₁", 5.0),
        ("v̇₃", "v̇₀ cos v₀", 0.0),
        ("v̇₄", "v̇₁ + v̇₂", 5.5),
        ("v̇₅", "v̇₄ − v̇₃", 5.5),
        ("ẏ", "v̇₅", 5.5),
    ]
    assert worked.tangent({"x2": 1.0})[-1].value == pytest.approx(2.0 - math.cos(5), rel=1e-15)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.tags.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        if self.rows and self.tags and self.tags[-1] in ("td", "th"):
            self.rows[-1][-1] += data


def test_html_table_shows_primal_and_adjoint_side_by_side_to_three_decimals(worked: Trace) -> None:
    parser = _Cells()
    parser.feed(worked._repr_html_())
    assert parser.tags == []  # every tag closed
    header, *body = parser.rows
    assert header == ["Forward primal trace", "Reverse adjoint trace"]
    assert len(body) == len(worked.adjoint) == 11
    assert body[2][:3] == ["v₁", "= ln v₋₁", "0.693"]
    assert body[4][:3] == ["v₃", "= sin v₀", "−0.959"]
    assert body[7][3:] == ["v̄₀", "+= v̄₂ v₋₁", "1.716"]
    assert body[10][:3] == ["", "", ""] and body[10][3:] == ["x̄₂", "= v̄₀", "1.716"]
    values = [row[2] for row in body[:8]]
    assert values == ["2", "5", "0.693", "10", "−0.959", "10.693", "11.652", "11.652"]


def test_plain_text_and_markdown_forms_list_every_row(worked: Trace) -> None:
    text = str(worked)
    assert "v₂ = v₋₁ × v₀" in text and "v̄₋₁ += v̄₁ / v₋₁" in text and "11.652" in text
    assert len(text.splitlines()) == 2 + 11
    markdown = worked.to_markdown().splitlines()
    assert markdown[0] == "| Forward primal trace | value | Reverse adjoint trace | value |"
    assert len(markdown) == 2 + 11
    assert "| v₄ = v₁ + v₂ | 10.693 | v̄₀ = v̄₃ cos v₀ | −0.284 |" in markdown
    assert "|  |  | x̄₂ = v̄₀ | 1.716 |" in markdown
    assert str(worked.adjoint.row("x̄₁")) == "x̄₁ = v̄₋₁ = 5.5"
    assert "5.5" in worked.tangent({"x1": 1})._repr_html_()


def test_three_inputs_are_numbered_from_v_minus_2() -> None:
    t = trace(lambda a, b, c: a * b + c, a=1.0, b=2.0, c=3.0)
    assert [r.name for r in t.primal] == ["v₋₂", "v₋₁", "v₀", "v₁", "v₂", "y"]
    assert t.grad == {"a": 2.0, "b": 1.0, "c": 1.0}


def test_trace_lists_unused_work_but_sweeps_only_what_leads_to_y() -> None:
    def f(x, unused):
        exp(x)  # computed, not used
        return x * 2.0

    t = trace(f, x=1.0, unused=4.0)
    assert [r.expression for r in t.primal] == ["x", "unused", "exp v₋₁", "v₋₁ × 2", "v₂"]
    assert [str(r) for r in t.adjoint] == [
        "v̄₂ = ȳ = 1",
        "v̄₋₁ = 2 v̄₂ = 2",
        "x̄ = v̄₋₁ = 2",
        "unused\u0304 = 0 = 0",
    ]
    assert t.grad == {"x": 2.0, "unused": 0.0}


def test_trace_of_the_identity_is_one() -> None:
    t = trace(lambda x: x, x=3.0)
    assert [str(r) for r in t.primal] == ["v₀ = x = 3", "y = v₀ = 3"]
    assert t.grad == {"x": 1.0}


def test_trace_leaves_other_vars_untouched() -> None:
    w = Var(3.0)
    t = trace(lambda x: w * x, x=2.0)
    assert t.grad == {"x": 3.0} and w.grad == 0.0


def test_trace_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        trace(baydin)
    with pytest.raises(TypeError, match="input x1 must be a real number"):
        trace(baydin, x1="2", x2=5)
    with pytest.raises(ValueError, match="input x1 must be finite"):
        trace(baydin, x1=math.nan, x2=5)
    with pytest.raises(TypeError, match="f must return a Var"):
        trace(lambda x: 3.0, x=1.0)
    with pytest.raises(TypeError, match="needs a function"):
        trace(3.0, x=1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown inputs"):
        trace(baydin, x1=2, x2=5).tangent({"x3": 1.0})


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Dual("a"), TypeError, "Dual value must be a real number, got str 'a'"),
        (lambda: Dual(1.0, "b"), TypeError, "Dual tangent must be a real number"),
        (lambda: Dual(math.nan), ValueError, "Dual value must be finite"),
        (lambda: Var("a"), TypeError, "Var value must be a real number, got str"),
        (lambda: Var(math.inf), ValueError, "Var value must be finite"),
        (lambda: Var(Var(1.0)), TypeError, r"Var\(v.value\)"),
        (lambda: Var(True), TypeError, "real number, got bool"),
        (lambda: Var(1.0) + "a", TypeError, "unsupported operand"),
        (lambda: Var(1.0) * Dual(1.0), TypeError, "unsupported operand"),
        (lambda: Dual(1.0) * math.nan, ValueError, "NaN"),
        (lambda: Var(-8.0) ** (1 / 3), ValueError, "negative base needs an integer exponent"),
        (lambda: Var(0.0) ** -1, ValueError, "negative power"),
        (lambda: Var(-2.0) ** Var(2.0), ValueError, "positive base.*-2.0"),
        (lambda: (-2.0) ** Dual(1.0), ValueError, "positive base"),
        (lambda: Var(1.0).backward(seed=math.nan), ValueError, "seed"),
        (lambda: zero_grad([1.0]), TypeError, "zero_grad expects Vars"),
        (lambda: draw_graph(1.0), TypeError, "Var or a Trace"),  # type: ignore[arg-type]
        (lambda: draw_graph(Var(1.0) * 2.0, max_nodes=1), ValueError, "has 2 nodes, more than"),
    ],
)
def test_bad_input_gets_a_clear_error(make: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_powers_keep_python_integer_semantics() -> None:
    assert (Var(-2.0) ** 3).value == -8.0
    x = Var(-2.0)
    (x**2).backward()
    assert x.grad == -4.0


# --------------------------------------------------------------------------- graphs


def test_graph_of_a_var_has_one_box_per_value_and_one_arrow_per_use() -> None:
    x1, x2 = Var(2.0), Var(5.0)
    y = baydin(x1, x2)
    y.backward()
    ax = draw_graph(y, ax=Figure().add_subplot())
    labels = sorted(t.get_text() for t in ax.texts)
    assert len(labels) == 7  # v₋₁, v₀ and five operations
    assert len(ax.patches) == 8  # ln 1, × 2, sin 1, + 2, − 2
    assert "v₂ = v₋₁ × v₀\nvalue 10\ngrad 1" in labels
    assert "v₀\nvalue 5\ngrad 1.716" in labels
    assert "v₋₁\nvalue 2\ngrad 5.5" in labels
    assert "v₅ = v₄ − v₃\nvalue 11.652\ngrad 1" in labels


def test_graph_layers_run_from_inputs_to_output(worked: Trace) -> None:
    ax = draw_graph(worked, ax=Figure().add_subplot())
    column = {t.get_text().split(" ")[0]: t.get_position()[0] for t in ax.texts}
    assert column["v₋₁"] == column["v₀"] == 0
    assert column["v₁"] == column["v₂"] == column["v₃"] == 1
    assert column["v₄"] == 2 and column["v₅"] == 3
    assert len(ax.patches) == 8
    (detour,) = ax.lines  # v₃ → v₅ skips column 2: it runs through a free row there
    boxes = {tuple(t.get_position()) for t in ax.texts}
    assert [tuple(xy) for xy in detour.get_xydata()][0] in boxes
    assert [tuple(xy) for xy in detour.get_xydata()][1] not in boxes


def test_graph_draws_both_uses_when_a_value_meets_itself() -> None:
    x = Var(3.0)
    ax = draw_graph(x * x, ax=Figure().add_subplot())
    assert len(ax.texts) == 2 and len(ax.patches) == 2
    bends = sorted(p.get_connectionstyle().rad for p in ax.patches)
    assert bends[0] == 0.0 and bends[1] > 0


def test_graph_leaves_out_work_that_does_not_lead_to_the_var() -> None:
    x = Var(1.0)
    unused = exp(x)  # noqa: F841
    ax = draw_graph(sin(x) + 1.0, ax=Figure().add_subplot())
    assert len(ax.texts) == 3 and len(ax.patches) == 2


def test_graph_draws_on_a_new_figure_and_renders() -> None:
    import matplotlib.pyplot as plt

    ax = draw_graph(trace(baydin, x1=2, x2=5))
    ax.figure.canvas.draw()  # arrows are clipped to the boxes at draw time
    assert len(ax.texts) == 7 and len(ax.patches) == 8
    plt.close(ax.figure)


# --------------------------------------------------------------------------- packaging


def test_importing_autodiff_loads_neither_torch_nor_matplotlib() -> None:
    code = "import sys, dlcourse.autodiff; print(sorted({'torch', 'matplotlib'} & {*sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
