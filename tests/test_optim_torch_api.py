"""dlcourse.optim as a drop-in for torch.optim: code copied from PyTorch runs unchanged.

PyTorch's implementation switches (foreach, fused, capturable, differentiable), maximize,
a tensor learning rate, positional calls and torch's own saved state (chapters 8–10).
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
import pytest
import torch

from dlcourse import optim

NAMES = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"]
FUSED = ["SGD", "Adagrad", "Adam", "AdamW"]  # the classes torch gives a fused kernel
START = (-1.5, 2.0)
LR = {"SGD": 5e-4, "Adagrad": 0.3, "RMSprop": 1e-3, "Adadelta": 0.2, "Adam": 1e-2,
      "AdamW": 1e-2, "Adamax": 1e-2, "NAdam": 5e-3}


@pytest.fixture(autouse=True)
def float64_default():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def path(make_optimizer, steps=100, scheduler=None):
    p = torch.tensor(START, requires_grad=True)
    opt = make_optimizer([p])
    sched = scheduler(opt) if scheduler else None
    out = []
    for _ in range(steps):
        p.grad = torch.from_numpy(rosenbrock_grad(p.detach().numpy()))
        opt.step()
        if sched:
            sched.step()
        out.append(p.detach().clone())
    return torch.stack(out).numpy()


def both(name, **kwargs):
    """Our path and torch's single-tensor path with the same arguments."""
    ours = path(lambda p: getattr(optim, name)(p, **kwargs))
    theirs = path(lambda p: getattr(torch.optim, name)(p, **{"foreach": False, **kwargs}))
    return ours, theirs


# ------------------------------------------------------------------- the signatures


@pytest.mark.parametrize("name", NAMES)
def test_every_argument_of_torchs_constructor_is_accepted_in_the_same_order(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    assert list(ours) == list(theirs)
    for arg in ("foreach", "differentiable", "maximize"):
        assert arg in ours
    assert ("fused" in ours) == (name in FUSED)
    assert ("capturable" in ours) == (name not in ("SGD", "Adagrad"))


@pytest.mark.parametrize("name", NAMES)
def test_a_positional_call_means_the_same_to_both(name):
    # every positional-or-keyword argument given by position, each with a value that is
    # not its default where one is allowed (RMSprop even takes maximize by position)
    sig = inspect.signature(torch.optim.RMSprop if name == "RMSprop" else getattr(torch.optim, name))
    changed = {"lr": 0.01, "momentum": 0.5, "dampening": 0.0, "weight_decay": 0.01,
               "nesterov": False, "lr_decay": 0.01, "initial_accumulator_value": 0.1,
               "eps": 1e-6, "alpha": 0.9, "centered": True, "capturable": False,
               "foreach": False, "maximize": True, "differentiable": False, "rho": 0.8,
               "betas": (0.8, 0.99), "amsgrad": True, "momentum_decay": 0.01,
               "decoupled_weight_decay": True}
    args = [changed[a] for a, p in list(sig.parameters.items())[1:]
            if p.kind is p.POSITIONAL_OR_KEYWORD]
    p = [torch.zeros(2, requires_grad=True)]
    ours = getattr(optim, name)(p, *args).param_groups[0]
    theirs = getattr(torch.optim, name)(p, *args).param_groups[0]
    assert {k: v for k, v in ours.items() if k != "params"} == {
        k: v for k, v in theirs.items() if k != "params"}


# ------------------------------------------------------------------------- foreach


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("foreach", [None, False, True])
def test_foreach_is_recorded_and_the_step_is_torchs_single_tensor_one(name, foreach):
    # foreach only picks torch's implementation; ours computes torch's numbers either way
    ours = path(lambda p: getattr(optim, name)(p, lr=LR[name], foreach=foreach))
    single = path(lambda p: getattr(torch.optim, name)(p, lr=LR[name], foreach=False))
    multi = path(lambda p: getattr(torch.optim, name)(p, lr=LR[name], foreach=True))
    assert np.array_equal(ours, single)
    assert np.abs(ours - multi).max() <= 1e-12 * max(1.0, np.abs(multi).max())
    opt = getattr(optim, name)([torch.zeros(1, requires_grad=True)], foreach=foreach)
    assert opt.param_groups[0]["foreach"] is foreach


# --------------------------------------------------------------------------- fused


@pytest.mark.parametrize("name", FUSED)
def test_fused_on_cpu_is_accepted_where_torch_has_a_fused_kernel(name):
    ours = path(lambda p: getattr(optim, name)(p, lr=LR[name], fused=True))
    theirs_fused = path(lambda p: getattr(torch.optim, name)(p, lr=LR[name], fused=True))
    single = path(lambda p: getattr(torch.optim, name)(p, lr=LR[name], foreach=False))
    assert np.array_equal(ours, single)  # the same rule, per tensor
    assert np.abs(ours - theirs_fused).max() <= 1e-12 * max(1.0, np.abs(single).max())


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("kwargs", [dict(fused=True, foreach=True),
                                    dict(fused=True, differentiable=True)])
def test_fused_refuses_what_torch_refuses_with_torchs_message(name, kwargs):
    p = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.optim, name)(p, **kwargs)
    with pytest.raises(RuntimeError) as ours:
        getattr(optim, name)(p, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_fused_needs_floating_point_parameters():
    p = torch.zeros(2, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="`fused=True` requires all the params to be floating"):
        optim.Adam([p], fused=True)


@pytest.mark.parametrize("name", sorted(set(NAMES) - set(FUSED)))
def test_fused_is_unknown_where_torch_does_not_have_it(name):
    with pytest.raises(TypeError, match="fused"):
        getattr(optim, name)([torch.zeros(1, requires_grad=True)], fused=True)


# ---------------------------------------------------------------------- capturable


@pytest.mark.parametrize("name", sorted(set(NAMES) - {"SGD", "Adagrad"}))
def test_capturable_true_is_refused_with_a_clear_message(name):
    p = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match=rf"capturable=True is not supported by "
                                         rf"dlcourse.optim.{name}.*torch.optim.{name}"):
        getattr(optim, name)(p, capturable=True)
    assert getattr(optim, name)(p, capturable=False).param_groups[0]["capturable"] is False


