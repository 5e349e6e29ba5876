"""The class view of a batch: per category how many passed, the most common misconceptions
(each with one anonymised minimal example), the score distribution and a table of students.

``class_report`` builds the JSON document; ``grader.report.class_html`` draws it as a page.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Optional

from grader.report.misconceptions import misconceptions, tag
from grader.results import Report

STATUSES = ("pass", "fail", "missing", "error")
BINS = 10  # the score histogram: ten bins of 10% of the maximum


def class_report(
    students: Sequence[tuple[str, Report]], report_suffix: Optional[str] = None
) -> dict[str, Any]:
    """The class report of ``(name, report)`` pairs, in the order given; with
    ``report_suffix`` (``".json"``), each student's row names their report file."""
    reports = [report for _, report in students]
    ids = _category_ids(reports)
    percents = [_percent(r) for r in reports if r.gradable]
    return {
        "students": len(reports),
        "gradable": sum(r.gradable for r in reports),
        "max_score": max((r.max_score for r in reports), default=0.0),
        "scores": _summary([r.score for r in reports if r.gradable]),
        "histogram": _histogram(percents),
        "categories": [_category_counts(cid, reports) for cid in ids],
        "misconceptions": _misconceptions(reports),
        "table": [_row(name, report, ids, report_suffix) for name, report in students],
    }


def _category_ids(reports: Sequence[Report]) -> list[str]:
    ids: dict[str, None] = {}
    for report in reports:
        ids.update((c.id, None) for c in report.categories)
    return list(ids)


def _category_counts(category_id: str, reports: Sequence[Report]) -> dict[str, Any]:
    counts = dict.fromkeys(STATUSES, 0)
    max_score = 0.0
    for report in reports:
        found = [c for c in report.categories if c.id == category_id]
        if found and report.gradable:
            counts[found[0].status] += 1
            max_score = max(max_score, found[0].max_score)
    ungraded = sum(not r.gradable for r in reports)
    return {"id": category_id, "max_score": max_score, **counts, "not_graded": ungraded}


def _misconceptions(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """Each confirmed hint with the number of students it was shown to (once per student),
    the categories it came up in, and its smallest counterexample, named after no one."""
    found: dict[str, dict[str, Any]] = {}
    for report in reports:
        seen: set[str] = set()
        for result, hint in ((r, h) for r in report.categories for h in misconceptions(r)):
            entry = found.setdefault(
                hint, {"hint": hint, "tag": tag(hint), "students": 0, "categories": []}
            )
            if hint not in seen:
                seen.add(hint)
                entry["students"] += 1
            if result.id not in entry["categories"]:
                entry["categories"].append(result.id)
            example = {
                "category": result.id,
                "counterexample": result.counterexample,
                "expected": result.expected,
                "got": result.got,
            }
            if _smaller(example, entry.get("example")):
                entry["example"] = example
    ranked = sorted(found.values(), key=lambda e: -e["students"])  # stable: first seen first
    return ranked


def _smaller(example: dict[str, Any], best: Any) -> bool:
    if best is None:
        return True
    if not example["counterexample"]:
        return False
    if not best["counterexample"]:
        return True
    return _size(example["counterexample"]) < _size(best["counterexample"])


def _size(code: str) -> tuple[int, int]:
    return (code.count("\n"), len(code))


def _row(name: str, report: Report, ids: list[str], suffix: Optional[str]) -> dict[str, Any]:
    statuses = {c.id: c.status for c in report.categories}
    return {
        "student": name,
        "report": f"{name}{suffix}" if suffix else None,
        "submission": report.submission,
        "score": report.score,
        "max_score": report.max_score,
        "gradable": report.gradable,
        "statuses": {cid: statuses.get(cid, "") if report.gradable else "" for cid in ids},
        "note": "" if report.gradable else (report.notes[0] if report.notes else ""),
    }


def _percent(report: Report) -> float:
    return 100.0 * report.score / report.max_score if report.max_score else 0.0


def _summary(scores: list[float]) -> dict[str, float]:
    if not scores:
        return {}
    return {
        "mean": round(statistics.fmean(scores), 3),
        "median": statistics.median(scores),
        "min": min(scores),
        "max": max(scores),
    }


def _histogram(percents: list[float]) -> list[dict[str, Any]]:
    """Ten bins of the score in percent of the maximum; 100% falls in the last one."""
    counts = [0] * BINS
    for p in percents:
        counts[min(BINS - 1, max(0, int(p // (100 / BINS))))] += 1
    width = 100 // BINS
    return [{"from": k * width, "to": (k + 1) * width, "count": n} for k, n in enumerate(counts)]
