"""Grading the student's Neuron, Layer and MLP (categories ``mlp.*``).

The child side (probe.py, adapter.py) imports only the standard library and light grader
modules; the parent side (check.py, models.py) is loaded on first use of ``grade_mlp``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.mlp.check import grade_mlp

from grader.config import MLP_WEIGHTS

MLP_CATEGORIES: tuple[str, ...] = tuple(MLP_WEIGHTS)

__all__ = ["MLP_CATEGORIES", "MLP_WEIGHTS", "grade_mlp"]


def __getattr__(name: str) -> Any:
    if name == "grade_mlp":
        from grader.mlp.check import grade_mlp

        return grade_mlp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
