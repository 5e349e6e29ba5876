"""Names the code reads that nothing in it binds, and what stands in for them while grading.

Both kinds are supplied before the submission runs (``Submission.prelude``):

- The usual name of a module the grading environment has (``random``, ``math``, ``np`` for
  numpy, ...), read only as a module (``random.uniform(...)``) and imported nowhere: the import
  is supplied, so everything is graded as if it were there, and the omission is recorded as an
  ``Omission``, charged once (to ``api``, by ``grader.api``) with a note naming the file, the
  name and the line to add.
- In a notebook, the names an IPython kernel binds at the top level (``__builtin__``,
  ``display``, ``get_ipython``, ``In``, ``Out``, ...): supplied, and not charged. In a notebook,
  as in a script, ``__builtins__`` is the builtins module (``exec`` leaves the builtins' dict
  there), so it is supplied as the module when the code reads an attribute of it.

A name that some statement of the student's code binds, even one the loader left out, is
never supplied: it is not a missing import.
"""

from __future__ import annotations

import ast
import builtins
import symtable
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass

from grader.load.keep import binds, loadable
from grader.load.stubs import IPYTHON_AS
from grader.load.submission import Submission

# The usual aliases of modules that are not standard (standard modules go by their own name).
ALIASES = {
    "np": "numpy",
    "plt": "matplotlib.pyplot",
    "pd": "pandas",
    "mpl": "matplotlib",
    "sns": "seaborn",
    "nx": "networkx",
}
# What an IPython kernel binds in the user's namespace, besides the builtins.
IPYTHON_NAMES = ("__builtin__", "display", "get_ipython", "In", "Out", "_ih", "_oh", "_dh")
_MODULE_NAMES = frozenset(vars(types.ModuleType("m"))) | {"__file__", "__builtins__",
                                                          "__annotations__", "__cached__"}
_BUILTINS = frozenset(dir(builtins))
_GRADER = "__grader_"
_UNLOADABLE = frozenset({"this", "antigravity", "__main__", "__phello__"})


@dataclass(frozen=True)
class Omission:
    """A module the code uses without importing it: which name, where, and the line to add."""

    name: str
    statement: str  # import numpy as np
    where: str  # nn.py, line 4 / cell 3, line 2
    file: str  # the file (or notebook) the line to add goes in
    notebook: bool

    def sentence(self) -> str:
        """The omission in plain words, with what to do."""
        place = "the first cell of your notebook" if self.notebook else f"the top of {self.file}"
        return (
            f"Your code uses `{self.name}` ({self.where}) but never imports it, so that line "
            f"stops with a NameError when it runs. Add `{self.statement}` to {place}."
        )


def module_bound(trees: Iterable[ast.Module]) -> set[str]:
    """The names that statements of ``trees`` bind at the top level, kept or not (``global``
    declarations inside functions included)."""
    found: set[str] = set()
    for tree in trees:
        for stmt in tree.body:
            found |= binds(stmt)
        found |= {n for node in ast.walk(tree) if isinstance(node, ast.Global) for n in node.names}
    return found


def supply(submission: Submission, notebook: bool) -> None:
    """Supply the imports the kept code lacks and, in a notebook, IPython's names; record the
    omissions on ``submission``."""
    try:
        tree = ast.parse(submission.source)
        table = symtable.symtable(submission.source, "<submission>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    free = _free_globals(table) - submission.bound
    starred = _star_imports(tree)  # may bind any name: supplied, never charged
    uses = _uses(tree)
    prelude: list[str] = []
    omissions: list[Omission] = []
    for name in sorted(free):
        lines = uses.get(name)
        if not lines:
            continue
        as_module = all(attribute for _, attribute in lines)
        if notebook and name in IPYTHON_NAMES:
            prelude.append(
                "import builtins as __builtin__" if name == "__builtin__"
                else f"{name} = {IPYTHON_AS}({name!r})"
            )
        elif name == "__builtins__":
            if as_module:
                prelude.append("import builtins as __builtins__")
        elif as_module:
            statement = _import_for(name)
            if statement is not None:  # a module that fails to import leaves the name unbound
                prelude += ["try:", f"    {statement}", "except Exception:", "    pass"]
                first = min(line for line, _ in lines)
                if not starred:
                    omissions.append(_omission(submission, name, statement, first, notebook))
    if prelude:
        submission.prelude(prelude)
        submission.supplied = omissions


def _free_globals(table: symtable.SymbolTable) -> set[str]:
    """Names some scope looks up as globals, which no module-level statement binds."""
    module_level: set[str] = set()
    read: set[str] = set()
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            module_level.add(symbol.get_name())
        elif symbol.is_referenced():
            read.add(symbol.get_name())
    stack = list(table.get_children())
    while stack:
        scope = stack.pop()
        stack += scope.get_children()
        for symbol in scope.get_symbols():
            if symbol.is_declared_global() and symbol.is_assigned():
                module_level.add(symbol.get_name())
            elif symbol.is_global() and symbol.is_referenced():
                read.add(symbol.get_name())
    names = read - module_level - _BUILTINS - (_MODULE_NAMES - {"__builtins__"})
    return {name for name in names if not name.startswith(_GRADER)}


def _star_imports(tree: ast.Module) -> bool:
    """Whether the code has a ``from module import *`` of a module the grading environment
    has (``from pylab import *`` binds ``np``)."""
    return any(
        isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None
        and any(alias.name == "*" for alias in node.names) and loadable(node.module)
        for node in ast.walk(tree)
    )


def _uses(tree: ast.Module) -> dict[str, list[tuple[int, bool]]]:
    """Every read of a plain name: its line, and whether it is read as ``name.attribute``."""
    bases = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }
    found: dict[str, list[tuple[int, bool]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.setdefault(node.id, []).append((node.lineno, id(node) in bases))
    return found


def _import_for(name: str) -> str | None:
    """The import that binds ``name`` as the usual module, if the grading environment has it."""
    if name in ALIASES:
        module = ALIASES[name]
        return f"import {module} as {name}" if loadable(module) else None
    standard: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    if name.startswith("_") or name in _UNLOADABLE or name not in standard:
        return None
    return f"import {name}" if loadable(name) else None


def _omission(
    submission: Submission, name: str, statement: str, lineno: int, notebook: bool
) -> Omission:
    where = submission.locate(lineno)
    file = submission.path.name
    if submission.files:
        file = next(shown for first, shown in reversed(submission.files) if first <= lineno)
    return Omission(name, statement, where, file, notebook)
