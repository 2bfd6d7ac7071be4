"""Chapter 9's checks: right answers pass, against the library and torch.optim.Adam; typical
mistakes are named with the step t and the element where they first show."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.checks import adaptive as A

pytest.importorskip("torch")


def adagrad_step(theta, grad, s, lr, eps):
    s = s + grad * grad
    return theta - lr * grad / (np.sqrt(s) + eps), s


def rmsprop_step(theta, grad, s, lr, beta, eps):
    s = beta * s + (1 - beta) * grad * grad
    return theta - lr * grad / (np.sqrt(s) + eps), s


def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_in_place(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    theta -= lr / (1 - beta1**t) * m / (np.sqrt(v) / np.sqrt(1 - beta2**t) + eps)
    return theta, m, v


def mistake(name):
    """The wrong Adam step whose hint contains ``name``."""
    return next(step for step, message in A._ADAM_MISTAKES if name in message)


@pytest.mark.parametrize("check_id, fn", [
    ("09.adagrad_step", adagrad_step), ("09.rmsprop_step", rmsprop_step), ("09.adam_step", adam_step),
    ("09.adam_step", adam_step_in_place), ("09.adam_torch", adam_step), ("09.adam_torch", adam_step_in_place)])
def test_right_answers_pass_on_fixed_and_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2):
        assert checks.run(check_id, fn, seed=seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_the_torch_reference_and_the_library_step_agree_through_the_driver():
    chk = checks.get("09.adam_torch")
    for case in chk.cases(np.random.default_rng(3)):
        torch_path = chk.apply(chk.reference, case)
        ours = A.drive_adam(A.adam_step_reference, case)
        assert torch_path.shape == ours.shape
        assert np.abs(torch_path - ours).max() <= 1e-9 * max(1.0, np.abs(torch_path).max())


def test_adagrad_eps_inside_the_root_is_caught_on_a_tiny_gradient():
    v = checks.run("09.adagrad_step", A._ag_eps_inside, seed=0)
    assert "case 2 of 4: a first step with one tiny gradient" in v.message
    assert "the new theta at element [0]: expected 0.90001, got 0.99005" in v.message
    assert "(the new s is right)" in v.message and "√s + ε, not √(s + ε)" in v.message


def test_adagrad_without_accumulation_and_without_root_are_named():
    assert "AdaGrad accumulates" in checks.run("09.adagrad_step", A._ag_not_summed, seed=0).message
    assert "square root" in checks.run("09.adagrad_step", A._ag_no_sqrt, seed=0).message
    assert "old sum" in checks.run("09.adagrad_step", A._ag_old_s, seed=0).message


def test_rmsprop_swapped_weights_and_adagrad_sum_are_named():
    swapped = checks.run("09.rmsprop_step", A._rms_swapped, seed=0)
    assert "the new s at element [1]: expected 1.99e-12, got 9.901e-11" in swapped.message
    assert "β weighs the past" in swapped.message
    assert "AdaGrad's running sum" in checks.run("09.rmsprop_step", A._rms_summed, seed=0).message
    assert "weighted by 1 − β" in checks.run("09.rmsprop_step", A._rms_no_one_minus, seed=0).message


def test_missing_power_t_passes_t_1_and_is_caught_at_t_2():
    v = checks.run("09.adam_step", mistake("needs the power t"), seed=0)
    assert "case 2 of 5: t = 2 of the same run" in v.message
    assert "(the new m and v are right)" in v.message
    run = checks.run("09.adam_torch", mistake("needs the power t"), seed=0)
    assert "your θ first differs from torch.optim.Adam's at step t = 2 in element [0]" in run.message
    assert "m / (1 − β1)" in run.message


def test_no_bias_correction_is_caught_at_the_first_step():
    v = checks.run("09.adam_torch", mistake("did you apply bias correction"), seed=0)
    assert "at step t = 1 in element [0]: expected -1.4, got -1.18377" in v.message
    assert "did you apply bias correction?" in v.message


def test_eps_inside_the_root_is_caught_where_gradients_are_tiny():
    step = checks.run("09.adam_step", mistake("ε inside"), seed=0)
    assert "expected 2.4000000004, got 2.4000000001" in step.message
    assert "√v̂ + ε, not √(v̂ + ε)" in step.message
    run = checks.run("09.adam_torch", mistake("ε inside"), seed=0)
    assert "at step t = 21 in element [1]" in run.message and "ε inside" in run.message


def test_uncorrected_m_order_of_updates_and_t_from_zero_are_named():
    assert "uncorrected m" in checks.run("09.adam_torch", mistake("uncorrected m"), seed=0).message
    order = checks.run("09.adam_torch", mistake("order of updates"), seed=0)
    assert "at step t = 1 in element [0]: expected -1.4, got -1.5" in order.message
    assert "order of updates" in order.message
    zero = checks.run("09.adam_torch", mistake("t starts at 1, not 0"), seed=0)
    assert "at step t = 1 in element [0]: expected -1.4, got nan" in zero.message
    assert "t starts at 1, not 0" in zero.message
    assert "t counts steps from 1" in checks.run("09.adam_step", mistake("t counts steps from 1"), seed=0).message


def test_the_papers_efficient_form_is_recognised():
    v = checks.run("09.adam_torch", mistake("efficient"), seed=0)
    assert "at step t = 3 in element [1]" in v.message and "'efficient' form" in v.message


def test_a_late_slip_is_reported_at_its_step_and_element_of_the_weight_matrix():
    def slips_at_step_37(theta, grad, m, v, t, lr, beta1, beta2, eps):
        theta, m, v = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
        if t == 37 and theta.shape == (2, 3):
            theta[0, 2] += 1e-3
        return theta, m, v

    v = checks.run("09.adam_torch", slips_at_step_37, seed=0)
    assert "case 3 of 4: a fresh least-squares problem with a 2×3 weight matrix" in v.message
    assert "at step t = 37 in element [0, 2]" in v.message


def test_wrong_return_values_are_explained():
    v = checks.run("09.adam_torch", lambda *args: args[0], seed=0)
    assert "adam_step raised TypeError: adam_step must return the tuple (theta, m, v)" in v.message
    w = checks.run("09.adam_step", lambda theta, g, m, v, *rest: (theta, m), seed=0)
    assert "expected the tuple (theta, m, v), got 2 values" in w.message
    def flattens(*args):
        theta, m, v = adam_step(*args)
        return theta.ravel(), m, v

    flat = checks.run("09.adam_torch", flattens, seed=0)
    assert "raised ValueError: adam_step returned theta of shape (6,) at step t = 1; θ has shape (2, 3)" in flat.message


def test_reference_names_denote_library_functions():
    from dlcourse.grader._static import _lookup

    for check_id in ("09.adagrad_step", "09.rmsprop_step", "09.adam_step", "09.adam_torch"):
        names = checks.get(check_id).reference_names
        assert names and all(_lookup(name) is not None for name in names)


# ----------------------------------------------------------------- precision, AdamW
def adam_step32(theta, grad, m, v, t, lr, beta1, beta2, eps):
    f = np.float32
    theta, grad, m, v = (np.asarray(a, dtype=f) for a in (theta, grad, m, v))
    m = f(beta1) * m + f(1 - beta1) * grad
    v = f(beta2) * v + f(1 - beta2) * grad * grad
    return theta - f(lr) * (m / f(1 - beta1**t)) / (np.sqrt(v / f(1 - beta2**t)) + f(eps)), m, v


def test_a_float32_adam_passes_one_step_and_whole_runs():
    for seed in (0, 1):
        assert checks.run("09.adam_step", adam_step32, seed).passed
        assert checks.run("09.adam_torch", adam_step32, seed).passed
    case = checks.get("09.adam_torch").cases(np.random.default_rng(0))[0]
    assert A.drive_adam(adam_step32, case).dtype == np.float32
    assert A.drive_adam(adam_step, case).dtype == np.float64


def test_a_float32_adam_without_the_power_t_still_fails_the_run():
    def slip(theta, grad, m, v, t, lr, beta1, beta2, eps):
        return adam_step32(theta, grad, m, v, 1, lr, beta1, beta2, eps)

    v = checks.run("09.adam_torch", slip, seed=0)
    assert not v.passed and "at step t = 2" in v.message


def test_adamw_reference_matches_torch_and_the_l2_form_is_named():
    import torch

    theta, g = np.array([1.0, -2.0, 0.5]), np.array([0.3, -1.0, 2.0])
    p = torch.tensor(theta, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=0.1, weight_decay=0.05)
    p.grad = torch.tensor(g)
    opt.step()
    ours = A.adamw_step_reference(theta, g, np.zeros(3), np.zeros(3), 1, 0.1, 0.9, 0.999, 1e-8, 0.05)[0]
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12)

    def adamw(theta, g, m, v, t, lr, b1, b2, eps, wd):
        return adam_step(theta * (1 - lr * wd), g, m, v, t, lr, b1, b2, eps)

    assert checks.run("09.adamw_step", adamw, seed=0).passed
    v = checks.run("09.adamw_step", lambda th, g, m, v, t, lr, b1, b2, e, wd: adam_step(
        th, g + wd * th, m, v, t, lr, b1, b2, e), seed=0)
    assert "Adam with an L2 penalty" in v.message
