"""Tests for dlcourse.landscapes: formulas, gradients, minima and the lectures' worked numbers."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcourse import landscapes as L

from .strategies import reals

REGRESSION = L.badly_scaled_regression(seed=0)
SCALED = L.badly_scaled_regression(seed=0, scaled=True)
ALL = [
    L.ILL_CONDITIONED, L.SGD_EXAMPLE, L.GD_EXAMPLE, L.FINITE_SUM, L.SADDLE,
    L.ROSENBROCK, L.BEALE, L.HILL, REGRESSION, SCALED,
    L.quadratic(np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]]), b=[1.0, -2.0, 0.5]),
    L.rosenbrock(a=2.0, b=10.0),
]
IDS = [land.name for land in ALL]


def central_difference(f, theta: np.ndarray, rel_h: float = 1e-5) -> np.ndarray:
    """∂f/∂θ_i ≈ (f(θ + h e_i) − f(θ − h e_i)) / 2h, with h scaled to |θ_i|."""
    g = np.zeros_like(theta)
    for i in range(theta.size):
        h = rel_h * max(1.0, abs(theta[i]))
        e = np.zeros_like(theta)
        e[i] = h
        g[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return g


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def random_points(land: L.Landscape, count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = land.bounds
    if land.dim == 1:
        return rng.uniform(x0, x1, size=(count, 1))
    points = rng.uniform(-2, 2, size=(count, land.dim))
    points[:, 0] = rng.uniform(x0, x1, count)
    points[:, 1] = rng.uniform(y0, y1, count)
    return points


def hessian_by_differences(land: L.Landscape, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    cols = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        cols.append((land.grad(theta + e) - land.grad(theta - e)) / (2 * h))
    return np.array(cols).T


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize("land", ALL, ids=IDS)
def test_gradient_matches_central_differences_at_random_points(land):
    for theta in random_points(land, 25):
        err = relative_error(land.grad(theta), central_difference(land.f, theta))
        assert err <= 1e-7, (land.name, theta, err)


def _torch_formulas():
    import torch

    def beale(t):
        x, y = t
        return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
                + (2.625 - x + x * y**3) ** 2)

    X, y = (torch.tensor(a) for a in L.badly_scaled_data(seed=0))
    return {
        "ill-conditioned bowl": lambda t: 10 * t[0] ** 2 + 0.5 * t[1] ** 2,
        "SGD example": lambda t: 1.25 * (t[0] + 6) ** 2 + (t[1] - 8) ** 2,
        "saddle": lambda t: t[0] ** 2 - t[1] ** 2,
        "Rosenbrock": lambda t: (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2,
        "Beale": beale,
        "hill": lambda t: (
            -torch.sin(t[0]) * torch.exp(-((t[1] - math.pi / 2) ** 2)) / (2 * math.pi)
        ),
        "badly scaled regression": lambda t: ((X @ t - y) ** 2).mean(),
        "(w-1)^2 + (w-3)^2": lambda t: (t[0] - 1) ** 2 + (t[0] - 3) ** 2,
        "finite sum": lambda t: ((t[0] - torch.arange(1, 1001, dtype=torch.float64)) ** 2).mean(),
    }


def test_values_and_gradients_match_torch_autograd_on_the_formulas():
    import torch

    formulas = _torch_formulas()
    checked = 0
    for land in ALL:
        if land.name not in formulas:
            continue
        for theta in random_points(land, 10, seed=1):
            t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
            value = formulas[land.name](t)
            value.backward()
            assert land.f(theta) == pytest.approx(value.item(), rel=1e-12, abs=1e-14), land.name
            assert relative_error(land.grad(theta), t.grad.numpy()) <= 1e-12, land.name
        checked += 1
    assert checked == 9


# ------------------------------------------------------------------- minima


@pytest.mark.parametrize(
    ("land", "theta_star", "f_star"),
    [
        (L.ILL_CONDITIONED, [0.0, 0.0], 0.0),
        (L.SGD_EXAMPLE, [-6.0, 8.0], 0.0),
        (L.GD_EXAMPLE, [2.0], 2.0),
        (L.FINITE_SUM, [500.5], (1000**2 - 1) / 12),  # the variance of 1, …, 1000
        (L.ROSENBROCK, [1.0, 1.0], 0.0),
        (L.rosenbrock(a=2.0, b=10.0), [2.0, 4.0], 0.0),
        (L.BEALE, [3.0, 0.5], 0.0),
        (L.HILL, [math.pi / 2, math.pi / 2], -1 / (2 * math.pi)),
    ],
    ids=lambda v: getattr(v, "name", ""),
)
def test_minimum_is_a_critical_point_with_the_known_value(land, theta_star, f_star):
    np.testing.assert_allclose(land.minimum, theta_star, rtol=1e-15, atol=1e-15)
    assert land.f(land.minimum) == pytest.approx(f_star, rel=1e-14, abs=1e-15)
    np.testing.assert_allclose(land.grad(land.minimum), 0.0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(hessian_by_differences(land, land.minimum)) > 0)


def test_saddle_is_a_critical_point_that_is_no_minimum():
    assert L.SADDLE.minimum is None
    np.testing.assert_array_equal(L.SADDLE.grad(np.zeros(2)), [0.0, 0.0])
    eigenvalues = np.linalg.eigvalsh(hessian_by_differences(L.SADDLE, np.zeros(2)))
    np.testing.assert_allclose(eigenvalues, [-2.0, 2.0], rtol=1e-9)


def test_ill_conditioned_bowl_has_curvatures_20_and_1():
    H = hessian_by_differences(L.ILL_CONDITIONED, np.array([0.3, -1.2]))
    np.testing.assert_allclose(H, np.diag([20.0, 1.0]), atol=1e-8)
    assert L.ILL_CONDITIONED.f([1.0, 2.0]) == pytest.approx(10 + 0.5 * 4, rel=1e-15)


def test_sgd_example_reads_like_its_formula():
    for x in random_points(L.SGD_EXAMPLE, 10):
        expected = 1.25 * (x[0] + 6) ** 2 + (x[1] - 8) ** 2
        assert L.SGD_EXAMPLE.f(x) == pytest.approx(expected, rel=1e-13)


def test_hill_has_its_valley_floor_at_pi_over_2_and_the_misprint_has_none():
    grid = np.stack(np.meshgrid(np.linspace(-6, 6, 241), np.linspace(-8, 10, 241)))
    assert L.HILL.f(grid).min() >= -1 / (2 * math.pi) - 1e-15
    assert L.HILL.f([-math.pi / 2, math.pi / 2]) == pytest.approx(1 / (2 * math.pi), rel=1e-15)

    def misprinted(t):  # exp(+(θ2 − π/2)²): no minus sign in the exponent
        return -np.sin(t[0]) * np.exp((t[1] - np.pi / 2) ** 2) / (2 * np.pi)

    along_valley = misprinted(np.array([np.full(5, np.pi / 2), np.pi / 2 + np.arange(5.0)]))
    assert np.all(np.diff(along_valley) < 0) and along_valley[-1] < -1e5


# ------------------------------------------------------------- worked numbers


def test_gd_step_from_1_gives_1_4():
    land = L.GD_EXAMPLE
    assert land.f(1.0) == 4.0
    assert land.grad(1.0) == -4.0
    w = 1.0 - 0.1 * land.grad(1.0)
    assert w == pytest.approx(1.4, abs=1e-15)
    assert land.f(w) == pytest.approx(2.72, abs=1e-14)


def test_gd_example_derivative_is_4w_minus_8():
    w = np.linspace(-3, 7, 11)
    np.testing.assert_allclose(L.GD_EXAMPLE.grad(w[None])[0], 4 * w - 8, rtol=0, atol=1e-13)


def test_minibatch_step_from_10_with_batch_1_to_4_gives_8_5():
    g = L.minibatch_grad(10.0, [1, 2, 3, 4])
    assert g == 15.0 == 2 * 10 - 5
    assert 10.0 - 0.1 * g == pytest.approx(8.5, abs=1e-15)


def test_minibatch_gradient_is_2w_minus_5_and_the_derivative_of_the_batch_loss():
    batch = [1, 2, 3, 4]
    for w in (-3.0, 0.0, 2.5, 10.0, 77.7):
        assert L.minibatch_grad(w, batch) == pytest.approx(2 * w - 5, rel=1e-15, abs=1e-15)
        fd = central_difference(lambda v: L.minibatch_loss(v, batch), np.array([w]))
        assert fd[0] == pytest.approx(2 * w - 5, rel=1e-8, abs=1e-8)
    assert L.minibatch_loss(10.0, batch) == pytest.approx((81 + 64 + 49 + 36) / 4, rel=1e-15)


def test_single_sample_gradients_average_to_the_full_gradient():
    # E[f̃′] over a uniformly drawn index equals f′: the estimate is unbiased.
    for w in (0.0, 10.0, 500.5, 1234.0):
        per_sample = [L.minibatch_grad(w, [i]) for i in range(1, L.FINITE_SUM_N + 1)]
        assert np.mean(per_sample) == pytest.approx(L.FINITE_SUM.grad(w), rel=1e-13, abs=1e-10)
        assert L.FINITE_SUM.grad(w) == pytest.approx(2 * w - 1001, rel=1e-15)


def test_full_batch_loss_is_the_finite_sum():
    everything = np.arange(1, 1001)
    for w in (0.0, 8.5, 500.5):
        assert L.minibatch_loss(w, everything) == pytest.approx(L.FINITE_SUM.f(w), rel=1e-14)


# --------------------------------------------------------- badly scaled features


def test_regression_loss_is_the_mean_squared_error_of_its_data():
    X, y = L.badly_scaled_data(seed=0)
    assert X[:, 0].min() >= -1000 and X[:, 0].max() <= 1000
    assert X[:, 1].min() >= 0 and X[:, 1].max() <= 1
    for w in random_points(REGRESSION, 10):
        assert REGRESSION.f(w) == pytest.approx(np.mean((X @ w - y) ** 2), rel=1e-10)
        np.testing.assert_allclose(REGRESSION.grad(w), 2 * X.T @ (X @ w - y) / len(y), rtol=1e-10)
    np.testing.assert_allclose(REGRESSION.minimum, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-12)


def test_feature_scaling_turns_a_condition_number_near_1e6_into_one_near_1():
    H = hessian_by_differences(REGRESSION, REGRESSION.minimum, h=1e-4)
    eig = np.linalg.eigvalsh(H)
    assert eig[-1] / eig[0] > 1e5
    H_scaled = hessian_by_differences(SCALED, SCALED.minimum, h=1e-4)
    np.testing.assert_allclose(np.diag(H_scaled), [2.0, 2.0], rtol=1e-8)
    eig = np.linalg.eigvalsh(H_scaled)
    assert eig[-1] / eig[0] < 2
    X, _ = L.badly_scaled_data(seed=0)
    s = np.sqrt(np.mean(X**2, axis=0))
    np.testing.assert_allclose(SCALED.minimum, s * REGRESSION.minimum, rtol=1e-9)
    assert SCALED.f(SCALED.minimum) == pytest.approx(REGRESSION.f(REGRESSION.minimum), rel=1e-9)


def test_gd_with_eta_0_053_diverges_on_badly_scaled_features_but_converges_once_scaled():
    def descend(land, steps):
        w = np.zeros(2)
        for _ in range(steps):
            w = w - 0.053 * land.grad(w)
        return w

    assert REGRESSION.f(descend(REGRESSION, 20)) > 1e20
    np.testing.assert_allclose(descend(SCALED, 500), SCALED.minimum, atol=1e-9)


# --------------------------------------------------------- vectorisation, API


@pytest.mark.parametrize("land", [x for x in ALL if x.dim == 2], ids=lambda x: x.name)
def test_f_and_grad_on_a_meshgrid_equal_pointwise_values(land):
    (x0, x1), (y0, y1) = land.bounds
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 5)))
    values, grads = land.f(grid), land.grad(grid)
    assert values.shape == (5, 7) and grads.shape == (2, 5, 7)
    for r in range(5):
        for c in range(7):
            assert values[r, c] == pytest.approx(land.f(grid[:, r, c]), rel=1e-13, abs=1e-13)
            point_grad = land.grad(grid[:, r, c])
            np.testing.assert_allclose(grads[:, r, c], point_grad, rtol=1e-13, atol=1e-12)


def test_one_dimensional_landscapes_take_numbers_and_stacks_of_points():
    w = np.array([[0.0, 1.0, 8.5]])
    np.testing.assert_allclose(L.FINITE_SUM.f(w), [L.FINITE_SUM.f(v) for v in w[0]], rtol=1e-15)
    assert isinstance(L.GD_EXAMPLE.f(1), float) and isinstance(L.GD_EXAMPLE.grad(1), float)
    assert L.GD_EXAMPLE.grad(np.array([1.0])).shape == (1,)
    assert L.GD_EXAMPLE(3.0) == L.GD_EXAMPLE.f(3.0) == 4.0


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(reals, min_size=n * n, max_size=n * n),
            st.lists(reals, min_size=n, max_size=n),
            st.lists(reals, min_size=n, max_size=n),
        )
    ),
    reals,
)
def test_quadratic_is_half_theta_A_theta_plus_b_theta_plus_c(entries, c):
    m, b, theta = (np.array(v) for v in entries)
    n = b.size
    A = m.reshape(n, n) @ m.reshape(n, n).T + np.eye(n)  # symmetric positive definite
    land = L.quadratic(A, b, c)
    expected = 0.5 * theta @ A @ theta + b @ theta + c
    assert land.f(theta) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(land.grad(theta), A @ theta + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(land.minimum, -np.linalg.solve(A, b), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(land.grad(land.minimum), 0.0, atol=1e-10)


def test_indefinite_quadratic_has_no_minimum():
    assert L.quadratic(np.diag([1.0, -1.0])).minimum is None


def test_landscape_is_frozen_and_its_minimum_read_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        L.ROSENBROCK.name = "banana"  # type: ignore[misc]
    with pytest.raises(ValueError):
        L.ROSENBROCK.minimum[0] = 2.0
    assert L.LANDSCAPES["Rosenbrock"] is L.ROSENBROCK
    assert all(land.dim == 2 for land in L.LANDSCAPES.values())


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: L.ROSENBROCK.f(np.zeros(3)), ValueError, "2 coordinate"),
        (lambda: L.ROSENBROCK.grad(np.zeros((3, 4))), ValueError, "shape (3, 4)"),
        (lambda: L.ROSENBROCK.f(1.0), ValueError, "shape ()"),
        (lambda: L.BEALE.f([np.nan, 1.0]), ValueError, "NaN"),
        (lambda: L.HILL.grad([np.inf, 1.0]), ValueError, "infinity"),
        (lambda: L.SADDLE.f(np.array(["a", "b"])), TypeError, "dtype"),
        (lambda: L.quadratic(np.ones((2, 3))), ValueError, "square"),
        (lambda: L.quadratic(np.array([[1.0, 2.0], [0.0, 1.0]])), ValueError, "symmetric"),
        (lambda: L.quadratic(np.eye(2), b=np.ones(3)), ValueError, "shape (2,)"),
        (lambda: L.quadratic(np.array([[np.nan, 0], [0, 1.0]])), ValueError, "NaN"),
        (lambda: L.minibatch_grad(10.0, []), ValueError, "non-empty"),
        (lambda: L.minibatch_grad(10.0, [0, 1]), ValueError, "1..1000"),
        (lambda: L.minibatch_grad(10.0, [1.5]), TypeError, "integer"),
        (lambda: L.least_squares(np.ones((4, 2)), np.ones(3)), ValueError, "shape (4,)"),
        (lambda: L.badly_scaled_data(n_samples=1), ValueError, "n_samples"),
        (lambda: L.rosenbrock(b=-1.0), ValueError, "b > 0"),
    ],
)
def test_bad_input_raises_an_error_that_names_the_problem(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_importing_landscapes_and_init_loads_neither_torch_nor_matplotlib():
    code = (
        "import sys, dlcourse.landscapes, dlcourse.init;"
        "print(sorted(m for m in ('torch', 'matplotlib', 'ipywidgets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
