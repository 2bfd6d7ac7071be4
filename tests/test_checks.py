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
    assert "case 1 of 6: f(x) = sin x at x = 1, h = 1e-3" in v.message
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

    with pytest.raises(NotImplementedError) as info:
        checks.check("02.derivative", stub)
    assert isinstance(info.value, checks.NotImplementedYet)
    assert capsys.readouterr().out.count("not implemented yet") == 1
    assert info.value._render_traceback_() == [
        "NotImplementedYet: [02.derivative] not implemented yet; replace the "
        "`raise NotImplementedError` line."]


def test_wrong_answer_raises_assertion_error_with_message(capsys):
    with pytest.raises(AssertionError, match="is wrong on case") as info:
        checks.check("02.critical_point", lambda H: "saddle")
    out = capsys.readouterr().out
    assert out.startswith("✗ [02.critical_point]") and out.count("is wrong on case") == 1
    assert isinstance(info.value, checks.CheckFailed)
    rendered = info.value._render_traceback_()
    assert len(rendered) == 1 and "is wrong" not in rendered[0] and "[02.critical_point]" in rendered[0]


def test_a_failing_check_cell_shows_its_verdict_once_in_jupyter(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('from dlcourse import checks\n'
                                  'checks.check("02.critical_point", lambda H: "saddle")'),
        nbformat.v4.new_code_cell('print("still running")'),
    ]
    nb.cells[0].metadata["tags"] = ["raises-exception"]
    nbclient.NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[0].outputs
    texts = [o.get("text", "") for o in outputs if o.output_type == "stream"]
    errors = [o for o in outputs if o.output_type == "error"]
    assert "".join(texts).count("is wrong on case") == 1
    assert len(errors) == 1 and errors[0].ename == "CheckFailed"
    assert errors[0].traceback == ["CheckFailed: [02.critical_point] not passed yet; the verdict is printed above."]
    assert nb.cells[1].outputs[0]["text"] == "still running\n"  # Run All goes on


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


# ----------------------------------------------------------------------------- precision
def test_dtype_of_numpy_python_and_torch_values():
    torch = pytest.importorskip("torch")
    assert checks.dtype_of(np.float32(1)) == "float32" and checks.dtype_of(np.ones(2)) == "float64"
    assert checks.dtype_of(1.5) == "float64" and checks.dtype_of(3) == "int64"
    assert checks.dtype_of(torch.ones(2)) == "float32"
    assert checks.dtype_of(torch.ones(2, dtype=torch.float64, requires_grad=True)) == "float64"
    assert checks.dtype_of([np.float32(1), 2.0]) == "float32"  # the least precise part
    assert checks.dtype_of("saddle") is None and checks.dtype_of([1.0, "x"]) is None


def test_dtype_of_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys, numpy as np; from dlcourse import checks; "
            "assert checks.dtype_of(np.float32(1)) == 'float32'; "
            "assert checks.dtype_of(object()) is None; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_float32_answer_in_a_float64_check_is_told_to_compute_in_float64():
    cmp = checks.compare_arrays(rtol=1e-9, atol=1e-12)
    failure = cmp(np.float32(2.43092), 2.43092)
    assert failure.summary.startswith("your result is float32; compute in float64")
    e, g = failure.summary.split("expected ")[1].split(", got ")
    assert e != g.split(" ")[0]  # never two equal-looking numbers
    assert "float64" in failure.hint
    assert cmp(np.float64(2.43092), 2.43092) is None


def test_float32_answer_passes_at_float32_precision_where_the_check_allows_it():
    torch = pytest.importorskip("torch")
    cmp = checks.compare_arrays(rtol=1e-9, atol=1e-12, precision="dtype")
    x = np.array([1.0, 2.43092, -0.3, 0.0])
    assert cmp(x.astype(np.float32), x) is None
    assert cmp(torch.tensor(x, dtype=torch.float32), x) is None
    assert cmp(torch.tensor(x, dtype=torch.float32, requires_grad=True), x) is None
    assert cmp([torch.tensor(v, dtype=torch.float32) for v in x], x) is None
    assert cmp(x * (1 + 1e-7), x) is not None  # float64 is still judged at 1e-9
    wrong = cmp((x * 1.001).astype(np.float32), x)
    assert wrong is not None and "compared at float32 precision" in wrong.summary
    # a float32 element that cancels to ~0 is judged relative to the operands' scale
    assert cmp(np.float32([1000.0, 3e-5]), np.array([1000.0, 0.0])) is None


