"""dlcourse.calculus against analytic derivatives and the worked examples of chapter 2."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.polynomial import polynomial as P

from dlcourse import calculus
from dlcourse.checks.calculus import example_f, example_jacobian

from .strategies import coefficients, reals, vectors


# ------------------------------------------------------------------ derivative / gradient
@given(coefficients, reals)
def test_derivative_of_random_polynomial_matches_power_rule(coef, x):
    f = lambda t: P.polyval(t, coef)
    exact = P.polyval(x, P.polyder(coef))
    scale = 1 + np.sum(np.abs(coef)) * 3**4
    assert abs(calculus.derivative(f, x) - exact) <= 1e-8 * scale


@given(st.floats(0.2, 2.0), st.floats(-1.5, 1.5), reals)
def test_derivative_of_composition_matches_chain_rule(a, b, x):
    f = lambda t: np.sin(a * t) * np.exp(b * t)
    exact = (a * np.cos(a * x) + b * np.sin(a * x)) * np.exp(b * x)
    assert calculus.relative_error(calculus.derivative(f, x), exact) < 1e-7 or abs(exact) < 1e-9


@given(vectors(1, 4), st.integers(0, 2**32 - 1))
def test_gradient_and_hessian_of_random_quadratic(x, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(x.size, x.size))
    b = rng.normal(size=x.size)
    f = lambda v: v @ A @ v + b @ v
    np.testing.assert_allclose(calculus.gradient(f, x), (A + A.T) @ x + b, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(calculus.hessian(f, x), A + A.T, rtol=1e-5, atol=1e-5)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_jacobian_of_tanh_layer_is_diag_times_weights(m, n, seed):
    rng = np.random.default_rng(seed)
    A, x = rng.normal(size=(m, n)), rng.normal(size=n)
    J = calculus.jacobian(lambda v: np.tanh(A @ v), x)
    expected = (1 - np.tanh(A @ x) ** 2)[:, None] * A
    assert J.shape == (m, n)
    np.testing.assert_allclose(J, expected, rtol=1e-7, atol=1e-9)


def test_gradient_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: np.log(1 + v[0] ** 2) * np.sin(v[1]) + v[2] ** 3 * v[0]
    t = torch.tensor(x, requires_grad=True)
    (torch.log(1 + t[0] ** 2) * torch.sin(t[1]) + t[2] ** 3 * t[0]).backward()
    assert calculus.relative_error(calculus.gradient(f, x), t.grad.numpy()) < 1e-8


# ------------------------------------------------------------------ worked examples
def test_jacobian_of_chapter_example_at_1_2_3():
    expected = np.array([[2.0, 4.0, 0.0], [0.0, 13.0, 12.0]])
    np.testing.assert_array_equal(example_jacobian(np.array([1.0, 2.0, 3.0])), expected)
    np.testing.assert_allclose(calculus.jacobian(example_f, [1.0, 2.0, 3.0]), expected, rtol=1e-9, atol=1e-9)


@given(vectors(3, 3))
def test_chain_rule_is_a_product_of_jacobians(x):
    g = lambda u: np.array([u[0] * u[1], np.sin(u[0]), np.exp(u[1] / 10)])
    h = lambda v: g(example_f(v))
    product = calculus.jacobian(g, example_f(x)) @ calculus.jacobian(example_f, x)
    np.testing.assert_allclose(calculus.jacobian(h, x), product, rtol=1e-6, atol=1e-6)


def test_saddle_has_zero_gradient_and_eigenvalues_minus_2_and_2():
    saddle = lambda t: t[0] ** 2 - t[1] ** 2
    np.testing.assert_allclose(calculus.gradient(saddle, [0.0, 0.0]), [0.0, 0.0], atol=1e-12)
    H = calculus.hessian(saddle, [0.0, 0.0])
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [-2.0, 2.0], atol=1e-6)
    assert calculus.critical_point_type(H) == "saddle"


@pytest.mark.parametrize(
    "eigenvalues, kind",
    [([1, 2, 3], "minimum"), ([-1, -0.1], "maximum"), ([2, -2], "saddle"), ([2, 0], "degenerate"),
     ([-1, 0, -3], "degenerate"), ([1, 0, -1], "saddle"), ([1e-12, 1], "degenerate")],
)
def test_critical_point_type_follows_eigenvalue_signs(eigenvalues, kind):
    q, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(len(eigenvalues),) * 2))
    assert calculus.critical_point_type(q @ np.diag(eigenvalues) @ q.T) == kind


def test_quartic_and_cubic_share_a_degenerate_hessian():
    for f in (lambda t: t[0] ** 2 + t[1] ** 4, lambda t: t[0] ** 2 + t[1] ** 3):
        assert calculus.critical_point_type(calculus.hessian(f, [0.0, 0.0]), tol=1e-6) == "degenerate"


def test_sign_coin_model_gives_1_to_1_to_2p_minus_2():
    p, trials = 4, 200_000
    signs = np.random.default_rng(0).choice([-1, 1], size=(trials, p))
    minima, maxima = np.mean(np.all(signs > 0, 1)), np.mean(np.all(signs < 0, 1))
    saddles = 1 - minima - maxima
    se = np.sqrt(0.5**p / trials)
    assert abs(minima - 0.5**p) < 4 * se and abs(maxima - 0.5**p) < 4 * se
    assert saddles / minima == pytest.approx(2**p - 2, rel=0.05)


# ------------------------------------------------------------------ error orders
def _slope(hs, errors):
    return np.polyfit(np.log(hs), np.log(errors), 1)[0]


def test_forward_difference_is_first_order_and_central_second_order():
    hs = np.logspace(-3, -1.5, 8)
    fwd = [abs((np.sin(1 + h) - np.sin(1)) / h - np.cos(1)) for h in hs]
    ctr = [abs(calculus.derivative(np.sin, 1.0, h) - np.cos(1)) for h in hs]
    assert _slope(hs, fwd) == pytest.approx(1, abs=0.05)
    assert _slope(hs, ctr) == pytest.approx(2, abs=0.05)


def test_default_step_is_cube_root_of_machine_epsilon_and_near_optimal():
    assert calculus.DEFAULT_STEP == pytest.approx(6.055e-6, rel=1e-3)
    err = abs(calculus.derivative(np.sin, 1.0) - np.cos(1.0))
    assert err < 1e-10
    assert abs(calculus.derivative(np.sin, 1.0, 1e-12) - np.cos(1.0)) > 10 * err


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: calculus.derivative(np.sin, float("nan")), "NaN"),
        (lambda: calculus.gradient(lambda v: v.sum(), [1.0, np.inf]), "NaN or inf"),
        (lambda: calculus.jacobian(lambda v: v, np.ones((2, 2))), "1-D"),
        (lambda: calculus.derivative(np.sin, 1.0, h=0.0), "positive"),
        (lambda: calculus.derivative(np.sin, 1.0, h=-1e-3), "positive"),
        (lambda: calculus.derivative(np.sin, [1.0, 2.0]), "scalar x"),
        (lambda: calculus.gradient(lambda v: v * 2, [1.0, 2.0]), "scalar-valued"),
        (lambda: calculus.derivative(np.log, -1.0), "NaN or inf"),
        (lambda: calculus.critical_point_type(np.ones((2, 3))), "square"),
        (lambda: calculus.critical_point_type([[1.0, np.nan], [np.nan, 1.0]]), "NaN"),
        (lambda: calculus.critical_point_type([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
        (lambda: calculus.relative_error(np.ones(2), np.ones(3)), "shapes differ"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(call, message):
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=message):
        call()


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="real number"):
        calculus.gradient(lambda v: v.sum(), "abc")
    with pytest.raises(TypeError, match="step h"):
        calculus.derivative(np.sin, 1.0, h="small")


# ------------------------------------------------------------------ cost: evaluations of f
class CountingF:
    """Wraps f and counts how often it is called."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_gradient_and_jacobian_call_f_exactly_2n_times_as_their_docstrings_say(n):
    x = np.linspace(0.5, 1.5, n)
    scalar, vector = CountingF(lambda v: np.sum(v**3)), CountingF(lambda v: np.array([v.sum(), v @ v]))
    np.testing.assert_allclose(calculus.gradient(scalar, x), 3 * x**2, rtol=1e-8)
    assert calculus.jacobian(vector, x).shape == (2, n)
    assert scalar.calls == 2 * n and vector.calls == 2 * n
    for fn in (calculus.gradient, calculus.jacobian):
        assert "exactly 2n evaluations of f" in " ".join(fn.__doc__.split())


