"""Stage 1: load a submission (.py, notebook or folder) into the source the sandbox runs.

Imports only the standard library (nbformat is imported when a notebook is read), so the
sandboxed child can import ``grader.load.stubs`` cheaply.
"""

from __future__ import annotations

from grader.load.errors import LoadError
from grader.load.loader import load_submission
from grader.load.submission import Submission

__all__ = ["LoadError", "Submission", "load_submission"]
