"""Tests for dlcourse.init: Glorot and He initialisers, checked statistically and against torch.

Each statistical check draws a large matrix from a fixed seed and allows five standard
errors, so it is deterministic and would catch a wrong constant (a factor 2, or fan_in
and fan_out swapped) by hundreds of standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse import init

FAN_IN, FAN_OUT = 1000, 250  # unequal, so that swapping them changes every formula


def assert_second_moment(w: np.ndarray, variance: float, fourth_over_var2: float) -> None:
    """mean(W²) ≈ variance within 5 standard errors; SE = σ² √((κ − 1)/n), κ = E W⁴/σ⁴."""
    n = w.size
    se = variance * math.sqrt((fourth_over_var2 - 1) / n)
    assert abs(np.mean(w**2) - variance) < 5 * se
    assert abs(np.mean(w)) < 5 * math.sqrt(variance / n)


def assert_uniform_bound(w: np.ndarray, bound: float) -> None:
    """All |W_ij| ≤ a, and the largest is within 1e-4·a of a (P(miss) = (1 − 1e-4)^n ≈ 0)."""
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > bound * (1 - 1e-4)


def kurtosis(w: np.ndarray) -> float:
    return float(np.mean(w**4) / np.mean(w**2) ** 2)


def test_glorot_uniform_has_variance_2_over_fan_in_plus_fan_out_and_bound_sqrt_6_over_sum():
    w = init.glorot_uniform(FAN_IN, FAN_OUT, rng=0)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    assert_second_moment(w, 2 / (FAN_IN + FAN_OUT), 9 / 5)  # uniform: κ = 9/5
    assert_uniform_bound(w, math.sqrt(6 / (FAN_IN + FAN_OUT)))


def test_glorot_normal_has_variance_2_over_fan_in_plus_fan_out_and_is_gaussian():
    w = init.glorot_normal(FAN_IN, FAN_OUT, rng=1)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert_second_moment(w, 2 / (FAN_IN + FAN_OUT), 3.0)  # normal: κ = 3
    assert kurtosis(w) == pytest.approx(3.0, abs=5 * math.sqrt(96 / w.size))


def test_he_uniform_has_variance_2_over_fan_in_and_bound_sqrt_6_over_fan_in():
    w = init.he_uniform(FAN_IN, FAN_OUT, rng=2)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert_second_moment(w, 2 / FAN_IN, 9 / 5)
    assert_uniform_bound(w, math.sqrt(6 / FAN_IN))
    assert kurtosis(w) == pytest.approx(9 / 5, abs=5 * 2.4 / math.sqrt(w.size))


def test_he_normal_has_variance_2_over_fan_in():
    w = init.he_normal(FAN_IN, FAN_OUT, rng=3)
    assert w.shape == (FAN_IN, FAN_OUT)
    assert_second_moment(w, 2 / FAN_IN, 3.0)
    assert kurtosis(w) == pytest.approx(3.0, abs=5 * math.sqrt(96 / w.size))


# ------------------------------------------------------------------- torch


def test_glorot_uniform_agrees_with_torch_xavier_uniform():
    import torch

    torch.manual_seed(0)
    t = torch.nn.init.xavier_uniform_(torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)).numpy().T
    ours = init.glorot_uniform(FAN_IN, FAN_OUT, rng=0)
    bound = math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert_uniform_bound(t, bound)
    assert_uniform_bound(ours, bound)
    assert_second_moment(t, 2 / (FAN_IN + FAN_OUT), 9 / 5)


def test_glorot_normal_agrees_with_torch_xavier_normal():
    import torch

    torch.manual_seed(1)
    t = torch.nn.init.xavier_normal_(torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)).numpy().T
    assert_second_moment(t, 2 / (FAN_IN + FAN_OUT), 3.0)
    assert_second_moment(init.glorot_normal(FAN_IN, FAN_OUT, rng=1), 2 / (FAN_IN + FAN_OUT), 3.0)


def test_he_normal_agrees_with_torch_kaiming_normal_fan_in_relu():
    import torch

    torch.manual_seed(2)
    weight = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)  # torch's (out, in) layout
    torch.nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu")
    assert_second_moment(weight.numpy().T, 2 / FAN_IN, 3.0)
    assert_second_moment(init.he_normal(FAN_IN, FAN_OUT, rng=2), 2 / FAN_IN, 3.0)


def test_he_uniform_agrees_with_torch_kaiming_uniform_fan_in_relu():
    import torch

    torch.manual_seed(3)
    weight = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    torch.nn.init.kaiming_uniform_(weight, mode="fan_in", nonlinearity="relu")
    assert_uniform_bound(weight.numpy(), math.sqrt(6 / FAN_IN))
    assert_uniform_bound(init.he_uniform(FAN_IN, FAN_OUT, rng=3), math.sqrt(6 / FAN_IN))


# --------------------------------------------------------------- the claims


def test_he_keeps_relu_signals_through_ten_layers_where_glorot_halves_them_each_layer():
    # E[z²] of a pre-activation z = relu(h)·w is fan_in · Var W · E[h²] / 2 for symmetric h:
    # He's Var W = 2/fan_in keeps it, Glorot's 1/width (square layers) halves it per layer.
    width, batch, depth = 512, 256, 10
    x = np.random.default_rng(0).standard_normal((batch, width))
    rng = np.random.default_rng(1)

    def growth_over_layers(initialiser) -> float:
        h, mean_squares = x, []
        for _ in range(depth):
            z = h @ initialiser(width, width, rng)
            h = np.maximum(z, 0.0)
            mean_squares.append(np.mean(z**2))
        return float(mean_squares[-1] / mean_squares[0])

    assert 0.5 < growth_over_layers(init.he_normal) < 2.0
    halved = 0.5 ** (depth - 1)
    assert 0.25 * halved < growth_over_layers(init.glorot_normal) < 4 * halved


def test_a_seed_or_generator_reproduces_the_weights_and_none_follows_numpy_global_seed():
    np.testing.assert_array_equal(init.he_normal(4, 3, rng=7), init.he_normal(4, 3, rng=7))
    np.testing.assert_array_equal(
        init.glorot_uniform(4, 3, rng=np.random.default_rng(7)), init.glorot_uniform(4, 3, rng=7)
    )
    assert not np.array_equal(init.he_normal(4, 3, rng=7), init.he_normal(4, 3, rng=8))
    np.random.seed(5)
    first = init.glorot_normal(4, 3)
    np.random.seed(5)
    np.testing.assert_array_equal(first, init.glorot_normal(4, 3))
    assert not np.array_equal(first, init.glorot_normal(4, 3))


def test_random_weights_break_the_symmetry_between_neurons():
    w = init.glorot_uniform(5, 8, rng=0)
    assert len({tuple(column) for column in w.T}) == 8  # no two neurons start identical


@pytest.mark.parametrize(
    "fn", [init.glorot_uniform, init.glorot_normal, init.he_uniform, init.he_normal]
)
@pytest.mark.parametrize(
    ("fan_in", "fan_out", "rng", "error", "words"),
    [
        (0, 3, None, ValueError, "fan_in must be a positive int"),
        (3, -1, None, ValueError, "fan_out must be a positive int"),
        (2.5, 3, None, TypeError, "fan_in"),
        (True, 3, None, TypeError, "fan_in"),
        (3, "4", None, TypeError, "fan_out"),
        (3, 4, "seed", TypeError, "rng must be"),
        (3, 4, -1, ValueError, "rng seed"),
    ],
)
def test_bad_sizes_and_generators_raise_errors_naming_them(fn, fan_in, fan_out, rng, error, words):
    with pytest.raises(error) as info:
        fn(fan_in, fan_out, rng=rng)
    assert words in str(info.value)
