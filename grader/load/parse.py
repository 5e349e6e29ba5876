"""Parse each unit of code, removing IPython syntax only where plain Python fails."""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

from grader.load.magics import clean
from grader.load.sources import Unit

_BINDS = re.compile(r"^(?:async\s+def|def|class)\s+(\w+)|^(?:import|from\s+\S+\s+import)\s+(.+)$")


@dataclass
class Parsed:
    """A unit of code and its syntax tree (None for a non-Python cell or a syntax error)."""

    unit: Unit
    text: str  # the code with IPython syntax removed, line for line as in unit.text
    tree: ast.Module | None
    error: SyntaxError | None = None
    ipython: list[str] = field(default_factory=list)  # the IPython lines removed
    cell_magic: str | None = None  # the cell magic that makes the whole cell not Python
    module: str | None = None  # the module a %%writefile cell saves


def parse_unit(unit: Unit) -> Parsed:
    """Parse ``unit`` as Python; if that fails, again without its IPython syntax."""
    tree, _ = _parse(unit.text)
    if tree is not None:
        return Parsed(unit, unit.text, tree)
    cleaned = clean(unit.text)
    if cleaned.cell_magic is not None:
        return Parsed(unit, "", None, ipython=cleaned.removed, cell_magic=cleaned.cell_magic)
    tree, error = _parse(cleaned.text)
    return Parsed(unit, cleaned.text, tree, error, cleaned.removed, module=cleaned.module)


def defines(text: str) -> set[str] | None:
    """Names that unparseable ``text`` defines or imports at the top level (None: cannot tell)."""
    names: set[str] = set()
    for line in text.split("\n"):
        match = _BINDS.match(line)
        if match is None:
            continue
        if match.group(1):
            names.add(match.group(1))
            continue
        imported = match.group(2).split("#")[0].strip()
        if imported.endswith("\\") or imported.count("(") != imported.count(")"):
            return None  # continues on the next line: cannot tell
        for part in imported.strip("()").split(","):
            words = part.split()
            if not words:
                continue
            if words[0] == "*":
                return None
            name = words[-1] if len(words) == 3 and words[1] == "as" else words[0]
            if not name.replace(".", "").replace("_", "").isalnum():
                return None
            names.add(name.split(".")[0])
    return names


def _parse(text: str) -> tuple[ast.Module | None, SyntaxError | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: invalid escape sequence, ...
            return ast.parse(text), None
    except SyntaxError as exc:
        return None, exc
    except ValueError as exc:  # null bytes, before Python 3.12
        return None, SyntaxError(str(exc))
    except (RecursionError, MemoryError):
        return None, SyntaxError("the code is nested too deeply for Python to read it")