def test_chapter5_gradient_at_2_5_takes_4_evaluations():
    f = CountingF(lambda x: np.log(x[0]) + x[0] * x[1] - np.sin(x[1]))
    g = calculus.gradient(f, [2.0, 5.0])
    np.testing.assert_allclose(g, [5.5, 2 - np.cos(5.0)], rtol=1e-9)
    assert f.calls == 4


@pytest.mark.parametrize("n", [1, 2, 4])
def test_hessian_calls_f_2n_times_n_plus_1_plus_1_as_its_docstring_says(n):
    f = CountingF(lambda v: np.sum(v**2) + v[0] * v[-1])
    calculus.hessian(f, np.ones(n))
    assert f.calls == 2 * n * (n + 1) + 1
    assert "2n(n + 1) + 1 evaluations of f" in " ".join(calculus.hessian.__doc__.split())


def test_empty_input_and_changing_output_size_are_refused():
    with pytest.raises(ValueError, match="at least one input, got an empty x"):
        calculus.gradient(lambda v: 0.0, [])
    with pytest.raises(ValueError, match="f changed its output size"):
        calculus.jacobian(lambda v: np.ones(2) if v[0] > 1 else np.ones(3), [1.0, 1.0])
    with pytest.raises(ValueError, match="scalar or a vector"):
        calculus.jacobian(lambda v: np.ones((2, 2)), [1.0])


def test_chapter2_chain_rule_example_text_and_code_use_the_same_g():
    """The chapter's g(u) = (u₁u₂, sin u₁, e^{u₂/10}): the formula in the text, the code's
    g and its hand-written Jacobian J_g agree, J_g checked against torch.autograd."""
    torch = pytest.importorskip("torch")
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "chapters" / "02_calculus.md").read_text()
    assert r"e^{u_2/10}" in page and r"e^{u_2})" not in page
    code = page[page.index("def g(u):"):page.index("h = lambda x: g(f(x))")]
    names: dict = {"np": np}
    exec(code, names)
    u = np.array([0.7, -1.3])
    np.testing.assert_allclose(names["g"](u), [u[0] * u[1], np.sin(u[0]), np.exp(u[1] / 10)])
    t = torch.tensor(u)
    auto = torch.autograd.functional.jacobian(
        lambda v: torch.stack([v[0] * v[1], torch.sin(v[0]), torch.exp(v[1] / 10)]), t)
    np.testing.assert_allclose(names["J_g"](u), auto.numpy(), rtol=1e-14)
