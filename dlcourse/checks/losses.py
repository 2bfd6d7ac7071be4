"""Checks for the exercises of chapter 3, *Losses and the landscape*.

Six exercises: a numerically stable softmax, the batch-mean softmax cross-entropy, its
gradient (p − 1_y)/B, the binary cross-entropy, the regularised empirical risk of the
squared loss with its gradient (the chapter's degree-9 fit), and a Newton step. The diagnoses recognise the usual
slips: an exponential that overflows to NaN, a sum where the book takes a mean, the 1
that must be subtracted at the label (and subtracted in the right rows), a lost minus sign.

Precision: only the regularised risk needs float64 (and says so). A float32 array (numpy or torch) is judged at
float32 precision (``precision="dtype"``), and so are Python floats of float32 values
(``.tolist()`` of a float32 array), a float64 one at the checks' tolerance. A loss is
one number, and ``float(…)`` or ``.item()`` hide the dtype it was computed in, so the two
losses are judged at float32 precision (rtol :data:`FLOAT32_RTOL`) whatever their type:
every mistake the exercises warn of is off by far more.

"Use numpy only: the point is to write these functions yourself": the library's softmax and
losses are flagged by the grader's static reading; torch's, which would solve the first four
exercises outright, raise :class:`~dlcourse.checks._rules.ShortcutError` while those checks
run (:func:`_numpy_only`).
"""

from __future__ import annotations

import contextlib
import copy
import sys
from typing import Any, Callable, Iterator

import numpy as np

from .. import backprop
from . import (FLOAT32_RTOL, Case, Check, Failure, as_float_array, close, compare_arrays,
               judge_plain_floats_by_value, register)
from ._rules import ShortcutError, unwrapped
from .calculus import guarded, guarding_arguments

__all__ = ["CHAPTER_LOGITS", "CHAPTER_LABEL", "binary_cross_entropy", "regularised_risk", "chapter_ridge",
           "newton_step"]

#: The chapter's worked example: logits h = (1, 2, 3) for the true class y = 0.
CHAPTER_LOGITS = np.array([1.0, 2.0, 3.0])
CHAPTER_LABEL = 0


#: torch's functions that compute a softmax or a loss of this chapter outright, by where they
#: live: the public names, the Tensor methods (which F.softmax calls) and the C entry points
#: of the losses (which an alias taken before the call, ``from torch.nn.functional import
#: cross_entropy``, still reaches).
_TORCH_SHORTCUTS = (
    ("torch", ("softmax", "log_softmax", "logsumexp")),
    ("torch.Tensor", ("softmax", "log_softmax", "logsumexp")),
    ("torch.special", ("softmax", "log_softmax", "logsumexp")),
    ("torch.nn.functional", ("softmax", "log_softmax", "cross_entropy", "nll_loss", "binary_cross_entropy")),
    ("torch._C._nn", ("cross_entropy_loss", "nll_loss", "nll_loss_nd", "nll_loss2d", "binary_cross_entropy")),
)
_MISSING = object()


