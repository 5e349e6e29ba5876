"""Test-wide settings: Hypothesis reads and writes no example database, and its on-disk
cache (constants its pytest plugin collects) lives in the temp dir, not the working tree."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import configuration, settings

if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    configuration.set_hypothesis_home_dir(
        Path(tempfile.gettempdir()) / "micrograd-grader-hypothesis"
    )

settings.register_profile("grader-tests", database=None, deadline=None)
settings.load_profile("grader-tests")
