"""Put the kept statements together into one source, with each line's origin.

Kept statements keep the student's own text (comments included), except imports: each top-level
import becomes a ``try`` that binds stand-ins from ``stubs.missing_module`` when it fails, so a
missing plotting or helper module cannot stop the engine from loading. Imports nested in kept
``if``/``try`` blocks are rewritten the same way, unless a ``try`` around them already handles
ImportError. Every other kept statement (docstrings aside) runs inside a ``try`` that records
its error and goes on, so one statement that raises costs only itself. ``from __future__``
imports move to the top, where Python requires them.
"""

from __future__ import annotations
import __future__

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from grader.load.keep import (
    TRY_NODES,
    Decision,
    Selector,
    binds,
    catches_import_error,
    first_line,
    owns_lines,
)
from grader.load.parse import Parsed
from grader.load.stubs import INJECT_AS, SKIP_AS
from grader.load.submission import Origin

ERROR_NAME = "__grader_error__"


@dataclass
class Assembly:
    """The produced source, line by line, and what was kept and dropped on the way."""

    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    future: dict[str, Origin] = field(default_factory=dict)  # __future__ feature -> origin
    dropped: list[tuple[str, Origin]] = field(default_factory=list)  # (kind, origin)
    notes: list[tuple[str, Origin]] = field(default_factory=list)  # (sentence, origin)
    modules: list[str] = field(default_factory=list)  # modules imported at the top level
    classes: dict[str, list[Origin]] = field(default_factory=dict)  # kept class definitions
    torch: list[tuple[str, Origin]] = field(default_factory=list)  # definitions that need torch
    needs: list[tuple[str, str, Origin]] = field(default_factory=list)  # ...that need dropped code
    defined: set[str] = field(default_factory=set)  # names the kept code binds, at the end

    def source(self) -> tuple[str, list[Origin]]:
        """The whole source and its line map, ``from __future__`` imports first."""
        future = [f"from __future__ import {name}" for name in self.future]
        lines = future + self.lines
        text = "".join(line + "\n" for line in lines)
        return text, list(self.future.values()) + self.origins


def assemble(
    parsed: list[Parsed], execute_all: bool, predefined: Iterable[str] = ()
) -> Assembly:
    """Keep the definitions (or, with ``execute_all``, everything) of the parsed units, in order.

    ``predefined`` names count as defined before the first unit (a file loaded after
    another one in the same namespace).
    """
    result = Assembly()
    selector = Selector()
    selector.defined |= set(predefined)
    written = {part.module for part in parsed if part.module}
    later = _definitions(parsed)
    for position, part in enumerate(parsed):
        if part.tree is None:
            continue
        lines = part.text.split("\n")
        cell = part.unit.cell
        body = part.tree.body
        for index, stmt in enumerate(body):
            origin = (cell, stmt.lineno)
            decision = _decide(stmt, selector, execute_all, written)
            if not decision.keep:
                below = _defined_below(decision, later, (position, index))
                if below:
                    decision = replace(decision, kind="order", note=below)
                result.dropped.append((decision.kind, origin))
                if decision.note:
                    result.notes.append((decision.note, origin))
                if decision.kind == "torch":
                    result.torch.append((decision.name, origin))
                elif decision.kind == "def":
                    result.needs.append((decision.name, decision.needs, origin))
            elif isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                _add_future(result, stmt, origin)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                result.modules += _module_names(stmt)
                for line in import_lines(stmt):
                    _add(result, line, origin)
            else:
                block = Assembly()
                if not owns_lines(body, index):  # shares a line with another statement (`;`)
                    segment = ast.get_source_segment(part.text, stmt) or ""
                    for offset, line in enumerate(segment.split("\n")):
                        _add(block, line, (cell, stmt.lineno + offset))
                else:
                    _add_block(block, stmt, lines, cell, decision)
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                    _extend(result, block)  # a docstring: it cannot raise
                else:
                    _add_guarded(result, block, _in_strings(stmt), stmt)
                if isinstance(stmt, ast.ClassDef):
                    result.classes.setdefault(stmt.name, []).append(origin)
            if execute_all and decision.keep:
                selector.defined |= binds(stmt)
    result.defined = set(selector.defined)
    return result


def _definitions(parsed: list[Parsed]) -> dict[str, tuple[tuple[int, int], Origin]]:
    """Where each top-level class or function is first defined: (unit, statement), origin."""
    found: dict[str, tuple[tuple[int, int], Origin]] = {}
    for position, part in enumerate(parsed):
        for index, stmt in enumerate(part.tree.body if part.tree is not None else []):
            if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(stmt.name, ((position, index), (part.unit.cell, stmt.lineno)))
    return found


def _defined_below(
    decision: Decision, later: dict[str, tuple[tuple[int, int], Origin]], here: tuple[int, int]
) -> str:
    """For a definition dropped because it uses names that only definitions further down
    define (``class MLP(Module)`` above ``class Module``), a note that says so."""
    names = re.findall(r"`(\w+)`", decision.needs) if decision.kind == "def" else []
    if not names or not all(name in later and later[name][0] > here for name in names):
        return ""
    where = ", ".join(f"`{name}` ({_line(later[name][1])})" for name in names)
    return (
        f"left out {decision.name}: it uses {where}, defined only further down, so running "
        f"the code top to bottom stops here with a NameError. Define "
        f"{'it' if len(names) == 1 else 'them'} first."
    )


def _line(origin: Origin) -> str:
    cell, line = origin
    return f"cell {cell}" if cell is not None else f"line {line}"


