"""Backpropagation written out by hand, in numpy (chapters 3 and 4).

Conventions (the book's): a sample is a row vector x; a layer computes the
pre-activation h̄ = xW + b and the activation h = σ(h̄), with W of shape
[n_in × n_out] and b of shape [n_out]. A minibatch X stacks B samples as rows,
so every formula below holds unchanged with X in place of x. The network's last
layer is linear: its output h̄ᴷ are the logits, p = softmax(h̄ᴷ) the predicted
class probabilities, and the loss is the softmax cross-entropy averaged over the
batch, l = (1/B) Σᵢ −log p_{i, yᵢ}.

Everything here is float64 numpy (float32 inputs stay float32 in the elementwise
functions); ``dlcourse.tensor`` does the same job automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ACTIVATIONS",
    "sigmoid",
    "relu",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "softmax_cross_entropy_grad",
    "sigmoid_layer_jacobian",
    "MLP",
    "delta_backprop",
]

Array = NDArray[np.floating]


# ----------------------------------------------------------------------------- checks
def _real_array(x: ArrayLike, name: str, *, finite: bool = True) -> Array:
    """``x`` as a float array (float32 and float64 kept, other numbers → float64).

    Raises TypeError for data that are not real numbers and, when ``finite``,
    ValueError for NaN or inf.
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _check_labels(y: ArrayLike, n_rows: int, n_classes: int) -> NDArray[np.integer]:
    """Integer class labels, shape (n_rows,), each in [0, n_classes)."""
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels y must be integers, got dtype {labels.dtype}")
    if labels.shape != (n_rows,):
        raise ValueError(
            f"labels y must have shape ({n_rows},), one per row of the logits, "
            f"got shape {labels.shape}"
        )
    bad = labels[(labels < 0) | (labels >= n_classes)]
    if bad.size:
        raise ValueError(f"labels y must lie in [0, {n_classes}), got {bad[0]}")
    return labels


def _logits_and_labels(logits: ArrayLike, y: ArrayLike) -> tuple[Array, NDArray[np.integer]]:
    """Logits as a (B, C) array (one sample of shape (C,) becomes B = 1) and labels."""
    z = _real_array(logits, "logits")
    if z.ndim == 1:
        z = z[None, :]
        y = np.reshape(np.asarray(y), (-1,))
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"logits must have shape (C,) or (B, C) with B, C ≥ 1, got {z.shape}")
    return z, _check_labels(y, z.shape[0], z.shape[1])


# ------------------------------------------------------------------------ activations
def sigmoid(x: ArrayLike) -> Array:
    """The logistic function σ(x) = 1 / (1 + e⁻ˣ), elementwise (chapter 4).

    Computed without overflow: with e = exp(−|x|), σ(x) = 1/(1 + e) for x ≥ 0 and
    e/(1 + e) for x < 0. Its derivative is σ′(x) = σ(x)(1 − σ(x)).
    """
    x = _real_array(x, "x", finite=False)
    if np.isnan(x).any():
        raise ValueError("x contains NaN")
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def relu(x: ArrayLike) -> Array:
    """The rectifier relu(x) = max(0, x), elementwise; relu′(x) = 1 if x > 0 else 0 (chapter 4)."""
    x = _real_array(x, "x", finite=False)
    if np.isnan(x).any():
        raise ValueError("x contains NaN")
    return np.maximum(x, 0.0)


def _tanh(x: Array) -> Array:
    return np.tanh(x)


def _identity(x: Array) -> Array:
    return x


#: The activations σ the explicit networks accept: name → (σ, σ′), where σ′ is
#: written in terms of the pre-activation h̄ and the activation h = σ(h̄).
ACTIVATIONS: dict[str, tuple[Callable[[Array], Array], Callable[[Array, Array], Array]]] = {
    "sigmoid": (sigmoid, lambda hbar, h: h * (1.0 - h)),
    "relu": (relu, lambda hbar, h: (hbar > 0).astype(hbar.dtype)),
    "tanh": (_tanh, lambda hbar, h: 1.0 - h * h),
    "identity": (_identity, lambda hbar, h: np.ones_like(hbar)),
}