def _refused(what: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise ShortcutError(f"{what} solves this exercise outright; the notebook asks for numpy only: "
                            "write the formula yourself")

    return refused


@contextlib.contextmanager
def _torch_losses_closed() -> Iterator[None]:
    """While the block runs, torch's softmax, log-softmax, log-sum-exp and losses raise."""
    torch = sys.modules.get("torch")
    saved: list[tuple[Any, str, Any]] = []
    try:
        if torch is not None:
            for path, names in _TORCH_SHORTCUTS:
                obj: Any = torch
                for part in path.split(".")[1:]:
                    obj = getattr(obj, part, None)
                if obj is None:
                    continue
                for name in names:
                    if not hasattr(obj, name):
                        continue
                    own = obj.__dict__.get(name, _MISSING) if isinstance(obj, type) else getattr(obj, name)
                    saved.append((obj, name, own))
                    setattr(obj, name, _refused(f"{path}.{name}"))
        yield
    finally:
        for obj, name, own in reversed(saved):
            if own is _MISSING:
                delattr(obj, name)
            else:
                setattr(obj, name, own)


def _numpy_only(fn: Callable[..., Any], case: Case) -> Any:
    """A check's ``call``: ``fn`` on copies of the case's arguments with torch's softmax and losses
    closed; an answer that imports torch during the call is called once more, now closed."""

    def once() -> Any:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        with _torch_losses_closed():
            return fn(*args, **kwargs)

    had_torch = "torch" in sys.modules
    result = once()
    if not had_torch and "torch" in sys.modules:
        result = once()
    return result

def _type_name(value: Any) -> str:
    """The type name of an answer, the same in the student's kernel and in the grader (which
    keeps an answer it cannot encode as an ``Opaque`` holding its type name)."""
    if type(value).__name__ == "Opaque" and isinstance(getattr(value, "type_name", None), str):
        return value.type_name
    return type(value).__name__


def _huge_logits(case: Case) -> bool:
    return bool(np.max(np.abs(np.asarray(case.args[0], dtype=np.float64))) > 700)


def _non_finite(got: Any) -> bool:
    g = as_float_array(got)
    return g is not None and not bool(np.all(np.isfinite(g)))


def _batch_label(H: np.ndarray, y: np.ndarray | None = None) -> str:
    text = f"a batch of {H.shape[0]} logit rows, {H.shape[1]} classes:\n{np.round(H, 3)}"
    if y is not None:
        text += f"\n  labels y = {y}"
    return text


# --------------------------------------------------------------- 03.softmax
# Requirements stated by the exercise, and the case that tests each:
#  R1 p_j = e^{h_j}/Σ_m e^{h_m} for one sample (C,): the chapter's h = [1, 2, 3];
#  R2 a batch (B, C), each row normalised (axis −1): the random batches (B ≠ C);
#  R3 no overflow for logits like 1000: [1000, 1001, 1002];
#  R4 no 0/0 for logits like −1000: the row [−1000, −1001, −999];
#  R5 the shift is each row's maximum: the batch mixing a row at −1000 with one at 0.5 (a
#     global maximum underflows the low row) and the row [1000, 0, −1000] (shifting by the
#     minimum or the mean overflows);
#  R6 the logits' shape: every case; float32 judged at float32 precision.
def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((CHAPTER_LOGITS.copy(),), "the chapter's logits h = [1, 2, 3]"),
        Case((np.array([1000.0, 1001.0, 1002.0]),), "large logits h = [1000, 1001, 1002] (exp(1000) overflows)"),
        Case(
            (np.array([[-1000.0, -1001.0, -999.0], [0.5, 0.5, 0.5]]),),
            "a batch of 2 rows: [−1000, −1001, −999] (every exp underflows to 0) and [0.5, 0.5, 0.5]",
        ),
        Case(
            (np.array([[1000.0, 0.0, -1000.0], [2.0, 1.0, 3.0]]),),
            "a batch of 2 rows: [1000, 0, −1000] (a range of 2000 within one row) and [2, 1, 3]",
        ),
    ]
    for B, C in [(4, 3), (5, 6)]:
        H = rng.normal(scale=3.0, size=(B, C))
        cases.append(Case((H,), _batch_label(H)))
    return cases


