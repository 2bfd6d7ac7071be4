"""The checks of chapter 4's exercises: right answers pass, and a wrong gradient is named with its slip."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import backprop, calculus, checks
from dlcourse.backprop import sigmoid, softmax
from dlcourse.grader._static import _lookup
from dlcourse.checks.backprop import compare_dict, compare_list


# ----------------------------------------------------------------- a student's right answers
def layer_jacobian(x, W, b):
    h = sigmoid(x @ W + b)
    return np.diag(h * (1 - h)) @ W.T


def make_backprop(prime1=lambda h: h * (1 - h), prime2=lambda h: h * (1 - h), minus_one=1.0, scale=None):
    """A backward pass with optional slips: σ′ at each hidden layer, the −1_y, and the 1/B."""

    def backprop_(params, X, y):
        W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        B = X.shape[0]
        h1 = sigmoid(X @ W1 + b1)
        h2 = sigmoid(h1 @ W2 + b2)
        g3 = softmax(h2 @ W3 + b3)
        g3[np.arange(B), y] -= minus_one
        g3 /= B if scale is None else scale(B)
        gbar2 = (g3 @ W3.T) * prime2(h2)
        gbar1 = (gbar2 @ W2.T) * prime1(h1)
        return {"W1": X.T @ gbar1, "b1": gbar1.sum(axis=0), "W2": h1.T @ gbar2, "b2": gbar2.sum(axis=0),
                "W3": h2.T @ g3, "b3": g3.sum(axis=0), "x": gbar1 @ W1.T}

    return backprop_


def make_deltas(prime=lambda a: a * (1 - a), sign=1.0, transpose=False, output_prime=True):
    def deltas(weights, biases, x, y):
        a = [x]
        for W, b in zip(weights, biases):
            a.append(sigmoid(a[-1] @ W + b))
        K = len(weights)
        out = [None] * K
        out[K - 1] = -sign * (y - a[K]) * (a[K] * (1 - a[K]) if output_prime else 1.0)
        for k in range(K - 1, 0, -1):
            W = weights[k].T if transpose and weights[k].shape[0] == weights[k].shape[1] else weights[k]
            out[k - 1] = (W @ out[k]) * prime(a[k])
        return out

    return deltas


def _verdict(check_id, fn, seed=0):
    with np.errstate(all="ignore"):
        return checks.run(check_id, fn, seed=seed)


@pytest.mark.parametrize(
    "check_id, fn",
    [("04.layer_jacobian", layer_jacobian), ("04.layer_jacobian", backprop.sigmoid_layer_jacobian),
     ("04.backprop", make_backprop()), ("04.deltas", make_deltas())],
)
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2, 3):
        assert _verdict(check_id, fn, seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


# ----------------------------------------------------------------- 04.layer_jacobian
def test_transposed_jacobian_is_named_on_the_lectures_case():
    v = _verdict("04.layer_jacobian", lambda x, W, b: layer_jacobian(x, W, b).T)
    assert "case 1 of 3: the lecture's x = [1, −1, 1]" in v.message
    assert "expected shape (4, 3), got shape (3, 4)" in v.message and "transposed" in v.message


def test_transposed_square_jacobian_is_named_by_its_values():
    def transposed_when_square(x, W, b):
        J = layer_jacobian(x, W, b)
        return J.T if J.shape[0] == J.shape[1] else J

    v = _verdict("04.layer_jacobian", transposed_when_square)
    assert "case 2 of 3" in v.message and "transposed" in v.message


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda x, W, b: np.diag(sigmoid(x @ W + b)) @ W.T, "you used σ(h̄) where its derivative belongs"),
        (lambda x, W, b: np.diag(sigmoid(x @ W + b) * (1 - sigmoid(x @ W + b))), "you forgot Wᵀ"),
        (lambda x, W, b: layer_jacobian(x, W, 0 * b), "you left out the bias"),
        (lambda x, W, b: np.diag((x @ W + b) * (1 - (x @ W + b))) @ W.T, "not the pre-activation h̄"),
        (lambda x, W, b: calculus.jacobian(lambda v: sigmoid(v @ W + b), x), "only to finite-difference accuracy"),
    ],
)
def test_layer_jacobian_slips_are_named(wrong, message):
    v = _verdict("04.layer_jacobian", wrong)
    assert not v.passed and message in v.message


# ----------------------------------------------------------------- 04.backprop
def test_forgotten_sigma_prime_names_W2_its_element_and_the_factor():
    v = _verdict("04.backprop", make_backprop(prime2=lambda h: 1.0))
    assert "case 1 of 4: the chapter's network, sizes (4, 5, 3, 3)" in v.message
    assert "W2: at element [4, 1] expected 0.188958, got 0.756074" in v.message
    assert "did you multiply by σ′(h̄²)?" in v.message


def test_slip_in_the_first_layer_only_is_found_at_W1():
    v = _verdict("04.backprop", make_backprop(prime1=lambda h: 1.0))
    assert "\n  W1: at element" in v.message and "did you multiply by σ′(h̄¹)?" in v.message
    v = _verdict("04.backprop", make_backprop(prime1=lambda h: h))
    assert "\n  W1: at element" in v.message and "σ′(h̄¹) = h¹ ⊙ (1 − h¹), not h¹ itself" in v.message


def test_summed_batch_gradient_is_found_on_the_first_batch_case():
    v = _verdict("04.backprop", make_backprop(scale=lambda B: 1))
    assert "case 3 of 4" in v.message and "B = 4" in v.message
    assert "W3: at element" in v.message and "you summed over the batch" in v.message


def test_missing_minus_one_is_found_at_W3():
    v = _verdict("04.backprop", make_backprop(minus_one=0.0))
    assert "W3: at element" in v.message and "did you forget to subtract 1 at the label?" in v.message


def test_shape_slips_are_named():
    def unsummed_bias(params, X, y):
        g = make_backprop()(params, X, y)
        g["b3"] = g["b3"][None, :]
        return g

    v = _verdict("04.backprop", unsummed_bias)
    assert "b3: expected shape (3,), got shape (1, 3)" in v.message and "sum ḡ over the batch rows" in v.message

    def transposed_W3(params, X, y):
        g = make_backprop()(params, X, y)
        g["W3"] = g["W3"].T
        return g

    v = _verdict("04.backprop", transposed_W3)
    assert "W3: expected shape (3, 3)" not in v.message  # the chapter's W3 is square: found by value
    assert "\n  W3: " in v.message


def test_missing_key_and_non_dict_answers_are_named():
    def no_x(params, X, y):
        g = make_backprop()(params, X, y)
        del g["x"]
        return g

    v = _verdict("04.backprop", no_x)
    assert "your dict has no key 'x'" in v.message
    v = _verdict("04.backprop", lambda params, X, y: list(make_backprop()(params, X, y).values()))
    assert "expected a dict with keys 'W3', 'b3', 'W2', 'b2', 'W1', 'b1', 'x', got list" in v.message


def test_input_gradient_multiplied_by_an_activation_gets_the_x_hint():
    def x_slip(params, X, y):
        g = make_backprop()(params, X, y)
        g["x"] = g["x"] * X * (1 - X)
        return g

    v = _verdict("04.backprop", x_slip)
    assert "\n  x: at element" in v.message and "the input has no activation" in v.message


def test_the_check_runs_on_copies_so_in_place_updates_do_not_fool_it():
    def in_place(params, X, y):
        grads = make_backprop()(params, X, y)
        for name in ("W1", "W2", "W3"):
            params[name] -= 1.0  # a student who updates the weights inside the function
        return grads

    assert _verdict("04.backprop", in_place).passed


# ----------------------------------------------------------------- 04.deltas
@pytest.mark.parametrize(
    "wrong, message",
    [
        (make_deltas(sign=-1.0), "δ²: at element [1] expected 0.147624, got -0.147624"),
        (make_deltas(sign=-1.0), "mind the sign"),
        (make_deltas(prime=lambda a: 1.0), "did you multiply by g′(z¹) = a¹ ⊙ (1 − a¹)?"),
        (make_deltas(prime=lambda a: a), "not a¹"),
        (make_deltas(output_prime=False), "did you multiply by g′(z²) = a² ⊙ (1 − a²)?"),
        (lambda *args: make_deltas()(*args)[::-1], "your list is in backward order"),
        (lambda *args: make_deltas()(*args)[1:], "expected a list of 2 arrays (δ¹, δ²), got 1"),
        (lambda *args: np.concatenate(make_deltas()(*args)), "expected a list of 2 arrays, got ndarray"),
    ],
)
def test_delta_slips_are_named(wrong, message):
    v = _verdict("04.deltas", wrong)
    assert not v.passed and message in v.message


def test_transposed_weights_in_the_recursion_are_found_on_a_square_layer():
    v = _verdict("04.deltas", make_deltas(transpose=True))
    assert "case 2 of 4" in v.message and "not (W²)ᵀ δ²" in v.message


# ----------------------------------------------------------------- comparators and registry
def test_compare_dict_checks_keys_in_order_and_names_the_first_wrong_one():
    cmp = compare_dict(("a", "b"), rtol=1e-9, atol=0)
    expected = {"a": np.ones(2), "b": np.zeros((2, 2))}
    assert cmp({"a": np.ones(2), "b": np.zeros((2, 2)), "extra": 1}, expected) is None
    assert cmp({"b": 1}, expected).summary.startswith("your dict has no key 'a'")
    failure = cmp({"a": np.ones(2), "b": np.eye(2)}, expected)
    assert failure.summary.startswith("b: at element [0, 0] expected 0, got 1")
    assert "expected a dict" in cmp(3.0, expected).summary


def test_compare_list_can_start_from_the_last_item():
    cmp = compare_list(lambda i: f"δ{i}", backwards=True, rtol=1e-9, atol=0)
    expected = [np.ones(2), np.ones(3)]
    assert cmp([np.ones(2), np.ones(3)], expected) is None
    both_wrong = [np.zeros(2), np.zeros(3)]
    assert cmp(both_wrong, expected).summary.startswith("δ2: at element")
    assert compare_list()(both_wrong, expected).summary.startswith("item 1: at element")


def test_cases_are_reproducible_and_start_with_the_chapters_examples():
    for check_id in ("04.layer_jacobian", "04.backprop", "04.deltas"):
        chk = checks.get(check_id)
        a, b = chk.cases(np.random.default_rng(5)), chk.cases(np.random.default_rng(5))
        assert [c.label for c in a] == [c.label for c in b]
        assert "chapter's" in a[0].label or "lecture's" in a[0].label
        expected_a = [chk.apply(chk.reference, c) for c in a]
        expected_b = [chk.apply(chk.reference, c) for c in b]
        for u, w in zip(expected_a, expected_b):
            for p, q in zip(u.values() if isinstance(u, dict) else u, w.values() if isinstance(w, dict) else w):
                np.testing.assert_array_equal(p, q)


def test_reference_names_denote_library_functions():
    for check_id in ("04.layer_jacobian", "04.backprop", "04.deltas"):
        names = checks.get(check_id).reference_names
        assert names and all(_lookup(name) is not None for name in names)


def test_training_flop_of_the_chapters_classifier_is_2_4e10_per_step_and_7_5e14_per_epoch():
    from dlcourse.checks.backprop import training_flop

    wide = (1024,) + (4096,) * 8 + (1000,)
    assert training_flop(wide, 32) == 24_140_316_672
    assert 7.4e14 < 31_250 * training_flop(wide, 32) < 7.6e14
    v = checks.run("04.training_flop", lambda s, B: training_flop(s, B) // 3, seed=0)
    assert "case 1 of 6" in v.message and "forward pass alone" in v.message