def _check_activation(name: object, what: str = "activation") -> str:
    if name not in ACTIVATIONS:
        allowed = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"unknown {what} {name!r}; allowed: {allowed}")
    return str(name)


# -------------------------------------------------------------- softmax and the loss
def softmax(x: ArrayLike) -> Array:
    """p = softmax(h), p_j = exp(h_j) / Σ_m exp(h_m), along the last axis (chapter 3).

    Stable: the row maximum is subtracted first (softmax(h) = softmax(h − c)), so
    no exponent exceeds 0 and nothing overflows.
    """
    h = _real_array(x, "x")
    if h.ndim == 0:
        raise ValueError("softmax needs at least one axis, got a scalar")
    e = np.exp(h - h.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: ArrayLike) -> Array:
    """log p_j = h_j − log Σ_m exp(h_m), along the last axis (chapter 3).

    The log-sum-exp is taken after subtracting the row maximum c:
    log Σ exp(h_m) = c + log Σ exp(h_m − c).
    """
    h = _real_array(x, "x")
    if h.ndim == 0:
        raise ValueError("log_softmax needs at least one axis, got a scalar")
    z = h - h.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def cross_entropy(logits: ArrayLike, y: ArrayLike) -> float:
    """Softmax cross-entropy averaged over the batch (chapter 3).

    l = (1/B) Σᵢ −log softmax(h̄ᵢ)_{yᵢ} = (1/B) Σᵢ (log Σ_m exp(h̄_{i,m}) − h̄_{i,yᵢ}),

    for ``logits`` h̄ of shape (B, C) and integer labels ``y`` of shape (B,); one
    sample may be given as logits of shape (C,) and an int label. Computed with the
    stable log-sum-exp, so logits like 1000 give exact answers, not inf.
    """
    z, labels = _logits_and_labels(logits, y)
    logp = log_softmax(z)
    return float(-logp[np.arange(z.shape[0]), labels].mean())


def softmax_cross_entropy_grad(logits: ArrayLike, y: ArrayLike) -> Array:
    """∂l/∂h̄ of :func:`cross_entropy`: (p − 1_y)/B, row by row (chapters 3 and 4).

    p = softmax(h̄) and 1_y is the one-hot vector of the label; for one sample
    (logits of shape (C,), B = 1) this is the lecture's p − 1_y. The result has
    the shape of ``logits``.
    """
    z, labels = _logits_and_labels(logits, y)
    g = softmax(z)
    g[np.arange(z.shape[0]), labels] -= 1.0
    g /= z.shape[0]
    return g.reshape(np.shape(logits))


# ------------------------------------------------------------------- one layer's Jacobian
def sigmoid_layer_jacobian(x: ArrayLike, W: ArrayLike, b: ArrayLike) -> Array:
    """The Jacobian ∂h/∂x = diag(h ⊙ (1 − h)) Wᵀ of a sigmoid layer (chapter 4).

    h = σ(xW + b) for one sample x of shape (n,) or (1, n), W of shape (n, m) and
    b of shape (m,) or (1, m); the result has shape (m, n): row j is ∂h_j/∂x.
    It is diag(σ′(h̄)) Wᵀ with σ′ = σ(1 − σ).
    """
    xv, Wm, bv = _real_array(x, "x"), _real_array(W, "W"), _real_array(b, "b")
    if Wm.ndim != 2:
        raise ValueError(f"W must be a matrix (n, m), got shape {Wm.shape}")
    n, m = Wm.shape
    if xv.shape not in ((n,), (1, n)):
        raise ValueError(
            f"x must have shape ({n},) or (1, {n}) to match W {Wm.shape}, got {xv.shape}"
        )
    if bv.shape not in ((m,), (1, m)):
        raise ValueError(
            f"b must have shape ({m},) or (1, {m}) to match W {Wm.shape}, got {bv.shape}"
        )
    h = sigmoid(xv.reshape(n) @ Wm + bv.reshape(m))
    return np.diag(h * (1.0 - h)) @ Wm.T


