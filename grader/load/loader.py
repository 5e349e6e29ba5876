"""Stage 1 of grading: turn a submitted file, notebook or folder into source the child can run.

Nothing here runs student code. A notebook cell that Python cannot parse is left out with a
note, as a notebook run with errors allowed would skip it; it is an error only when it holds
the only class that could be the engine. With ``execute_all`` every syntax error is an error,
as "Run All" would stop there.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from grader.load.assemble import Assembly, assemble
from grader.load.errors import LoadError
from grader.load.find import (
    best_engine,
    candidate_files,
    choose_file,
    engine_classes,
    looked_for,
)
from grader.load.implicit import module_bound, supply
from grader.load.keep import bound_names
from grader.load.modules import (
    Module,
    Resolver,
    imports_numpy,
    load_order,
    module_parts,
    rewrite,
    select,
)
from grader.load.parse import Parsed, defines, parse_unit
from grader.load.sources import Unit, read_units
from grader.load.stubs import SHARE_AS
from grader.load.submission import Origin, Submission

KIND_LABELS = {
    "loop": ("loop", "loops"),
    "expr": ("expression or call", "expressions and calls"),
    "assign": ("assignment that runs code", "assignments that run code"),
    "main": ('`if __name__ == "__main__":` block', '`if __name__ == "__main__":` blocks'),
    "assert": ("assert", "asserts"),
    "def": ("definition that needs code that is not run", "definitions that need such code"),
    "torch": ("definition that needs torch", "definitions that need torch"),
    "order": ("definition that uses a name defined further down",
              "definitions that use names defined further down"),
    "other": ("other statement", "other statements"),
}
# Standard-library modules are left out of the note on optional imports (Python 3.9 has no list).
_COMMON_STDLIB = (
    "__future__ abc collections copy csv dataclasses datetime decimal enum fractions functools "
    "graphlib heapq itertools json logging math numbers operator os pathlib pickle random re "
    "statistics string sys time timeit types typing unittest warnings"
)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset(_COMMON_STDLIB.split())


NO_ENGINE_NOTE = "Found no engine class"  # the loader's guess, dropped once something is graded

def load_submission(
    path: str | Path, *, execute_all: bool = False, engine_hint: str | None = None
) -> Submission:
    """Read a .py file, a notebook or a folder into a Submission; raises only LoadError."""
    try:
        submission = _load(Path(path), execute_all, engine_hint)
        supply(submission, notebook=submission.path.suffix.lower() == ".ipynb")
        return submission
    except LoadError:
        raise
    except Exception as exc:  # a grader bug or a very odd file: still no traceback for students
        raise LoadError(
            f"The grader could not read {path} ({type(exc).__name__}: {exc}). "
            "This is a problem in the grader, not necessarily in your code: please report it "
            "together with your file."
        ) from exc


def _load(path: Path, execute_all: bool, hint: str | None) -> Submission:
    if not path.exists():
        raise LoadError(f"{path} does not exist. Check the file name and folder, then resubmit.")
    if not path.is_dir():
        _check_kind(path)
        return _load_file(path, path.name, execute_all, hint)[0]
    files = candidate_files(path)
    python = [file for file in files if file.suffix.lower() == ".py"]
    chosen: Path | None
    try:
        chosen, note = choose_file(path, hint)
    except LoadError:
        if not any(imports_numpy(parse_unit(unit)) for unit in _quiet_units(path, python)):
            raise
        chosen, note = None, (
            f"{NO_ENGINE_NOTE} in the folder {path.resolve().name} ({looked_for(hint)}); its "
            ".py files were loaded as one program, for a network written with numpy."
        )
    if chosen is not None and chosen.suffix.lower() != ".py":  # a notebook: graded on its own
        submission = _load_file(chosen, chosen.relative_to(path).as_posix(), execute_all, hint)[0]
        submission.notes.insert(0, note)
        return submission
    return _load_folder(path, python, chosen, note, execute_all, hint)


def _quiet_units(root: Path, files: list[Path]) -> Iterator[Unit]:
    for path in files:
        try:
            yield from read_units(path, path.relative_to(root).as_posix())[0]
        except LoadError:
            continue


def _load_folder(
    root: Path, files: list[Path], chosen: Path | None, note: str, execute_all: bool,
    hint: str | None,
) -> Submission:
    """The .py files of ``root`` as one program: each file after the files it imports."""
    notes, problems = [note], []
    units: dict[str, tuple[Path, Unit, list[str]]] = {}
    modules: list[Module] = []
    for path in files:
        shown = path.relative_to(root).as_posix()
        try:
            read, read_notes = read_units(path, shown)
        except LoadError as error:
            if path == chosen:
                raise
            if path.stat().st_size < 4096 and not path.read_bytes().strip():
                continue  # an empty file (an __init__.py, say): nothing to load
            problems.append(f"Left out {shown}: {error}")
            continue
        parsed = parse_unit(read[0])
        if parsed.tree is None:
            if path == chosen:
                _load_file(path, shown, execute_all, hint)  # raises the syntax error
            problems.append(_left_out_note(parsed, shown, path.name))
            continue
        units[shown] = (path, read[0], read_notes)
        modules.append(Module(shown, module_parts(shown), parsed))
    resolver = Resolver(modules, root.resolve().name)
    rewrites = {m.shown: rewrite(m, units[m.shown][1].text, resolver) for m in modules}
    needs = {shown: done.needs for shown, done in rewrites.items()}
    first = next((m for m in modules if units[m.shown][0] == chosen), None)
    rivals = {m.shown for m in modules if first is not None and m is not first
              and m.parsed is not None and best_engine(engine_classes([m.parsed], hint))}
    loaded = select(modules, first, needs, rivals)
    order = load_order([m for m in modules if m.shown in loaded], first, needs)
    if not order:
        raise LoadError(" ".join(problems) or note)
    views = set().union(*(done.views for done in rewrites.values()))
    defined: set[str] = set(views)
    parts: list[Submission] = []
    for module in list(order):
        path, unit, read_notes = units[module.shown]
        done = rewrites[module.shown]
        given = ([replace(unit, text=done.text)], read_notes)
        try:
            part, names = _load_file(
                path, module.shown, execute_all, hint, given, defined | done.bound
            )
        except LoadError as error:  # Python refuses the file (`return` outside a function...)
            if module is first:
                raise
            problems.append(f"Left out {module.shown}: {str(error).splitlines()[0]}")
            order.remove(module)
            continue
        part.notes = [n for n in part.notes if not n.startswith(NO_ENGINE_NOTE)]
        if len(units) > 1:
            part.notes = [f"In {module.shown}: {n[:1].lower()}{n[1:]}" for n in part.notes]
        defined |= names | done.bound
        parts.append(part)
    if not parts:
        raise LoadError(" ".join(problems) or note)
    submission = parts[0]
    if len(parts) > 1:
        submission.files = [(1, order[0].shown)]
        for module, part in zip(order[1:], parts[1:]):
            submission.append(part, module.shown)
        notes.append(
            f"Loaded {len(order)} files as one program, each after the files it imports: "
            f"{', '.join(module.shown for module in order)}."
        )
    notes += problems + _defined_twice(order)
    left = sorted(rivals - loaded)
    if left:
        notes.append(f"Left out {', '.join(left)}: another engine, which no loaded file imports.")
    apart = sorted({m.shown for m in modules} - loaded - rivals)
    if apart and first is not None:
        notes.append(
            f"Left out {', '.join(apart[:8])}{' and more' if len(apart) > 8 else ''}: outside "
            f"the folder of {first.shown}, with no import between them and the loaded files."
        )
    if views:
        submission.prelude(
            [f"{name} = {SHARE_AS}({name!r}, globals(), {resolver.names!r})"
             for name in sorted(views)]
        )
    submission.notes = notes + submission.notes
    submission.path = chosen if chosen is not None else submission.path
    return submission


def _defined_twice(order: list[Module]) -> list[str]:
    """A note for each class that more than one loaded file defines: the last one counts."""
    owners: dict[str, list[str]] = {}
    for module in order:
        tree = module.parsed.tree if module.parsed is not None else None
        for stmt in tree.body if tree is not None else []:
            if isinstance(stmt, ast.ClassDef) and module.shown not in owners.get(stmt.name, []):
                owners.setdefault(stmt.name, []).append(module.shown)
    return [
        f"`{name}` is defined in {len(files)} files ({', '.join(files)}); the one in "
        f"{files[-1]}, loaded last, is graded."
        for name, files in owners.items()
        if len(files) > 1
    ]


def _left_out_note(parsed: Parsed, shown: str, name: str) -> str:
    error = parsed.error
    line = error.lineno if error is not None and error.lineno else 1
    what = error.msg if error is not None else "it is not Python code"
    return (
        f"{shown} has a syntax error on line {line} ({what}) and was left out: what it defines "
        f"is missing while grading. Fix it, check that `python {name}` gets past that line, "
        "and resubmit."
    )


def _load_file(
    chosen: Path,
    shown: str,
    execute_all: bool,
    hint: str | None,
    read: tuple[list[Unit], list[str]] | None = None,
    predefined: Iterable[str] = (),
) -> tuple[Submission, set[str]]:
    """One file as a submission, and the names its kept code binds. ``read``: its units (and
    notes on reading them) when they are already read; ``predefined``: names that earlier files
    of the same namespace bind."""
    notes: list[str] = []
    units, read_notes = read if read is not None else read_units(chosen, shown)
    notes += read_notes
    notebook = chosen.suffix.lower() == ".ipynb"
    parsed = [parse_unit(unit) for unit in units]
    notes += _check_syntax(parsed, shown, notebook, execute_all, hint)
    assembly = assemble(parsed, execute_all, predefined)
    source, line_map = assembly.source()
    _check_compiles(source, line_map, parsed, shown, notebook)
    notes += _ipython_notes(parsed, notebook)
    notes += _assembly_notes(assembly, notebook, execute_all)
    notes += _engine_notes(parsed, assembly, shown, hint, notebook)
    submission = Submission(chosen, source, notes, line_map)
    submission.bound = module_bound(part.tree for part in parsed if part.tree is not None)
    return submission, assembly.defined


def _check_kind(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix in (".py", ".ipynb"):
        return
    advice = "Submit a .py file, a .ipynb notebook, or a folder that contains them."
    if suffix in (".zip", ".tar", ".gz", ".tgz", ".7z", ".rar"):
        advice = "Extract the archive and submit the folder (or the .py / .ipynb file) inside it."
    raise LoadError(f"{path.name} is not a Python file or a Jupyter notebook. {advice}")


def _check_syntax(
    parsed: list[Parsed], shown: str, notebook: bool, execute_all: bool, hint: str | None
) -> list[str]:
    """Raise for syntax errors that matter; a note for notebook cells dropped because of one."""
    left_out: list[tuple[int | None, int, str, str]] = []  # cell, line, error, why
    for index, part in enumerate(parsed):
        if part.error is None:
            continue
        if not notebook or execute_all:
            raise LoadError(syntax_message(part, shown))
        names = defines(part.text)
        later: set[str] = set()
        for other in parsed[index + 1 :]:
            if other.tree is not None:
                later |= _top_level_names(other.tree)
        if names is not None and names <= later:
            why = (
                f"everything it defines ({', '.join(f'`{n}`' for n in sorted(names))}) "
                "is defined again in a later cell"
                if names
                else "it defines nothing the grader needs"
            )
        elif engine_classes([part], hint) and not engine_classes(
            [other for other in parsed if other is not part], hint
        ):
            raise LoadError(syntax_message(part, shown))  # the only engine class is in it
        else:  # as a notebook run with errors allowed: the cell fails, the others run
            shown_names = ", ".join(f"`{n}`" for n in sorted(names or ()))
            why = f"what it defines ({shown_names}) is missing while grading" if names else (
                "what it defines is missing while grading"
            )
        left_out.append((part.unit.cell, part.error.lineno or 1, part.error.msg, why))
    if len(left_out) == 1:
        cell, line, error, why = left_out[0]
        return [
            f"Cell {cell} has a syntax error on line {line} ({error}) and was left out: {why}. "
            "Fix it or delete it."
        ]
    listed = "; ".join(f"cell {c}, line {n} ({e}): {w}" for c, n, e, w in left_out)
    return [
        f"{len(left_out)} cells have a syntax error and were left out: {listed}. "
        "Fix them or delete them."
    ] if left_out else []


def syntax_message(part: Parsed, shown: str) -> str:
    """A student-readable message for the syntax error in ``part``."""
    error = part.error
    assert error is not None
    lines = part.unit.text.split("\n")
    number = min(max(error.lineno or 1, 1), len(lines))
    cell = part.unit.cell
    return _error_text(
        shown, cell, number, lines[number - 1], error, (error.offset or 0) if error.lineno else 0
    )


def _error_text(
    shown: str, cell: int | None, number: int, text: str, error: SyntaxError, offset: int
) -> str:
    where = f"{shown}, line {number}" if cell is None else f"{shown}, cell {cell}, line {number}"
    kind = type(error).__name__
    parts = [f"{where}: {kind}: {error.msg}"]
    if text.strip():
        indent = len(text) - len(text.lstrip())
        parts.append(f"    {text.strip()}")
        if offset > indent:
            parts.append("    " + " " * (offset - 1 - indent) + "^")
    if isinstance(error, IndentationError):
        parts.append(
            "Check that the lines of each block are indented by the same amount, "
            "and do not mix tabs and spaces."
        )
    if cell is not None:
        parts.append(
            f"Fix cell {cell} and run it again (Restart & Run All checks the whole notebook), "
            "then save the notebook and resubmit."
        )
    else:
        parts.append(
            f"Fix it, check that `python {Path(shown).name}` gets past this line, and resubmit."
        )
    return "\n".join(parts)


def _check_compiles(
    source: str, line_map: list[Origin], parsed: list[Parsed], shown: str, notebook: bool
) -> None:
    """Errors that only compiling finds (`return` outside a function, ...), in student terms."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, shown, "exec", dont_inherit=True)
    except SyntaxError as error:
        number = error.lineno or 1
        cell, line = line_map[number - 1] if 1 <= number <= len(line_map) else (None, number)
        texts = {part.unit.cell: part.unit.text.split("\n") for part in parsed}
        original = texts.get(cell, [])
        text = original[line - 1] if 1 <= line <= len(original) else ""
        cell = cell if notebook else None
        raise LoadError(_error_text(shown, cell, line, text, error, 0)) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise LoadError(f"{shown} cannot be compiled by Python: {error}") from None


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                bound = alias.asname or alias.name
                names.add(bound.split(".")[0] if isinstance(stmt, ast.Import) else bound)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names |= bound_names(target)
    return names


