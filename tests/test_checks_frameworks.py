"""The checks of chapter 1's exercises: right answers pass, typical slips get a precise verdict."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dlcourse import checks
from dlcourse.checks import frameworks

torch = pytest.importorskip("torch")


def _verdict(check_id, fn, seed=0):
    return checks.run(check_id, fn, seed=seed)


def chapter_autograd(w1, w2, x):
    w1 = w1.detach().clone().requires_grad_()
    w2 = w2.detach().clone().requires_grad_()
    x1 = w1 @ x
    x2 = x + w2 @ x1
    x3 = w1 @ (x1 + x2)
    q = x3.norm()
    q.backward()
    return q.item(), w1.grad, w2.grad


def chapter_loop(start, w):
    w = torch.tensor(w, requires_grad=True)  # float32, as in the chapter
    h, steps = torch.tensor(start), 0
    while h < 10 and steps < 20:
        h, steps = h / w + 1, steps + 1
    if steps == 0:
        return 0, 0.0
    h.backward()
    return steps, w.grad.item()


def sgd_step(model, X, y, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X).squeeze(1), y)
    loss.backward()
    opt.step()
    return loss.item()


@pytest.mark.parametrize("check_id, fn", [
    ("01.pairwise", frameworks.pairwise_reference),
    ("01.pairwise", lambda X, Y: torch.cdist(X, Y) ** 2),
    ("01.autograd", chapter_autograd),
    ("01.dynamic_graph", chapter_loop),
    ("01.train_step", sgd_step),
])
def test_right_answers_pass_on_fresh_random_cases(check_id, fn, capsys):
    for seed in (None, 1, 2):
        assert _verdict(check_id, fn, seed).passed
    checks.check(check_id, fn)
    assert capsys.readouterr().out.startswith(f"✓ [{check_id}]")


def test_hand_derived_reference_equals_autograd_on_every_case():
    chk = checks.get("01.autograd")
    for case in chk.cases(np.random.default_rng(3)):
        ours, theirs = chk.apply(chk.reference, case), chk.apply(chapter_autograd, case)
        assert (ours["autograd"], theirs["autograd"]) == (False, True)
        ours, theirs = ours["value"], theirs["value"]
        assert abs(ours[0] - theirs[0]) < 1e-12
        for a, b in zip(ours[1:], theirs[1:]):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def test_stale_gradients_are_caught_and_explained():
    def accumulates(w1, w2, x):
        w1.requires_grad_()
        w2.requires_grad_()
        x1 = w1 @ x
        q = (w1 @ (x1 + x + w2 @ x1)).norm()
        q.backward()
        return q.item(), w1.grad, w2.grad

    v = _verdict("01.autograd", accumulates)
    assert not v.passed and "case 2 of 4" in v.message and "already in .grad" in v.message


def test_the_loop_reference_matches_autograd_in_float64():
    for start, w in [(0.5, 0.9), (3.0, 0.9), (1.0, 2.0), (4.2, 1.1)]:
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        h, steps = torch.tensor(start, dtype=torch.float64), 0
        while h < 10 and steps < 20:
            h, steps = h / wt + 1, steps + 1
        h.backward()
        assert frameworks.loop_derivative_reference(start, w) == (steps, pytest.approx(wt.grad.item(), rel=1e-13))


def test_a_loop_that_never_runs_is_zero_steps_and_zero_slope():
    assert frameworks.loop_derivative_reference(12.0, 0.9) == (0, 0.0)
    v = _verdict("01.dynamic_graph", lambda s, w: (0, float("nan")) if s >= 10 else chapter_loop(s, w))
    assert "case 5 of 8" in v.message and "(0, 0.0)" in v.message


def test_a_training_step_without_zero_grad_fails_on_the_stale_cases_only():
    def no_zero(model, X, y, lr):
        loss = ((model(X).reshape(-1) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        return loss.item()

    v = _verdict("01.train_step", no_zero)
    assert "case 3 of 4" in v.message and "zero them first" in v.message


def test_broadcast_loss_is_named():
    def broadcast(model, X, y, lr):
        model.zero_grad()
        loss = ((model(X) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        return loss.item()

    assert "broadcasts to (B, B)" in _verdict("01.train_step", broadcast).message


def test_pairwise_keeps_the_inputs_dtype_and_returns_a_tensor():
    v = _verdict("01.pairwise", lambda X, Y: ((X[:, None].float() - Y[None].float()) ** 2).sum(-1))
    assert "your result is float32, the inputs are float64" in v.message
    v = _verdict("01.pairwise", lambda X, Y: ((X[:, None] - Y[None]) ** 2).sum(-1).cpu().numpy())
    assert "return a torch tensor" in v.message


def test_loading_the_checks_does_not_import_torch():
    code = ("import sys; from dlcourse import checks; checks.get('01.autograd'); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_steps_must_be_an_int_and_a_one_element_loss_is_a_number():
    def float_steps(start, w):
        steps, dh = chapter_loop(start, w)
        return float(steps), dh

    v = _verdict("01.dynamic_graph", float_steps)
    assert not v.passed and "expected the int" in v.message

    def column_loss(model, X, y, lr):
        model.zero_grad()
        loss = ((model(X) - y[:, None]) ** 2).mean(dim=0)  # shape (1,)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        return loss.detach()

    assert _verdict("01.train_step", column_loss).passed


@pytest.mark.parametrize("check_id, by_hand", [
    ("01.autograd", frameworks.autograd_example_reference),
    ("01.dynamic_graph", frameworks.loop_derivative_reference),
])
def test_the_right_numbers_derived_by_hand_fail_because_autograd_never_ran(check_id, by_hand):
    v = _verdict(check_id, by_hand, 0)
    assert not v.passed and "case 1 of" in v.message
    assert "autograd never ran" in v.message


def test_a_loop_that_never_runs_needs_no_autograd():
    chk = checks.get("01.dynamic_graph")
    case = next(c for c in chk.cases(np.random.default_rng(0)) if c.args[0] >= 10)
    got = chk.apply(frameworks.loop_derivative_reference, case)
    assert got == {"value": (0, 0.0), "autograd": False}
    assert chk.compare(got, chk.apply(frameworks.loop_derivative_reference, case)) is None
