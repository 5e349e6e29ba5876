"""A pytest plugin: ``pytest --engine my_engine.py`` grades the engine, one test per category.

The engine may also be named in the student's pytest settings, so that a bare ``pytest``
grades it::

    # pytest.ini                       # or pyproject.toml
    [pytest]                           [tool.pytest.ini_options]
    micrograd_engine = engine.py       micrograd_engine = "engine.py"

Each category is a test named by its id (``engine.py::tanh``) whose failure message is the
grader's feedback. A category of weight 0 that does not pass is skipped with its reason: it
is there for information. When the submission cannot be graded at all, the first test fails
with the reason and the others are skipped. Exit codes are pytest's own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Union

import pytest

from grader.config import DEFAULT_WEIGHTS, Config, ConfigError, load_config
from grader.results import CategoryResult, Report

_ENGINE_INI = "micrograd_engine"
_RUBRIC_INI = "micrograd_rubric"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("micrograd-grader", "grade a micrograd-style engine")
    group.addoption(
        "--engine",
        dest="micrograd_engine",
        metavar="PATH",
        help="grade this engine (.py, .ipynb or folder): one test per category",
    )
    group.addoption(
        "--engine-rubric", dest="micrograd_rubric", metavar="TOML", help="the rubric to grade by"
    )
    parser.addini(_ENGINE_INI, "the engine to grade (.py, .ipynb or folder)", default="")
    parser.addini(_RUBRIC_INI, "the rubric TOML to grade the engine by", default="")


def pytest_configure(config: pytest.Config) -> None:
    engine = _setting(config, _ENGINE_INI)
    if engine is not None and not engine.exists():
        raise pytest.UsageError(f"micrograd-grader: no engine at {engine} (no such file).")
    rubric = _setting(config, _RUBRIC_INI)
    if rubric is not None and not rubric.exists():
        raise pytest.UsageError(f"micrograd-grader: no rubric at {rubric} (no such file).")
    if engine is not None:
        try:
            config.stash[_RUBRIC] = load_config(rubric)
        except ConfigError as error:
            raise pytest.UsageError(f"micrograd-grader: {error}") from None


def pytest_report_header(config: pytest.Config) -> Optional[str]:
    engine = _setting(config, _ENGINE_INI)
    return None if engine is None else f"micrograd-grader: grading {engine}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append one test per category of the rubric for the engine, if one is named."""
    engine = _setting(config, _ENGINE_INI)
    if engine is None:
        return
    rubric = config.stash[_RUBRIC]
    path = engine.resolve()
    where = os.path.relpath(path, config.rootpath)
    nodeid = path.name if where == "." else Path(where).as_posix()  # `--engine .`: the folder
    submission = Submission.from_parent(session, path=path, nodeid=nodeid, rubric=rubric)
    config.stash[_SUBMISSION] = submission
    tests = submission.collect()
    collected: list[Union[pytest.Item, pytest.Collector]] = list(tests)
    report = pytest.CollectReport(submission.nodeid, "passed", None, collected)
    session.ihook.pytest_collectreport(report=report)  # counted in "collected N items"
    items.extend(tests)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    submission = config.stash.get(_SUBMISSION, None)
    report = submission.report if submission is not None else None
    if report is not None:
        terminalreporter.write_sep(
            "-", f"micrograd-grader score: {report.score:g} / {report.max_score:g}"
        )


class Submission(pytest.File):
    """The engine under grade; graded once, when its first test runs."""

    def __init__(self, *, rubric: Config, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rubric = rubric
        self.report: Optional[Report] = None
        self.first = ""  # the test that reports a submission that cannot be graded

    def collect(self) -> list[pytest.Item]:
        known = [c for c in DEFAULT_WEIGHTS if c in self.rubric.weights]
        self.first = known[0] if known else ""
        return [CategoryTest.from_parent(self, name=category) for category in known]

    def graded(self) -> Report:
        if self.report is None:
            from grader.api import grade

            self.report = grade(self.path, self.rubric)
        return self.report


class CategoryFailed(Exception):
    """A category that did not pass; its text is the grader's feedback."""


class CategoryTest(pytest.Item):
    """One category of the grade."""

    parent: Submission

    def runtest(self) -> None:
        report = self.parent.graded()
        if not report.gradable:
            if self.name == self.parent.first:
                raise CategoryFailed(_ungradable(report))
            pytest.skip("not graded: the submission could not be loaded (see the first test)")
        result = _find(report, self.name)
        if result is None or result.status == "pass":
            return
        if not result.max_score:
            pytest.skip(f"for information, no points: {_summary(result)}")
        raise CategoryFailed(_feedback(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CategoryFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, Optional[int], str]:
        return self.path, None, f"micrograd-grader: {self.name}"


_SUBMISSION = pytest.StashKey[Submission]()
_RUBRIC = pytest.StashKey[Config]()


def _setting(config: pytest.Config, name: str) -> Optional[Path]:
    """A path from the command line, else from the ini file (relative to that file)."""
    given = config.getoption(name)
    if given:
        return Path(given)
    value = str(config.getini(name) or "").strip()
    if not value:
        return None
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    return base / value


def _find(report: Report, category: str) -> Optional[CategoryResult]:
    try:
        return report.category(category)
    except KeyError:
        return None


def _summary(result: CategoryResult) -> str:
    from grader.report.text import first_sentence

    return first_sentence(result.message)


def _feedback(result: CategoryResult) -> str:
    from grader.report.text import details

    return "\n".join(details([result])[1:])  # pytest names the test: no heading


def _ungradable(report: Report) -> str:
    return "Your submission could not be graded:\n" + "\n".join(dict.fromkeys(report.notes))
