"""Chapter 7's checks: right answers pass; typical mistakes get a precise verdict."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import checks, landscapes
from dlcourse.checks.sgd import epoch_batches, inverse_time, minibatch_gradient, minibatch_sgd


def my_minibatches(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def my_sgd(X, y, w0, lr, batch_size, epochs, rng):
    w, path = w0.copy(), [w0.copy()]
    for _ in range(epochs):
        for batch in my_minibatches(len(y), batch_size, rng):
            residual = X[batch] @ w - y[batch]
            w = w - lr * 2 * X[batch].T @ residual / len(batch)
            path.append(w.copy())
    return np.array(path)


@pytest.mark.parametrize(
    "check_id, fn",
    [
        ("07.minibatch_grad", lambda w, batch: float(np.mean(2 * (w - np.asarray(batch))))),
        ("07.minibatches", my_minibatches),
        ("07.minibatch_sgd", my_sgd),
        ("07.inverse_time", lambda lr0, k, steps: lr0 / (1 + k * np.arange(steps))),
    ],
)
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2, 3):
        verdict = checks.run(check_id, fn, seed)
        assert verdict.passed, verdict.message
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_references_agree_with_the_library_and_the_worked_example():
    assert minibatch_gradient(10.0, [1, 2, 3, 4]) == 15.0
    assert minibatch_gradient(10.0, np.arange(1, 1001)) == landscapes.FINITE_SUM.grad(10.0) == -981.0
    np.testing.assert_allclose(inverse_time(0.5, 1.0, 4), [0.5, 0.25, 1 / 6, 0.125])
    X, y = np.ones((6, 1)), np.arange(6.0)
    path = minibatch_sgd(X, y, np.zeros(1), 0.25, 3, 2, np.random.default_rng(0))
    np.testing.assert_allclose(path, my_sgd(X, y, np.zeros(1), 0.25, 3, 2, np.random.default_rng(0)))
    assert path.shape == (5, 1)


# ----------------------------------------------------------------- 07.minibatch_grad
@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda w, B: float(np.sum(2 * (w - np.asarray(B)))), "4 times too large: you summed over the batch"),
        (lambda w, B: float(np.mean(np.where(np.asarray(B) == 3, 4 * (w - 3.0) ** 3, 2 * (w - np.asarray(B))))),
         "(w − 3)⁴, a misprint"),
        (lambda w, B: float(np.sum(2 * (w - np.asarray(B))) / 1000), "not by N = 1000"),
        (lambda w, B: float(np.mean(w - np.asarray(B))), "the factor 2 is missing"),
        (lambda w, B: float(np.mean(2 * (np.asarray(B) - w))), "wrong sign"),
        (lambda w, B: 2 * w - 1001, "the full gradient 2w − 1001"),
    ],
)
def test_typical_mistakes_on_the_worked_batch_are_named(wrong, hint):
    v = checks.run("07.minibatch_grad", wrong, seed=0)
    assert "case 1 of 6: the chapter's batch B = {1, 2, 3, 4} at w = 10" in v.message
    assert "expected 15, got" in v.message and hint in v.message


# ----------------------------------------------------------------- 07.minibatches
def test_unshuffled_batches_are_named():
    v = checks.run("07.minibatches", lambda n, b, rng: [np.arange(i, min(i + b, n)) for i in range(0, n, b)], seed=0)
    assert "epoch 1: the batches partition 0 … 9 correctly but in another order" in v.message
    assert "batch 1, position 0: expected index 4, got 0" in v.message
    assert "shuffle first" in v.message


def test_reseeding_inside_the_function_is_named():
    def reseeded(n, b, rng):
        return my_minibatches(n, b, np.random.default_rng(0))

    v = checks.run("07.minibatches", reseeded, seed=0)
    assert "epoch 2:" in v.message and "repeats the first one's order" in v.message


def test_sampling_with_replacement_is_named():
    def with_replacement(n, b, rng):
        idx = rng.integers(0, n, size=n)
        return [idx[i:i + b] for i in range(0, n, b)]

    v = checks.run("07.minibatches", with_replacement, seed=0)
    assert "every index must appear exactly once per epoch" in v.message
    assert "sampling with replacement" in v.message


def test_dropped_last_batch_and_one_based_indices_are_named():
    v = checks.run("07.minibatches", lambda n, b, rng: my_minibatches(n, b, rng)[: n // b], seed=0)
    assert "epoch 1: expected 3 batches of sizes [4, 4, 2], got 2 of sizes [4, 4]" in v.message
    assert "keep the last, smaller batch" in v.message
    v = checks.run("07.minibatches", lambda n, b, rng: [x + 1 for x in my_minibatches(n, b, rng)], seed=0)
    assert "index 10 lies outside 0 … 9" in v.message and "indices run from 0 to n − 1" in v.message


def test_another_random_order_asks_for_rng_permutation():
    v = checks.run("07.minibatches", lambda n, b, rng: my_minibatches(n, b, np.random.default_rng(rng.integers(99))),
                    seed=0)
    assert "in another order" in v.message and "rng.permutation(n)" in v.message


def test_the_reference_is_a_generator_and_the_harness_accepts_one():
    batches = epoch_batches(10, 4, np.random.default_rng(0))
    assert iter(batches) is batches
    assert checks.run("07.minibatches", epoch_batches, seed=4).passed


# ----------------------------------------------------------------- 07.minibatch_sgd
def test_not_reshuffling_is_named_at_the_first_step_of_epoch_2():
    def one_shuffle(X, y, w0, lr, b, epochs, rng):
        order = rng.permutation(len(y))
        w, path = w0.copy(), [w0.copy()]
        for _ in range(epochs):
            for i in range(0, len(y), b):
                batch = order[i:i + b]
                w = w - lr * 2 * X[batch].T @ (X[batch] @ w - y[batch]) / len(batch)
                path.append(w.copy())
        return np.array(path)

    v = checks.run("07.minibatch_sgd", one_shuffle, seed=0)
    assert "your path differs at t = 4 in element [0]" in v.message and "(steps 0 … 3 agree)" in v.message
    assert "call rng.permutation(N) again at the start of every epoch" in v.message


def test_summed_gradient_and_wrong_divisor_are_named():
    v = checks.run("07.minibatch_sgd", lambda *a: _with_scale(*a, "sum"), seed=0)
    assert "your path differs at t = 1" in v.message and "summed the gradient over the batch" in v.message
    v = checks.run("07.minibatch_sgd", lambda *a: _with_scale(*a, "batch_size"), seed=0)
    assert "your path differs at t = 3" in v.message and "divide by its own size len(batch)" in v.message


def _with_scale(X, y, w0, lr, b, epochs, rng, how):
    w, path = w0.copy(), [w0.copy()]
    for _ in range(epochs):
        for batch in my_minibatches(len(y), b, rng):
            g = 2 * X[batch].T @ (X[batch] @ w - y[batch])
            w = w - lr * (g if how == "sum" else g / b)
            path.append(w.copy())
    return np.array(path)


def test_path_per_epoch_and_full_batch_steps_are_named():
    def per_epoch(X, y, w0, lr, b, epochs, rng):
        return my_sgd(X, y, w0, lr, b, epochs, rng)[:: -(-len(y) // b)]

    v = checks.run("07.minibatch_sgd", per_epoch, seed=0)
    assert "expected shape (7, 2)" in v.message and "got shape (3, 2)" in v.message
    assert "record w after every step" in v.message

    def full_batch(X, y, w0, lr, b, epochs, rng):
        w, path = w0.copy(), [w0.copy()]
        for _ in range(epochs * -(-len(y) // b)):
            w = w - lr * 2 * X.T @ (X @ w - y) / len(y)
            path.append(w.copy())
        return np.array(path)

    v = checks.run("07.minibatch_sgd", full_batch, seed=0)
    assert "full-batch gradient descent" in v.message


def test_a_different_use_of_the_rng_is_named_at_step_1():
    v = checks.run("07.minibatch_sgd", lambda X, y, w0, lr, b, e, rng: my_sgd(X, y, w0, lr, b, e,
                                                                                 np.random.default_rng(7)), seed=0)
    assert "your path differs at t = 1" in v.message and "the very first step differs" in v.message


# ----------------------------------------------------------------- 07.inverse_time
@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda lr0, k, n: lr0 / (1 + k * (np.arange(n) + 1)), "t counts from 0"),
        (lambda lr0, k, n: lr0 / (1 + k * np.arange(n)) ** 2, "Σ η_t = ∞ fails"),
        (lambda lr0, k, n: lr0 / np.sqrt(1 + k * np.arange(n)), "Σ η_t² = ∞"),
        (lambda lr0, k, n: lr0 / (k * np.arange(n)), "infinite at t = 0"),
        (lambda lr0, k, n: [lr0 / (1 + k * t) for t in range(n - 1)], "an array of 6 values"),
    ],
)
def test_schedule_mistakes_are_named(wrong, hint):
    with np.errstate(divide="ignore"):
        v = checks.run("07.inverse_time", wrong, seed=0)
    assert "case 1 of 4: η₀ = 0.5, k = 1, 6 steps" in v.message and hint in v.message


# ----------------------------------------------------------------- precision and causes
def test_float32_answers_pass_where_the_task_needs_no_float64():
    def grad32(w, batch):
        return float(np.mean(2 * (np.float32(w) - np.asarray(batch, dtype=np.float32))))

    def sgd32(X, y, w0, lr, b, epochs, rng):
        return my_sgd(X.astype(np.float32), y.astype(np.float32), w0.astype(np.float32), np.float32(lr), b,
                      epochs, rng).astype(np.float32)

    for seed in (0, 1, 2):
        assert checks.run("07.minibatch_grad", grad32, seed).passed
        assert checks.run("07.minibatch_sgd", sgd32, seed).passed
        assert checks.run("07.inverse_time", lambda lr0, k, n: np.float32(lr0) / (1 + np.float32(k) * np.arange(
            n, dtype=np.float32)), seed).passed


def test_a_random_sgd_case_has_a_smaller_last_batch():
    for seed in range(20):
        cases = checks.get("07.minibatch_sgd").cases(np.random.default_rng(seed))
        assert any(len(c.args[1]) % c.args[4] for c in cases[1:])


def test_sgd_on_a_wrong_minibatches_names_minibatches():
    def unshuffled(X, y, w0, lr, b, epochs, rng):
        w, path = w0.copy(), [w0.copy()]
        for _ in range(epochs):
            for i in range(0, len(y), b):
                batch = np.arange(i, min(i + b, len(y)))
                w = w - lr * 2 * X[batch].T @ (X[batch] @ w - y[batch]) / len(batch)
                path.append(w.copy())
        return np.array(path)

    v = checks.run("07.minibatch_sgd", unshuffled, seed=0)
    assert "original order" in v.message and "07.minibatches" in v.message


# ----------------------------------------------------------------- 07.polyak_average
def test_polyak_average_reference_matches_the_chapter_and_names_mistakes():
    from dlcourse.checks.sgd import polyak_average

    path = np.arange(12.0).reshape(6, 2)
    np.testing.assert_allclose(polyak_average(path, 4), [[8, 9], [9, 10]])
    assert checks.run("07.polyak_average", polyak_average, seed=0).passed
    v = checks.run("07.polyak_average", lambda p, b: np.cumsum(p[b + 1:], axis=0) / np.arange(
        1, len(p) - b)[:, None], seed=0)
    assert "θ_{T₀} itself is the first term" in v.message
    v = checks.run("07.polyak_average", lambda p, b: np.mean(p[b:], axis=0), seed=0)
    assert "not only the last one" in v.message