def _softmax_mistake(got: Any, expected: Any, case: Case) -> str | None:
    h = np.asarray(case.args[0], dtype=np.float64)
    if _non_finite(got) and _huge_logits(case):
        return (
            "NaN from overflow or underflow: exp(1000) is inf in float64 (inf/inf = NaN) and "
            "exp(−1000) is 0 (0/0 = NaN). Subtract each row's maximum first — "
            "softmax(h) = softmax(h − max h) — so no exponent is positive and the largest is exp(0) = 1."
        )
    g = as_float_array(got)
    if g is None or g.shape != h.shape:
        return "return an array of the logits' shape: one probability per logit, rows for samples."
    if h.ndim == 2 and h.shape[0] > 1 and np.allclose(g.sum(axis=0), 1.0) and not np.allclose(g.sum(axis=1), 1.0):
        return "each column sums to 1, not each row: normalise along the last axis (axis=-1, keepdims=True); one row is one sample."
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = np.exp(h - h.max(axis=-1, keepdims=True))
    if close(g, shifted) or close(g, np.exp(h)):
        return "the exponentials are not normalised: divide by their sum along the last axis."
    return None


register(
    Check(
        id="03.softmax",
        function="softmax",
        reference=backprop.softmax,
        cases=_softmax_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-10, atol=1e-14, precision="dtype")),
        diagnoses=(_softmax_mistake,),
        hint="p_j = exp(h_j − c) / Σ_m exp(h_m − c) with c = max_m h_m, along the last axis.",
        call=_numpy_only,
        reference_names=("dlcourse.backprop.softmax", "dlcourse.backprop.log_softmax"),
    )
)


# --------------------------------------------------------------- 03.cross_entropy
# Requirements stated by the exercise, and the case that tests each:
#  R1 lᵢ = log Σ_m e^{h_im} − h_{i,yᵢ}: the chapter's [[1, 2, 3]], y = [0] (2.4076);
#  R2 each row's own label (not the label columns of every row): [[1, 2, 3]] twice with
#     y = [0, 2];
#  R3 the mean over the batch, one number: every case with B > 1;
#  R4 a stable log-sum-exp, never the log of a softmax: [[1000, 0, −1000]], y = [1] (p_y
#     underflows to 0) and the chapter's h = (0, −800), y = 1 (loss 800);
#  R5 the maximum of each row: the batch whose rows lie at 1000, 0 and −1000 (a global
#     maximum underflows the lower rows to log 0);
#  R6 one number, judged at float32 precision (rtol 1e-5) whatever its type.
def _ce_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((CHAPTER_LOGITS[None, :].copy(), np.array([CHAPTER_LABEL])), "the chapter's logits [[1, 2, 3]] with label y = [0]"),
        Case((np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]), np.array([0, 2])), "the same logits twice, labels y = [0, 2]"),
        Case((np.array([[1000.0, 0.0, -1000.0]]), np.array([1])), "large logits [[1000, 0, −1000]] with label y = [1]"),
        Case((np.array([[0.0, -800.0]]), np.array([1])), "the chapter's logits [[0, −800]] with label y = [1] (the loss is 800)"),
        Case((np.array([[1000.0, 999.0, 998.0], [0.0, -1.0, 1.0], [-1000.0, -1000.0, -1000.0]]), np.array([2, 0, 1])),
             "rows far apart: [[1000, 999, 998], [0, −1, 1], [−1000, −1000, −1000]] with labels y = [2, 0, 1]"),
    ]
    for B, C in [(4, 3), (8, 5)]:
        H, y = rng.normal(scale=2.0, size=(B, C)), rng.integers(0, C, size=B)
        cases.append(Case((H, y), _batch_label(H, y)))
    return cases


