"""Test-wide settings: Hypothesis never reads or writes an example database."""

from hypothesis import settings

settings.register_profile("grader-tests", database=None, deadline=None)
settings.load_profile("grader-tests")
