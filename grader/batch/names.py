"""Which entries of a class folder are submissions, and a unique report name for each."""

from __future__ import annotations

import re
from pathlib import Path

_SUFFIXES = (".py", ".ipynb")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def submissions(folder: Path) -> list[Path]:
    """Every entry of ``folder`` but hidden ones (``.git``, ``.DS_Store``), sorted by name.

    Anything else is a student's submission, even a file the grader cannot read: that
    student then gets a report saying why, rather than no report at all.
    """
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def report_names(entries: list[Path]) -> dict[Path, str]:
    """A file-name stem for each entry's report, unique in the class (case-insensitively).

    The name is the entry's name without ``.py`` or ``.ipynb`` (a folder keeps its whole
    name, so ``carol.v2/`` is ``carol.v2``), made safe for a file name; a name already
    taken gets ``-2``, ``-3``, ... in the entries' order.
    """
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for entry in entries:
        base = entry.name
        if entry.suffix in _SUFFIXES and not entry.is_dir():
            base = base[: -len(entry.suffix)]
        base = _UNSAFE.sub("_", base).strip("._") or "submission"
        name, k = base, 1
        while name.lower() in taken or name.lower() in _RESERVED:
            k += 1
            name = f"{base}-{k}"
        taken.add(name.lower())
        names[entry] = name
    return names


_RESERVED = {"summary", "class_report"}  # the batch's own outputs