def _ipython_notes(parsed: list[Parsed], notebook: bool) -> list[str]:
    notes = []
    for part in parsed:
        if part.cell_magic is not None:
            notes.append(
                f"Cell {part.unit.cell} starts with %%{part.cell_magic}: it is not plain Python "
                "code (or, for %%timeit, its definitions do not outlast the cell), so it was "
                "left out."
            )
    removed = [
        (line, part.unit.cell)
        for part in parsed
        if part.cell_magic is None
        for line in part.ipython
    ]
    if removed:
        shown = "; ".join(
            f"`{_shorten(line)}`" + (f" (cell {cell})" if notebook else "")
            for line, cell in removed[:5]
        )
        more = f" and {len(removed) - 5} more" if len(removed) > 5 else ""
        notes.append(
            f"Ignored {len(removed)} IPython-only line(s) (magics, shell commands, help): "
            f"{shown}{more}."
        )
    return notes


def _assembly_notes(assembly: Assembly, notebook: bool, execute_all: bool) -> list[str]:
    notes = [f"{_where(origin, notebook).capitalize()}: {note}" for note, origin in assembly.notes]
    if assembly.needs:
        listed = ", ".join(
            f"{what} ({_where(origin, notebook)}, uses {names})"
            for what, names, origin in assembly.needs[:5]
        )
        more = f" and {len(assembly.needs) - 5} more" if len(assembly.needs) > 5 else ""
        notes.append(
            f"Left out {listed}{more}: only code that the grader does not run (a call, a "
            "loop, ...) defines those names."
        )
    if assembly.torch:
        names = ", ".join(f"`{name}`" for name in dict.fromkeys(n for n, _ in assembly.torch))
        places = _places([origin for _, origin in assembly.torch], notebook)
        notes.append(
            f"Left out {names} ({places}): torch is not available while grading, "
            "which is fine for code that only compares with torch."
        )
    if execute_all:
        notes.append("All statements are kept (execute_all): loops and prints run while grading.")
    elif assembly.dropped:
        counts: dict[str, int] = {}
        for kind, _ in assembly.dropped:
            counts[kind] = counts.get(kind, 0) + 1
        kinds = ", ".join(
            f"{count} {KIND_LABELS[kind][0] if count == 1 else KIND_LABELS[kind][1]}"
            for kind, count in counts.items()
        )
        places = _places([origin for _, origin in assembly.dropped], notebook)
        notes.append(
            "Only definitions are loaded (imports, classes, functions and simple constants); "
            f"left out {len(assembly.dropped)} top-level statement(s) that run code ({kinds}) "
            f"{places}. Training loops, prints and plots do not run while grading."
        )
    # Imports that fail while grading are noted after the code has run (grader.api), from
    # what really was missing, rather than guessed here.
    return notes


