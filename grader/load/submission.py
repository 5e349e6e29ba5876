"""A loaded submission: the source the grader runs and a map back to the student's lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

# Where one line of the produced source came from: (notebook cell, or None for a .py file; line).
Origin = tuple[Optional[int], int]


@dataclass
class Submission:
    """The student's code reduced to what the grader runs, with notes for the report."""

    path: Path
    source: str
    notes: list[str] = field(default_factory=list)
    line_map: list[Origin] = field(default_factory=list, repr=False)

    def origin(self, lineno: int) -> Origin | None:
        """The (cell, line) that line ``lineno`` of ``source`` came from, if known."""
        if 1 <= lineno <= len(self.line_map):
            return self.line_map[lineno - 1]
        return None

    def locate(self, lineno: int) -> str:
        """Where line ``lineno`` of ``source`` is in the student's file: "cell 4, line 12"."""
        found = self.origin(lineno)
        if found is None:
            return f"line {lineno}"
        cell, line = found
        return f"line {line}" if cell is None else f"cell {cell}, line {line}"
