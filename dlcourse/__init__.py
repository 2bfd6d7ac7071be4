"""dlcourse: the companion library of *How neural networks learn*.

Each module serves the chapters that teach it (``calculus`` → chapter 2,
``autodiff`` → chapter 5, ``optim`` → chapters 6–9, …). ``import dlcourse`` is
light: it imports numpy only; torch and matplotlib are imported by the functions
and modules that need them, when they are used.
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch

__version__ = "0.1.0"
__all__ = ["device", "describe", "seed_everything", "__version__"]


def device() -> "torch.device":
    """The best torch device here: CUDA, then Apple's MPS, then the CPU.

    Chapters create tensors with ``device=dlcourse.device()`` so the same cell runs on
    a GPU when there is one and on the CPU otherwise (chapter 1).
    """
    from dlcourse._extras import require

    torch = require("torch", by="dlcourse.device()")

    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe() -> str:
    """One line on the hardware the chapters will use, e.g. for the top of a notebook.

    "cuda: NVIDIA H100 (79.1 GiB), torch 2.13.0" or "cpu: 2 threads, torch 2.13.0".
    """
    from dlcourse._extras import require

    torch = require("torch", by="dlcourse.describe()")

    dev = device()
    if dev.type == "cuda":
        props = torch.cuda.get_device_properties(dev)
        what = f"{props.name} ({props.total_memory / 2**30:.1f} GiB)"
    elif dev.type == "mps":
        what = "Apple GPU (Metal)"
    else:
        what = f"{torch.get_num_threads()} threads"
    return f"{dev.type}: {what}, torch {torch.__version__.split('+')[0]}"


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and (when installed) torch's random generators.

    Every notebook of the course calls this first, so its outputs are reproducible.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import torch
    except ImportError:  # torch is optional for the numpy-only chapters
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
