"""Shared test settings: a hypothesis profile that suits a 2-core CI machine."""

from hypothesis import settings

settings.register_profile("dlcourse", max_examples=60, deadline=None)
settings.load_profile("dlcourse")
