"""dlcourse.data: the synthetic sets are reproducible, the digits ship offline and split cleanly."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import data


@pytest.mark.parametrize("make", [data.moons, data.spirals, data.blobs])
def test_synthetic_sets_repeat_for_a_seed_and_differ_across_seeds(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.dtype == np.float64 and y1.dtype == np.int64 and len(X1) == len(y1)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(n=100, noise=0.0)
    r0 = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r1 = np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r0, 1.0)
    np.testing.assert_allclose(r1, 1.0)
    assert np.sum(y == 0) == np.sum(y == 1) == 50


def test_blobs_are_centred_on_their_centres():
    centers = np.array([[0.0, 0.0], [5.0, 5.0]])
    X, y = data.blobs(n=4000, centers=centers, std=0.5)
    for k in (0, 1):
        np.testing.assert_allclose(X[y == k].mean(0), centers[k], atol=0.05)
        np.testing.assert_allclose(X[y == k].std(0), 0.5, rtol=0.06)


def test_linear_regression_least_squares_recovers_the_weights():
    X, y = data.linear_regression(n=2000, w=[2.0, -3.4], b=4.2, noise=0.01)
    A = np.c_[X, np.ones(len(X))]
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    np.testing.assert_allclose(coef, [2.0, -3.4, 4.2], atol=1e-3)


def test_digits_are_1797_images_of_64_pixels_in_0_1():
    X, y = data.digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(y)) == list(range(10))
    assert np.all(X * 16 == np.round(X * 16))  # the original intensities are integers 0–16


def test_digits_split_is_disjoint_stratified_and_deterministic():
    s = data.digits_split(seed=0)
    X, _ = data.digits()
    assert len(s.X_train) + len(s.X_val) + len(s.X_test) == len(X)
    rows = {part: {r.tobytes() for r in getattr(s, f"X_{part}")} for part in ("train", "val", "test")}
    assert not (rows["train"] & rows["test"]) or len(rows["train"] & rows["test"]) < 5  # duplicates images exist
    for ys in (s.y_val, s.y_test):
        counts = np.bincount(ys, minlength=10)
        assert counts.min() >= 34 and counts.max() <= 38
    again = data.digits_split(seed=0)
    np.testing.assert_array_equal(s.X_test, again.X_test)
    assert not np.array_equal(data.digits_split(seed=1).y_test, s.y_test)


def test_digits_loaders_batch_and_shuffle_reproducibly():
    torch = pytest.importorskip("torch")
    train, val, test = data.digits_loaders(batch_size=32, seed=0)
    X, y = next(iter(train))
    assert X.shape == (32, 64) and X.dtype == torch.float32 and y.dtype == torch.int64
    first = [yb.tolist() for _, yb in data.digits_loaders(batch_size=32, seed=0)[0]]
    second = [yb.tolist() for _, yb in data.digits_loaders(batch_size=32, seed=0)[0]]
    assert first == second
    assert sum(len(yb) for _, yb in test) == len(data.digits_split().y_test)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: data.moons(n=1), "n must be an int"),
        (lambda: data.moons(noise=-1), "noise"),
        (lambda: data.spirals(seed=-3), "seed"),
        (lambda: data.blobs(centers=np.zeros(3)), r"\(k, d\) array"),
        (lambda: data.digits_split(val=0.6, test=0.5), "fractions"),
        (lambda: data.digits_loaders(batch_size=0), "batch_size"),
    ],
)
def test_bad_arguments_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
