"""Read a submission file into units of code: a whole .py file, or each code cell of a notebook."""

from __future__ import annotations

import io
import json
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path

from grader.load.errors import LoadError

MAX_BYTES = 100 * 2**20
RESAVE = (
    "Open it in Jupyter and save it again (or download it again with File > Download > .ipynb), "
    "then resubmit."
)


@dataclass
class Unit:
    """Code the student wrote: a whole .py file (``cell`` None) or one notebook code cell."""

    text: str
    cell: int | None = None  # 1-based position among all cells of the notebook, as shown


def read_units(path: Path, shown: str) -> tuple[list[Unit], list[str]]:
    """The code in ``path`` (shown to the student as ``shown``), and notes about reading it."""
    if path.suffix.lower() == ".ipynb":
        return read_notebook(path, shown), []
    text, notes = read_python(path, shown)
    if not text.strip():
        raise LoadError(f"{shown} is empty: save your code in it and resubmit.")
    return [Unit(text)], notes


def read_python(path: Path, shown: str) -> tuple[str, list[str]]:
    """The text of a .py file, decoded as Python would, with normalised line endings."""
    data = _read_bytes(path, shown)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        notes = []
    except (SyntaxError, LookupError, UnicodeDecodeError):
        text = data.decode("latin-1")
        notes = [f"{shown} is not valid UTF-8 text; it was read as Latin-1. Save it as UTF-8."]
    return normalise(text), notes


def read_notebook(path: Path, shown: str) -> list[Unit]:
    """The code cells of a notebook, numbered among all of its cells."""
    import nbformat  # here, not at the top: the sandboxed child imports this package

    try:
        text = _read_bytes(path, shown).decode("utf-8-sig")
        json.loads(text)
    except UnicodeDecodeError as exc:
        message = f"{shown} is not a readable notebook: it is not UTF-8 text. {RESAVE}"
        raise LoadError(message) from exc
    except json.JSONDecodeError as exc:
        raise LoadError(
            f"{shown} is not a readable notebook: it is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}). {RESAVE}"
        ) from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=4, capture_validation_error={})
        cells = list(notebook.get("cells", []))
    except Exception as exc:
        raise LoadError(f"{shown} is not a readable notebook ({exc}). {RESAVE}") from exc
    units = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        if isinstance(source, str):
            units.append(Unit(normalise(source), index))
    if not cells:
        raise LoadError(f"{shown} has no cells: it is an empty notebook. {RESAVE}")
    if not any(unit.text.strip() for unit in units):
        raise LoadError(
            f"{shown} has no code in its cells. Put your code in code cells (not markdown), "
            "save the notebook and resubmit."
        )
    return units


def normalise(text: str) -> str:
    """``text`` with Python's line endings (\\r\\n and \\r become \\n) and no byte-order mark."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LoadError(
                f"{shown} is larger than {MAX_BYTES // 2**20} MB: clear the notebook's outputs "
                "(or remove the data from the file) and resubmit."
            )
        return path.read_bytes()
    except OSError as exc:
        raise LoadError(
            f"Could not read {shown}: {exc.strerror or exc}. "
            "Check that the file exists and is readable, then resubmit."
        ) from exc
