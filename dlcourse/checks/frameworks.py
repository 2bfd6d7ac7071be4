"""Checks for the exercises of chapter 1, *Tensors, frameworks, devices*.

Four exercises in PyTorch: pairwise squared distances with tensors on
``dlcourse.device()`` (broadcasting and a matrix product), the chapter's autograd example
``x1 = W1 x0, x2 = x0 + W2 x1, x3 = W1 (x1 + x2), q = ‖x3‖`` (W1 used twice, so its
gradient sums two paths), the chapter's dynamic graph (a loop whose length depends on the
data), and a first training step (zero the gradients, forward, mean squared error,
backward, update). The cases hold numpy arrays and plain numbers; each check's ``call``
builds fresh tensors (and models) from them for every call, on ``dlcourse.device()``, so
that nothing one call does (a ``requires_grad_``, an accumulated ``.grad``, an update) can
reach the next or the reference.

torch is imported when a check runs, not when the registry loads.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import (FLOAT32_RTOL, Case, Check, Failure, as_float_array, as_number, close, compare_arrays,
               dtype_of, is_float32, register)
from ._rules import judged_by_autograd, requiring_autograd, unwrapped

__all__ = ["autograd_example_reference", "loop_derivative_reference", "pairwise_reference",
           "train_step_reference"]


def _torch() -> Any:
    import torch

    return torch


def _device() -> Any:
    from .. import device

    return device()


def _one(value: Any) -> Any:
    """A number given as an array or list of one element (``loss.reshape(1)``, ``[q]``) as that
    element, its dtype kept; anything else as it is. "A number" is what the exercises ask for,
    and one element is unambiguous."""
    arr = as_float_array(value)
    if arr is None or arr.size != 1 or arr.ndim == 0:
        return value
    if isinstance(value, (list, tuple)):
        return _one(value[0])
    return value.reshape(()) if hasattr(value, "reshape") else value


def _type_name(value: Any) -> str:
    """The type name of an answer, the same in the student's kernel and in the grader (which
    keeps an answer it cannot encode as an ``Opaque`` holding its type name)."""
    if type(value).__name__ == "Opaque" and isinstance(getattr(value, "type_name", None), str):
        return value.type_name
    return type(value).__name__


def _np(value: Any) -> np.ndarray:
    return value.detach().to("cpu").numpy() if hasattr(value, "detach") else np.asarray(value)


# --------------------------------------------------------------- 01.pairwise
# Requirements stated by the exercise, and the case that tests each:
#  R1 D[i, j] = ‖x_i − y_j‖², shape (n, m): every case; n ≠ m and d ≠ n, m (a transposed
#     or a (n, d)-shaped result fails);
#  R2 squared distances, not distances: every case (values far from 1);
#  R3 a tensor on the inputs' device: every case (a numpy array or a CPU tensor when the
#     inputs are on a GPU fails);
#  R4 the inputs' dtype (float32 stays float32, float64 stays float64): the float64
#     cases fail a result computed in float32, the float32 case is judged at float32
#     precision;
#  R5 X and Y of different sizes n and m, including a single row: the 1×d case.
def pairwise_reference(X: Any, Y: Any) -> Any:
    """D[i, j] = ‖x_i − y_j‖² = ‖x_i‖² − 2 x_i·y_j + ‖y_j‖², as a tensor like X (chapter 1)."""
    diff = X[:, None, :] - Y[None, :, :]
    return (diff * diff).sum(dim=-1)


def _pairwise_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]]), np.array([[0.0, 0.0], [6.0, 8.0]]), "float64"),
                  "X = [[0, 0], [3, 4], [1, 1]], Y = [[0, 0], [6, 8]] (float64)"),
             Case((np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [-1.0, 0.5, 2.0], [2.0, 2.0, 2.0]]), "float64"),
                  "one row X = [[1, 2, 3]] against 4 rows of Y (float64)")]
    for n, m, d, dtype in [(5, 3, 4, "float64"), (6, 7, 3, "float32")]:
        X, Y = rng.normal(scale=2.0, size=(n, d)), rng.normal(scale=2.0, size=(m, d))
        cases.append(Case((X, Y, dtype), f"random X ({n}×{d}) and Y ({m}×{d}), {dtype}"))
    return cases


def _call_pairwise(fn: Callable[..., Any], case: Case) -> dict[str, Any]:
    """``fn`` on fresh tensors of the case's dtype on ``dlcourse.device()``; what it returned,
    with the type and the device of its result."""
    torch = _torch()
    X, Y, dtype = case.args
    dev = _device()
    Xt = torch.tensor(X, dtype=getattr(torch, dtype), device=dev)
    Yt = torch.tensor(Y, dtype=getattr(torch, dtype), device=dev)
    out = fn(Xt, Yt)
    is_tensor = isinstance(out, torch.Tensor)
    return {"type": type(out).__name__, "tensor": is_tensor,
            "device": out.device.type if is_tensor else "none", "want_device": dev.type,
            "dtype": dtype, "values": out}


def _compare_pairwise(got: Any, expected: Any) -> Failure | None:
    if not got["tensor"]:
        return Failure(f"return a torch tensor (on the inputs' device), got a {got['type']}",
                       "compute with torch operations on X and Y; a tensor stays on their device.")
    if got["device"] != got["want_device"]:
        return Failure(f"your result is on the {got['device']}, the inputs on the {got['want_device']}: "
                       "keep the computation on their device.")
    have = dtype_of(got["values"])
    if have != got["dtype"]:
        return Failure(f"your result is {have}, the inputs are {got['dtype']}: keep their dtype "
                       "(no torch.tensor(..., dtype=…), no .float() or .double()).")
    return compare_arrays(rtol=1e-10, atol=1e-10, precision="dtype")(got["values"], expected["values"])


def _pairwise_mistake(got: Any, expected: Any, case: Case) -> str | None:
    g, e = as_float_array(got.get("values")), as_float_array(expected["values"])
    if g is None or e is None:
        return None
    if g.shape == e.T.shape and g.shape != e.shape:
        return "transposed: row i is x_i (a row of X), column j is y_j (a row of Y): shape (n, m)."
    if g.shape == e.shape and close(g, np.sqrt(e), rtol=1e-5, atol=1e-6):
        return "those are the distances ‖x_i − y_j‖; the exercise asks for their squares."
    if g.shape == e.shape:
        X, Y, _ = case.args
        plus = (X**2).sum(1)[:, None] + 2 * X @ Y.T + (Y**2).sum(1)[None, :]
        if close(g, plus, rtol=1e-5, atol=1e-6):
            return "mind the sign of the cross term: ‖x − y‖² = ‖x‖² − 2x·y + ‖y‖²."
    return None


register(Check(
    id="01.pairwise",
    function="pairwise_sq_distances",
    reference=pairwise_reference,
    cases=_pairwise_cases,
    compare=_compare_pairwise,
    diagnoses=(_pairwise_mistake,),
    hint="broadcast X[:, None, :] − Y[None, :, :] to (n, m, d) and sum the squares over the last axis.",
    call=_call_pairwise,
))


# --------------------------------------------------------------- 01.autograd
# Requirements stated by the exercise, and the case that tests each:
#  R1 the chapter's program x1 = W1 x0, x2 = x0 + W2 x1, x3 = W1 (x1 + x2), q = ‖x3‖: every
#     case (a slip in any line changes q);
#  R2 q is the norm, not its square: every case;
#  R3 ∂q/∂W1 sums both paths through W1 (detaching x1, or a hand formula with one term,
#     fails): every case (random W2 ≠ −I);
#  R4 the gradient of q alone, though W1 and W2 may arrive holding gradients of earlier
#     computations (``.grad`` already set): the "stale gradients" cases;
#  R5 the inputs' dtype, float64 (float32 is judged at float32 precision, q too when it
#     comes as a Python float from .item() with float32 gradients): every case;
#  R6 any size n, not only the chapter's 5: the n = 3 case.
#  R7 computed by autograd: the right numbers derived by hand (no backward, grad or
#     forward mode of torch ran during the call) fail, every case.
def autograd_example_reference(w1: Any, w2: Any, x: Any) -> tuple[float, Any, Any]:
    """(q, ∂q/∂W1, ∂q/∂W2) for the chapter's program, from the chain rule by hand:
    ∂q/∂W2 = (W1ᵀu) x1ᵀ and ∂q/∂W1 = u sᵀ + [(I + W2)ᵀ W1ᵀ u] x0ᵀ, u = x3/‖x3‖, s = x1 + x2."""
    torch = _torch()
    with torch.no_grad():
        x0 = x
        x1 = w1 @ x0
        x2 = x0 + w2 @ x1
        s = x1 + x2
        x3 = w1 @ s
        q = x3.norm()
        u = x3 / q
        eye = torch.eye(len(x), dtype=x.dtype, device=x.device)
        d_w2 = torch.outer(w1.T @ u, x1)
        d_w1 = torch.outer(u, s) + torch.outer((eye + w2).T @ w1.T @ u, x0)
    return float(q), d_w1, d_w2


def _autograd_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for n, stale, label in [(5, False, "W1, W2 uniform in [0, 1) (like torch.rand), x standard normal, n = 5"),
                            (5, True, "the same kind, n = 5, W1 and W2 holding stale gradients (.grad already set)"),
                            (3, False, "n = 3, W1 and W2 normal"),
                            (4, True, "n = 4, W1 and W2 normal, holding stale gradients")]:
        if n == 5:
            w1, w2 = rng.uniform(size=(n, n)), rng.uniform(size=(n, n))
        else:
            w1, w2 = rng.normal(size=(n, n)), rng.normal(size=(n, n))
        x = rng.normal(size=n)
        cases.append(Case((w1, w2, x, stale), label))
    return cases


def _call_autograd(fn: Callable[..., Any], case: Case) -> Any:
    """``fn`` on fresh float64 tensors on ``dlcourse.device()``; with ``stale``, W1 and W2 are
    leaves that require grad and already hold a gradient (as after an earlier backward)."""
    torch = _torch()
    w1, w2, x, stale = case.args
    dev = _device()
    W1, W2, X = (torch.tensor(a, dtype=torch.float64, device=dev) for a in (w1, w2, x))
    if stale:
        for W in (W1, W2):
            W.requires_grad_()
            W.grad = torch.full_like(W, 0.5)
    return fn(W1, W2, X)


def _compare_autograd(got: Any, expected: Any) -> Failure | None:
    names = ("q", "∂q/∂W1 (w1's gradient)", "∂q/∂W2 (w2's gradient)")
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return Failure(f"expected the tuple (q, ∂q/∂W1, ∂q/∂W2), got {_kind(got)}")
    compare = compare_arrays(rtol=1e-9, atol=1e-11, precision="dtype")
    got = [_one(got[0]), got[1], got[2]]
    if not is_float32(got[0]) and any(is_float32(g) for g in got[1:]) and as_number(got[0]) is not None:
        # q as a Python float (``.item()``) hides the dtype it was computed in; the gradients
        # show it: a float32 computation is judged at float32 precision throughout
        got[0] = np.float32(as_number(got[0]))
    for name, g, e in zip(names, got, expected):
        if g is None:
            return Failure(f"{name}: got None — a gradient is None until backward() has run, and "
                           "only on leaf tensors that require grad")
        failure = compare(g, e)
        if failure is not None:
            return Failure(f"{name}: {failure.summary}", failure.hint)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {_type_name(value)} of {len(value)} values"
    return f"a {_type_name(value)}"


def _autograd_mistake(got: Any, expected: Any, case: Case) -> str | None:
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return None
    q, g1, g2 = (as_float_array(v) for v in got)
    _, e1, e2 = (as_float_array(v) for v in expected)
    w1, w2, x, stale = case.args
    if q is not None and q.size == 1 and np.isclose(float(q.reshape(())), expected[0] ** 2, rtol=1e-6):
        return "q is the norm ‖x3‖ (x3.norm()), not its square."
    if stale and g1 is not None and close(g1, e1 + 0.5, rtol=1e-6, atol=1e-8):
        return ("W1 and W2 arrived with a gradient already in .grad, and backward() adds to it: "
                "set w.grad = None (or zero it) first, or use torch.autograd.grad(q, [w1, w2]).")
    if g1 is not None and e1 is not None and g1.shape == e1.shape:
        x1 = w1 @ x
        s = x1 + (x + w2 @ x1)
        x3 = w1 @ s
        direct = np.outer(x3 / np.linalg.norm(x3), s)
        if close(g1, direct, rtol=1e-6, atol=1e-8):
            return ("∂q/∂W1 has only the direct path (x3 = W1 s): W1 also makes x1 = W1 x0, which feeds "
                    "s directly and through x2. Let autograd see every use of w1 (no .detach(), no "
                    ".item(), no numpy in between).")
    if g2 is not None and e2 is not None and close(g2, e2.T, rtol=1e-6, atol=1e-8):
        return "∂q/∂W2 is transposed: entry [i, j] is ∂q/∂(W2)ᵢⱼ, the shape of W2 itself."
    return None


register(Check(
    id="01.autograd",
    function="autograd_example",
    reference=autograd_example_reference,
    cases=_autograd_cases,
    compare=judged_by_autograd(
        _compare_autograd,
        "the numbers are right, but torch's autograd never ran: this exercise asks for the "
        "gradients computed by autograd, not derived by hand",
        "build q from tensors that require grad and call q.backward() (or torch.autograd.grad)."),
    diagnoses=(unwrapped(_autograd_mistake),),
    hint="make W1, W2 leaves that require grad, run the four lines, call q.backward() and read w1.grad, w2.grad.",
    call=requiring_autograd(_call_autograd),
))


# --------------------------------------------------------------- 01.dynamic_graph
# Requirements stated by the exercise, and the case that tests each:
#  R1 h ← h/w + 1 while h < 10 (strictly) and fewer than 20 steps: the chapter's two
#     starts; "start 0, w = 1" reaches exactly 10 after 10 steps (h ≤ 10 takes 11);
#  R2 at most 20 steps: "w = 2" converges to 2 and never reaches 10;
#  R3 a loop that does not run leaves h = start, independent of w: dh/dw = 0 and 0 steps
#     ("start 12");
#  R4 the number of steps as an integer (an int, numpy or torch integer; 10.0 fails) and
#     dh/dw as a number (one element of any type): every case;
#  R5 dh/dw through every step (not only the last): every case with more than one step;
#  R6 float32 (torch's default) is fine: dh/dw is judged at float32 precision (rtol 1e-5)
#     even as a Python float, since .item() hides the dtype: every case.
#  R7 by autograd: a recurrence for dh/dw written by hand fails (torch's reverse or
#     forward mode must run), every case where the loop runs.
def loop_derivative_reference(start: float, w: float) -> tuple[int, float]:
    """(steps, dh/dw) of h ← h/w + 1 from h = start while h < 10 and steps < 20, by the
    forward recurrence dh_{k+1}/dw = (dh_k/dw)/w − h_k/w² with dh_0/dw = 0 (chapter 1)."""
    h, dh, steps = float(start), 0.0, 0
    while h < 10 and steps < 20:
        h, dh = h / w + 1, dh / w - h / w**2
        steps += 1
    return steps, dh


def _safe_loop(start: float, w: float) -> bool:
    """True when no iterate comes within 1e-3 of 10, so float32 takes the same steps."""
    h, steps = start, 0
    while h < 10 and steps < 20:
        if abs(h - 10) < 1e-3:
            return False
        h, steps = h / w + 1, steps + 1
    return abs(h - 10) >= 1e-3


def _loop_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case((0.5, 0.9), "the chapter's start = 0.5, w = 0.9"),
             Case((3.0, 0.9), "the chapter's start = 3, w = 0.9"),
             Case((0.0, 1.0), "start = 0, w = 1 (h reaches exactly 10 after 10 steps)"),
             Case((1.0, 2.0), "start = 1, w = 2 (h tends to 2 and never reaches 10)"),
             Case((12.0, 0.9), "start = 12, w = 0.9 (already ≥ 10: the loop does not run)")]
    while len(cases) < 8:
        start, w = float(np.round(rng.uniform(0, 9), 3)), float(np.round(rng.uniform(0.7, 1.3), 3))
        if _safe_loop(start, w):
            cases.append(Case((start, w), f"start = {start}, w = {w}"))
    return cases


def _compare_loop(got: Any, expected: Any) -> Failure | None:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Failure(f"expected the pair (steps, dh/dw), got {_kind(got)}")
    steps, slope = got
    n = as_number(steps)
    if n is None or n != expected[0]:
        return Failure(f"steps: expected {expected[0]}, got {steps!r}")
    kind = dtype_of(steps)
    if kind is None or not kind.startswith(("int", "uint")):
        return Failure(f"steps: expected the int {expected[0]}, got {steps!r} ({kind or type(steps).__name__})",
                       "count the steps with an int (steps = 0, then steps += 1), not a float or a float tensor.")
    slope = _one(slope)
    # torch's default dtype is float32 and ``.item()`` makes it a Python float: dh/dw is
    # judged at float32 precision whatever its type (a slip is wrong by far more).
    failure = compare_arrays(rtol=FLOAT32_RTOL, atol=1e-9)(slope, expected[1])
    return None if failure is None else Failure(f"dh/dw: {failure.summary}", failure.hint)


def _loop_mistake(got: Any, expected: Any, case: Case) -> str | None:
    start, w = case.args
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None
    n = as_number(got[0])
    if start >= 10:
        return ("h = start does not depend on w when the loop never runs: return (0, 0.0) "
                "(h.backward() fails on a tensor that was never computed from w).")
    if n is not None and n == expected[0] + 1:
        return "one step too many: the loop runs while h < 10, so it stops as soon as h ≥ 10."
    if n is not None and n < expected[0] and expected[0] == 20:
        return "keep stepping until h ≥ 10 or 20 steps have been taken."
    if n == expected[0]:
        h = float(start)
        for _ in range(expected[0] - 1):
            h = h / w + 1
        if np.isclose(as_number(got[1]) or np.nan, -h / w**2, rtol=1e-5):
            return "that is the derivative of the last step alone: dh/dw goes through every step of the loop."
    return None


register(Check(
    id="01.dynamic_graph",
    function="loop_derivative",
    reference=loop_derivative_reference,
    cases=_loop_cases,
    compare=judged_by_autograd(
        _compare_loop,
        "the numbers are right, but torch's autograd never ran: this exercise asks for dh/dw "
        "by autograd, through the loop, not by a recurrence written by hand",
        "w = torch.tensor(w, requires_grad=True); run the loop on tensors; h.backward(); w.grad.",
        needed=lambda expected: expected[0] > 0),
    diagnoses=(unwrapped(_loop_mistake),),
    hint="w = torch.tensor(w, requires_grad=True); loop as in the chapter; h.backward(); return steps, w.grad.item().",
    call=requiring_autograd(),
))


# --------------------------------------------------------------- 01.train_step
# Requirements stated by the exercise, and the case that tests each:
#  R1 the loss is the mean over the batch of (f(x) − y)², with f(x) the model's output
#     (B, 1) and y of shape (B,) — comparing (B, 1) with (B,) broadcasts to (B, B): every
#     case (B > 1);
#  R2 the mean, not the sum: every case;
#  R3 zero the gradients first — the model may arrive with gradients in .grad: the
#     "stale gradients" cases;
#  R4 one step θ ← θ − η ∂L/∂θ for every parameter, in place: the two-layer cases (an
#     answer updating only the last layer or only the weights fails);
#  R5 the learning rate given: the cases differ in η;
#  R6 return the loss before the step, as a number: every case;
#  R7 the batch comes on the CPU, the model lives on dlcourse.device(): move X and y to
#     the model's device (fails only where there is a GPU).
_TRAIN_SHAPES = {"linear": ((3, 1),), "two-layer": ((3, 4), (4, 1))}


def train_step_reference(model: Any, X: Any, y: Any, lr: float) -> float:
    """One gradient-descent step on L = (1/B) Σᵢ (f(xᵢ) − yᵢ)²; returns L before the step."""
    torch = _torch()
    dev = next(model.parameters()).device
    X, y = X.to(dev), y.to(dev)
    for p in model.parameters():
        p.grad = None
    loss = ((model(X).reshape(-1) - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    return float(loss.detach())


def _train_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for kind, B, lr, stale in [("linear", 4, 0.1, False), ("two-layer", 6, 0.05, False),
                               ("linear", 5, 0.2, True), ("two-layer", 8, 0.3, True)]:
        params = []
        for fan_in, fan_out in _TRAIN_SHAPES[kind]:
            params += [rng.normal(scale=0.5, size=(fan_out, fan_in)), rng.normal(scale=0.1, size=fan_out)]
        X, y = rng.normal(size=(B, 3)), rng.normal(size=B)
        label = (f"a {kind} model ({'3 → 1' if kind == 'linear' else '3 → 4 → tanh → 1'}), a batch of {B}, "
                 f"η = {lr}" + (", the model holding stale gradients in .grad" if stale else ""))
        cases.append(Case((kind, params, X, y, lr, stale), label))
    return cases


def _build_model(kind: str, params: list[np.ndarray], stale: bool) -> Any:
    torch = _torch()
    from torch import nn

    layers = [nn.Linear(3, 1)] if kind == "linear" else [nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)]
    model = nn.Sequential(*layers).double().to(_device())
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.as_tensor(value, dtype=torch.float64))
            if stale:
                p.grad = torch.full_like(p, 0.25)
    return model


def _call_train(fn: Callable[..., Any], case: Case) -> tuple[Any, ...]:
    """``fn`` on a fresh model (on ``dlcourse.device()``) and a CPU batch; (returned loss,
    every parameter after the step)."""
    torch = _torch()
    kind, params, X, y, lr, stale = case.args
    model = _build_model(kind, params, stale)
    loss = fn(model, torch.as_tensor(X, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64), lr)
    return (loss, *(_np(p) for p in model.parameters()))


def _param_names(n: int) -> list[str]:
    if n == 2:
        return ["the weight after the step", "the bias after the step"]
    return ["the first layer's weight after the step", "the first layer's bias after the step",
            "the second layer's weight after the step", "the second layer's bias after the step"]


def _compare_train(got: Any, expected: Any) -> Failure | None:
    compare = compare_arrays(rtol=1e-9, atol=1e-12, precision="dtype")
    loss = _one(got[0])
    if loss is None or as_number(loss) is None:
        return Failure(f"train_step must return the loss before the step as a number, got {loss!r}")
    failure = compare(loss, expected[0])
    if failure is not None:
        return Failure(f"the loss you return: {failure.summary}", failure.hint)
    for name, g, e in zip(_param_names(len(expected) - 1), got[1:], expected[1:]):
        failure = compare(g, e)
        if failure is not None:
            return Failure(f"{name}: {failure.summary}", failure.hint)
    return None


def _train_mistake(got: Any, expected: Any, case: Case) -> str | None:
    torch = _torch()
    kind, params, X, y, lr, stale = case.args
    loss = as_number(got[0])
    out = _build_model(kind, params, False)(torch.as_tensor(X, dtype=torch.float64).to(_device()))
    out = _np(out).reshape(-1)
    if loss is not None:
        if np.isclose(loss, np.mean((out[:, None] - y[None, :]) ** 2), rtol=1e-7):
            return ("model(X) has shape (B, 1) and y shape (B,): (B, 1) − (B,) broadcasts to (B, B). "
                    "Flatten the output (model(X).reshape(-1) or .squeeze(1)) before comparing with y.")
        if np.isclose(loss, np.sum((out - y) ** 2), rtol=1e-7):
            return f"that is the sum of the squared errors; the loss is their mean over the B = {len(y)} samples."
        if np.isclose(loss, 0.5 * np.mean((out - y) ** 2), rtol=1e-7):
            return "the loss is (1/B) Σ (f(xᵢ) − yᵢ)², without a factor ½."
    if loss is not None and np.isclose(loss, expected[0], rtol=1e-6):
        moved = [not np.allclose(g, p) for g, p in zip(got[1:], params)]
        if not any(moved):
            return ("the parameters did not change: update them in place under torch.no_grad() "
                    "(p -= lr * p.grad), or with an optimizer's step().")
        if not all(moved):
            return "update every parameter of the model (model.parameters()), the biases and every layer too."
        if stale:
            return ("the model arrived with gradients already in .grad, and backward() adds to them: "
                    "zero them first (model.zero_grad() or p.grad = None).")
    return None


register(Check(
    id="01.train_step",
    function="train_step",
    reference=train_step_reference,
    cases=_train_cases,
    compare=_compare_train,
    diagnoses=(_train_mistake,),
    hint="zero the gradients, loss = ((model(X).reshape(-1) − y)**2).mean(), loss.backward(), "
         "then p -= lr * p.grad for every parameter under torch.no_grad().",
    call=_call_train,
))