# ------------------------------------------------------------------ differentiable


def gradients_through_three_steps(module, name, hyper):
    """d‖θ₃‖²/dθ₀ and d‖θ₃‖²/dg₀ where the gradients are g_k = (k + 1) g₀ + θ_k."""
    w0 = torch.tensor([0.3, -0.7, 1.1], requires_grad=True)
    g0 = torch.tensor([0.5, 0.2, -0.4], requires_grad=True)
    p = w0.clone()  # not a leaf: the optimizer's updates become part of the graph
    opt = getattr(module, name)([p], differentiable=True, **hyper)
    for k in range(3):
        p.grad = g0 * (k + 1) + p.detach()
        opt.step()
    return torch.autograd.grad((p**2).sum(), (w0, g0))


@pytest.mark.parametrize("name, hyper", [
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
])
def test_differentiable_lets_gradients_flow_through_the_steps_as_in_torch(name, hyper):
    ours = gradients_through_three_steps(optim, name, hyper)
    theirs = gradients_through_three_steps(torch.optim, name, hyper)
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)
    assert float(ours[1].abs().max()) > 1e-3  # the gradients did flow


def test_without_differentiable_the_step_records_no_graph():
    p = torch.zeros(2, requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = torch.ones(2)
    opt.step()
    assert opt.state[p]["exp_avg"].grad_fn is None and p.grad_fn is None


# ----------------------------------------------------------------------- tensor lr


@pytest.mark.parametrize("name", NAMES)
def test_a_tensor_learning_rate_gives_torchs_path(name):
    ours, theirs = both(name, lr=torch.tensor(LR[name]))
    assert np.array_equal(ours, theirs)
    plain, _ = both(name, lr=LR[name])
    assert np.abs(ours - plain).max() <= 1e-12 * max(1.0, np.abs(plain).max())


def test_a_tensor_learning_rate_follows_a_scheduler_exactly_like_torch():
    def sched(opt):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.5)

    ours = path(lambda p: optim.Adam(p, lr=torch.tensor(1e-2)), scheduler=sched)
    theirs = path(lambda p: torch.optim.Adam(p, lr=torch.tensor(1e-2), foreach=False),
                  scheduler=sched)
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("name", NAMES)
def test_a_tensor_learning_rate_must_hold_one_nonnegative_number(name):
    p = [torch.zeros(2, requires_grad=True)]
    for lr in (torch.tensor([0.1, 0.2]), torch.tensor(-0.1)):
        with pytest.raises(ValueError) as theirs:
            getattr(torch.optim, name)(p, lr=lr)
        with pytest.raises(ValueError) as ours:
            getattr(optim, name)(p, lr=lr)
        assert str(ours.value) == str(theirs.value)
    one = getattr(optim, name)(p, lr=torch.tensor([0.1]))  # 1-element, not 0-d: accepted
    p[0].grad = torch.ones(2)
    one.step()


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_adam_refuses_a_tensor_lr_with_foreach_as_torch_does(name):
    p = [torch.zeros(2, requires_grad=True)]
    message = "lr as a Tensor is not supported for capturable=False and foreach=True"
    with pytest.raises(ValueError, match=message):
        getattr(torch.optim, name)(p, lr=torch.tensor(0.1), foreach=True)
    with pytest.raises(ValueError, match=message):
        getattr(optim, name)(p, lr=torch.tensor(0.1), foreach=True)


# ------------------------------------------------------------------ torch's own state


@pytest.mark.parametrize("name", NAMES)
def test_a_state_dict_saved_by_torch_optim_continues_bit_for_bit(name):
    def run(opt, p, steps):
        for _ in range(steps):
            p.grad = torch.from_numpy(rosenbrock_grad(p.detach().numpy()))
            opt.step()

    hyper = dict(lr=LR[name], **({"momentum": 0.9} if name in ("SGD", "RMSprop") else {}))
    p = torch.tensor(START, requires_grad=True)
    theirs = getattr(torch.optim, name)([p], foreach=False, **hyper)
    run(theirs, p, 50)
    saved, at = copy.deepcopy(theirs.state_dict()), p.detach().clone()
    run(theirs, p, 50)
    expected = p.detach().clone()

    q = at.clone().requires_grad_()
    ours = getattr(optim, name)([q], **hyper)
    ours.load_state_dict(saved)  # steps and NAdam's Π μ_i are tensors here
    run(ours, q, 50)
    assert torch.equal(q.detach(), expected)
