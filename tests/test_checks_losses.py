"""The checks of chapter 3's exercises: right answers pass, typical slips get a precise verdict."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import backprop, checks
from dlcourse.grader._static import _lookup


# ----------------------------------------------------------------- a student's right answers
def softmax(h):
    h = np.asarray(h, dtype=float)
    e = np.exp(h - h.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(logits, y):
    c = logits.max(axis=1)
    lse = c + np.log(np.exp(logits - c[:, None]).sum(axis=1))
    return float(np.mean(lse - logits[np.arange(len(y)), y]))


def cross_entropy_grad(logits, y):
    g = softmax(logits)
    g[np.arange(len(y)), y] -= 1.0
    return g / len(y)


def binary_cross_entropy(f, y):
    return float(np.mean(-(y * np.log(f) + (1 - y) * np.log(1 - f))))


def _verdict(check_id, fn, seed=0):
    with np.errstate(all="ignore"):
        return checks.run(check_id, fn, seed=seed)


@pytest.mark.parametrize(
    "check_id, fn",
    [("03.softmax", softmax), ("03.cross_entropy", cross_entropy),
     ("03.cross_entropy_grad", cross_entropy_grad), ("03.binary_cross_entropy", binary_cross_entropy),
     ("03.softmax", backprop.softmax), ("03.cross_entropy", backprop.cross_entropy),
     ("03.cross_entropy_grad", backprop.softmax_cross_entropy_grad)],
)
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2, 3):
        assert _verdict(check_id, fn, seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_an_answer_that_works_in_place_passes_and_leaves_the_reference_intact():
    def in_place(logits, y):
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        logits[np.arange(len(y)), y] -= 1.0
        logits /= len(y)
        return logits

    assert _verdict("03.cross_entropy_grad", in_place).passed


# ----------------------------------------------------------------- 03.softmax
def test_naive_softmax_is_told_to_subtract_the_maximum():
    v = _verdict("03.softmax", lambda h: np.exp(h) / np.exp(h).sum(axis=-1, keepdims=True))
    assert "case 2 of 6: large logits h = [1000, 1001, 1002]" in v.message
    assert "got NaN or inf at element [0]" in v.message
    assert "Subtract each row's maximum first" in v.message


def test_softmax_normalised_over_the_wrong_axis_is_named():
    def columns(h):
        h = np.asarray(h, dtype=float)
        e = np.exp(h - h.max())
        return e / e.sum(axis=0, keepdims=True)

    v = _verdict("03.softmax", columns)
    assert "case 3 of 6" in v.message and "each column sums to 1, not each row" in v.message


def test_unnormalised_exponentials_are_named():
    v = _verdict("03.softmax", lambda h: np.exp(np.asarray(h) - np.max(h, axis=-1, keepdims=True)))
    assert "case 1 of 6: the chapter's logits h = [1, 2, 3]" in v.message
    assert "expected 0.665241, got 1" in v.message and "not normalised" in v.message


# ----------------------------------------------------------------- 03.cross_entropy
def test_summed_loss_is_diagnosed_with_the_batch_size():
    v = _verdict("03.cross_entropy", lambda H, y: len(y) * cross_entropy(H, y))
    assert "case 2 of 7: the same logits twice, labels y = [0, 2]" in v.message
    assert "expected 1.40761, got 2.81521" in v.message
    assert "you summed over the batch" in v.message and "B = 2" in v.message


def test_per_sample_losses_are_asked_to_be_averaged():
    v = _verdict("03.cross_entropy", lambda H, y: -backprop.log_softmax(H)[np.arange(len(y)), y])
    assert "case 1 of 7" in v.message and "expected shape (), got shape (1,)" in v.message
    assert "return one number" in v.message


def test_log_of_naive_softmax_overflows_on_large_logits():
    naive = lambda H, y: float(np.mean(-np.log(np.exp(H) / np.exp(H).sum(1, keepdims=True))[np.arange(len(y)), y]))
    v = _verdict("03.cross_entropy", naive)
    assert "case 3 of 7: large logits [[1000, 0, −1000]]" in v.message
    assert "log-sum-exp trick" in v.message


def test_negative_loss_and_all_class_average_are_diagnosed():
    assert "mind the sign" in _verdict("03.cross_entropy", lambda H, y: -cross_entropy(H, y)).message
    all_classes = lambda H, y: float(np.mean(-backprop.log_softmax(H)))
    assert "only the true class" in _verdict("03.cross_entropy", all_classes).message


# ----------------------------------------------------------------- 03.cross_entropy_grad
def test_chapter_case_expects_minus_0_91_at_the_label():
    v = _verdict("03.cross_entropy_grad", lambda H, y: softmax(H) / len(y))
    assert "case 1 of 4: the chapter's logits [[1, 2, 3]] with label y = [0]" in v.message
    assert "at element [0, 0] expected -0.909969, got 0.0900306" in v.message
    assert "did you forget to subtract 1 at the label?" in v.message


def test_summed_gradient_points_to_the_mean_convention():
    v = _verdict("03.cross_entropy_grad", lambda H, y: len(y) * cross_entropy_grad(H, y))
    assert "case 2 of 4" in v.message and "you summed over the batch" in v.message
    assert "B = 2" in v.message and "averages" in v.message


def test_one_subtracted_in_whole_label_columns_is_named():
    def columns(H, y):
        g = softmax(H)
        g[:, y] -= 1.0
        return g / len(y)

    v = _verdict("03.cross_entropy_grad", columns)
    assert "p[:, y] −= 1" in v.message and "p[np.arange(B), y] −= 1" in v.message


def test_flipped_sign_transposed_and_overflowing_gradients_are_named():
    assert "sign is flipped" in _verdict("03.cross_entropy_grad", lambda H, y: -cross_entropy_grad(H, y)).message
    v = _verdict("03.cross_entropy_grad", lambda H, y: cross_entropy_grad(H, y).T)
    assert "case 1 of 4" in v.message and "expected shape (1, 3), got shape (3, 1)" in v.message
    assert "transposed" in v.message

    def naive(H, y):
        p = np.exp(H) / np.exp(H).sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    assert "softmax(h − max h)" in _verdict("03.cross_entropy_grad", naive).message


# ----------------------------------------------------------------- 03.binary_cross_entropy
@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda f, y: float(np.mean(-(y * np.log(1 - f) + (1 - y) * np.log(f)))), "the two terms are swapped"),
        (lambda f, y: float(np.mean(y * np.log(f) + (1 - y) * np.log(1 - f))), "mind the sign"),
        (lambda f, y: len(f) * binary_cross_entropy(f, y), "you summed"),
        (lambda f, y: float(np.mean(-(y * np.log10(f) + (1 - y) * np.log10(1 - f)))), "natural logarithm"),
        (lambda f, y: -(y * np.log(f) + (1 - y) * np.log(1 - f)), "return one number"),
    ],
)
def test_binary_cross_entropy_slips_are_named(wrong, message):
    v = _verdict("03.binary_cross_entropy", wrong)
    assert not v.passed and message in v.message


def test_binary_cross_entropy_chapter_case_expects_0_2231():
    v = _verdict("03.binary_cross_entropy", lambda f, y: float(np.mean(-y * np.log(1 - f))))
    assert "case 1 of 5: the chapter's f = [0.8] for y = [1]" in v.message
    assert "expected 0.223144, got 1.60944" in v.message


# ----------------------------------------------------------------- the registry
def test_cases_are_reproducible_from_the_seed_and_start_with_the_chapters():
    for check_id in ("03.softmax", "03.cross_entropy", "03.cross_entropy_grad", "03.binary_cross_entropy"):
        chk = checks.get(check_id)
        a, b = chk.cases(np.random.default_rng(7)), chk.cases(np.random.default_rng(7))
        assert [c.label for c in a] == [c.label for c in b]
        for x, y in zip(a, b):
            for u, w in zip(x.args, y.args):
                np.testing.assert_array_equal(u, w)
        assert "chapter's" in a[0].label


def test_reference_names_denote_library_functions():
    for check_id in ("03.softmax", "03.cross_entropy", "03.cross_entropy_grad"):
        names = checks.get(check_id).reference_names
        assert names and all(_lookup(name) is not None for name in names)


# ----------------------------------------------------------------- issue 12: fairness
def test_float32_answers_are_judged_at_float32_precision():
    def softmax32(h):
        h = np.asarray(h, dtype=np.float32)
        e = np.exp(h - h.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert _verdict("03.softmax", softmax32).passed
    assert _verdict("03.cross_entropy", lambda H, y: np.float32(cross_entropy(H, y))).passed
    assert _verdict("03.binary_cross_entropy",
                    lambda f, y: binary_cross_entropy(f.astype(np.float32), y.astype(np.float32))).passed


def test_shifting_by_the_row_minimum_or_a_global_maximum_fails():
    def by_min(h):
        h = np.asarray(h, dtype=float)
        e = np.exp(h - h.min(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert "[1000, 0, −1000] (a range of 2000" in _verdict("03.softmax", by_min).message

    def global_max(logits, y):
        c = logits.max()
        lse = c + np.log(np.exp(logits - c).sum(axis=1))
        return float(np.mean(lse - logits[np.arange(len(y)), y]))

    assert "rows far apart" in _verdict("03.cross_entropy", global_max).message


def test_a_wrong_softmax_under_a_right_gradient_is_named():
    def column_softmax(h):
        e = np.exp(h - h.max(axis=-1, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    def grad(logits, y):
        g = column_softmax(np.asarray(logits, dtype=float))
        g[np.arange(len(y)), y] -= 1.0
        return g / len(y)

    v = _verdict("03.cross_entropy_grad", grad)
    assert "your softmax" in v.message and "03.softmax" in v.message


def test_the_chapters_worked_losses_are_cases():
    labels = [c.label for c in checks.get("03.cross_entropy").cases(np.random.default_rng(0))]
    assert any("[[0, −800]]" in label for label in labels)
    labels = [c.label for c in checks.get("03.binary_cross_entropy").cases(np.random.default_rng(0))]
    assert any("f = [0.2]" in label for label in labels)


def test_the_regularised_risk_vanishes_at_the_chapters_ridge_fit():
    from dlcourse.checks.losses import chapter_ridge, regularised_risk

    Phi, y, w = chapter_ridge(1e-3)
    J, grad = regularised_risk(w, Phi, y, 1e-3)
    assert np.max(np.abs(grad)) < 1e-12 and J > 0
    assert _verdict("03.regularised_risk", regularised_risk).passed


@pytest.mark.parametrize("mistake, words", [
    (lambda w, P, y, l: (0.5 * np.sum((P @ w - y) ** 2) + l * w @ w, P.T @ (P @ w - y) + 2 * l * w), "mean over the n"),
    (lambda w, P, y, l: (0.5 * np.mean((P @ w - y) ** 2) + l * w @ w, P.T @ (P @ w - y) / len(y) + l * w), "2λw"),
    (lambda w, P, y, l: (0.5 * np.mean((P @ w - y) ** 2) + l * w @ w, P.T @ (y - P @ w) / len(y) + 2 * l * w), "sign of the residual"),
])
def test_regularised_risk_mistakes_are_named(mistake, words):
    v = _verdict("03.regularised_risk", mistake)
    assert not v.passed and words in v.message


def test_one_newton_step_lands_on_the_chapters_bowl_minimum_and_on_the_saddle():
    from dlcourse.checks.losses import newton_step

    chk = checks.get("03.newton_step")
    bowl, saddle = chk.cases(np.random.default_rng(0))[:2]
    np.testing.assert_allclose(newton_step(*bowl.args), 0.0, atol=1e-15)
    np.testing.assert_allclose(newton_step(*saddle.args), 0.0, atol=1e-15)
    v = _verdict("03.newton_step", lambda t, g, H: t - g / np.diag(H))
    assert "case 3 of 3" in v.message and "diagonal H" in v.message


# ----------------------------------------------------------------- arguments, torch's own losses
def test_a_newton_step_that_updates_the_callers_theta_in_place_is_named():
    def in_place(theta, grad, H):
        theta = np.asarray(theta, dtype=float)
        theta -= np.linalg.solve(H, grad)
        return theta

    v = checks.run("03.newton_step", in_place, seed=0)
    assert not v.passed and "changed its argument theta" in v.message
    assert checks.run("03.newton_step", lambda t, g, H: np.array(t, dtype=float) - np.linalg.solve(H, g)).passed


def test_torchs_softmax_raises_while_the_check_runs_and_is_restored_afterwards():
    torch = pytest.importorskip("torch")
    before = (torch.softmax, torch.nn.functional.cross_entropy, torch._C._nn.cross_entropy_loss)
    v = checks.run("03.softmax", lambda h: torch.softmax(torch.as_tensor(h), dim=-1).numpy(), seed=0)
    assert not v.passed and "ShortcutError" in v.message and "numpy only" in v.message
    assert (torch.softmax, torch.nn.functional.cross_entropy, torch._C._nn.cross_entropy_loss) == before
    assert "softmax" not in torch.Tensor.__dict__
    assert torch.allclose(torch.tensor([0.0, 0.0]).softmax(0), torch.tensor([0.5, 0.5]))


def test_a_clipped_log_softmax_is_named():
    def clipped(logits, y):
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        return float(np.mean(-np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))

    v = checks.run("03.cross_entropy", clipped, seed=0)
    assert not v.passed and "never from p" in v.message


def test_float32_values_returned_as_python_lists_are_judged_at_float32_precision():
    def softmax32(h):
        h = np.asarray(h, dtype=np.float32)
        e = np.exp(h - h.max(axis=-1, keepdims=True))
        return (e / e.sum(axis=-1, keepdims=True)).tolist()

    assert checks.run("03.softmax", softmax32, seed=0).passed
