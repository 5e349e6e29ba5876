"""The class report's numbers, from hand-made reports: counts per category, misconceptions
split into the bug models' hints and counted once per student, the histogram."""

from __future__ import annotations

from grader.diagnose.models import MODELS
from grader.report.class_report import class_report
from grader.report.gradescope import to_gradescope
from grader.results import CategoryResult, Report

FIRST, SECOND = MODELS[0].hint, MODELS[1].hint
SMALL = "a = Value(1.0)\nout = a + a\nout.backward()"
LARGE = "a = Value(1.0)\nb = Value(2.0)\nout = a + b\nout.backward()"


def _report(score: float, *results: CategoryResult) -> Report:
    return Report(score, 10.0, list(results))


def _fail(category: str, hint: str, code: str = SMALL) -> CategoryResult:
    return CategoryResult(category, "fail", 0.0, 5.0, "wrong", code, hint=hint)


def _pass(category: str) -> CategoryResult:
    return CategoryResult(category, "pass", 5.0, 5.0, "fine")


def test_joined_hints_are_split_and_counted_once_per_student() -> None:
    assert FIRST != SECOND
    students = [
        ("ann", _report(0.0, _fail("add", f"{FIRST} {SECOND}", LARGE), _fail("mul", FIRST))),
        ("ben", _report(5.0, _pass("add"), _fail("mul", FIRST, SMALL))),
        ("cat", _report(10.0, _pass("add"), _pass("mul"))),
    ]
    data = class_report(students)
    counted = {m["hint"]: m for m in data["misconceptions"]}
    assert set(counted) == {FIRST, SECOND}
    assert counted[FIRST]["students"] == 2 and counted[SECOND]["students"] == 1
    assert counted[FIRST]["categories"] == ["add", "mul"]
    assert counted[FIRST]["example"]["counterexample"] == SMALL  # the smallest one seen
    assert data["misconceptions"][0]["hint"] == FIRST  # most students first
    rows = {row["id"]: row for row in data["categories"]}
    assert (rows["add"]["pass"], rows["add"]["fail"]) == (2, 1)
    assert (rows["mul"]["pass"], rows["mul"]["fail"]) == (1, 2)
    assert [b["count"] for b in data["histogram"]] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert data["scores"] == {"mean": 5.0, "median": 5.0, "min": 0.0, "max": 10.0}


def test_a_hint_that_is_not_only_model_hints_stays_whole() -> None:
    hint = f"{FIRST} And something else."
    data = class_report([("ann", _report(0.0, _fail("add", hint)))])
    assert [m["hint"] for m in data["misconceptions"]] == [hint]


def test_gradescope_tags_each_misconception_of_a_test() -> None:
    report = _report(0.0, _fail("add", f"{FIRST} {SECOND}"))
    (test,) = to_gradescope(report)["tests"]
    assert len(test["tags"]) == 2
    assert FIRST.startswith(test["tags"][0].removesuffix("..."))
