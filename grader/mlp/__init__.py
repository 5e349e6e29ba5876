"""Grading the student's Neuron, Layer and MLP (categories ``mlp.*``).

The child side (find.py: find, build and walk the network; probe.py: the requests it answers;
corrected.py: the grader's stand-ins for the engine's failed parts) imports only the standard
library and light grader modules. The parent side (check.py; checks.py and train.py: the
verdicts; schema.py: every answer checked before use; layouts.py: where the weights sit;
models.py: predictions and torch) is loaded on first use of ``grade_mlp``.
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