def _per_sample(H: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -backprop.log_softmax(H)[np.arange(H.shape[0]), y]


def _ce_mistake(got: Any, expected: Any, case: Case) -> str | None:
    H, y = case.args
    B = H.shape[0]
    if _non_finite(got) and _huge_logits(case):
        return (
            "inf or NaN from overflow: compute log Σ_m exp(h_m) as c + log Σ_m exp(h_m − c) with "
            "c = max_m h_m (the log-sum-exp trick), or use a stable log-softmax; never take the log of a "
            "softmax that has underflowed to 0."
        )
    g = as_float_array(got)
    if g is not None and g.shape == (B,):
        return "return one number, the mean over the batch, not the vector of per-sample losses."
    with np.errstate(under="ignore"):
        p_y = backprop.softmax(H)[np.arange(B), y]
    if g is not None and g.size == 1 and np.all(np.isfinite(g)) and np.any(p_y < 1e-300) \
            and float(g.reshape(())) < float(expected):
        return ("p_y underflows to 0 here (e^(−1000) is 0 in float64), so the log of a softmax, clipped "
                "to some ε, gives −log ε instead of the loss: compute lᵢ = cᵢ + log Σ_m exp(h_im − cᵢ) − "
                "h_{i,yᵢ} from the logits, never from p.")
    if g is not None and g.size == 1:
        value = float(g.reshape(()))
        if B > 1 and np.isclose(value, B * float(expected), rtol=1e-7):
            return f"you summed over the batch; the loss is the mean (1/B) Σᵢ lᵢ, here B = {B}."
        if np.isclose(value, -float(expected), rtol=1e-7):
            return "mind the sign: l = −log p_y, a positive number."
        with np.errstate(divide="ignore"):
            all_classes = float(np.mean(-np.log(backprop.softmax(H))))
        if np.isclose(value, all_classes, rtol=1e-7):
            return "you averaged −log p over all classes: take only the true class, −log p_y."
    return None


register(
    Check(
        id="03.cross_entropy",
        function="cross_entropy",
        reference=backprop.cross_entropy,
        cases=_ce_cases,
        compare=compare_arrays(rtol=FLOAT32_RTOL, atol=1e-12),
        diagnoses=(_ce_mistake,),
        hint="lᵢ = log Σ_m exp(h_im) − h_{i,yᵢ}; return the mean over the B rows.",
        call=_numpy_only,
        reference_names=(
            "dlcourse.backprop.cross_entropy",
            "dlcourse.backprop.log_softmax",
            "dlcourse.tensor.softmax_cross_entropy",
        ),
    )
)


# --------------------------------------------------------------- 03.cross_entropy_grad
# Requirements stated by the exercise, and the case that tests each:
#  R1 row i is (pᵢ − 1_{yᵢ})/B: the chapter's [[1, 2, 3]], y = [0] ((−0.91, 0.2447, 0.6652));
#  R2 the 1 subtracted once per row, at that row's label: the random batches, whose first
#     two rows have labels 0 and 1;
#  R3 divided by B (the loss is the mean): every case with B > 1;
#  R4 a stable softmax, each row shifted by its own maximum: [[1000, 0, −1000], [3, 1, 0.2]];
#  R5 the logits' shape (B, C): every case (B ≠ C in the random batches);
#  R6 float32 judged at float32 precision.
#  When the gradient is wrong because the student's softmax (exercise 1, which the stub
#  suggests calling) is, the message says so.
def _ce_grad_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((CHAPTER_LOGITS[None, :].copy(), np.array([CHAPTER_LABEL])), "the chapter's logits [[1, 2, 3]] with label y = [0]"),
        Case((np.array([[1000.0, 0.0, -1000.0], [3.0, 1.0, 0.2]]), np.array([1, 0])), "large logits [[1000, 0, −1000], [3, 1, 0.2]] with labels y = [1, 0]"),
    ]
    for B, C in [(4, 3), (8, 5)]:
        H, y = rng.normal(scale=2.0, size=(B, C)), rng.integers(0, C, size=B)
        y[:2] = [0, 1]  # two rows with different labels, so a column-wise slip shows
        cases.append(Case((H, y), _batch_label(H, y)))
    return cases


