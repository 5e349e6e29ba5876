"""Numpy mode: correct networks in four styles get full marks; each planted bug is charged
exactly on its own category (graded in-process: the sandboxed path is covered by the seed
notebook test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import grade_runner
from grader.config import NUMPY_WEIGHTS, load_config
from grader.evaluate.oracle_process import LocalOracle
from grader.evaluate.runner import InProcessRunner
from grader.results import Report
from tests.numpy_mode.catalogue import BUGS, COLUMNS, COURSE, MODULES, REFERENCE

CORRECT = [REFERENCE, COURSE, MODULES, COLUMNS]


def grade_source(source: str, name: str = "submission") -> Report:
    namespace: dict = {"__name__": name}
    exec(compile(source, name, "exec"), namespace)
    return grade_runner(InProcessRunner(namespace), load_config(budget=5), LocalOracle())


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_styles_get_full_marks(path: Path) -> None:
    report = grade_source(path.read_text(encoding="utf-8"))
    assert [c.id for c in report.categories] == list(NUMPY_WEIGHTS)
    assert report.failed() == [], [(c.id, c.message) for c in report.categories]
    assert report.score == report.max_score == 100


@pytest.mark.parametrize("name, path, old, new, charged", BUGS, ids=[b[0] for b in BUGS])
def test_each_bug_is_charged_once(name: str, path: Path, old: str, new: str,
                                  charged: set[str]) -> None:
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{name}: the mutation must apply exactly once"
    report = grade_source(source.replace(old, new))
    assert set(report.failed()) == charged, [(c.id, c.message) for c in report.categories
                                             if c.status != "pass"]
    for category in charged:
        result = report.category(category)
        assert result.message and "Traceback" not in result.message


def test_a_part_that_returns_no_array_fails_with_words() -> None:
    source = REFERENCE.read_text(encoding="utf-8").replace(
        "    return np.maximum(0.0, z)", "    return 'relu'")
    result = grade_source(source).category("np.relu")
    assert result.status == "fail"
    assert "not an array of numbers" in result.message