# ------------------------------------------------------------------------ the network
class MLP:
    """A fully connected network with explicit forward and backward passes (chapter 4).

    ``sizes = (n₀, n₁, …, n_K)`` gives K layers with parameters W¹…Wᴷ (Wᵏ of shape
    [n_{k−1} × n_k]) and b¹…bᴷ (shape [n_k]), kept in ``params`` under the names
    ``"W1", "b1", …``. The forward pass on a minibatch X (B × n₀) is

        h⁰ = X,  h̄ᵏ = hᵏ⁻¹ Wᵏ + bᵏ,  hᵏ = σ(h̄ᵏ) for k < K,  p = softmax(h̄ᴷ),

    with σ the hidden ``activation``; the loss is the batch-mean softmax
    cross-entropy. Weights start as N(0, 1/n_{k−1}) draws from
    ``numpy.random.default_rng(seed)``, biases at 0.

    Example (one SGD step)::

        net = MLP((2, 8, 3), activation="relu", seed=0)
        loss = net.loss(X, y)           # forward pass, keeps the cache
        grads = net.backward(y)         # {"W1", "b1", "W2", "b2", "x"}
        for name, value in net.params.items():
            value -= 0.1 * grads[name]
    """

    def __init__(self, sizes: Sequence[int], activation: str = "sigmoid", seed: int = 0) -> None:
        sizes = tuple(sizes)
        if len(sizes) < 2 or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in sizes
        ):
            raise ValueError(f"sizes must be at least two positive ints (n0, ..., nK), got {sizes}")
        self.sizes = sizes
        self.activation = _check_activation(activation)
        rng = np.random.default_rng(seed)
        self.params: dict[str, Array] = {}
        for k in range(1, len(sizes)):
            n_in, n_out = sizes[k - 1], sizes[k]
            self.params[f"W{k}"] = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))
            self.params[f"b{k}"] = np.zeros(n_out)
        #: The forward pass's values: "h0" = X, "hbar1", "h1", …, "hbarK" (the logits), "p".
        self.cache: dict[str, Array] = {}

    @property
    def depth(self) -> int:
        """K, the number of layers with weights."""
        return len(self.sizes) - 1

    def forward(self, X: ArrayLike) -> Array:
        """Run the forward pass on X (B × n₀), cache h⁰, h̄ᵏ, hᵏ and p; return the logits h̄ᴷ.

        The probabilities p = softmax(h̄ᴷ) are in ``cache["p"]``.
        """
        h = _real_array(X, "X").astype(np.float64, copy=False)
        if h.ndim != 2:
            raise ValueError(f"X must be a minibatch of shape (B, n0), got shape {h.shape}")
        sigma = ACTIVATIONS[self.activation][0]
        cache = {"h0": h}
        K = self.depth
        for k in range(1, K + 1):
            W, b = self.params[f"W{k}"], self.params[f"b{k}"]
            if W.ndim != 2 or W.shape[0] != h.shape[1]:
                what = "X" if k == 1 else f"h{k - 1}"
                raise ValueError(
                    f"{what} has shape {h.shape} but W{k} has shape {W.shape}: "
                    f"its rows must equal the {h.shape[1]} columns of {what}"
                )
            if b.shape != (W.shape[1],):
                raise ValueError(
                    f"b{k} must have shape ({W.shape[1]},) to match W{k} {W.shape}, "
                    f"got {b.shape}"
                )
            hbar = h @ W + b
            cache[f"hbar{k}"] = hbar
            if k < K:
                h = sigma(hbar)
                cache[f"h{k}"] = h
        cache["p"] = softmax(cache[f"hbar{K}"])
        self.cache = cache
        return cache[f"hbar{K}"]

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """The forward pass, then l = (1/B) Σᵢ −log p_{i, yᵢ} (the cache stays for backward)."""
        return cross_entropy(self.forward(X), y)

    def backward(self, y: ArrayLike) -> dict[str, Array]:
        """Gradients of the batch-mean cross-entropy from the cached forward pass.

        Starts from ḡᴷ = ∂l/∂h̄ᴷ = (p − 1_y)/B and runs :meth:`backprop`; returns
        ``{"W1", "b1", …, "WK", "bK", "x"}`` where "x" is ∂l/∂X (the chapter's exercise).
        """
        if not self.cache:
            raise ValueError("call forward(X) (or loss(X, y)) before backward(y)")
        return self.backprop(softmax_cross_entropy_grad(self.cache[f"hbar{self.depth}"], y))

    def backprop(self, gbar: ArrayLike) -> dict[str, Array]:
        """Carry ḡᴷ = ∂l/∂h̄ᴷ back through the cached layers, the matrix form (chapter 4).

        For k = K, …, 1:

            ∂l/∂Wᵏ = (hᵏ⁻¹)ᵀ ḡᵏ,   ∂l/∂bᵏ = Σ_batch ḡᵏ,
            gᵏ⁻¹ = ḡᵏ (Wᵏ)ᵀ,      ḡᵏ⁻¹ = gᵏ⁻¹ ⊙ σ′(h̄ᵏ⁻¹),

        and ∂l/∂x = g⁰. Any loss of the logits can be used by passing its ḡᴷ.
        """
        if not self.cache:
            raise ValueError("call forward(X) before backprop(gbar)")
        K = self.depth
        g_bar = _real_array(gbar, "gbar").astype(np.float64, copy=False)
        expected = self.cache[f"hbar{K}"].shape
        if g_bar.shape != expected:
            raise ValueError(f"gbar must have the logits' shape {expected}, got {g_bar.shape}")
        sigma_prime = ACTIVATIONS[self.activation][1]
        grads: dict[str, Array] = {}
        for k in range(K, 0, -1):
            h_prev = self.cache[f"h{k - 1}"]
            grads[f"W{k}"] = h_prev.T @ g_bar
            grads[f"b{k}"] = g_bar.sum(axis=0)
            g = g_bar @ self.params[f"W{k}"].T
            if k > 1:
                g_bar = g * sigma_prime(self.cache[f"hbar{k - 1}"], h_prev)
        grads["x"] = g
        return {name: grads[name] for name in (*self.params, "x")}


