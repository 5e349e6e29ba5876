"""The .py files of a folder submission as one program: which of the student's own modules each
import names, and an order that loads every file after the files it imports.

The files share one namespace, as if pasted one after the other, so an import of the student's
own module does not run: ``from engine import Value``, ``from .engine import Value`` and
``from micrograd.engine import Value`` (the student's package was called micrograd) become
``pass``, as ``Value`` is already defined; ``... import Value as V`` becomes ``V = Value``; a
module bound by name (``import engine``, ``from micrograd import nn``) is bound once, before
everything, to a view of the namespace (``stubs.shared_module``).

An import names the student's module when its dotted name is a file of the submission (from the
importing file's folder, from the top of the submission, or from its parent: ``reference.nn``
in a folder called reference), or else when a tail of it is (``micrograd.engine`` -> engine.py,
longest tail first, nearest file first) and its first part is not a library (an installed
package, or torch: ``torch.nn`` is never the student's nn.py). The standard library is never the
student's. So the real micrograd stays blocked when no file of the submission matches.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from grader.load.keep import ORACLE_MODULES, binds, loadable
from grader.load.parse import Parsed

NUMPY = "numpy"
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(sys.builtin_module_names)


@dataclass
class Module:
    """One .py file of the submission (or a folder, for ``import package``)."""

    shown: str  # relative to the submission's folder, as the student knows it
    parts: tuple[str, ...]  # ("micrograd", "engine"); a package's __init__.py: ("micrograd",)
    parsed: Parsed | None = None  # None for a folder without __init__.py

    @property
    def folder(self) -> tuple[str, ...]:
        """The parts of the folder the file is in."""
        if self.parsed is None or self.shown.endswith("__init__.py"):
            return self.parts
        return self.parts[:-1]


@dataclass
class Rewrite:
    """One file's text with its imports of the student's modules made local."""

    text: str
    bound: set[str] = field(default_factory=set)  # names those imports would have bound
    views: set[str] = field(default_factory=set)  # names bound to a whole module of the student
    needs: list[Module] = field(default_factory=list)  # modules imported when the file loads


def module_parts(shown: str) -> tuple[str, ...]:
    """The dotted-name parts of the file ``shown`` (relative, with / between folders)."""
    parts = tuple(shown[: -len(".py")].split("/"))
    return parts[:-1] if parts[-1] == "__init__" else parts


def folders(modules: list[Module]) -> list[Module]:
    """A stand-in module for each folder that holds a file and has no __init__.py."""
    known = {module.parts for module in modules}
    found: dict[tuple[str, ...], Module] = {}
    for module in modules:
        for end in range(1, len(module.folder) + 1):
            parts = module.folder[:end]
            if parts not in known and parts not in found:
                found[parts] = Module("/".join(parts), parts)
    return list(found.values())


def imports_numpy(parsed: Parsed) -> bool:
    """Whether the code imports numpy (a numpy network needs it)."""
    if parsed.tree is None:
        return False
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] == NUMPY for name in names):
            return True
    return False


class Resolver:
    """Finds the student's module that an import names."""

    def __init__(self, modules: list[Module], top: str) -> None:
        """``top``: the name of the submission's folder (``from <top>.engine import Value``)."""
        self.modules = modules + folders(modules)
        self.by_parts = {(top, *module.parts): module for module in self.modules}
        self.by_parts.update({module.parts: module for module in self.modules})
        self.names = tuple(sorted({module.parts[-1] for module in self.modules if module.parts}))
        self._library: dict[str, bool] = {}

    def find(self, importer: Module, name: str, level: int) -> Module | None:
        """The module ``name`` names in ``importer`` (``level`` dots before it), or None."""
        parts = tuple(part for part in name.split(".") if part)
        if level:
            package = importer.folder
            if level - 1 > len(package):
                return None
            base = package[: len(package) - (level - 1)]
            exact = self.by_parts.get(base + parts)
            return exact or (self._tail(importer, parts) if parts else None)
        if not parts or parts[0] in STDLIB:
            return None
        for base in (importer.folder, ()):
            exact = self.by_parts.get(base + parts)
            if exact is not None:
                return exact
        return None if self._is_library(parts[0]) else self._tail(importer, parts)

    def submodule(self, importer: Module, node: ast.ImportFrom, source: Module | None,
                  name: str) -> Module | None:
        """The module ``from <source> import <name>`` binds, if ``name`` is one."""
        if name == "*":
            return None
        if source is not None:
            return self.by_parts.get(source.parts + (name,))
        inner = f"{node.module}.{name}" if node.module else name
        found = self.find(importer, inner, node.level)
        return found if found is not None and found.parts[-1] == name else None

    def _tail(self, importer: Module, parts: tuple[str, ...]) -> Module | None:
        for start in range(len(parts)):
            tail = parts[start:]
            found = [m for m in self.modules if len(m.parts) >= len(tail)
                     and m.parts[len(m.parts) - len(tail):] == tail]
            if found:
                return min(found, key=lambda m: (m.folder != importer.folder, len(m.parts),
                                                 m.parsed is None, m.shown))
        return None

    def _is_library(self, top: str) -> bool:
        if top not in self._library:
            self._library[top] = top in ORACLE_MODULES or loadable(top)
        return self._library[top]


