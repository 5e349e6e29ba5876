"""Remove IPython-only syntax (magics, shell escapes, help) from a cell, keeping line numbers.

Rules:
- A cell whose first line is ``%%time``, ``%%capture`` or ``%%prun`` keeps its body: IPython runs
  it as ordinary Python in the notebook's namespace. ``%%writefile NAME.py`` (or ``%%file``) keeps
  its body too, as the student's module NAME. Any other cell magic (``%%bash``, ``%%html``,
  ``%%timeit``, whose definitions do not outlive the cell, ...) drops the whole cell.
- A line magic ``%time STATEMENT`` becomes STATEMENT; every other ``%magic``, ``!shell``,
  ``x = !cmd``, ``x = %magic``, ``?name``, ``name?`` and automagic ``pip install`` line is
  removed: blank at the top level, ``pass`` when indented, so blocks stay valid.
- Only lines where a statement starts count: not lines inside brackets or triple-quoted strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})
WRITEFILE_MAGICS = frozenset({"writefile", "file"})

_ASSIGNED = re.compile(r"^[\w.,\s()\[\]*]+?=\s*[%!]")  # x = !ls, a, b = %sx ls
_HELP = re.compile(r"^[\w.*\[\]()]+\?{1,2}$")  # name?, name?? (?name starts with "?")
_AUTOMAGIC = re.compile(r"^(pip|conda|mamba)\s+(install|uninstall)\b")
_TIME = re.compile(r"^%time\s+(\S.*)$")


@dataclass
class Cleaned:
    """A cell with IPython syntax removed; ``text`` has as many lines as the original."""

    text: str
    removed: list[str] = field(default_factory=list)  # the IPython lines, stripped
    cell_magic: str | None = None  # a cell magic whose body is not Python: drop the cell
    module: str | None = None  # the module a %%writefile cell saves (its body is kept)


def clean(text: str) -> Cleaned:
    """``text`` with its IPython syntax replaced by blank or ``pass`` lines."""
    lines = text.split("\n")
    removed: list[str] = []
    module = None
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        header = lines[first].strip()
        name, *args = header[2:].split()
        if name in WRITEFILE_MAGICS and args and args[-1].endswith(".py"):
            module = args[-1].replace("\\", "/").rsplit("/", 1)[-1][:-3]
            lines[first] = ""
            return Cleaned("\n".join(lines), [header], module=module)
        if name not in PYTHON_CELL_MAGICS:
            return Cleaned("", [header], cell_magic=name)
        lines[first] = ""
        removed.append(header)
    scanner = _Scanner()
    continued = False  # the previous IPython line ended with a backslash
    for i, line in enumerate(lines):
        stripped = line.strip()
        if continued:  # the rest of a magic or shell command
            continued = stripped.endswith("\\")
            lines[i] = ""
        elif scanner.at_statement_start() and _is_ipython(stripped):
            continued = stripped.endswith("\\")
            indent = line[: len(line) - len(line.lstrip())]
            timed = _TIME.match(stripped)
            if timed and not continued:
                lines[i] = indent + timed.group(1)
                scanner.feed(lines[i])
            else:
                lines[i] = indent + "pass" if indent else ""
            removed.append(stripped)
        else:
            scanner.feed(line)
    return Cleaned("\n".join(lines), removed, module=module)


def _is_ipython(stripped: str) -> bool:
    if not stripped or stripped.startswith("#"):
        return False
    return (
        stripped[0] in "%!?"
        or bool(_ASSIGNED.match(stripped))
        or bool(_HELP.match(stripped))
        or bool(_AUTOMAGIC.match(stripped))
    )


class _Scanner:
    """Follows brackets, strings and backslash continuations from line to line."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        self.continued = False
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if self.quote is not None:
                if c == "\\":
                    i += 2
                elif line.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                else:
                    i += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                self.quote = line[i : i + 3] if line[i : i + 3] in ("'''", '"""') else c
                i += len(self.quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(0, self.depth - 1)
            elif c == "\\" and not line[i + 1 :].strip():
                self.continued = True
            i += 1
        if self.quote in ("'", '"') and not line.endswith("\\"):
            self.quote = None  # a one-line string cannot run on (that is a syntax error anyway)