# ------------------------------------------------------------------------ the δ form
def delta_backprop(
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike],
    activation: str,
    x: ArrayLike,
    y: ArrayLike,
    *,
    output_activation: str | None = None,
) -> dict[str, Array]:
    """Backpropagation in its δ form, sample by sample, for the squared loss (chapter 4).

    The network is aᵏ = g(zᵏ), zᵏ = aᵏ⁻¹Wᵏ + bᵏ, a⁰ = x, f = aᴷ, with g the
    ``activation`` in the hidden layers and ``output_activation`` (default: the
    same) in the last; the loss of a sample is L = ½‖y − f‖². With δᵏ_ℓ = ∂L/∂zᵏ_ℓ:

        δᴷ_ℓ = ∂L/∂aᴷ_ℓ · g′(zᴷ_ℓ) = −(y_ℓ − f_ℓ) g′(zᴷ_ℓ),
        δᵏ⁻¹_ℓ = (Σ_j Wᵏ_ℓj δᵏ_j) · g′(zᵏ⁻¹_ℓ),
        ∂L/∂Wᵏ_jℓ = aᵏ⁻¹_j δᵏ_ℓ,   ∂L/∂bᵏ_ℓ = δᵏ_ℓ,   ∂L/∂x_j = Σ_ℓ W¹_jℓ δ¹_ℓ.

    This is Algorithm 18.1 of Efron & Hastie's *Computer Age Statistical Inference*
    in the book's row-vector convention; δᵏ is the ḡᵏ of :meth:`MLP.backprop`.
    ``x`` is one sample (n₀,) with target ``y`` (n_K,), or a batch (B, n₀) with
    targets (B, n_K); for a batch the loss is the mean (1/B) Σᵢ ½‖yᵢ − f(xᵢ)‖².
    Returns ``{"W1", "b1", …, "x"}``, with "x" shaped like ``x``.
    """
    hidden = _check_activation(activation)
    output = _check_activation(hidden if output_activation is None else output_activation,
                               "output_activation")
    Ws = [_real_array(W, f"W{k}").astype(np.float64, copy=False) for k, W in enumerate(weights, 1)]
    bs = [_real_array(b, f"b{k}").astype(np.float64, copy=False) for k, b in enumerate(biases, 1)]
    if not Ws or len(Ws) != len(bs):
        raise ValueError(
            f"need as many biases as weights (at least one), got {len(Ws)} and {len(bs)}"
        )
    for k, (W, b) in enumerate(zip(Ws, bs), 1):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"W{k} must be a matrix and b{k} of shape (W{k} columns,), "
                             f"got {W.shape} and {b.shape}")
        if k > 1 and W.shape[0] != Ws[k - 2].shape[1]:
            raise ValueError(f"W{k} has shape {W.shape} but W{k - 1} has {Ws[k - 2].shape}: "
                             f"rows of W{k} must equal columns of W{k - 1}")
    xs = _real_array(x, "x").astype(np.float64, copy=False)
    ys = _real_array(y, "y").astype(np.float64, copy=False)
    n_in, n_out = Ws[0].shape[0], Ws[-1].shape[1]
    X = xs.reshape(1, -1) if xs.ndim == 1 else xs
    Y = ys.reshape(1, -1) if ys.ndim == 1 else ys
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"x has shape {xs.shape} but W1 has shape {Ws[0].shape}: "
                         f"need ({n_in},) or (B, {n_in})")
    if Y.shape != (X.shape[0], n_out) or ys.ndim != xs.ndim:
        raise ValueError(f"y must have shape {(n_out,) if xs.ndim == 1 else (X.shape[0], n_out)} "
                         f"for x of shape {xs.shape} and W{len(Ws)} of shape {Ws[-1].shape}, "
                         f"got {ys.shape}")

    K, B = len(Ws), X.shape[0]
    g = [ACTIVATIONS[hidden]] * (K - 1) + [ACTIVATIONS[output]]  # g[k - 1] acts in layer k
    dW = [np.zeros_like(W) for W in Ws]
    db = [np.zeros_like(b) for b in bs]
    dx = np.zeros_like(X)
    for i in range(B):
        a, z = [X[i]], [X[i]]  # a⁰ = x; z⁰ is never used
        for k in range(1, K + 1):
            z.append(a[k - 1] @ Ws[k - 1] + bs[k - 1])
            a.append(g[k - 1][0](z[k]))
        delta = -(Y[i] - a[K]) * g[K - 1][1](z[K], a[K])
        for k in range(K, 0, -1):
            dW[k - 1] += np.outer(a[k - 1], delta) / B
            db[k - 1] += delta / B
            back = Ws[k - 1] @ delta  # Σ_j Wᵏ_ℓj δᵏ_j
            if k > 1:
                delta = back * g[k - 2][1](z[k - 1], a[k - 1])
        dx[i] = back / B
    grads: dict[str, Array] = {}
    for k in range(1, K + 1):
        grads[f"W{k}"], grads[f"b{k}"] = dW[k - 1], db[k - 1]
    grads["x"] = dx.reshape(xs.shape)
    return grads
