"""Loads the hypothesis profile of the hostile-input suite (see harness.py)."""

from . import harness  # noqa: F401  (registers and loads the profile)
