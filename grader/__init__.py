"""micrograd-grader: property-based grading of micrograd-style autograd engines.

Public entry points: ``check(Value)`` in a notebook, ``grade(path)`` for a submission file.
Heavy modules (torch, Hypothesis) are imported on first use, so the sandboxed child, which
imports parts of this package, stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["check", "grade", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("check", "grade"):
        from grader import api

        return getattr(api, name)
    raise AttributeError(name)
