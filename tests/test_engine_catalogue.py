"""What ``grade()`` must say about engines whose verdicts are known.

* For every bug of ``tests/catalogue/bugs.py`` (each one proven wrong exactly in its claimed
  categories by ``tests/catalogue/test_oracle.py``, against torch): exactly the charged
  categories fail (``Bug.charged``: the planted bug's own category; an op built on it passes
  with a note; a backward() bug is charged once, to reuse or graph), and nothing else.
* Every hint is true of the engine's source (checked here with ``ast``, independently of the
  grader): the methods it names exist and have the closure or line it talks about, and the
  loop it blames does not reverse. No text shows an internal name.
* Precision: an engine storing numpy float32 passes, judged at float32's tolerance with a
  note, still fails where it is really wrong, and is charged once (``api``) when the rubric
  requires float64.
* For the correct base engine and every engine of ``tests/catalogue/correct/``: full marks,
  every category but ``deep`` passes (the Karpathy-style recursive topological sort cannot
  do a 5,000-op chain; ``deep`` weighs 0).

Each engine is graded once per session.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Any

import pytest

from tests.catalogue.bugs import BASE, BUGS, FLOAT32, Bug, materialize, mutate
from tests.catalogue.correct_engines import CORRECT_ENGINES, DIRECTORY
from tests.catalogue.oracle_check import OP_CATEGORIES

ENGINE_LEVEL = frozenset({"reuse", "graph"})
CORRECT_FILES = (BASE, *(DIRECTORY / name for name in sorted(CORRECT_ENGINES)))


INTERNAL_NAMES = ("WrongType", ".overwrite", ".no_chain", "self_twice", "Flaky", "Traceback")


@functools.cache
def _grade(path: Path, **settings: Any) -> Any:
    # Imported here, so that a grader that does not import fails these tests one by one
    # instead of breaking the collection of the whole suite.
    from grader import grade

    return grade(path, **settings)


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
        status = "missing" if category in bug.missing else "fail"
        if report.category(category).status != status:
            problems.append(f"expected {status}, " + _describe(report, category))
    for category in ("api", *OP_CATEGORIES, *ENGINE_LEVEL):
        if category not in bug.charged and report.category(category).status != "pass":
            problems.append("expected pass, " + _describe(report, category))
    assert not problems, f"{bug.name}: {bug.description}\n" + "\n".join(problems)


@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: bug.name)
def test_every_hint_is_true_of_the_engine(bug: Bug, bug_paths: dict[str, Path]) -> None:
    report = _grade(bug_paths[bug.name])
    source = bug_paths[bug.name].read_text()
    problems = []
    for result in report.categories:
        texts = [result.message, result.hint or "", result.got or ""]
        problems += [
            f"{result.id}: shows {n!r}" for n in INTERNAL_NAMES if any(n in s for s in texts)
        ]
        if result.hint:
            problems += [f"{result.id}: {p}" for p in hint_premise_problems(result.hint, source)]
    assert not problems, f"{bug.name}\n" + "\n".join(problems)


def test_one_charge_is_explained_where_it_is_not_made(bug_paths: dict[str, Path]) -> None:
    # An op built on a missing method names it; a backward() that raises on every graph is
    # charged to api alone, the ops checked with a corrected backward(), reuse and graph not.
    built = _grade(bug_paths["rsub_needs_missing_radd"]).category("rsub").message
    assert "`__rsub__` is built on `__radd__`, which is missing" in built
    report = _grade(bug_paths["backward_reads_undefined_name"])
    assert "NameError" in report.category("api").message
    assert all("corrected backward()" in report.category(c).message for c in OP_CATEGORIES)
    assert all(report.category(c).message.startswith("Not charged") for c in ENGINE_LEVEL)


def hint_premise_problems(hint: str, source: str) -> list[str]:
    """What a hint assumes about the engine that its source contradicts."""
    methods = _methods(source)
    problems = [f"one hint at most, got {hint!r}"] if hint.lower().count("did you") > 1 else []
    for name in re.findall(r"__[a-z]+__", hint):
        if name not in methods:
            problems.append(f"names {name}, which the engine does not define")
    closures = re.findall(r"_backward inside your (\w+)|In (\w+)'s _backward", hint)
    for name in (a or b for a, b in closures):
        method = methods.get(name)
        if method is None or not any(isinstance(n, ast.FunctionDef) for n in method.body):
            problems.append(f"talks of the _backward inside {name}, which has none")
        elif "`self.grad = ...`" in hint and not _assigns_grad(method):
            problems.append(f"says {name} assigns a grad with =, which it does not")
    backward = ast.get_source_segment(source, methods["backward"]) or ""
    if "without reversing" in hint and re.search(r"reversed\(|\[::-1\]", source):
        problems.append("blames a loop that is not reversed, but the engine reverses it")
    if "without reversing" in hint and not re.search(r"^\s*for .+ in ", backward, re.M):
        problems.append("blames a loop that backward() does not have")
    if "forget the `visited` set" in hint and re.search(r"visited\.add\(", backward):
        problems.append("says the visited set is missing, but backward() adds to it")
    if "forget `self.grad = 1`" in hint and re.search(r"\.grad = 1", backward):
        problems.append("says the seed is missing, but backward() sets it")
    return problems


def _methods(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef))
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}


def _assigns_grad(method: ast.FunctionDef) -> bool:
    return any(
        isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in n.targets)
        for n in ast.walk(method)
    )


def test_hint_premises_are_checked_against_the_source() -> None:
    # The honesty check itself can fail: a hint about a closure __sub__ does not have.
    source = BASE.read_text()
    hint = "In the _backward inside your __sub__ (used for a - b), did you write `self.grad = ...`?"
    assert hint_premise_problems(hint, source) == [
        "talks of the _backward inside __sub__, which has none"
    ]
    loop = "In backward(), did you write `for node in topo:` without reversing?"
    assert hint_premise_problems(loop, source) == [
        "blames a loop that is not reversed, but the engine reverses it"
    ]
    no_loop = re.sub(
        r"(?s)(    def backward\(self\):\n).*?\n\n(?=    def )", r"\1        pass\n\n", source
    )
    assert hint_premise_problems(loop, no_loop) == ["blames a loop that backward() does not have"]


@pytest.mark.parametrize(
    ("name", "category", "culprit"),
    [("exp_closure_on_input", "exp", ".exp()")],
)
def test_a_correct_op_is_not_blamed_for_the_op_that_uses_it(
    name: str, category: str, culprit: str, bug_paths: dict[str, Path]
) -> None:
    # The op under test drops (or replaces) the backward of its computed input, made by an op
    # that passes on its own: the message names the op under test, not the input's op.
    message = _grade(bug_paths[name]).category(category).message
    assert "which passes on its own" in message, message
    named = re.search(r"The likely culprit is (\w+ = [^,]+), which uses", message)
    assert named is not None and culprit in named.group(1), message


def test_float32_engine_is_judged_at_float32_precision(tmp_path: Path) -> None:
    report = _grade(materialize(FLOAT32, tmp_path))
    engine = [r for r in report.categories if not r.id.startswith("mlp.") and r.id != "deep"]
    assert [r.id for r in engine if r.status != "pass"] == []
    assert any("float32" in note for note in report.notes)


def test_float32_engine_is_charged_once_when_float64_is_required(tmp_path: Path) -> None:
    report = _grade(materialize(FLOAT32, tmp_path), precision="float64")
    engine = [r for r in report.categories if not r.id.startswith("mlp.") and r.id != "deep"]
    assert [r.id for r in engine if r.status != "pass"] == ["api"]
    assert "float32" in report.category("api").message


def test_float32_engine_with_a_bug_still_fails_there(tmp_path: Path) -> None:
    tanh_bug = next(b for b in BUGS if b.name == "tanh_grad_from_input")
    path = tmp_path / "float32_tanh.py"
    path.write_text(mutate(tanh_bug, materialize(FLOAT32, tmp_path).read_text()))
    report = _grade(path)
    engine = [r for r in report.categories if not r.id.startswith("mlp.") and r.id != "deep"]
    assert [r.id for r in engine if r.status != "pass"] == ["tanh"]


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


def test_rubric_precision_is_read_and_checked(tmp_path: Path) -> None:
    from grader.config import ConfigError, load_config

    rubric = tmp_path / "rubric.toml"
    rubric.write_text('precision = "float64"\n')
    assert load_config(rubric).precision == "float64"
    assert load_config().precision == "auto"
    rubric.write_text('precision = "float16"\n')
    with pytest.raises(ConfigError, match="float16"):
        load_config(rubric)
