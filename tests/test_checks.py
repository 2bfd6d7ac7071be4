"""The check helpers: right answers pass, typical mistakes get a precise verdict."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import calculus, checks
from dlcourse.checks.calculus import example_jacobian


def _verdict(check_id, fn, seed=0):
    return checks.run(check_id, fn, seed=seed)


@pytest.mark.parametrize(
    "check_id, fn",
    [
        ("02.derivative", lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h)),
        ("02.jacobian", calculus.jacobian),
        ("02.analytic_jacobian", example_jacobian),
        ("02.critical_point", calculus.critical_point_type),
    ],
)
def test_reference_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2):
        assert _verdict(check_id, fn, seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_forward_difference_is_named_with_case_and_numbers():
    v = _verdict("02.derivative", lambda f, x, h: (f(x + h) - f(x)) / h)
    assert not v.passed
    assert "case 1 of 5: f(x) = sin x at x = 1, h = 1e-3" in v.message
    assert f"expected {np.cos(1.0):.6g}" in v.message
    assert "forward difference" in v.message


def test_missing_factor_two_is_diagnosed():
    v = _verdict("02.derivative", lambda f, x, h: (f(x + h) - f(x - h)) / h)
    assert "factor of 2" in v.message


def test_transposed_jacobian_is_diagnosed():
    v = _verdict("02.jacobian", lambda f, x, h=1e-6: calculus.jacobian(f, x, h).T)
    assert "expected shape (2, 3), got shape (3, 2)" in v.message
    assert "transposed" in v.message


def test_wrong_element_is_located_with_largest_difference():
    def forgot_product_rule(x):
        J = example_jacobian(x)
        J[1, 1] = 2 * x[1]
        return J

    v = _verdict("02.analytic_jacobian", forgot_product_rule)
    assert "at element [1, 1] expected 13, got 4" in v.message
    assert "1 of 6 elements wrong" in v.message
    assert "2x₂ + x₃²" in v.message


def test_semi_definite_called_minimum_gets_degenerate_hint():
    v = _verdict("02.critical_point", lambda H: "minimum" if np.all(np.linalg.eigvalsh(H) >= -1e-9) else "saddle")
    assert "expected 'degenerate', got 'minimum'" in v.message
    assert "inconclusive" in v.message


def test_nan_answer_is_reported_with_its_position():
    v = _verdict("02.analytic_jacobian", lambda x: np.full((2, 3), np.nan))
    assert "NaN or inf at element [0, 0]" in v.message


def test_exception_in_student_code_names_the_case():
    v = _verdict("02.analytic_jacobian", lambda x: x[5])
    assert "raised IndexError" in v.message and "case 1 of 5" in v.message


def test_stub_reraises_not_implemented_after_saying_so(capsys):
    def stub(f, x, h):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        checks.check("02.derivative", stub)
    assert "not implemented yet" in capsys.readouterr().out


def test_wrong_answer_raises_assertion_error_with_message(capsys):
    with pytest.raises(AssertionError, match="is wrong on case"):
        checks.check("02.critical_point", lambda H: "saddle")
    assert capsys.readouterr().out.startswith("✗ [02.critical_point]")


def test_cases_are_reproducible_from_the_seed():
    chk = checks.get("02.critical_point")
    a = chk.cases(np.random.default_rng(7))
    b = chk.cases(np.random.default_rng(7))
    assert all(np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, b))


def test_unknown_check_names_known_ones():
    with pytest.raises(ValueError, match="unknown check '99.nope'.*02.jacobian"):
        checks.get("99.nope")


def test_non_callable_answer_is_a_type_error():
    with pytest.raises(TypeError, match="numerical_jacobian"):
        checks.run("02.jacobian", 42)


def test_compare_arrays_tolerances():
    cmp = checks.compare_arrays(rtol=1e-6, atol=0)
    assert cmp(1.0 + 1e-7, 1.0) is None
    assert "expected 1, got 1.00001" in cmp(1.00001, 1.0).summary
    assert "expected a number" in cmp("x", 1.0).summary
