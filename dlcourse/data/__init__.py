"""Data sets for the chapters: small synthetic sets, and one real set that ships offline.

Synthetic sets (chapters 3–9) are drawn from a seed, so every figure is reproducible:
:func:`moons`, :func:`spirals`, :func:`blobs`, :func:`linear_regression`. The real set is
:func:`digits` — 1,797 handwritten 8×8 digits (UCI, CC BY 4.0; see ``DIGITS.md``) stored
inside the package, so nothing is downloaded at run time. :func:`digits_split` gives the
fixed train/validation/test split of chapter 10 and :func:`digits_loaders` the matching
torch ``DataLoader``\\ s.

Every function returns ``(X, y)`` with ``X`` of shape (n, d) in float64 and ``y`` of
shape (n,) (int64 class labels, or float64 targets for regression).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from dlcourse._extras import require

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from torch.utils.data import DataLoader

__all__ = [
    "moons",
    "spirals",
    "blobs",
    "linear_regression",
    "digits",
    "digits_split",
    "digits_loaders",
    "Split",
]

Array = NDArray[np.float64]
Labels = NDArray[np.int64]


def _rng(seed: int | None) -> np.random.Generator:
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
    return np.random.default_rng(seed)


def _positive(name: str, value: int, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int ≥ {minimum}, got {value!r}")
    return int(value)


def _noise(value: float) -> float:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {value!r}")
    return float(value)


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> tuple[Array, Labels]:
    """Two interleaved half circles, labels 0 and 1, with Gaussian noise of std ``noise``.

    Class 0 lies on (cos t, sin t), class 1 on (1 − cos t, ½ − sin t), t ∈ [0, π].
    """
    n = _positive("n", n, 2)
    rng = _rng(seed)
    n0 = n // 2
    t = rng.uniform(0, np.pi, size=n)
    X = np.where(
        (np.arange(n) < n0)[:, None],
        np.c_[np.cos(t), np.sin(t)],
        np.c_[1 - np.cos(t), 0.5 - np.sin(t)],
    )
    X = X + _noise(noise) * rng.normal(size=X.shape)
    y = (np.arange(n) >= n0).astype(np.int64)
    return X, y


def spirals(n: int = 300, classes: int = 3, noise: float = 0.2, seed: int | None = 0) -> tuple[Array, Labels]:
    """``classes`` interleaved spiral arms (radius r ∈ [0, 1], angle ∝ r plus noise)."""
    n, classes = _positive("n", n, classes), _positive("classes", classes, 2)
    rng = _rng(seed)
    y = np.arange(n) % classes
    r = rng.uniform(0, 1, size=n)
    angle = 4 * r + 2 * np.pi * y / classes + _noise(noise) * rng.normal(size=n)
    return np.c_[r * np.cos(angle), r * np.sin(angle)], y.astype(np.int64)


def blobs(
    n: int = 300, centers: int | Array = 3, std: float = 0.5, seed: int | None = 0
) -> tuple[Array, Labels]:
    """Isotropic Gaussian clusters of std ``std`` around ``centers`` (a count or a (k, d) array)."""
    n = _positive("n", n)
    rng = _rng(seed)
    if isinstance(centers, (int, np.integer)):
        C = rng.uniform(-4, 4, size=(_positive("centers", centers), 2))
    else:
        C = np.asarray(centers, dtype=np.float64)
        if C.ndim != 2 or len(C) == 0:
            raise ValueError(f"centers must be a count or a (k, d) array, got shape {C.shape}")
    y = np.arange(n) % len(C)
    return C[y] + _noise(std) * rng.normal(size=(n, C.shape[1])), y.astype(np.int64)


def linear_regression(
    n: int = 100, w: Array | list[float] = (2.0, -3.4), b: float = 4.2, noise: float = 0.01,
    seed: int | None = 0,
) -> tuple[Array, Array]:
    """Noisy linear data y = Xw + b + ε with X ~ N(0, I) and ε ~ N(0, noise²)."""
    n = _positive("n", n)
    w_arr = np.asarray(w, dtype=np.float64).reshape(-1)
    rng = _rng(seed)
    X = rng.normal(size=(n, w_arr.size))
    return X, X @ w_arr + b + _noise(noise) * rng.normal(size=n)


def digits() -> tuple[Array, Labels]:
    """The 1,797 handwritten digits: X of shape (1797, 64) scaled to [0, 1], y in 0…9."""
    with resources.files(__name__).joinpath("digits.csv.gz").open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",")
    return table[:, :-1] / 16.0, table[:, -1].astype(np.int64)


@dataclass(frozen=True)
class Split:
    """A train/validation/test split: tune on ``val``, report on ``test`` once."""

    X_train: Array
    y_train: Labels
    X_val: Array
    y_val: Labels
    X_test: Array
    y_test: Labels


def digits_split(val: float = 0.2, test: float = 0.2, seed: int = 0) -> Split:
    """A deterministic, stratified split of :func:`digits` (each class split in proportion)."""
    if not (0 < val < 1 and 0 < test < 1 and val + test < 1):
        raise ValueError(f"val and test must be fractions in (0, 1) summing to < 1, got {val}, {test}")
    X, y = digits()
    rng = _rng(seed)
    parts: list[list[int]] = [[], [], []]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_val, n_test = round(val * idx.size), round(test * idx.size)
        parts[1] += idx[:n_val].tolist()
        parts[2] += idx[n_val : n_val + n_test].tolist()
        parts[0] += idx[n_val + n_test :].tolist()
    tr, va, te = (np.sort(np.array(p)) for p in parts)
    return Split(X[tr], y[tr], X[va], y[va], X[te], y[te])


def digits_loaders(
    batch_size: int = 64, seed: int = 0, device: "torch.device | str | None" = None
) -> tuple["DataLoader", "DataLoader", "DataLoader"]:
    """Train, validation and test ``DataLoader``\\ s over :func:`digits_split` (float32).

    The training loader reshuffles every epoch from a generator seeded with ``seed``; the
    others keep their order. With ``device``, the tensors are moved there once, up front
    (the set is 0.5 MB), so batches need no copy.
    """
    torch = require("torch", by="dlcourse.data.digits_loaders")
    from torch.utils.data import DataLoader, TensorDataset

    batch_size = _positive("batch_size", batch_size)
    s = digits_split(seed=seed)

    def dataset(X: Array, y: Labels) -> TensorDataset:
        return TensorDataset(
            torch.as_tensor(X, dtype=torch.float32, device=device),
            torch.as_tensor(y, dtype=torch.int64, device=device),
        )

    g = torch.Generator().manual_seed(seed)
    return (
        DataLoader(dataset(s.X_train, s.y_train), batch_size=batch_size, shuffle=True, generator=g),
        DataLoader(dataset(s.X_val, s.y_val), batch_size=512),
        DataLoader(dataset(s.X_test, s.y_test), batch_size=512),
    )