def _ce_grad_mistake(got: Any, expected: Any, case: Case) -> str | None:
    H, y = case.args
    B = H.shape[0]
    if _non_finite(got) and _huge_logits(case):
        return ("NaN from an overflowing exp: compute p with each row's max subtracted, softmax(h − max h) "
                "— if you call your softmax from exercise 1, fix it there first (run its check, 03.softmax).")
    g = as_float_array(got)
    if g is None:
        return None
    if g.shape == expected.T.shape and g.shape != expected.shape:
        return "your array is transposed: ∂l/∂h has the logits' shape (B, C), one row per sample."
    p = backprop.softmax(H)
    if B > 1 and close(g, B * expected):
        return (
            f"you summed over the batch: the loss is the mean over B = {B} rows, so each row of "
            "∂l/∂h is (p − 1_y)/B (some lecture notes sum; this book, like PyTorch, averages)."
        )
    if close(g, p / B) or close(g, p):
        return "did you forget to subtract 1 at the label? ∂l/∂h = p − 1_y (then divide by B)."
    if close(g, -expected) or close(g, -B * expected):
        return "the sign is flipped: ∂l/∂h = p − 1_y, not 1_y − p."
    columns = p.copy()
    columns[:, y] -= 1.0
    if close(g, columns / B) or close(g, columns):
        return (
            "p[:, y] −= 1 subtracts 1 in the label columns of every row; subtract it once per row, "
            "at that row's label: p[np.arange(B), y] −= 1."
        )
    return None


def _softmax_rows(got: Any, expected: Any, case: Case) -> str | None:
    """Rows of p − 1_y sum to 0 because p's rows sum to 1: when they don't, p is wrong."""
    H, y = case.args
    g = as_float_array(got)
    if g is None or g.shape != expected.shape or not np.all(np.isfinite(g)):
        return None
    if not np.allclose(g.sum(axis=1) * H.shape[0], 0.0, atol=1e-5):
        return ("each row of p − 1_y sums to 0 because each row of p sums to 1, and yours don't: "
                "your softmax may be wrong — if you call your softmax from exercise 1, run its check "
                "(03.softmax) first; it must normalise each row (axis=-1).")
    return None


register(
    Check(
        id="03.cross_entropy_grad",
        function="cross_entropy_grad",
        reference=backprop.softmax_cross_entropy_grad,
        cases=_ce_grad_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-10, atol=1e-14, precision="dtype")),
        diagnoses=(_ce_grad_mistake, _softmax_rows),
        hint="row i of ∂l/∂h is (pᵢ − 1_{yᵢ})/B with pᵢ = softmax(hᵢ).",
        call=_numpy_only,
        reference_names=(
            "dlcourse.backprop.softmax_cross_entropy_grad",
            "dlcourse.tensor.softmax_cross_entropy",
            "dlcourse.tensor.Tensor",
        ),
    )
)


# --------------------------------------------------------------- 03.binary_cross_entropy
def binary_cross_entropy(f: Any, y: Any) -> float:
    """The mean binary cross-entropy (1/n) Σᵢ −(yᵢ log fᵢ + (1 − yᵢ) log(1 − fᵢ)) (chapter 3).

    ``f`` are predicted probabilities in (0, 1), ``y`` the targets in [0, 1], both of shape (n,).
    """
    f_arr, y_arr = np.asarray(f, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if f_arr.shape != y_arr.shape:
        raise ValueError(f"f and y must have the same shape, got {f_arr.shape} and {y_arr.shape}")
    if np.any((f_arr <= 0) | (f_arr >= 1)):
        raise ValueError("f must hold probabilities strictly between 0 and 1")
    return float(np.mean(-(y_arr * np.log(f_arr) + (1 - y_arr) * np.log1p(-f_arr))))


# Requirements stated by the exercise, and the case that tests each:
#  R1 L = −(y log f + (1 − y) log(1 − f)), natural log: the chapter's f = 0.8 and f = 0.2
#     for y = 1 (0.2231 and 1.6094);
#  R2 y multiplies log f, (1 − y) log(1 − f) (not swapped): the random cases (f not
#     symmetric about ½);
#  R3 both terms: the cases with y = 0;
#  R4 the mean over the samples, one number: every case with n > 1;
#  R5 one number, judged at float32 precision (rtol 1e-5) whatever its type.
def _bce_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case((np.array([0.8]), np.array([1.0])), "the chapter's f = [0.8] for y = [1]"),
        Case((np.array([0.2]), np.array([1.0])), "the chapter's f = [0.2] for y = [1] (a confident wrong prediction)"),
        Case((np.array([0.8, 0.8]), np.array([1.0, 0.0])), "f = [0.8, 0.8] for y = [1, 0]"),
    ]
    for n in (5, 9):
        f = rng.uniform(0.02, 0.98, size=n)
        y = rng.integers(0, 2, size=n).astype(np.float64)
        y[:2] = [1.0, 0.0]
        cases.append(Case((f, y), f"f = {np.round(f, 3)}\n  for y = {y}"))
    return cases


