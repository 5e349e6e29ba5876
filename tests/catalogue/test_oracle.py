"""The catalogue is right, independently of the grader: checked against torch float64.

Every bug is really wrong in the categories it claims and right in all the others; the base
engine and every engine in ``correct/`` are right everywhere (``deep`` aside).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalogue.bugs import BASE, BUGS, Bug, materialize, mutate
from tests.catalogue.correct_engines import CORRECT_ENGINES, DIRECTORY
from tests.catalogue.oracle_check import CATEGORIES, oracle_check

ENGINE_LEVEL_ORDER = frozenset({"reuse", "graph"})


@pytest.fixture(scope="module")
def bug_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oracle_bugs")


def test_catalogue_is_well_formed() -> None:
    assert len(BUGS) >= 32
    assert len({bug.name for bug in BUGS}) == len(BUGS)
    base = BASE.read_text()
    for bug in BUGS:
        assert bug.name.isidentifier(), bug.name
        assert bug.description.strip(), bug.name
        assert bug.fails, f"{bug.name} claims no failing category"
        assert bug.fails <= set(CATEGORIES), f"{bug.name}: unknown {bug.fails - set(CATEGORIES)}"
        assert "deep" not in bug.fails, bug.name
        assert bug.missing <= bug.charged <= bug.fails, bug.name
        assert bug.replacements, bug.name
        assert mutate(bug, base) != base, f"{bug.name} changes nothing"


def test_materialize_refuses_an_absent_or_repeated_string(tmp_path: Path) -> None:
    absent = Bug("absent", "", frozenset({"add"}), (("no such text", ""),))
    repeated = Bug("repeated", "", frozenset({"add"}), (("self.grad +=", "self.grad ="),))
    for bug in (absent, repeated):
        with pytest.raises(AssertionError, match="occurs"):
            materialize(bug, tmp_path)


@pytest.mark.parametrize("traversal", ["engine", "manual"])
def test_base_engine_is_correct(traversal: str) -> None:
    result = oracle_check(BASE, traversal=traversal)
    assert result.wrong == frozenset(), result.evidence


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_bug_is_wrong_exactly_where_claimed(bug: Bug, bug_dir: Path) -> None:
    path = materialize(bug, bug_dir)
    # Ops in context judged by their own rules (a correct traversal over _prev/_backward).
    result = oracle_check(path, traversal="manual")
    assert result.wrong == bug.fails, (
        f"claimed but right: {sorted(bug.fails - result.wrong)}; "
        f"wrong but not claimed: {sorted(result.wrong - bug.fails)}; evidence: {result.evidence}"
    )
    if not bug.fails & ENGINE_LEVEL_ORDER:
        # The engine's own backward() is sound: the contexts give the same verdicts with it.
        assert oracle_check(path, traversal="engine").wrong == bug.fails


def test_correct_directory_matches_registry() -> None:
    assert sorted(p.name for p in DIRECTORY.glob("*.py")) == sorted(CORRECT_ENGINES)


@pytest.mark.parametrize("name", sorted(CORRECT_ENGINES))
def test_correct_engine_is_correct(name: str) -> None:
    result = oracle_check(DIRECTORY / name, CORRECT_ENGINES[name])
    assert result.wrong == frozenset(), result.evidence


def test_correct_engines_are_self_contained() -> None:
    for path in DIRECTORY.glob("*.py"):
        text = path.read_text()
        for forbidden in ("reference", "grader", "tests"):
            assert f"import {forbidden}" not in text and f"from {forbidden}" not in text, path