def _add_guarded(result: Assembly, block: Assembly, raw: set[int], stmt: ast.stmt) -> None:
    """Add ``block`` inside a ``try`` that records an error and goes on. Lines inside a
    multi-line string keep their text (``raw``: their indentation does not count anyway)."""
    first = block.origins[0] if block.origins else (None, stmt.lineno)
    last = block.origins[-1] if block.origins else first
    pairs = list(zip(block.lines, block.origins))
    indents = [_indent(line) for (line, (_, number)) in pairs if number not in raw]
    prefix = "\t" if any("\t" in indent for indent in indents) else "    "
    _add(result, "try:", first)
    for line, origin in pairs:
        _add(result, line if origin[1] in raw else prefix + line, origin)
    _add(result, f"except Exception as {ERROR_NAME}:", last)
    _add(result, f"    {SKIP_AS}({ERROR_NAME})", last)


def _in_strings(stmt: ast.stmt) -> set[int]:
    """Lines after the first of each multi-line string in ``stmt``: inside the string, or inside
    brackets or a continued line, where indentation does not count."""
    lines: set[int] = set()
    for node in ast.walk(stmt):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
        if (is_text or isinstance(node, ast.JoinedStr)) and isinstance(node, ast.expr):
            end = node.end_lineno or node.lineno
            lines.update(range(node.lineno + 1, end + 1))
    return lines


def import_lines(stmt: ast.Import | ast.ImportFrom) -> list[str]:
    """``stmt`` as ``try`` statements that bind stand-ins when the import fails."""
    if isinstance(stmt, ast.Import):
        lines = []
        for alias in stmt.names:
            text = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
            lines += _guarded(text, alias.name, [alias.asname or alias.name.split(".")[0]])
        return lines
    module = "." * stmt.level + (stmt.module or "")
    names = [alias.asname or alias.name for alias in stmt.names if alias.name != "*"]
    return _guarded(ast.unparse(stmt), module, names)


def _guarded(statement: str, module: str, names: list[str]) -> list[str]:
    bind = "".join(f"{name} = " for name in names)
    return [
        "try:",
        f"    {statement}",
        f"except Exception as {ERROR_NAME}:",
        f"    {bind}{INJECT_AS}({module!r}, {ERROR_NAME})",
    ]


def _decide(stmt: ast.stmt, selector: Selector, execute_all: bool, written: set[str]) -> Decision:
    if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module in written:
        note = (
            f"left out `from {stmt.module} import ...`: {stmt.module}.py is written by a "
            "%%writefile cell of this notebook, whose code is loaded directly."
        )
        return Decision(False, "other", note)
    if not execute_all:
        return selector.decide(stmt)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        selector.bind_import(stmt)
    return Decision(True)


def _add_future(result: Assembly, stmt: ast.ImportFrom, origin: Origin) -> None:
    for alias in stmt.names:
        if alias.name in __future__.all_feature_names:
            result.future.setdefault(alias.name, origin)
        else:
            note = f"left out `from __future__ import {alias.name}`: Python has no such feature."
            result.notes.append((note, origin))


def _add_block(
    result: Assembly, stmt: ast.stmt, lines: list[str], cell: int | None, decision: Decision
) -> None:
    """Add the lines of ``stmt``, with dropped parts as ``pass`` and imports made safe."""
    edits: dict[int, tuple[int, list[str]]] = {}
    for inner in decision.blanks:
        start, end = first_line(inner), inner.end_lineno or inner.lineno
        edits[start] = (end, [_indent(lines[start - 1]) + "pass"] + [""] * (end - start))
    for siblings, index in _nested_imports([stmt], False, decision.unguarded):
        inner = siblings[index]
        assert isinstance(inner, (ast.Import, ast.ImportFrom))
        start, end = inner.lineno, inner.end_lineno or inner.lineno
        indent = _indent(lines[start - 1])
        if len(indent) == inner.col_offset and owns_lines(siblings, index):
            edits[start] = (end, [indent + line for line in import_lines(inner)])
    number, last = first_line(stmt), stmt.end_lineno or stmt.lineno
    while number <= last:
        if number in edits:
            end, replacement = edits[number]
            for offset, line in enumerate(replacement):
                _add(result, line, (cell, min(number + offset, end)))
            number = end + 1
        else:
            _add(result, lines[number - 1], (cell, number))
            number += 1


def _nested_imports(
    body: list[ast.stmt], guarded: bool, unguarded: set[int]
) -> Iterator[tuple[list[ast.stmt], int]]:
    """Imports inside kept ``if``/``try`` blocks that nothing guards yet: (block, index)."""
    for index, stmt in enumerate(body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if not guarded:
                yield body, index
        elif isinstance(stmt, ast.If):
            yield from _nested_imports(stmt.body, guarded, unguarded)
            yield from _nested_imports(stmt.orelse, guarded, unguarded)
        elif isinstance(stmt, TRY_NODES):
            handlers = stmt.handlers  # type: ignore[attr-defined]
            handled = any(catches_import_error(h) for h in handlers) and id(stmt) not in unguarded
            yield from _nested_imports(stmt.body, guarded or handled, unguarded)  # type: ignore[attr-defined]
            for handler in handlers:
                yield from _nested_imports(handler.body, guarded, unguarded)
            for part in (stmt.orelse, stmt.finalbody):  # type: ignore[attr-defined]
                yield from _nested_imports(part, guarded, unguarded)


def _module_names(stmt: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(stmt, ast.Import):
        return [alias.name.split(".")[0] for alias in stmt.names]
    return [stmt.module.split(".")[0]] if stmt.module and stmt.level == 0 else []


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _extend(result: Assembly, block: Assembly) -> None:
    result.lines += block.lines
    result.origins += block.origins


def _add(result: Assembly, line: str, origin: Origin) -> None:
    result.lines.append(line)
    result.origins.append(origin)
