"""Checks for the exercises of chapter 4, *Backpropagation*.

Four exercises: the Jacobian of a sigmoid layer, backpropagation by hand through a
network with two sigmoid hidden layers and a softmax output (every weight and bias
gradient and ∂l/∂x, as a dict), the δ recursion for the squared loss, and the cost in flop of a training step on a minibatch. The answers
with several parts are compared part by part in the order the backward pass computes
them, so the verdict names the *first* wrong gradient — the one where the mistake is.
"""

from __future__ import annotations

from itertools import takewhile
from typing import Any, Callable, Sequence

import numpy as np

from .. import backprop
from . import (Case, Check, Comparator, Failure, as_float_array, close, compare_arrays,
               compare_named, judge_plain_floats_by_value, lists_as_float32, register)
from ._rules import AUTOGRAD, run_forbidding


#: The ``call`` of every check of chapter 4: the function runs on copies of the case (an
#: answer may update arrays in place) and, since the exercises ask for gradients derived
#: by hand, with torch's automatic differentiation closed (:mod:`dlcourse.checks._rules`).
_BY_HAND = run_forbidding(AUTOGRAD)

__all__ = [
    "GRADIENT_ORDER",
    "compare_dict",
    "compare_list",
    "lecture_layer",
    "chapter_network",
    "network_gradients",
    "chapter_delta_network",
    "deltas",
]

#: The order in which the backward pass produces the gradients of a 3-layer network.
GRADIENT_ORDER = ("W3", "b3", "W2", "b2", "W1", "b1", "x")


def _type_name(value: Any) -> str:
    """The type name of an answer, the same in the student's kernel and in the grader (which
    keeps an answer it cannot encode as an ``Opaque`` holding its type name)."""
    if type(value).__name__ == "Opaque" and isinstance(getattr(value, "type_name", None), str):
        return value.type_name
    return type(value).__name__


# ----------------------------------------------------------------- comparing many arrays
def compare_dict(keys: Sequence[str], rtol: float = 1e-7, atol: float = 1e-9) -> Comparator:
    """A comparator for a dict of arrays: the keys in ``keys``, compared in that order.

    The first key that is missing or wrong ends the comparison; its name starts the
    summary (``"W2: at element [0, 3] expected …, got …"``). Each array is judged at the
    precision of its dtype: float32 gradients (numpy or torch, or Python floats of float32
    values, as ``.tolist()`` gives) at float32 precision.
    """
    wanted = ", ".join(repr(k) for k in keys)

    def compare(got: Any, expected: Any) -> Failure | None:
        if not isinstance(got, dict):
            return Failure(f"expected a dict with keys {wanted}, got {_type_name(got)} {got!r:.80}")
        present = list(takewhile(got.__contains__, keys))  # the keys before the first missing one
        failure = compare_named(present, [lists_as_float32(got[k]) for k in present], [expected[k] for k in present],
                                rtol, atol, precision="dtype")
        if failure is None and len(present) < len(keys):
            return Failure(f"your dict has no key {keys[len(present)]!r} (expected keys: {wanted})")
        return failure

    return compare


def compare_list(name: Callable[[int], str] = lambda i: f"item {i}", *, backwards: bool = False,
                 rtol: float = 1e-7, atol: float = 1e-9) -> Comparator:
    """A comparator for a list of arrays of the reference's length, element by element.

    ``name(i)`` labels element i = 1, 2, … in messages; ``backwards`` compares the last
    element first (the order in which a backward pass computes them).
    """

    def compare(got: Any, expected: Any) -> Failure | None:
        n = len(expected)
        labels = [name(i + 1) for i in range(n)]
        if not isinstance(got, (list, tuple)):
            return Failure(f"expected a list of {n} arrays, got {_type_name(got)} {got!r:.80}")
        if len(got) != n:
            return Failure(f"expected a list of {n} arrays ({', '.join(labels[:n])}), got {len(got)}")
        step = -1 if backwards else 1
        parts = [lists_as_float32(g) for g in list(got)[::step]]
        return compare_named(labels[::step], parts, expected[::step], rtol, atol, precision="dtype")

    return compare


