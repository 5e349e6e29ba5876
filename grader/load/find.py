"""Find the engine class in parsed code, and the file that holds it in a folder.

A folder's .py and .ipynb files are searched, skipping hidden folders, ``__pycache__``,
virtual environments (``venv``, ``site-packages``, any folder with ``pyvenv.cfg`` or
``conda-meta``), notebook checkpoints, links that lead out of the folder, and files that are
not the submission itself (tests: ``test_*.py``, ``*_test.py``, ``conftest.py``; ``setup.py``).
Each file's best class ranks by: named like ``engine_hint`` > named ``Value`` > defines
``__add__`` and a backward/backprop method; then by how many engine operations it defines; then
.py before .ipynb; then nearer the top of the folder; then alphabetical order.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.load.errors import LoadError
from grader.load.keep import TRY_NODES
from grader.load.parse import Parsed, parse_unit
from grader.load.sources import read_units

BACKWARD = re.compile(r"back_?(ward|prop)", re.IGNORECASE)
ENGINE_METHODS = frozenset(
    {"__add__", "__radd__", "__mul__", "__rmul__", "__pow__", "__neg__", "__sub__", "__rsub__"}
    | {"__truediv__", "__rtruediv__", "exp", "log", "tanh", "relu", "sigmoid", "backward"}
)
SKIP_DIRS = frozenset({"__pycache__", "venv", "site-packages", "node_modules"})
NOT_SUBMISSION = re.compile(r"^(test_.*|.*_test|conftest|setup)\.py$", re.IGNORECASE)
MAX_FILES = 200
_CLASS = re.compile(r"^class\s+(\w+)", re.MULTILINE)
_DEF = re.compile(r"^\s+(?:async\s+)?def\s+(\w+)", re.MULTILINE)


@dataclass
class EngineClass:
    """A class that looks like the engine, and how well it matches."""

    name: str
    level: int  # 3: named like the hint, 2: named Value, 1: has __add__ and a backward method
    methods: int  # how many engine-like methods it defines
    cell: int | None
    line: int


def looked_for(hint: str | None) -> str:
    """What counts as the engine, in words."""
    named = f"`{hint}` or `Value`" if hint and hint != "Value" else "`Value`"
    return f"a class named {named}, or a class with an `__add__` method and a `backward` method"


def engine_classes(parsed: list[Parsed], hint: str | None) -> list[EngineClass]:
    """Every top-level class in ``parsed`` that could be the engine, in order."""
    found = []
    for part in parsed:
        if part.tree is not None:
            for cls in _classes(part.tree.body):
                methods = _method_names(cls)
                level = _level(cls.name, methods, hint)
                if level:
                    count = len(methods & ENGINE_METHODS)
                    found.append(EngineClass(cls.name, level, count, part.unit.cell, cls.lineno))
        elif part.error is not None:  # cannot parse: guess from the text
            methods = set(_DEF.findall(part.text))
            for match in _CLASS.finditer(part.text):
                level = _level(match.group(1), methods, hint)
                if level:
                    line = part.text.count("\n", 0, match.start()) + 1
                    count = len(methods & ENGINE_METHODS)
                    found.append(EngineClass(match.group(1), level, count, part.unit.cell, line))
    return found


def best_engine(found: list[EngineClass]) -> EngineClass | None:
    """The best match (the last one defined among equals, as it is the one that runs)."""
    best = None
    for engine in found:
        if best is None or (engine.level, engine.methods) >= (best.level, best.methods):
            best = engine
    return best


def choose_file(root: Path, hint: str | None) -> tuple[Path, str]:
    """The file in folder ``root`` that defines the engine, and a note on why it was chosen."""
    files = candidate_files(root)
    if not files:
        raise LoadError(
            f"The folder {root.resolve().name} has no .py files or .ipynb notebooks. "
            "Put your engine in a .py file or a notebook in it and resubmit."
        )
    matches, unreadable = engine_files(root, files, hint)
    if not matches:
        names = [path.relative_to(root).as_posix() for path in files]
        listed = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        problem = f" Could not read {', '.join(unreadable)}." if unreadable else ""
        raise LoadError(
            f"Found no autograd engine in the folder {root.resolve().name}: looked in {listed} for "
            f"{looked_for(hint)}.{problem} Put your engine in one of these files and resubmit."
        )
    return matches[0][1], _choice_note(matches, root)


def engine_files(
    root: Path, files: list[Path], hint: str | None
) -> tuple[list[tuple[EngineClass, Path]], list[str]]:
    """The files that define an engine class, best first, and the files that cannot be read."""
    matches: list[tuple[EngineClass, Path]] = []
    unreadable = []
    for path in files:
        shown = path.relative_to(root).as_posix()
        try:
            units, _ = read_units(path, shown)
        except LoadError:
            unreadable.append(shown)
            continue
        best = best_engine(engine_classes([parse_unit(unit) for unit in units], hint))
        if best is not None:
            matches.append((best, path))
    matches.sort(key=lambda match: _rank(match, root))
    return matches, unreadable


def candidate_files(root: Path) -> list[Path]:
    """The .py and .ipynb files under ``root``, skipping hidden folders, venvs and checkpoints."""
    return list(_walk(root))[:MAX_FILES]


def _walk(root: Path) -> Iterator[Path]:
    inside = root.resolve()
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        subfolders[:] = sorted(name for name in subfolders if not _skip(here / name))
        for name in sorted(files):
            path = here / name
            suffix = path.suffix.lower()
            if name.startswith(".") or suffix not in (".py", ".ipynb"):
                continue
            if name.endswith("-checkpoint.ipynb") or NOT_SUBMISSION.match(name):
                continue
            if path.is_symlink() and inside not in path.resolve().parents:
                continue  # a link out of the submission: never read it
            yield path


def _skip(folder: Path) -> bool:
    name = folder.name
    if name.startswith(".") or name in SKIP_DIRS or name.endswith("checkpoints"):
        return True
    return (folder / "pyvenv.cfg").exists() or (folder / "conda-meta").is_dir()


def _rank(match: tuple[EngineClass, Path], root: Path) -> tuple[int, int, bool, int, str]:
    engine, path = match
    relative = path.relative_to(root)
    is_notebook = path.suffix.lower() != ".py"
    return (-engine.level, -engine.methods, is_notebook, len(relative.parts), relative.as_posix())


def _choice_note(matches: list[tuple[EngineClass, Path]], root: Path) -> str:
    (engine, path), others = matches[0], matches[1:]
    shown = path.relative_to(root).as_posix()
    note = f"Graded {shown}: it defines the engine class `{engine.name}`."
    if not others:
        return note
    runner, other_path = others[0]
    if runner.level < engine.level:
        why = f"its class `{engine.name}` matches better (by name)"
    elif runner.methods < engine.methods:
        why = f"its engine defines more operations ({engine.methods} against {runner.methods})"
    elif path.suffix.lower() != other_path.suffix.lower():
        why = "a .py file is preferred over a notebook when both define the engine equally"
    elif len(path.relative_to(root).parts) < len(other_path.relative_to(root).parts):
        why = "it is higher up in the folder"
    else:
        why = "it comes first in alphabetical order"
    listed = ", ".join(f"{p.relative_to(root).as_posix()} (`{e.name}`)" for e, p in others)
    return f"{note} Other files that also define an engine: {listed}; {shown} won because {why}."


def _classes(body: list[ast.stmt]) -> Iterator[ast.ClassDef]:
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            yield stmt
        elif isinstance(stmt, ast.If):
            yield from _classes(stmt.body + stmt.orelse)
        elif isinstance(stmt, TRY_NODES):
            yield from _classes(stmt.body + stmt.orelse)  # type: ignore[attr-defined]


def _method_names(cls: ast.ClassDef) -> set[str]:
    names = set()
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


def _level(name: str, methods: set[str], hint: str | None) -> int:
    if hint and name == hint:
        return 3
    if name == "Value":
        return 2
    if "__add__" in methods and any(BACKWARD.search(method) for method in methods):
        return 1
    return 0
