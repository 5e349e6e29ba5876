"""JUnit XML: parses, one suite, the right counts, failure details and score properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.report.junit import SUITE_NAME, to_junit
from grader.results import CategoryResult, Report
from tests.report.conftest import COUNTEREXAMPLE, LOAD_ERROR


def _suite(report: Report) -> ET.Element:
    root = ET.fromstring(to_junit(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    assert suites[0].get("name") == SUITE_NAME
    return suites[0]


def _properties(suite: ET.Element) -> dict[str, str]:
    return {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}


def test_every_report_parses_with_consistent_counts(any_report: Report) -> None:
    root = ET.fromstring(to_junit(any_report))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "-1")) == len(cases)
    assert int(suite.get("failures", "-1")) == sum(
        1 for c in cases if c.find("failure") is not None
    )
    assert int(suite.get("errors", "-1")) == sum(1 for c in cases if c.find("error") is not None)
    for key in ("tests", "failures", "errors"):
        assert root.get(key) == suite.get(key)


def test_passing_report_has_no_failures(passing: Report) -> None:
    suite = _suite(passing)
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "0"
    assert suite.get("errors") == "0"
    assert [c.get("name") for c in suite.findall("testcase")] == ["add", "tanh", "deep", "mlp"]


def test_failure_carries_message_details_and_counterexample(failing: Report) -> None:
    suite = _suite(failing)
    assert suite.get("failures") == "3"  # tanh, mul (partial credit) and deep (weight 0)
    tanh = next(c for c in suite.findall("testcase") if c.get("name") == "tanh")
    failure = tanh.find("failure")
    assert failure is not None
    assert failure.get("type") == "fail"
    assert failure.get("message", "").startswith("a.grad is wrong")
    text = failure.text or ""
    assert COUNTEREXAMPLE in text
    assert "expected: 0.7864477329659274" in text
    assert "1.0" in text
    assert "hint:" in text


def test_missing_is_a_failure_and_error_an_error(missing: Report) -> None:
    suite = _suite(missing)
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    sigmoid_failure = cases["sigmoid"].find("failure")
    assert sigmoid_failure is not None and sigmoid_failure.get("type") == "missing"
    relu_error = cases["relu"].find("error")
    assert relu_error is not None and "ZeroDivisionError" in relu_error.get("message", "")


def test_scores_are_properties(failing: Report) -> None:
    props = _properties(_suite(failing))
    assert float(props["score"]) == failing.score
    assert float(props["max_score"]) == failing.max_score
    assert float(props["mul.score"]) == 0.5
    assert float(props["mul.max_score"]) == 1.0
    assert props["seed"] == "7"


def test_ungradable_is_an_error_not_an_empty_green_suite(ungradable: Report) -> None:
    suite = _suite(ungradable)
    assert (suite.get("tests"), suite.get("errors")) == ("1", "1")
    load = suite.find("testcase")
    assert load is not None and load.get("name") == "load"
    error = load.find("error")
    assert error is not None
    assert error.get("message") == LOAD_ERROR
    assert _properties(suite)["score"] == "0"


def test_characters_xml_cannot_hold_are_dropped() -> None:
    result = CategoryResult("add", "fail", 0.0, 1.0, "bad\x00\x1b[1m byte", got="\x07x")
    suite = _suite(Report(0.0, 1.0, [result]))
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bad byte"