# ----------------------------------------------------------------- 04.layer_jacobian
def lecture_layer() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lecture's layer as plain numpy data: x = [1, −1, 1], W (3×4) and b (4,) drawn from seed 0."""
    rng = np.random.default_rng(0)
    return np.array([1.0, -1.0, 1.0]), rng.normal(size=(3, 4)), rng.normal(size=4)


def _jacobian_cases(rng: np.random.Generator) -> list[Case]:
    """The lecture's layer and two random ones.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. ∂h/∂x = diag(h ⊙ (1 − h)) Wᵀ with h = σ(xW + b) (bias included): every case.
    2. shape (m, n), row j = ∂h_j/∂x (not its transpose): the (3, 4) and (5, 2) layers, and
       the square (3, 3) one by its values.
    3. exact, no finite differences: the tolerance rtol 1e-11 (float64), which a central
       difference misses.
    4. derived by hand: torch.autograd raises while the check runs.
    float32 answers are accepted (judged at float32 precision).
    """
    x, W, b = lecture_layer()
    cases = [Case((x, W, b), "the lecture's x = [1, −1, 1] with W of shape (3, 4) and b of shape (4,) (seed 0)")]
    for n, m in [(3, 3), (5, 2)]:
        x, W, b = rng.normal(size=n), rng.normal(size=(n, m)), rng.normal(size=m)
        cases.append(Case((x, W, b), f"x = {np.round(x, 3)}, W of shape ({n}, {m}), b = {np.round(b, 3)}"))
    return cases


def _jacobian_mistake(got: Any, expected: Any, case: Case) -> str | None:
    x, W, b = case.args
    g = as_float_array(got)
    if g is None:
        return None
    n, m = W.shape
    h = backprop.sigmoid(x @ W + b)
    if (g.shape == (n, m) and n != m) or (n == m and close(g, expected.T)):
        return (
            "your matrix is transposed: row j is ∂h_j/∂x, one row per output and one column per "
            f"input, so ∂h/∂x = diag(σ′(h̄)) Wᵀ has shape ({m}, {n}); W diag(σ′(h̄)) is its transpose."
        )
    if g.shape != expected.shape and g.shape in ((m, m), (m,)):
        return "you forgot Wᵀ: by the chain rule ∂h/∂x = diag(σ′(h̄)) · ∂h̄/∂x, and ∂h̄/∂x = Wᵀ."
    if close(g, np.diag(h) @ W.T):
        return "you used σ(h̄) where its derivative belongs: σ′(h̄) = σ(h̄)(1 − σ(h̄)) = h ⊙ (1 − h)."
    hbar = x @ W + b
    if close(g, np.diag(hbar * (1 - hbar)) @ W.T):
        return "σ′ = h ⊙ (1 − h) uses the activation h = σ(h̄), not the pre-activation h̄."
    h0 = backprop.sigmoid(x @ W)
    if close(g, np.diag(h0 * (1 - h0)) @ W.T):
        return "you left out the bias: h̄ = xW + b."
    if close(g, expected, rtol=1e-4, atol=1e-6):
        return (
            "close, but only to finite-difference accuracy: derive the exact formula "
            "diag(h ⊙ (1 − h)) Wᵀ instead of differencing."
        )
    return None


register(
    Check(
        id="04.layer_jacobian",
        function="layer_jacobian",
        reference=backprop.sigmoid_layer_jacobian,
        cases=_jacobian_cases,
        compare=judge_plain_floats_by_value(compare_arrays(rtol=1e-11, atol=1e-14, precision="dtype")),
        diagnoses=(_jacobian_mistake,),
        hint="h = σ(xW + b); ∂h/∂x = diag(h ⊙ (1 − h)) Wᵀ, an m×n matrix.",
        call=_BY_HAND,
        reference_names=("dlcourse.backprop.sigmoid_layer_jacobian", "dlcourse.calculus.jacobian"),
    )
)


