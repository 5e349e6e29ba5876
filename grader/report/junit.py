"""The verdict as JUnit XML, for CI dashboards (GitLab, Jenkins) and other test viewers.

One ``<testsuite name="micrograd-grader">`` inside ``<testsuites>``, one ``<testcase>`` per
category. A ``fail`` is a ``<failure type="fail">``, a ``missing`` op a
``<failure type="missing">`` (the student has not written it: a failure of the submission,
not of the grader), an ``error`` an ``<error type="error">``; the element's text holds
expected/got, the hint and the counterexample. Scores are suite ``<properties>`` (``score``,
``max_score``, and ``<id>.score`` / ``<id>.max_score`` per category), since the common JUnit
schemas allow properties on a suite but not on a testcase; each testcase also states its
score in ``<system-out>``. An ungradable report gets one extra ``<testcase name="load">``
with an ``<error>``, so that no viewer shows it as green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.report.gradescope import category_title, clean_text
from grader.results import CategoryResult, Report

SUITE_NAME = "micrograd-grader"


def to_junit(report: Report) -> str:
    """The JUnit XML document (UTF-8 declared) for one report."""
    suite = ET.Element("testsuite", {"name": SUITE_NAME})
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(report):
        ET.SubElement(properties, "property", {"name": name, "value": clean_text(value, 1000)})

    failures = errors = 0
    for result in report.categories:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": SUITE_NAME, "name": result.id},
        )
        if result.status in ("fail", "missing"):
            failures += 1
            _problem(case, "failure", result)
        elif result.status == "error":
            errors += 1
            _problem(case, "error", result)
        out = ET.SubElement(case, "system-out")
        out.text = clean_text(
            f"{category_title(result.id)}\nscore: {_fmt(result.score)} / {_fmt(result.max_score)}"
            + (f"\n\n{result.output}" if result.output else "")
        )
    if not report.gradable:
        errors += 1
        case = ET.SubElement(suite, "testcase", {"classname": SUITE_NAME, "name": "load"})
        reason = "; ".join(report.notes) or "the submission could not be loaded"
        error = ET.SubElement(case, "error", {"type": "ungradable", "message": clean_text(reason)})
        error.text = clean_text("\n".join(report.notes))

    tests = len(report.categories) + (0 if report.gradable else 1)
    time = f"{max(report.execution_time, 0.0):.3f}"
    counts = {
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": time,
    }
    suite.attrib.update(counts)
    if report.notes:
        notes = ET.SubElement(suite, "system-out")
        notes.text = clean_text("\n".join(report.notes))

    root = ET.Element("testsuites", {"name": SUITE_NAME, **counts})
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'


def _properties(report: Report) -> list[tuple[str, str]]:
    props = [
        ("score", _fmt(report.score if report.gradable else 0.0)),
        ("max_score", _fmt(report.max_score)),
        ("gradable", "true" if report.gradable else "false"),
        ("seed", str(report.seed)),
    ]
    if report.submission is not None:
        props.append(("submission", report.submission))
    props += [(f"detected.{key}", value) for key, value in sorted(report.detected.items())]
    for result in report.categories:
        score = result.score if report.gradable else 0.0
        props.append((f"{result.id}.score", _fmt(score)))
        props.append((f"{result.id}.max_score", _fmt(result.max_score)))
    return props


def _problem(case: ET.Element, tag: str, result: CategoryResult) -> None:
    message = clean_text(result.message or result.status, 1000)
    element = ET.SubElement(case, tag, {"type": result.status, "message": message})
    lines = [clean_text(result.message)] if result.message else []
    if result.expected is not None:
        lines.append(f"expected: {clean_text(result.expected)}")
    if result.got is not None:
        lines.append(f"got:      {clean_text(result.got)}")
    if result.hint:
        lines.append(f"hint: {clean_text(result.hint)}")
    if result.counterexample:
        lines += ["", "counterexample:", clean_text(result.counterexample)]
    element.text = "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{float(x):g}"
