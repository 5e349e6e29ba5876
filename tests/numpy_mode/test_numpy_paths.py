"""Numpy mode through every entry point: the sandboxed CLI path on the real seed notebook,
the in-notebook check(), the rubric's mode and weights, and the reports."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from grader.api import check, grade
from grader.config import NUMPY_WEIGHTS, ConfigError, load_config
from grader.report.gradescope import to_gradescope
from tests.numpy_mode.catalogue import REFERENCE

SEED = Path(__file__).parents[1] / "load" / "fixtures" / "notebook_numpy_mlp.ipynb"


def test_seed_notebook_grades_full_marks_in_the_sandbox() -> None:
    report = grade(SEED, budget=5)
    assert report.gradable
    assert [c.id for c in report.categories] == list(NUMPY_WEIGHTS)
    assert report.score == report.max_score == 100
    assert report.detected["mode"] == "numpy network"
    assert not any(n.startswith("Found no engine class") for n in report.notes)


def test_check_in_a_notebook_finds_the_numpy_network(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("student_notebook")
    exec(compile(REFERENCE.read_text(encoding="utf-8"), "notebook", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, "student_notebook", module)
    module.MLP.__module__ = "student_notebook"
    report = check(module.MLP, budget=5)
    assert report.failed() == []
    assert report.score == 100


def test_bug_report_has_runnable_code_and_gradescope_tests(tmp_path: Path) -> None:
    source = REFERENCE.read_text(encoding="utf-8").replace(
        "self.dW = self.X.T @ dout", "self.dW = dout.T @ self.X")
    path = tmp_path / "student.py"
    path.write_text(source, encoding="utf-8")
    report = grade(path, budget=5)
    result = report.category("np.linear_backward")
    assert result.status == "fail"
    assert "dW has shape" in result.message and "but W has shape" in result.message
    assert result.hint is not None and "X.T @ dOut" in result.hint
    assert result.counterexample is not None and "layer.backward(dOut)" in result.counterexample
    namespace: dict = {}
    exec(source, namespace)
    exec(result.counterexample, namespace)  # the example runs as printed
    tests = json.loads(json.dumps(to_gradescope(report)))["tests"]
    assert any("linear backward" in t["name"] for t in tests)


def test_rubric_mode_and_numpy_weights(tmp_path: Path) -> None:
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('mode = "numpy"\n[weights]\n"np.train" = 0\n', encoding="utf-8")
    config = load_config(rubric)
    assert config.mode == "numpy" and config.weight("np.train") == 0
    assert config.weight("np.relu") == NUMPY_WEIGHTS["np.relu"]
    with pytest.raises(ConfigError):
        load_config(mode="tensorflow")


def test_scalar_mode_refuses_a_numpy_network() -> None:
    report = grade(SEED, mode="scalar", budget=5)
    assert not report.gradable