# ----------------------------------------------------------------- 04.backprop
def chapter_network() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The chapter's network and sample: sizes (4, 5, 3, 3), weights of ``MLP(…, seed=0)``,
    biases N(0, 0.5²) and x ~ N(0, 1) of shape (1, 4) from seed 1, label y = [2]."""
    net = backprop.MLP((4, 5, 3, 3), activation="sigmoid", seed=0)
    rng = np.random.default_rng(1)
    for k in (1, 2, 3):
        net.params[f"b{k}"] = rng.normal(scale=0.5, size=net.sizes[k])
    x = rng.normal(size=(1, 4))
    return {k: v.copy() for k, v in net.params.items()}, x, np.array([2])


def network_gradients(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """∂l/∂W³, ∂l/∂b³, …, ∂l/∂x of the batch-mean softmax cross-entropy of a sigmoid MLP.

    ``params`` holds W1, b1, … (any depth); the reference answer of 04.backprop, computed
    by :class:`dlcourse.backprop.MLP`.
    """
    K = sum(1 for k in params if k.startswith("W"))
    sizes = (params["W1"].shape[0], *(params[f"W{k}"].shape[1] for k in range(1, K + 1)))
    net = backprop.MLP(sizes, activation="sigmoid")
    net.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    net.loss(x, y)
    grads = net.backward(y)
    order = [name for k in range(K, 0, -1) for name in (f"W{k}", f"b{k}")] + ["x"]
    return {name: grads[name] for name in order}


def _slipped_backprop(params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray, *,
                      minus_one: bool = True, mean: bool = True, prime_at: int = 0,
                      prime: str = "none") -> dict[str, np.ndarray]:
    """The backward pass with one typical slip: no −1_y, a sum instead of the mean, or at
    layer ``prime_at`` no σ′ (``prime="none"``) or σ in place of σ′ (``prime="sigma"``)."""
    K = sum(1 for k in params if k.startswith("W"))
    h = [np.asarray(X, dtype=np.float64)]
    for k in range(1, K + 1):
        hbar = h[-1] @ params[f"W{k}"] + params[f"b{k}"]
        h.append(backprop.sigmoid(hbar) if k < K else hbar)
    B = h[0].shape[0]
    gbar = backprop.softmax(h[K])
    if minus_one:
        gbar[np.arange(B), y] -= 1.0
    if mean:
        gbar /= B
    grads: dict[str, np.ndarray] = {}
    for k in range(K, 0, -1):
        grads[f"W{k}"] = h[k - 1].T @ gbar
        grads[f"b{k}"] = gbar.sum(axis=0)
        g = gbar @ params[f"W{k}"].T
        if k > 1:
            a = h[k - 1]
            factor = a * (1 - a)
            if k - 1 == prime_at:
                factor = np.ones_like(a) if prime == "none" else a
            gbar = g * factor
    grads["x"] = g
    return grads


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sub(k: int) -> str:
    """k as a subscript: 2 → ₂."""
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _sup(k: int) -> str:
    """k as a superscript: 2 → ², 12 → ¹²."""
    return str(k).translate(_SUPERSCRIPT)

_GENERIC = {
    "W3": "∂l/∂W³ = (h²)ᵀ g³ with g³ = (p − 1_y)/B: check the forward pass h² = σ(σ(xW¹ + b¹)W² + b²) and g³.",
    "b3": "∂l/∂b³ is g³ summed over the batch rows.",
    "W2": "∂l/∂W² = (h¹)ᵀ ḡ² with ḡ² = (g³ (W³)ᵀ) ⊙ σ′(h̄²) — did you multiply by σ′(h̄²) = h² ⊙ (1 − h²)?",
    "b2": "∂l/∂b² is ḡ² = (g³ (W³)ᵀ) ⊙ σ′(h̄²) summed over the batch rows.",
    "W1": "∂l/∂W¹ = (h⁰)ᵀ ḡ¹ = xᵀ ḡ¹ with ḡ¹ = (ḡ² (W²)ᵀ) ⊙ σ′(h̄¹) — did you multiply by σ′(h̄¹)?",
    "b1": "∂l/∂b¹ is ḡ¹ = (ḡ² (W²)ᵀ) ⊙ σ′(h̄¹) summed over the batch rows.",
    "x": "∂l/∂x = ḡ¹ (W¹)ᵀ: the input has no activation, so nothing multiplies it.",
}


def _backprop_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's network with one sample and three random networks with B = 1, 4, 8.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. g³ = (P − Y)/B, the batch *mean* (not the sum): the B = 4 and B = 8 cases.
    2. σ′(h̄ᵏ) = hᵏ ⊙ (1 − hᵏ) in both hidden layers: every case.
    3. ∂l/∂Wᵏ = (hᵏ⁻¹)ᵀ ḡᵏ of W's shape; ∂l/∂bᵏ = column sums of ḡᵏ of b's shape: every case
       (non-square layers, so a transpose changes the shape).
    4. the key "x": ∂l/∂X of shape (B, n0), no activation on the input: every case.
    5. any sizes and labels, not only the chapter's: the random networks.
    6. by hand: torch.autograd raises while the check runs; the inputs are copies, so an
       answer that updates them in place is judged fairly.
    float32 answers are accepted (judged at float32 precision).
    """
    params, x, y = chapter_network()
    cases = [Case((params, x, y), "the chapter's network, sizes (4, 5, 3, 3), one sample x of shape (1, 4), y = [2]")]
    for sizes, B in [((3, 4, 4, 2), 1), ((4, 6, 5, 3), 4), ((2, 3, 4, 5), 8)]:
        params = {}
        for k in range(1, 4):
            params[f"W{k}"] = rng.normal(scale=1.0, size=(sizes[k - 1], sizes[k]))
            params[f"b{k}"] = rng.normal(scale=0.5, size=sizes[k])
        X, labels = rng.normal(size=(B, sizes[0])), rng.integers(0, sizes[-1], size=B)
        cases.append(Case((params, X, labels), f"a random network of sizes {sizes}, a batch of B = {B}, y = {labels}"))
    return cases


