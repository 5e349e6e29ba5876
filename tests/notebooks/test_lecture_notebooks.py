"""Generated lecture notebooks: each runs top to bottom, and each gets the right verdict.

Cost: the 42 notebooks are graded with one shared oracle process, at a budget of 1 example per
check (every planted bug is caught at that budget); about 2 s of wall time each on
this 2-core machine.
"""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Iterator

import pytest

from grader.api import grade
from grader.evaluate.oracle_process import OracleProcess
from grader.load import load_submission
from grader.load.magics import clean
from grader.results import Report
from tests.notebooks.lecture import (
    BUGS,
    LECTURE_MISSING,
    UNCHECKED_WHEN_ALL_FAIL,
    Lecture,
    lectures,
)

COUNT = 42
NOTEBOOKS = lectures(COUNT)


def test_enough_variety():
    assert len(NOTEBOOKS) >= 40
    assert {n.bug for n in NOTEBOOKS if n.bug} == set(BUGS)
    assert sum(n.bug is None for n in NOTEBOOKS) >= 10
    variations = [n.variation for n in NOTEBOOKS]
    for flag in ("stale", "star", "prints", "magics", "errors", "hints", "torch_net"):
        assert {getattr(v, flag) for v in variations} == {True, False}, flag
    assert {v.attr for v in variations} == {"data", "value"}
    assert {v.call for v in variations} == {"__call__", "forward"}


class _Anything:
    """Any attribute, any call: itself."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self


class _Stub(types.ModuleType):
    """Stands in for a display module (matplotlib, graphviz, utils): any use does nothing."""

    __all__ = ["draw_dot"]

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()


@pytest.mark.parametrize("lecture", NOTEBOOKS, ids=lambda n: n.name)
def test_notebook_runs_top_to_bottom(lecture: Lecture, monkeypatch):
    """As Restart & Run All would (IPython lines left out, display modules stubbed): the
    notebooks the grader must not refuse are ones that really run."""
    for name in ("matplotlib", "matplotlib.pyplot", "graphviz", "utils"):
        monkeypatch.setitem(sys.modules, name, _Stub(name))
    namespace: dict = {"__name__": "__main__"}
    flags = 0
    for kind, text, _ in lecture.cells():
        if kind != "code":
            continue
        cleaned = clean(text)
        assert cleaned.cell_magic is None
        source = cleaned.text
        tree = ast.parse(source)
        if any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in tree.body):
            flags |= __import__("__future__").annotations.compiler_flag
        exec(compile(source, "cell", "exec", flags=flags, dont_inherit=True), namespace)
    assert namespace["n"].parameters()


def _verdict(lecture: Lecture, report: Report) -> None:
    """Correct: nothing fails. A bug: its category fails, and nothing but what is built on it."""
    assert report.gradable, report.notes
    weighted = [c for c in report.categories if c.max_score]
    failed = {c.id for c in weighted if c.status in ("fail", "error")}
    missing = {c.id for c in weighted if c.status == "missing"}
    bug = lecture.bug
    if bug is None:
        assert failed == set(), (lecture.name, [c.message for c in weighted if c.id in failed])
        assert missing == LECTURE_MISSING, lecture.name
        return
    assert bug.fails <= failed <= bug.fails | bug.built_on, (
        lecture.name, [c.message for c in weighted if c.id in failed - bug.built_on])
    unchecked = UNCHECKED_WHEN_ALL_FAIL if "api" in bug.fails else frozenset()
    assert LECTURE_MISSING <= missing <= LECTURE_MISSING | unchecked, lecture.name


@pytest.fixture(scope="module")
def oracle() -> Iterator[OracleProcess]:
    """One oracle process for the module (torch imported once), on each xdist worker."""
    process = OracleProcess()
    try:
        yield process
    finally:
        process.close()


def test_every_generated_notebook_is_loaded_without_refusal(tmp_path):
    for lecture in NOTEBOOKS:
        submission = load_submission(lecture.write(tmp_path / "lecture.ipynb"))
        assert "class Value" in submission.source and "class MLP" in submission.source


@pytest.mark.parametrize("lecture", NOTEBOOKS, ids=lambda n: n.name)
def test_generated_notebook_gets_the_right_verdict(lecture: Lecture, oracle, tmp_path):
    report = grade(lecture.write(tmp_path / "lecture.ipynb"), oracle=oracle, budget=1)
    _verdict(lecture, report)
    assert all("\n" not in note and len(note) < 600 for note in report.notes)
    if lecture.variation.torch_net:  # the torch comparison never costs a refusal
        assert any("`TorchNet`, `torch_loss`" in note for note in report.notes)
