"""The pytest plugin, run by pytest's own pytester in a fresh process: one test per category,
named by category, the grader's feedback as the failure message, pytest's exit codes."""

from __future__ import annotations

import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from grader.config import DEFAULT_WEIGHTS, MLP_WEIGHTS

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("-p", "no:cacheprovider", "-p", "no:xdist", "-rs", "-v")


def test_the_plugin_is_registered_as_an_entry_point() -> None:
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert plugins.get("micrograd_grader") == "grader.pytest_plugin"


def test_a_buggy_engine_fails_its_categories_with_the_feedback(pytester: pytest.Pytester) -> None:
    shutil.copytree(ROOT / "examples" / "buggy_student", pytester.path / "student")
    result = pytester.runpytest_subprocess("--engine", "student", *ARGS)
    result.assert_outcomes(failed=3, passed=len(DEFAULT_WEIGHTS) - 3)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*collected 24 items*",
            "*student::exp FAILED*",
            "*student::tanh FAILED*",
            "*student::mlp.params FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*student::add PASSED*", "*student::deep PASSED*"], consecutive=False
    )
    out = result.stdout.str()
    assert "out = a.tanh()" in out and "1 - t**2" in out  # the code and the hint
    assert "micrograd-grader score: 89 / 100" in out


def test_a_correct_engine_named_in_pytest_ini_passes(pytester: pytest.Pytester) -> None:
    """An engine-only assignment: the MLP weighs 0, so its categories are information."""
    shutil.copy(ROOT / "reference" / "engine.py", pytester.path / "engine.py")
    pytester.makefile(".toml", rubric="[weights]\n" + "".join(f'"{c}" = 0\n' for c in MLP_WEIGHTS))
    pytester.makeini("[pytest]\nmicrograd_engine = engine.py\nmicrograd_rubric = rubric.toml\n")
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=len(DEFAULT_WEIGHTS) - len(MLP_WEIGHTS), skipped=len(MLP_WEIGHTS))
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*engine.py::api PASSED*", "*engine.py::mlp.train SKIPPED*"])
    result.stdout.fnmatch_lines(["*for information, no points: No MLP class found*"])


def test_an_engine_that_cannot_load_fails_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(engine="class Value:\n    def __init__(self, data)\n")
    result = pytester.runpytest_subprocess("--engine", "engine.py", *ARGS)
    result.assert_outcomes(failed=1, skipped=len(DEFAULT_WEIGHTS) - 1)
    result.stdout.fnmatch_lines(["*engine.py::api FAILED*", "*could not be graded*"])


def test_a_missing_engine_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--engine", "nowhere.py", *ARGS)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no engine at *nowhere.py*"])


def test_without_an_engine_the_plugin_adds_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_mine="def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)


def test_a_broken_rubric_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(engine="class Value:\n    pass\n")
    pytester.makefile(".toml", rubric="[weights]\ntanhh = 3\n")
    result = pytester.runpytest_subprocess(
        "--engine", "engine.py", "--engine-rubric", "rubric.toml"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*Unknown categories in [[]weights[]]: tanhh*"])