def _backprop_mistake(got: Any, expected: Any, case: Case) -> str | None:
    if not isinstance(got, dict):
        return "return a dict: {'W1': ∂l/∂W¹, 'b1': ∂l/∂b¹, …, 'b3': ∂l/∂b³, 'x': ∂l/∂x}."
    params, X, y = case.args
    same = compare_arrays(1e-7, 1e-9)
    key = next((k for k in GRADIENT_ORDER if k not in got or same(got[k], expected[k]) is not None), None)
    if key is None or key not in got:
        return None
    g, exp = as_float_array(got[key]), expected[key]
    B = X.shape[0]
    if g is not None and key.startswith("W") and g.shape == exp.shape == exp.T.shape and close(g, exp.T):
        k = int(key[1])
        return (f"∂l/∂W{_sup(k)} = (h{_sup(k - 1)})ᵀ ḡ{_sup(k)}, one row per input unit; "
                f"(ḡ{_sup(k)})ᵀ h{_sup(k - 1)} is its transpose.")
    if g is not None and g.shape != exp.shape:
        if key.startswith("W") and g.shape == exp.T.shape:
            k = int(key[1])
            return (f"∂l/∂W{_sup(k)} = (h{_sup(k - 1)})ᵀ ḡ{_sup(k)} has the shape of W{_sup(k)}, {exp.shape}; "
                    f"(ḡ{_sup(k)})ᵀ h{_sup(k - 1)} is its transpose.")
        if key.startswith("b") and g.ndim == 2 and g.shape[1:] == exp.shape:
            return f"sum ḡ over the batch rows (axis=0): ∂l/∂{key} has the shape of {key}, {exp.shape}."
        if key == "x":
            return f"∂l/∂x = ḡ¹ (W¹)ᵀ has the shape of x, {X.shape}."
        return None
    if B > 1 and close(g, B * exp):
        return f"you summed over the batch; the loss is the mean over B = {B} samples, so g³ = (p − 1_y)/B."
    if close(g, _slipped_backprop(params, X, y, minus_one=False)[key]):
        return "g³ = ∂l/∂h³ = p − 1_y (divided by B): did you forget to subtract 1 at the label?"
    if key[1:] in ("1", "2"):
        k = int(key[1])
        if close(g, _slipped_backprop(params, X, y, prime_at=k, prime="none")[key]):
            return f"did you multiply by σ′(h̄{_sup(k)})? ḡ{_sup(k)} = g{_sup(k)} ⊙ σ′(h̄{_sup(k)})."
        if close(g, _slipped_backprop(params, X, y, prime_at=k, prime="sigma")[key]):
            return f"σ′(h̄{_sup(k)}) = h{_sup(k)} ⊙ (1 − h{_sup(k)}), not h{_sup(k)} itself."
    if key == "x":
        x_arr = np.asarray(X, dtype=np.float64)
        if close(g, exp * x_arr * (1 - x_arr)) or close(g, exp * backprop.sigmoid(x_arr) * (1 - backprop.sigmoid(x_arr))):
            return _GENERIC["x"]
    return _GENERIC[key]