def rewrite(module: Module, text: str, resolver: Resolver) -> Rewrite:
    """``text`` (the file's code, line for line as parsed) with every import of the student's
    own modules replaced, and what those imports bound."""
    assert module.parsed is not None and module.parsed.tree is not None
    result = Rewrite(text)
    loading = {id(node) for node in _load_time(module.parsed.tree.body)}
    edits: list[tuple[ast.stmt, str]] = []
    for node in ast.walk(module.parsed.tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            replacement, needs = _replace(node, module, resolver, result)
            if replacement is not None:
                edits.append((node, replacement))
            if id(node) in loading:
                result.needs += [need for need in needs if need is not module]
    lines = text.split("\n")
    edits.sort(key=lambda edit: (edit[0].lineno, edit[0].col_offset), reverse=True)
    for node, replacement in edits:
        _edit(lines, node, replacement)
    result.text = "\n".join(lines)
    return result


def _replace(
    node: ast.Import | ast.ImportFrom, module: Module, resolver: Resolver, result: Rewrite
) -> tuple[str | None, list[Module]]:
    """The text that replaces ``node`` (None: it stays), and the student's modules it names."""
    kept: list[str] = []  # parts of the statement that import real libraries
    assigned: list[str] = []
    needs: list[Module] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            target = resolver.find(module, alias.name, 0)
            if target is None:
                kept.append(alias.name + (f" as {alias.asname}" if alias.asname else ""))
                continue
            needs.append(target)
            name = alias.asname or alias.name.split(".")[0]
            result.views.add(name)
            result.bound.add(name)
        if len(kept) == len(node.names):
            return None, needs
        statement = f"import {', '.join(kept)}" if kept else ""
    else:
        source = resolver.find(module, node.module or "", node.level)
        prefix = "." * node.level + (node.module or "")
        for alias in node.names:
            name = alias.asname or alias.name
            sub = resolver.submodule(module, node, source, alias.name)
            if sub is not None:
                needs.append(sub)  # `from micrograd import engine`: a module
                result.views.add(name)
                result.bound.add(name)
            elif source is not None:
                needs.append(source)
                if alias.name != "*":
                    result.bound.add(name)
                    if name != alias.name:
                        assigned.append(f"{name} = {alias.name}")
            else:
                kept.append(alias.name + (f" as {alias.asname}" if alias.asname else ""))
        if len(kept) == len(node.names):
            return None, needs
        statement = f"from {prefix} import {', '.join(kept)}" if kept else ""
    pieces = [piece for piece in [statement, *assigned] if piece]
    return "; ".join(pieces) or "pass", needs


def _load_time(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node that runs when the file is loaded: not inside functions."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _edit(lines: list[str], node: ast.stmt, replacement: str) -> None:
    """Replace ``node``'s text in ``lines`` by ``replacement``, keeping the number of lines."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    start = lines[first].encode("utf-8")[: node.col_offset].decode("utf-8", "replace")
    end_col = node.end_col_offset if node.end_col_offset is not None else len(lines[last])
    end = lines[last].encode("utf-8")[end_col:].decode("utf-8", "replace")
    lines[first : last + 1] = [start + replacement + end] + [""] * (last - first)


def top_level_names(parsed: Parsed) -> set[str]:
    """The names the file binds at its top level."""
    if parsed.tree is None:
        return set()
    return set().union(*(binds(stmt) for stmt in parsed.tree.body))


def select(
    modules: list[Module], first: Module | None, needs: dict[str, list[Module]], rivals: set[str]
) -> set[str]:
    """The files to load: every one without an engine (``first``); else the files in the
    engine's folder that define no other engine, then, until nothing changes, the files that
    loaded ones import and the files (not other engines) that import loaded ones."""
    if first is None:
        return {module.shown for module in modules}
    loaded = {m.shown for m in modules if m.folder == first.folder and m.shown not in rivals}
    while True:
        more = {need.shown for shown in loaded for need in needs.get(shown, [])}
        more |= {m.shown for m in modules if m.shown not in rivals
                 and any(need.shown in loaded for need in needs.get(m.shown, []))}
        more &= {module.shown for module in modules}
        if more <= loaded:
            return loaded
        loaded |= more


def load_order(modules: list[Module], first: Module | None,
               needs: dict[str, list[Module]]) -> list[Module]:
    """Every module after the modules it imports when it loads (depth first, ``first`` first,
    then by name); a cycle is broken where it closes, as Python would."""
    order: list[Module] = []
    state: dict[str, str] = {}
    wanted = {module.shown for module in modules}

    def visit(module: Module) -> None:
        if module.shown in state or module.shown not in wanted:
            return
        state[module.shown] = "visiting"
        for need in needs.get(module.shown, []):
            visit(need)
        state[module.shown] = "done"
        order.append(module)

    starts = ([first] if first is not None else []) + sorted(modules, key=lambda m: m.shown)
    for module in starts:
        visit(module)
    return order
