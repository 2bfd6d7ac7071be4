"""Chapter 6's checks: right answers pass; typical mistakes get a precise verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dlcourse import checks, optim
from dlcourse.checks.gradient_descent import compare_trajectories, gd_example_step, init_std, max_stable_lr


def gradient_descent(grad, theta0, lr, steps):
    path = [np.array(theta0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


@pytest.mark.parametrize(
    "check_id, fn",
    [
        ("06.gd_step", lambda w, lr: (w - lr * (4 * w - 8), (w - lr * (4 * w - 8) - 1) ** 2 + (w - lr * (4 * w - 8) - 3) ** 2)),
        ("06.gradient_descent", gradient_descent),
        ("06.stability", lambda H: 2 / np.linalg.eigvalsh(H).max()),
        ("06.init_std", lambda i, o, s: math.sqrt(2 / (i + o)) if s == "glorot" else math.sqrt(2 / i)),
    ],
)
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2, 3):
        verdict = checks.run(check_id, fn, seed)
        assert verdict.passed, verdict.message
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_the_references_agree_with_the_library():
    assert gd_example_step(1.0, 0.1) == pytest.approx((1.4, 2.72))
    assert max_stable_lr(np.diag([20.0, 1.0])) == pytest.approx(0.1)
    assert init_std(256, 256, "glorot") == 0.0625
    with pytest.raises(ValueError, match="glorot"):
        init_std(3, 4, "lecun")
    grad = lambda t: np.array([20.0, 1.0]) * t
    np.testing.assert_array_equal(gradient_descent(grad, [-2.0, 2.5], 0.09, 8),
                                  optim.minimize(lambda t: 0.0, [-2.0, 2.5], "sgd", 8, grad=grad, lr=0.09).path)


# ----------------------------------------------------------------- 06.gd_step
def test_stepping_uphill_is_named_with_the_worked_numbers():
    v = checks.run("06.gd_step", lambda w, lr: (w + lr * (4 * w - 8), 0.0), seed=0)
    assert "case 1 of 5: the chapter's step: w = 1, η = 0.1" in v.message
    assert "the new w: expected 1.4, got 0.6" in v.message
    assert "stepped uphill" in v.message


def test_loss_at_the_old_w_and_missing_factor_two_are_named():
    v = checks.run("06.gd_step", lambda w, lr: (w - lr * (4 * w - 8), (w - 1) ** 2 + (w - 3) ** 2), seed=0)
    assert "its loss f(w_new): expected 2.72, got 4" in v.message and "at the new w" in v.message
    v = checks.run("06.gd_step", lambda w, lr: (w - lr * (2 * w - 4), 0.0), seed=0)
    assert "factor 2" in v.message


# ----------------------------------------------------------------- 06.gradient_descent
def test_ascent_is_named():
    def ascent(grad, theta0, lr, steps):
        return gradient_descent(lambda t: -grad(t), theta0, lr, steps)

    v = checks.run("06.gradient_descent", ascent, seed=0)
    assert "your path differs at t = 1 in element [0]: expected 1.4, got 0.6 (θ_0 agrees)" in v.message
    assert "climbs" in v.message


def test_path_without_theta0_and_off_by_one_are_named():
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: gradient_descent(g, t0, lr, n)[1:], seed=0)
    assert "expected shape (6, 1)" in v.message and "got shape (5, 1)" in v.message
    assert "misses its start" in v.message
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: gradient_descent(g, t0, lr, n - 1), seed=0)
    assert "one step too few" in v.message
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: gradient_descent(g, t0, lr, n + 1), seed=0)
    assert "one step too many" in v.message
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: gradient_descent(g, t0, lr, n).ravel(), seed=0)
    assert "reshape" in v.message


def test_appending_one_array_updated_in_place_is_named():
    def aliased(grad, theta0, lr, steps):
        theta = np.array(theta0, dtype=float)
        path = [theta]
        for _ in range(steps):
            theta -= lr * grad(theta)
            path.append(theta)
        return np.array(path)

    v = checks.run("06.gradient_descent", aliased, seed=0)
    assert "your path differs at t = 0 in element [0]" in v.message
    assert "every row is the last iterate" in v.message and "in place" in v.message


def test_a_path_that_never_moves_and_a_wrong_first_row_are_named():
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: np.array([t0] * (n + 1)), seed=0)
    assert "expected 1.4, got 1 (θ_0 agrees)" in v.message and "never moves" in v.message
    v = checks.run("06.gradient_descent", lambda g, t0, lr, n: gradient_descent(g, t0, lr, n) + 1e-3, seed=0)
    assert "differs at t = 0 in element [0]" in v.message and "starting point θ₀ itself" in v.message


def test_the_first_differing_step_and_element_are_reported():
    def late_slip(grad, theta0, lr, steps):
        path = gradient_descent(grad, theta0, lr, steps)
        path[3:, -1] += 0.5
        return path

    v = checks.run("06.gradient_descent", late_slip, seed=0)
    assert "your path differs at t = 3 in element [0]: expected 1.784, got 2.284 (steps 0 … 2 agree)" in v.message


def test_compare_trajectories_locates_nan_and_the_first_differing_element():
    cmp = compare_trajectories()
    expected = np.arange(12.0).reshape(6, 2)
    got = expected.copy()
    got[4, 1] = np.nan
    got[5, 0] = 99.0
    failure = cmp(got, expected)
    assert "differs at t = 4 in element [1]: expected 9, got nan" in failure.summary
    assert "θ_4 expected [8. 9.]" in failure.summary
    assert cmp(expected.copy(), expected) is None
    assert "expected shape (6, 2)" in cmp(expected[:, :1], expected).summary
    assert "got 'path'" in cmp("path", expected).summary


# ----------------------------------------------------------------- 06.stability
@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda H: 1 / np.linalg.eigvalsh(H).max(), "1/λ_max is the step of the convergence guarantee"),
        (lambda H: 2 / np.linalg.eigvalsh(H).min(), "the largest curvature limits the step"),
    ],
)
def test_wrong_eigenvalue_formulas_are_named(wrong, hint):
    v = checks.run("06.stability", wrong, seed=0)
    assert "case 1 of 6: H = diag(20, 1)" in v.message and hint in v.message


def test_reading_the_diagonal_of_a_rotated_hessian_is_named():
    v = checks.run("06.stability", lambda H: 2 / np.max(np.diag(H)), seed=0)
    assert "case 3 of 6: H = (2/N) XᵀX of the badly scaled regression" in v.message
    assert "expected 2.70610821e-06, got 2.70610823e-06" in v.message
    assert "the diagonal of H is not its spectrum" in v.message
    v = checks.run("06.stability", lambda H: 2 / np.max(np.diag(H)) if H[0, 0] == 3 else max_stable_lr(H), seed=0)
    assert "case 4 of 6: H = [[3, 2], [2, 3]]" in v.message and "expected 0.4, got 0.666667" in v.message


# ----------------------------------------------------------------- 06.init_std
@pytest.mark.parametrize(
    "wrong, case, hint",
    [
        (lambda i, o, s: 2 / (i + o) if s == "glorot" else 2 / i, "case 1 of 6", "variance σ²"),
        (lambda i, o, s: math.sqrt(6 / (i + o)) if s == "glorot" else math.sqrt(6 / i), "case 1 of 6", "uniform version"),
        (lambda i, o, s: math.sqrt(1 / i) if s == "glorot" else math.sqrt(2 / i), "case 3 of 6",
         "1/fan_in keeps only the forward signal"),
        (lambda i, o, s: math.sqrt(2 / (i + o)) if s == "glorot" else math.sqrt(1 / i), "case 2 of 6", "He doubles"),
        (lambda i, o, s: math.sqrt(2 / (i + o)) if s == "glorot" else math.sqrt(2 / o), "case 4 of 6",
         "counts the inputs of a unit"),
    ],
)
def test_init_mistakes_are_named(wrong, case, hint):
    v = checks.run("06.init_std", wrong, seed=0)
    assert not v.passed and case in v.message and hint in v.message


def test_a_stub_is_reported_as_not_implemented(capsys):
    def stub(grad, theta0, lr, steps):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check("06.gradient_descent", stub)
    assert "not implemented yet" in capsys.readouterr().out


def test_gd_step_accepts_a_pair_of_one_element_arrays():
    def step(w, lr):
        w_new = np.atleast_1d(w - lr * (4 * w - 8))
        return w_new, (w_new - 1) ** 2 + (w_new - 3) ** 2

    assert checks.run("06.gd_step", step, seed=0).passed
    v = checks.run("06.gd_step", lambda w, lr: (np.atleast_1d(w + lr * (4 * w - 8)), np.zeros(1)), seed=0)
    assert not v.passed and "stepped uphill" in v.message


def test_float32_results_given_as_python_floats_are_judged_at_float32_precision():
    from dlcourse.checks import float32_exact

    assert float32_exact(float(np.float32(0.1))) and float32_exact([[float(np.float32(1 / 3))], [0.5]])
    assert not float32_exact(0.1) and not float32_exact([1, 2, 3]) and not float32_exact(np.float32(0.1))
    item = checks.run("06.init_std", lambda i, o, s: float(np.float32(init_std(i, o, s))), seed=0)
    assert item.passed
    wrong = checks.run("06.init_std", lambda i, o, s: float(np.float32(init_std(i, o, s) ** 2)), seed=0)
    assert not wrong.passed and "variance" in wrong.message