register(
    Check(
        id="04.backprop",
        function="backprop",
        reference=network_gradients,
        cases=_backprop_cases,
        compare=compare_dict(GRADIENT_ORDER, rtol=1e-9, atol=1e-12),
        diagnoses=(_backprop_mistake,),
        hint="go backwards: g³ = (p − 1_y)/B, then ∂l/∂W³ = (h²)ᵀ g³, g² = g³ (W³)ᵀ, ḡ² = g² ⊙ σ′(h̄²), …",
        call=_BY_HAND,
        reference_names=(
            "dlcourse.backprop.MLP",
            "dlcourse.backprop.delta_backprop",
            "dlcourse.tensor.Tensor",
            "dlcourse.tensor.softmax_cross_entropy",
        ),
    )
)


# ----------------------------------------------------------------- 04.deltas
def chapter_delta_network() -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """The chapter's example for the δ form: sizes (3, 4, 2), sigmoid units everywhere,
    weights, biases and x ~ N(0, 1) from seed 2, target y = [1, 0]."""
    rng = np.random.default_rng(2)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2))]
    biases = [rng.normal(size=4), rng.normal(size=2)]
    return weights, biases, rng.normal(size=3), np.array([1.0, 0.0])


def deltas(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
           y: np.ndarray) -> list[np.ndarray]:
    """δ¹, …, δᴷ of one sample for L = ½‖y − f‖², sigmoid units in every layer.

    δᵏ = ∂L/∂zᵏ equals ∂L/∂bᵏ, so the reference reads it off
    :func:`dlcourse.backprop.delta_backprop`.
    """
    grads = backprop.delta_backprop(weights, biases, "sigmoid", x, y)
    return [grads[f"b{k}"] for k in range(1, len(weights) + 1)]


def _slipped_deltas(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
                    y: np.ndarray, *, at: int, slip: str) -> list[np.ndarray]:
    """δ¹ … δᴷ with one slip at layer ``at``: "no_prime" (g′ left out), "sigma" (g in place
    of g′), "transpose" (Wᵀ in place of W), "sign" (y − f in place of f − y, output only)."""
    a, z = [np.asarray(x, dtype=np.float64)], [None]
    for W, b in zip(weights, biases):
        z.append(a[-1] @ W + b)
        a.append(backprop.sigmoid(z[-1]))
    K = len(weights)

    def factor(k: int) -> np.ndarray:
        if k == at and slip == "no_prime":
            return np.ones_like(a[k])
        if k == at and slip == "sigma":
            return a[k]
        return a[k] * (1 - a[k])

    out: list[np.ndarray] = [np.empty(0)] * (K + 1)
    residual = (y - a[K]) if (at == K and slip == "sign") else -(y - a[K])
    out[K] = residual * factor(K)
    for k in range(K - 1, 0, -1):
        W = weights[k]
        back = (W.T if (k == at and slip == "transpose") else W) @ out[k + 1]
        out[k] = back * factor(k)
    return out[1:]