def _bce_mistake(got: Any, expected: Any, case: Case) -> str | None:
    f, y = case.args
    g = as_float_array(got)
    if g is None:
        return None
    if g.shape == f.shape:
        return "return one number, the mean over the samples, not a vector."
    if g.size != 1:
        return None
    value = float(g.reshape(()))
    if np.isclose(value, -expected, rtol=1e-7):
        return "mind the sign: log f < 0, so the loss is −(y log f + (1 − y) log(1 − f)) > 0."
    if f.size > 1 and np.isclose(value, f.size * expected, rtol=1e-7):
        return f"you summed; take the mean over the n = {f.size} samples."
    if np.isclose(value, binary_cross_entropy(1 - f, y), rtol=1e-7):
        return "the two terms are swapped: y multiplies log f (the probability of class 1), 1 − y multiplies log(1 − f)."
    if np.isclose(value, binary_cross_entropy(f, y) / np.log(10), rtol=1e-7):
        return "use the natural logarithm (np.log), not log₁₀."
    return None


register(
    Check(
        id="03.binary_cross_entropy",
        function="binary_cross_entropy",
        reference=binary_cross_entropy,
        cases=_bce_cases,
        compare=compare_arrays(rtol=FLOAT32_RTOL, atol=1e-12),
        diagnoses=(_bce_mistake,),
        hint="average −(yᵢ log fᵢ + (1 − yᵢ) log(1 − fᵢ)) over the samples.",
        call=_numpy_only,
    )
)


# --------------------------------------------------------------- 03.regularised_risk
# Requirements stated by the exercise, and the case that tests each:
#  R1 the squared loss with its ½: J has ½(yᵢ − φᵢ·w)², so ∇J has no factor 2 on the data
#     term: every case with λ = 0 ("no regulariser");
#  R2 the empirical risk is the mean over the n samples (not the sum): every case (n > 1);
#  R3 the regulariser λ‖w‖² (squared, not divided by n) and its gradient 2λw (the weight
#     decay): the cases with λ > 0;
#  R4 the residual's sign: ∇ of the data term is Φᵀ(Φw − y)/n: every case;
#  R5 (J, ∇J) as a number and an array of w's shape: every case;
#  R6 in float64 (a vanishing gradient is a statement at float64 precision): the chapter's
#     degree-9 fit at its regularised minimiser, where ∇J = 0;
#  R7 w, Φ and y are not changed: every case (the call runs on copies and fails an answer
#     that changes them).
def regularised_risk(w: Any, Phi: Any, y: Any, lam: float) -> tuple[float, np.ndarray]:
    """(J, ∇J) of J(w) = (1/n) Σᵢ ½(yᵢ − φᵢ·w)² + λ‖w‖² (chapter 3):
    ∇J = Φᵀ(Φw − y)/n + 2λw."""
    w, Phi, y = (np.asarray(a, dtype=np.float64) for a in (w, Phi, y))
    r = Phi @ w - y
    return float(0.5 * np.mean(r**2) + lam * np.sum(w**2)), Phi.T @ r / len(y) + 2 * lam * w


