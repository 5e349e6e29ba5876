"""Shared helpers for the loader tests: fixtures, small notebooks, and running produced source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.load import Submission, stubs

FIXTURES = Path(__file__).parent / "fixtures"

ENGINE = """class Value:
    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def backward(self):
        self.grad = 1.0
        self._backward()"""


def write_notebook(path: Path, cells: list[str | tuple[str, str]]) -> Path:
    """A notebook at ``path``: a string is a code cell, ("md", text) a markdown cell."""
    made = []
    for cell in cells:
        if isinstance(cell, tuple):
            made.append(new_markdown_cell(cell[1]))
        else:
            made.append(new_code_cell(cell))
    nbformat.write(new_notebook(cells=made), path)
    return path


def run(submission: Submission) -> dict[str, Any]:
    """Exec the produced source as the sandboxed child does, with the stub factory injected."""
    stubs.MISSING.clear()
    stubs.SKIPPED.clear()
    namespace: dict[str, Any] = {
        "__name__": "submission",
        stubs.INJECT_AS: stubs.missing_module,
        stubs.SKIP_AS: stubs.skipped,
        stubs.SHARE_AS: stubs.shared_module,
        stubs.IPYTHON_AS: stubs.ipython_name,
    }
    code = compile(submission.source, str(submission.path), "exec", dont_inherit=True)
    exec(code, namespace)
    return namespace


def line_of(submission: Submission, text: str) -> int:
    """The 1-based line of ``submission.source`` that starts with ``text`` (the first one),
    inside the ``try`` that guards each kept statement or not."""
    found = lines_of(submission, text)
    if not found:
        raise AssertionError(f"no line starts with {text!r}")
    return found[0]


def lines_of(submission: Submission, text: str) -> list[int]:
    """Every 1-based line of ``submission.source`` that starts with ``text`` (or with ``text``
    indented once, inside the ``try`` that guards each kept statement)."""
    lines = submission.source.split("\n")
    return [
        number
        for number, line in enumerate(lines, start=1)
        if line.startswith(text) or line.startswith("    " + text)
    ]