def test_float32_accepted_paths_scale_with_what_the_path_has_seen():
    cmp = checks.compare_trajectories(rtol=1e-9, atol=1e-12, precision="dtype")
    path = np.array([[3.0, -2.0], [1.0, -0.5], [1e-3, 1e-4], [0.0, 0.0]])
    noisy = (path + 1e-6).astype(np.float32)
    assert cmp(noisy, path) is None
    assert cmp(noisy, path.astype(np.float32)) is None
    off = np.vstack([path[:2], path[2:] + 0.01]).astype(np.float32)  # wrong from t = 2 on
    assert "differs at t = 2" in cmp(off, path).summary
    strict = checks.compare_trajectories(rtol=1e-9, atol=1e-12)
    assert "compute in float64" in strict(noisy, path).summary


def test_compare_named_takes_the_precision_of_each_part():
    parts = (np.ones(2), np.full(3, 0.1))
    got = (np.ones(2, dtype=np.float32), np.full(3, 0.1, dtype=np.float32))
    assert checks.compare_named(["a", "b"], got, parts, 1e-9, 1e-12, precision="dtype") is None
    failure = checks.compare_named(["a", "b"], got, parts, 1e-9, 1e-12)
    assert failure.summary.startswith("b: your result is float32; compute in float64")


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision"):
        checks.compare_arrays(precision="float16")


def test_near_equal_numbers_are_printed_with_the_digits_that_differ():
    failure = checks.compare_arrays(rtol=1e-12, atol=0)(2.4309200001, 2.43092)
    assert "expected 2.43092, got 2.4309200001" in failure.summary
    traj = checks.compare_trajectories(rtol=1e-12, atol=0)(np.array([[1.0], [2.4309200001]]),
                                                          np.array([[1.0], [2.43092]]))
    assert "expected 2.43092, got 2.4309200001" in traj.summary


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_graders_plain_data_keeps_the_dtype(dtype):
    import json

    torch = pytest.importorskip("torch")
    from dlcourse.grader import _collect

    def round_trip(v):
        return _collect.decode(json.loads(json.dumps(_collect.encode(v))))

    t = round_trip(torch.ones(3, dtype=getattr(torch, dtype), requires_grad=True) * 2)
    a = round_trip(np.ones(3, dtype=dtype))
    s = round_trip(np.ones(3, dtype=dtype).sum())
    assert checks.dtype_of(t) == checks.dtype_of(a) == checks.dtype_of(s) == dtype
    assert checks.dtype_of(round_trip([torch.tensor(1.0, dtype=getattr(torch, dtype))])) == dtype


# ----------------------------------------------------------------------------- chapter 2's requirements
def _classify_with(tol_of):
    def classify(H):
        eig = np.linalg.eigvalsh(H)
        tol = tol_of(eig)
        if np.any(eig > tol) and np.any(eig < -tol):
            return "saddle"
        if np.any(np.abs(eig) <= tol):
            return "degenerate"
        return "minimum" if np.all(eig > 0) else "maximum"
    return classify


@pytest.mark.parametrize("tol_of, case", [
    (lambda eig: 0.0, "diag(2, −1e-10)"),
    (lambda eig: 1e-8, "diag(1e9, 5)"),
    (lambda eig: 1e-4, "diag(2, 1e-6)"),
])
def test_the_stated_tolerance_for_zero_eigenvalues_is_tested(tol_of, case):
    v = _verdict("02.critical_point", _classify_with(tol_of))
    assert not v.passed and case in v.message