def chapter_ridge(lam: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The chapter's degree-9 fit: (Φ, y, w*) with w* solving (ΦᵀΦ/n + 2λI) w = Φᵀy/n."""
    rng = np.random.default_rng(1)
    n = 10
    x = np.sort(rng.uniform(0, 1, n))
    y = np.sin(2 * np.pi * x) + rng.normal(scale=0.25, size=n)
    Phi = np.vander(x, 10, increasing=True)
    w = np.linalg.solve(Phi.T @ Phi / n + 2 * lam * np.eye(10), Phi.T @ y / n)
    return Phi, y, w


def _risk_cases(rng: np.random.Generator) -> list[Case]:
    Phi, y, w = chapter_ridge(1e-3)
    cases = [Case((w, Phi, y, 1e-3), "the chapter's degree-9 fit to 10 noisy points of sin 2πx at its "
                                      "regularised minimiser w* (λ = 1e-3), where ∇J = 0")]
    for n, p, lam in [(6, 3, 0.0), (8, 4, 0.1), (5, 5, 0.5)]:
        Phi, w = rng.normal(size=(n, p)), rng.normal(scale=1.5, size=p)
        y = rng.normal(size=n)
        what = "no regulariser" if lam == 0 else f"λ = {lam}"
        cases.append(Case((w, Phi, y, lam), f"n = {n} samples, {p} weights, {what}:\n  w = {np.round(w, 3)}"))
    return cases


def _compare_risk(got: Any, expected: Any) -> Failure | None:
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return Failure(f"expected the pair (J, ∇J), got {_type_name(got)}")
    compare = judge_plain_floats_by_value(compare_arrays(rtol=1e-9, atol=1e-12, precision="float64"))
    failure = compare(got[0], expected[0])
    if failure is not None:
        return Failure(f"J: {failure.summary}", failure.hint)
    failure = judge_plain_floats_by_value(compare_arrays(rtol=1e-8, atol=1e-10, precision="float64"))(got[1], expected[1])
    return None if failure is None else Failure(f"∇J: {failure.summary}", failure.hint)


def _risk_mistake(got: Any, expected: Any, case: Case) -> str | None:
    w, Phi, y, lam = case.args
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None
    J, g = as_float_array(got[0]), as_float_array(got[1])
    r = Phi @ w - y
    n = len(y)
    data_J, data_g = 0.5 * np.mean(r**2), Phi.T @ r / n
    if J is not None and J.size == 1:
        if close(J, 0.5 * np.sum(r**2) + lam * np.sum(w**2)) or close(J, 0.5 * np.sum(r**2) + n * lam * np.sum(w**2)):
            return f"you summed the squared errors; the empirical risk is their mean over the n = {n} samples."
        if close(J, 2 * data_J + lam * np.sum(w**2)):
            return "the squared loss is ½(y − f)²: mind the ½."
        if lam > 0 and close(J, data_J + lam * np.linalg.norm(w)):
            return "the regulariser is λ‖w‖² = λ Σ wⱼ², the squared norm."
        if lam > 0 and close(J, data_J + lam * np.sum(w**2) / n):
            return "λ‖w‖² is added once, not averaged over the samples."
    if g is not None and g.shape == w.shape:
        if lam > 0 and close(g, data_g + lam * w):
            return "the gradient of λ‖w‖² is 2λw."
        if close(g, -data_g + 2 * lam * w):
            return "mind the sign of the residual: ∂/∂w ½(y − φ·w)² = (φ·w − y)φ, so ∇J = Φᵀ(Φw − y)/n + 2λw."
        if close(g, 2 * data_g + 2 * lam * w):
            return "the ½ of the squared loss cancels the 2 of its derivative: ∇ of the data term is Φᵀ(Φw − y)/n."
    return None


register(
    Check(
        id="03.regularised_risk",
        function="regularised_risk",
        reference=regularised_risk,
        cases=_risk_cases,
        compare=guarded(_compare_risk, "regularised_risk",
                        "don't change w, Phi or y: compute new arrays (r = Phi @ w - y) instead of updating "
                        "them in place (np.asarray does not copy an array that is already float64)."),
        diagnoses=(unwrapped(_risk_mistake),),
        hint="r = Φw − y; J = ½·mean(r²) + λ Σ wⱼ²; ∇J = Φᵀr/n + 2λw.",
        call=guarding_arguments({0: "w", 1: "Phi", 2: "y"}),
    )
)


# --------------------------------------------------------------- 03.newton_step
# Requirements stated by the exercise, and the case that tests each:
#  R1 θ − H⁻¹∇J (solve Hd = ∇J), not θ − H∇J and not a plus: every case;
#  R2 a full (non-diagonal) H, not the diagonal's curvatures one by one: the rotated 3×3
#     case;
#  R3 one Newton step lands on a quadratic's minimum: the chapter's ill-conditioned bowl
#     10θ₁² + 0.5θ₂² from (−2.5, 2.5) goes to 0;
#  R4 it jumps onto a saddle just as well (Newton seeks ∇J = 0, not minima): the
#     chapter's θ₁² − θ₂² from (1, 1);
#  R5 θ, ∇J and H are not changed: every case (the call runs on copies and fails an
#     answer that changes them); θ's shape is kept.
def newton_step(theta: Any, grad: Any, H: Any) -> np.ndarray:
    """One Newton step θ − H⁻¹∇J(θ), by solving H d = ∇J (chapter 3)."""
    theta, grad, H = (np.asarray(a, dtype=np.float64) for a in (theta, grad, H))
    return theta - np.linalg.solve(H, grad)


def _newton_cases(rng: np.random.Generator) -> list[Case]:
    start = np.array([-2.5, 2.5])
    cases = [Case((start, np.array([20.0, 1.0]) * start, np.diag([20.0, 1.0])),
                  "the chapter's bowl 10θ₁² + 0.5θ₂² (H = diag(20, 1)) at θ = (−2.5, 2.5): one step to 0"),
             Case((np.array([1.0, 1.0]), np.array([2.0, -2.0]), np.diag([2.0, -2.0])),
                  "the saddle θ₁² − θ₂² (H = diag(2, −2)) at θ = (1, 1): Newton jumps onto the saddle")]
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    H = q @ np.diag(rng.uniform(0.5, 4.0, size=3)) @ q.T
    theta, g = rng.normal(size=3), rng.normal(size=3)
    cases.append(Case((theta, g, H), f"θ = {np.round(theta, 3)}, ∇J = {np.round(g, 3)}, a full 3×3 H:\n{np.round(H, 3)}"))
    return cases


def _newton_mistake(got: Any, expected: Any, case: Case) -> str | None:
    theta, g, H = case.args
    if close(got, theta - H @ g):
        return "that is θ − H∇J: Newton divides by the curvature, θ − H⁻¹∇J (np.linalg.solve(H, grad))."
    if close(got, theta + np.linalg.solve(H, g)):
        return "mind the sign: the step is −H⁻¹∇J."
    if close(got, theta - g / np.diag(H)):
        return "∇J / diag(H) is Newton only for a diagonal H: solve the full system H d = ∇J."
    return None


register(
    Check(
        id="03.newton_step",
        function="newton_step",
        reference=newton_step,
        cases=_newton_cases,
        compare=guarded(judge_plain_floats_by_value(compare_arrays(rtol=1e-9, atol=1e-12, precision="dtype")), "newton_step",
                        "don't change the arguments: return theta − d as a new array (theta -= d updates the "
                        "caller's θ in place, since np.asarray does not copy a float64 array)."),
        diagnoses=(unwrapped(_newton_mistake),),
        hint="d = np.linalg.solve(H, grad); return theta − d.",
        call=guarding_arguments({0: "theta", 1: "grad", 2: "H"}),
    )
)
