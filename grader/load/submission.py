"""A loaded submission: the source the grader runs and a map back to the student's lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from grader.load.implicit import Omission

# Where one line of the produced source came from: (notebook cell, or None for a .py file; line).
Origin = tuple[Optional[int], int]


@dataclass
class Submission:
    """The student's code reduced to what the grader runs, with notes for the report."""

    path: Path
    source: str
    notes: list[str] = field(default_factory=list)
    line_map: list[Origin] = field(default_factory=list, repr=False)
    files: list[tuple[int, str]] = field(default_factory=list)  # (first line, name), 2+ files
    bound: set[str] = field(default_factory=set, repr=False)  # top-level names, kept or not
    supplied: list[Omission] = field(default_factory=list)  # imports the code lacks, supplied

    def append(self, other: Submission, shown: str) -> None:
        """Run ``other`` after this one, in the same namespace (a folder of several files).

        Its ``from __future__`` imports move to the top, where Python requires them.
        """
        if not self.files:
            self.files.append((1, self.path.name))
        lines = other.source.split("\n")
        future = [line for line in lines if line.startswith("from __future__ import")]
        hoisted = [line for line in dict.fromkeys(future) if line not in self.source]
        if hoisted:
            self.source = "\n".join(hoisted) + "\n" + self.source
            self.line_map = [(None, 0)] * len(hoisted) + self.line_map
            self.files = [(first + len(hoisted), name) for first, name in self.files]
        other_source = "\n".join("pass" if line in future else line for line in lines)
        start = len(self.source.split("\n")) + 1
        self.source += "\n" + other_source
        self.line_map += [(None, 0)] * (start - 1 - len(self.line_map)) + other.line_map
        self.files.append((start, shown))
        self.notes += other.notes
        self.bound |= other.bound

    def prelude(self, lines: list[str]) -> None:
        """Run ``lines`` (the grader's, not the student's) first, after ``from __future__``."""
        source = self.source.split("\n")
        at = 0
        while at < len(source) and source[at].startswith("from __future__ import"):
            at += 1
        self.source = "\n".join(source[:at] + lines + source[at:])
        self.line_map = self.line_map[:at] + [(None, 0)] * len(lines) + self.line_map[at:]
        self.files = [(first + (len(lines) if first > at else 0), name)
                      for first, name in self.files]
        if self.files and self.files[0][0] > 1:
            self.files[0] = (1, self.files[0][1])

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
        if self.files:
            name = next(name for first, name in reversed(self.files) if first <= lineno)
            return f"{name}, line {line}"
        return f"line {line}" if cell is None else f"cell {cell}, line {line}"