def _engine_notes(
    parsed: list[Parsed], assembly: Assembly, shown: str, hint: str | None, notebook: bool
) -> list[str]:
    notes = []
    engine = best_engine(engine_classes(parsed, hint))
    if engine is None:
        notes.append(
            f"{NO_ENGINE_NOTE} in {shown} ({looked_for(hint)}); "
            "the grader will still look for one when it runs the code."
        )
    for name, origins in assembly.classes.items():
        if len(origins) > 1:
            places = ", ".join(_where(origin, notebook) for origin in origins)
            notes.append(
                f"`{name}` is defined {len(origins)} times ({places}); the last one, "
                f"{_where(origins[-1], notebook)}, is graded, as when the code runs top to bottom."
            )
    return notes


def _where(origin: Origin, notebook: bool) -> str:
    cell, line = origin
    return f"cell {cell}" if notebook and cell is not None else f"line {line}"


def _places(origins: list[Origin], notebook: bool) -> str:
    if notebook:
        cells = sorted({cell for cell, _ in origins if cell is not None})
        listed = ", ".join(str(cell) for cell in cells[:12]) + (", ..." if len(cells) > 12 else "")
        return f"in cell{'s' if len(cells) > 1 else ''} {listed}"
    lines = [line for _, line in origins]
    listed = ", ".join(str(line) for line in lines[:8]) + (", ..." if len(lines) > 8 else "")
    return f"at line{'s' if len(lines) > 1 else ''} {listed}"


def _shorten(line: str, width: int = 40) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."
