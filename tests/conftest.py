"""Shared test settings: a hypothesis profile that suits a 2-core CI machine, and a
matplotlib backend that needs no display."""

import os

from hypothesis import settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile("dlcourse", max_examples=60, deadline=None)
settings.load_profile("dlcourse")