def test_a_numpy_string_label_passes_in_the_kernel_and_in_the_grader():
    import json

    from dlcourse.grader import _collect
    from dlcourse.grader._notebook import verdict

    labels = np.array(["minimum", "maximum", "saddle", "degenerate"])

    def classify(H):
        return labels[["minimum", "maximum", "saddle", "degenerate"].index(calculus.critical_point_type(H))]

    assert _verdict("02.critical_point", classify).passed
    chk = checks.get("02.critical_point")
    answers = [_collect.decode(json.loads(json.dumps(_collect.encode(chk.apply(classify, c)))))
               for c in chk.cases(np.random.default_rng(3))]
    assert verdict(chk, 3, answers)[0]
    assert not _verdict("02.critical_point", lambda H: np.str_("saddle")).passed


def test_a_jacobian_that_ignores_its_step_is_told_so():
    v = _verdict("02.jacobian", lambda f, x, h=1e-6: calculus.jacobian(f, x, 1e-6))
    assert "h = 0.1" in v.message and "not a step of your own" in v.message


def test_finite_differences_need_float64_but_the_exact_jacobian_may_be_float32():
    v = _verdict("02.derivative", lambda f, x, h: np.float32((f(x + h) - f(x - h)) / (2 * h)))
    assert "your result is float32; compute in float64" in v.message
    assert _verdict("02.analytic_jacobian", lambda x: example_jacobian(x).astype(np.float32)).passed


def test_a_jacobian_by_finite_differences_fails_the_exact_exercise():
    v = _verdict("02.analytic_jacobian", lambda x: calculus.jacobian(lambda v: np.array(
        [v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]]), np.asarray(x, dtype=float)))
    assert not v.passed


def test_saddle_odds_follow_the_coin_model_and_survive_a_million_parameters():
    from dlcourse.checks.calculus import saddle_odds

    assert saddle_odds(1) == (0.5, 0.5, 0.0) and saddle_odds(2) == (0.25, 0.25, 0.5)
    assert saddle_odds(1_000_000) == (0.0, 0.0, 1.0)
    v = _verdict("02.saddle_odds", lambda p: (0.5**p, 0.5**p, 1 - 0.5**p))
    assert "case 1 of 8: p = 1" in v.message and "AND the maxima" in v.message
    v = _verdict("02.saddle_odds", lambda p: (1 / 2.0**p, 1 / 2.0**p, 1 - 2 / 2.0**p))
    assert "raised OverflowError" in v.message


def test_a_jacobian_that_leaves_x_perturbed_is_named_and_one_that_restores_it_passes():
    def perturbs(f, x, h=1e-6):
        x = np.asarray(x, dtype=float)
        cols = []
        for j in range(x.size):
            x[j] += h
            up = np.asarray(f(x))
            x[j] -= 2 * h
            cols.append((up - np.asarray(f(x))) / (2 * h))
        return np.stack(cols, axis=1)

    def restores(f, x, h=1e-6):
        x = np.asarray(x, dtype=float)
        cols = []
        for j in range(x.size):
            x[j] += h
            up = np.asarray(f(x))
            x[j] -= 2 * h
            down = np.asarray(f(x))
            x[j] += h  # x + h − 2h + h: equal to x up to the last bit
            cols.append((up - down) / (2 * h))
        return np.stack(cols, axis=1)

    v = _verdict("02.jacobian", perturbs)
    assert not v.passed and "changed its argument x" in v.message
    assert _verdict("02.jacobian", restores).passed
    assert _verdict("02.jacobian", lambda f, x, step: calculus.jacobian(f, x, step)).passed  # h by position


def test_mixed_signs_with_a_zero_eigenvalue_are_a_saddle():
    v = _verdict("02.critical_point", lambda H: "degenerate" if np.any(np.abs(np.linalg.eigvalsh(H)) < 1e-6)
                 else calculus.critical_point_type(H))
    assert not v.passed and "diag(3, −2, 0)" in v.message and "both signs" in v.message


def test_the_exact_jacobian_refuses_torch_autograd():
    torch = pytest.importorskip("torch")

    def by_autograd(x):
        f = lambda v: torch.stack([v[0] ** 2 + v[1] ** 2, v[1] ** 2 + v[2] ** 2 * v[1]])
        return torch.autograd.functional.jacobian(f, torch.tensor(np.asarray(x, dtype=float))).numpy()

    v = _verdict("02.analytic_jacobian", by_autograd)
    assert not v.passed and "ShortcutError" in v.message