def _delta_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's (3, 4, 2) network and random ones with K = 3 and K = 4 layers.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. δᴷ = −(y − f) ⊙ σ′(zᴷ), sigmoid on the output too: every case.
    2. δᵏ = (Wᵏ⁺¹ δᵏ⁺¹) ⊙ σ′(zᵏ) (the sum over j, not Wᵀ): the square (3, 3) layer of the
       (3, 3, 3, 2) network by its values, the others by their shapes.
    3. any K ≥ 1, a list [δ¹, …, δᴷ] first layer first: K = 1, 2, 3, 4.
    4. y of any values (not only 0/1): the random targets in [0, 1].
    5. by hand: torch.autograd raises while the check runs.
    float32 answers are accepted (judged at float32 precision).
    """
    weights, biases, x, y = chapter_delta_network()
    cases = [Case((weights, biases, x, y), "the chapter's network, sizes (3, 4, 2), y = [1, 0]")]
    for sizes in [(3, 3, 3, 2), (2, 5, 4, 4, 1), (4, 3)]:
        weights = [rng.normal(size=(sizes[k], sizes[k + 1])) for k in range(len(sizes) - 1)]
        biases = [rng.normal(scale=0.5, size=n) for n in sizes[1:]]
        x, y = rng.normal(size=sizes[0]), rng.uniform(0, 1, size=sizes[-1])
        cases.append(Case((weights, biases, x, y), f"a random network of sizes {sizes}, y = {np.round(y, 3)}"))
    return cases


def _delta_mistake(got: Any, expected: Any, case: Case) -> str | None:
    if not isinstance(got, (list, tuple)) or len(got) != len(expected):
        return "return the list [δ¹, δ², …, δᴷ], one array per layer with weights, first layer first."
    weights, biases, x, y = case.args
    K = len(expected)
    if all(close(got[i], expected[K - 1 - i]) for i in range(K)):
        return "your list is in backward order: return [δ¹, …, δᴷ], first layer first."
    same = compare_arrays(1e-7, 1e-9)
    k = next((i + 1 for i in range(K - 1, -1, -1) if same(got[i], expected[i]) is not None), None)
    if k is None:
        return None
    g = got[k - 1]
    sup, nxt = _sup(k), _sup(k + 1)
    slips = {
        "sign": "mind the sign: δᴷ = ∂L/∂fᴷ ⊙ g′(zᴷ) = −(y − f) ⊙ g′(zᴷ), since L = ½‖y − f‖².",
        "no_prime": f"did you multiply by g′(z{sup}) = a{sup} ⊙ (1 − a{sup})?",
        "sigma": f"g′(z{sup}) = g(z{sup})(1 − g(z{sup})) = a{sup} ⊙ (1 − a{sup}), not a{sup}.",
        "transpose": (
            f"Σ_j W{nxt}_ℓj δ{nxt}_j sums over the units j of layer {k + 1}: with W{nxt} of shape "
            f"[n{_sub(k)} × n{_sub(k + 1)}] (one row per unit of layer {k}) that is W{nxt} δ{nxt}, "
            f"not (W{nxt})ᵀ δ{nxt}."
        ),
    }
    for slip, hint in slips.items():
        if slip == "sign" and k != K:
            continue
        if close(g, _slipped_deltas(weights, biases, x, y, at=k, slip=slip)[k - 1]):
            return hint
    if k == K:
        return "δᴷ = −(y − f) ⊙ g′(zᴷ) with f = aᴷ the network's output."
    return f"δ{sup} = (W{nxt} δ{nxt}) ⊙ g′(z{sup}): carry the next layer's δ back through its weights."


register(
    Check(
        id="04.deltas",
        function="deltas",
        reference=deltas,
        cases=_delta_cases,
        compare=compare_list(lambda i: f"δ{_sup(i)}", backwards=True, rtol=1e-9, atol=1e-12),
        diagnoses=(_delta_mistake,),
        hint="δᴷ = −(y − f) ⊙ g′(zᴷ), then δᵏ = (Wᵏ⁺¹ δᵏ⁺¹) ⊙ g′(zᵏ) for k = K − 1, …, 1.",
        call=_BY_HAND,
        reference_names=("dlcourse.backprop.delta_backprop", "dlcourse.backprop.MLP", "dlcourse.tensor.Tensor"),
    )
)


# ----------------------------------------------------------------- 04.training_flop
def training_flop(sizes: Sequence[int], batch: int) -> int:
    """Floating-point operations of one training step of a fully connected net: Σₖ 6 B nₖ₋₁ nₖ.

    Forward, H̄ = HW costs 2 B n_in n_out flop (a multiply and an add per term); the backward
    pass does two products of the same size, HᵀḠ and ḠWᵀ (chapter 4, *Why minibatches want
    a GPU*).
    """
    return sum(6 * batch * n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def _flop_cases(rng: np.random.Generator) -> list[Case]:
    """The chapter's image classifier at B = 32 and 256, small nets, and random ones.

    Requirements of the exercise text, and the cases that fail an answer breaking them:

    1. 6 flop per multiply–add of a layer (2 forward, 4 backward): every case.
    2. one term per pair of consecutive layers (n_in, n_out), any depth: 2 to 10 sizes.
    3. proportional to the batch size B: the same net at B = 32 and B = 256, and B = 1.
    """
    wide = (1024,) + (4096,) * 8 + (1000,)
    cases = [Case((wide, 32), "the chapter's classifier (1024, 4096 × 8, 1000) with B = 32"),
             Case((wide, 256), "the same classifier with B = 256"),
             Case(((4, 5, 3, 3), 1), "the chapter's network (4, 5, 3, 3), one sample"),
             Case(((10, 2), 7), "one layer 10 → 2, B = 7")]
    for _ in range(2):
        depth = int(rng.integers(3, 7))
        sizes = tuple(int(v) for v in rng.integers(2, 300, size=depth))
        B = int(rng.integers(2, 129))
        cases.append(Case((sizes, B), f"sizes {sizes}, B = {B}"))
    return cases


def _flop_mistake(got: Any, expected: Any, case: Case) -> str | None:
    sizes, B = case.args
    g = as_float_array(got)
    if g is None or g.shape != ():
        return "return one number, the flop count of one training step."
    pairs = list(zip(sizes[:-1], sizes[1:]))
    macs = sum(a * b for a, b in pairs)
    if close(g, 2 * B * macs):
        return "that is the forward pass alone; the backward pass adds two products of the same size (HᵀḠ and ḠWᵀ): 6 B n_in n_out."
    if close(g, 3 * B * macs):
        return "a multiply–add is 2 flop: each of the three products costs 2 B n_in n_out."
    if close(g, 6 * macs):
        return "every sample of the batch goes through the layer: multiply by B."
    return "sum 6 B n_in n_out over the pairs of consecutive sizes (n_in, n_out)."


register(
    Check(
        id="04.training_flop",
        function="training_flop",
        reference=training_flop,
        cases=_flop_cases,
        compare=compare_arrays(rtol=1e-12, atol=0.0, precision="dtype"),
        diagnoses=(_flop_mistake,),
        hint="per layer 6 B n_in n_out flop: 2 for H̄ = HW, 2 for HᵀḠ, 2 for ḠWᵀ.",
        call=_BY_HAND,
    )
)
