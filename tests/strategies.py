"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

#: Moderate floats: no NaN/inf and no magnitudes where float64 rounding would dominate.
reals = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, allow_infinity=False)
coefficients = st.lists(reals, min_size=1, max_size=5)


def vectors(n_min: int = 1, n_max: int = 4) -> st.SearchStrategy[np.ndarray]:
    """1-D float64 arrays of moderate entries."""
    return st.integers(n_min, n_max).flatmap(
        lambda n: st.lists(reals, min_size=n, max_size=n).map(lambda v: np.array(v, dtype=np.float64))
    )
