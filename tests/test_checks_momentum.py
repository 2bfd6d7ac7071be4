"""Chapter 8's checks: right answers pass; typical mistakes are named with the step and element."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.checks import momentum as M


def pytorch_step(theta, v, g, lr, beta):
    v = beta * v + g
    return theta - lr * v, v


def pytorch_step_in_place(theta, v, g, lr, beta):
    v *= beta
    v += g
    theta -= lr * v
    return theta, v


def classical_step(theta, u, g, lr, gamma):
    u = gamma * u + lr * g
    return theta - u, u


def nesterov_step(theta, v, grad_fn, lr, gamma):
    v = gamma * v + lr * grad_fn(theta - gamma * v)
    return theta - v, v


def momentum_run(grad_fn, theta0, lr, beta, steps):
    theta = np.array(theta0, dtype=float)
    v, path = np.zeros_like(theta), [theta.copy()]
    for _ in range(steps):
        v = beta * v + grad_fn(theta)
        theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


RIGHT = [("08.momentum_step", pytorch_step), ("08.momentum_step", pytorch_step_in_place),
         ("08.classical_step", classical_step), ("08.nesterov_step", nesterov_step),
         ("08.momentum_run", momentum_run)]


@pytest.mark.parametrize("check_id, fn", RIGHT)
def test_right_answers_pass_on_fixed_and_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2):
        assert checks.run(check_id, fn, seed=seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_references_are_the_library_rules_and_torch():
    assert checks.run("08.momentum_run", M.torch_sgd_run, seed=0).passed
    np.testing.assert_allclose(M.torch_sgd_run(lambda t: 2 * t, np.ones(1), 0.1, 0.5, 2)[:, 0], [1, 0.8, 0.54])


def test_cases_are_the_same_for_the_same_seed():
    chk = checks.get("08.momentum_run")
    a = chk.cases(np.random.default_rng(7))
    b = chk.cases(np.random.default_rng(7))
    assert [c.label for c in a] == [c.label for c in b]
    assert all(np.array_equal(x.args[1], y.args[1]) for x, y in zip(a, b))


def test_updating_theta_before_v_is_named_with_the_part_that_is_wrong():
    v = checks.run("08.momentum_step", M._pt_theta_first, seed=0)
    assert "case 1 of 4: the first step on the bowl" in v.message
    assert "the new theta at element [0]: expected -2, got -2.5" in v.message
    assert "(the new v is right)" in v.message
    assert "update v first" in v.message


def test_dampening_classical_form_and_sign_are_diagnosed():
    assert "dampening=β" in checks.run("08.momentum_step", M._pt_dampened, seed=0).message
    assert "classical form" in checks.run("08.momentum_step", M._pt_classical, seed=0).message
    assert "uphill" in checks.run("08.momentum_step", M._pt_sign, seed=0).message
    reversed_weights = checks.run("08.momentum_step", M._pt_reversed, seed=0).message
    assert "β weighs the past" in reversed_weights


def test_classical_step_confused_with_pytorchs_form_is_named():
    v = checks.run("08.classical_step", M._cl_pytorch, seed=0)
    assert "that is PyTorch's form" in v.message
    assert "η multiplies each new gradient" in v.message


def test_gradient_at_theta_instead_of_the_lookahead_is_named():
    v = checks.run("08.nesterov_step", M._nag_at_theta, seed=0)
    assert "the new theta at element [0]: expected -1.24, got -1.15" in v.message
    assert "look-ahead point θ − γv" in v.message
    assert "θ + γv" in checks.run("08.nesterov_step", M._nag_plus, seed=0).message


def test_run_names_the_first_differing_step_and_the_culprit():
    v = checks.run("08.momentum_run", M._numpy_run(M._pt_dampened), seed=0)
    assert "your θ first differs from torch.optim.SGD(momentum=β)'s at step t = 1 in element [0]" in v.message
    assert "expected -2, got -2.45" in v.message and "dampening" in v.message
    no_momentum = checks.run("08.momentum_run", M._numpy_run(M._pt_no_momentum), seed=0)
    assert "at step t = 2" in no_momentum.message and "plain gradient descent" in no_momentum.message
    nesterov = checks.run("08.momentum_run", M._numpy_run(M._nesterov_torch_style), seed=0)
    assert "Nesterov" in nesterov.message


def test_a_late_slip_is_reported_at_its_step():
    def slips_at_step_7(grad_fn, theta0, lr, beta, steps):
        path = momentum_run(grad_fn, theta0, lr, beta, steps)
        path[7:, 1] += 1e-6
        return path

    v = checks.run("08.momentum_run", slips_at_step_7, seed=0)
    assert "at step t = 7 in element [1]" in v.message
    assert "94 of the 100 steps differ" in v.message


def test_missing_start_or_only_the_final_point_get_shape_hints():
    short = checks.run("08.momentum_run", lambda *a: momentum_run(*a)[1:], seed=0)
    assert "shape (101, 2), got shape (100, 2)" in short.message and "starting point" in short.message
    final = checks.run("08.momentum_run", lambda *a: momentum_run(*a)[-1], seed=0)
    assert "not only the last" in final.message


def test_student_updates_in_place_do_not_change_the_cases_the_reference_sees():
    def in_place_run(grad_fn, theta0, lr, beta, steps):
        v, path = np.zeros_like(theta0), [theta0.copy()]
        for _ in range(steps):
            v *= beta
            v += grad_fn(theta0)
            theta0 -= lr * v
            path.append(theta0.copy())
        return np.array(path)

    assert checks.run("08.momentum_run", in_place_run, seed=0).passed


def test_trajectory_comparator_reports_nan_and_matrix_elements():
    compare = M.compare_trajectories(against="torch.optim.Adam")
    expected = np.zeros((4, 2, 3))
    got = expected.copy()
    got[3, 0, 2] = np.nan
    assert "at step t = 3 in element [0, 2]: expected 0, got nan" in compare(got, expected).summary
    got[2, 1, 1] = 0.5
    assert "at step t = 2 in element [1, 1]: expected 0, got 0.5" in compare(got, expected).summary
    assert compare(expected.copy(), expected) is None


def test_close_numbers_are_printed_with_enough_digits_to_differ():
    compare = M.compare_trajectories(against="the reference")
    failure = compare(np.array([[1.0], [0.5823156]]), np.array([[1.0], [0.58231560]]))
    assert failure is None
    failure = compare(np.array([[1.0], [0.582316]]), np.array([[1.0], [0.5823156]]))
    assert "expected 0.5823156, got 0.582316" in failure.summary


def test_a_slip_that_makes_no_difference_on_a_case_is_not_blamed():
    # at t = 1 the missing power t changes nothing; a tiny ε slip must not be blamed on it
    diagnose = M.variant_hint((lambda x: (x, x), "same as right"), (lambda x: (x + 1e-9, x), "the slip"))
    case = checks.Case((np.array([1.0]),), "x = 1")
    assert diagnose((np.array([1.0 + 1e-9]), np.array([1.0])), (np.array([1.0]), np.array([1.0])), case) == "the slip"


def test_reference_names_denote_library_functions():
    from dlcourse.grader._static import _lookup

    for check_id in ("08.momentum_step", "08.classical_step", "08.nesterov_step", "08.momentum_run"):
        names = checks.get(check_id).reference_names
        assert names and all(_lookup(name) is not None for name in names)


# ----------------------------------------------------------------- precision, causes, torch
def test_float32_steps_and_runs_pass_at_float32_precision():
    def step32(theta, v, g, lr, beta):
        v = np.float32(beta) * np.asarray(v, np.float32) + np.asarray(g, np.float32)
        return np.asarray(theta, np.float32) - np.float32(lr) * v, v

    def run32(grad_fn, theta0, lr, beta, steps):
        theta = np.asarray(theta0, np.float32)
        v, path = np.zeros_like(theta), [theta]
        for _ in range(steps):
            theta, v = step32(theta, v, np.asarray(grad_fn(theta), np.float32), lr, beta)
            path.append(theta)
        return np.array(path)

    for seed in (0, 1):
        assert checks.run("08.momentum_step", step32, seed).passed
        assert checks.run("08.momentum_run", run32, seed).passed


def test_a_float32_step_is_still_failed_for_a_real_slip():
    def damped32(theta, v, g, lr, beta):
        v = np.float32(beta) * np.asarray(v, np.float32) + np.float32(1 - beta) * np.asarray(g, np.float32)
        return np.asarray(theta, np.float32) - np.float32(lr) * v, v

    v = checks.run("08.momentum_step", damped32, seed=0)
    assert not v.passed and "float32, compared at rtol 1e-05" in v.message


def test_a_run_on_a_wrong_step_names_momentum_step():
    def run(grad_fn, theta0, lr, beta, steps):
        theta, v, path = np.array(theta0, float), np.zeros(len(theta0)), [np.array(theta0, float)]
        for _ in range(steps):
            theta, v = theta - lr * v, beta * v + grad_fn(theta)
            path.append(theta.copy())
        return np.array(path)

    v = checks.run("08.momentum_run", run, seed=0)
    assert "old velocity" in v.message and "08.momentum_step passes" in v.message


def test_without_torch_the_reference_says_how_to_install_it(monkeypatch):
    import builtins

    from dlcourse.checks.momentum import require_torch

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "dlcourse\[torch\]"') as info:
        require_torch()
    assert info.value.__cause__ is None and "\n" not in str(info.value)
    assert info.value._render_traceback_() == [f"ModuleNotFoundError: {info.value}"]
    with pytest.raises(ModuleNotFoundError, match="dlcourse"):
        checks.run("08.momentum_run", lambda *a: None, seed=0)


def test_terminal_velocity_matches_the_chapter_and_names_the_limit():
    u = M.velocities_reference(0.1, 0.9, np.ones(1), 50)
    assert np.isclose(u[0, 0], 0.1) and np.isclose(u[-1, 0], 1 - 0.9**50)
    v = checks.run("08.terminal_velocity", lambda lr, gm, g, n: np.array([lr * g / (1 - gm)] * n), seed=0)
    assert "only approaches it" in v.message
