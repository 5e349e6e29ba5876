"""What ``grade()`` must say about engines whose verdicts are known.

* For every bug of ``tests/catalogue/bugs.py`` (each one proven wrong exactly in its claimed
  categories by ``tests/catalogue/test_oracle.py``, against torch): the charged categories
  fail (``Bug.charged``: a backward() bug is charged once, to reuse or graph), ``api`` and
  every other op category pass.
* For the correct base engine and every engine of ``tests/catalogue/correct/``: full marks,
  every category but ``deep`` passes (the Karpathy-style recursive topological sort cannot
  do a 5,000-op chain; ``deep`` weighs 0).

Each engine is graded once per session.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from tests.catalogue.bugs import BASE, BUGS, Bug, materialize
from tests.catalogue.correct_engines import CORRECT_ENGINES, DIRECTORY
from tests.catalogue.oracle_check import OP_CATEGORIES

ENGINE_LEVEL = frozenset({"reuse", "graph"})
CORRECT_FILES = (BASE, *(DIRECTORY / name for name in sorted(CORRECT_ENGINES)))


@functools.cache
def _grade(path: Path) -> Any:
    # Imported here, so that a grader that does not import fails these tests one by one
    # instead of breaking the collection of the whole suite.
    from grader import grade

    return grade(path)


@pytest.fixture(scope="module")
def bug_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("catalogue")
    return {bug.name: materialize(bug, directory) for bug in BUGS}


def _describe(report: Any, category: str) -> str:
    result = report.category(category)
    return f"{category}: {result.status} ({result.message}; hint: {result.hint})"


def test_categories_match_the_grader() -> None:
    from grader.ops import OP_CATEGORIES as GRADER_OP_CATEGORIES

    assert tuple(GRADER_OP_CATEGORIES) == OP_CATEGORIES


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_bug_fails_exactly_its_categories(bug: Bug, bug_paths: dict[str, Path]) -> None:
    report = _grade(bug_paths[bug.name])
    problems = []
    for category in sorted(bug.charged):
        if report.category(category).status != "fail":
            problems.append("expected fail, " + _describe(report, category))
    for category in ("api", *OP_CATEGORIES):
        if category not in bug.charged and report.category(category).status != "pass":
            problems.append("expected pass, " + _describe(report, category))
    assert not problems, f"{bug.name}: {bug.description}\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "bug", [bug for bug in BUGS if not bug.charged & ENGINE_LEVEL], ids=lambda bug: bug.name
)
def test_op_bug_leaves_reuse_and_graph_passing(bug: Bug, bug_paths: dict[str, Path]) -> None:
    # reuse and graph are built from the ops that passed, and this engine's backward() is sound.
    report = _grade(bug_paths[bug.name])
    problems = [
        _describe(report, category)
        for category in sorted(ENGINE_LEVEL)
        if report.category(category).status != "pass"
    ]
    assert not problems, f"{bug.name}: {bug.description}\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CORRECT_FILES, ids=lambda path: path.stem)
def test_correct_engine_gets_full_marks(path: Path) -> None:
    # These files hold an engine only: the mlp.* categories are missing, everything else
    # passes, and the engine's share of the points is complete.
    report = _grade(path)
    engine = [r for r in report.categories if not r.id.startswith("mlp.")]
    problems = [_describe(report, r.id) for r in engine if r.id != "deep" and r.status != "pass"]
    assert not problems, "\n".join(problems)
    assert sum(r.score for r in engine) == sum(r.max_score for r in engine) == 75
    assert all(r.status == "missing" for r in report.categories if r.id.startswith("mlp."))
