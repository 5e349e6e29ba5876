"""A missing import, supplied while grading, is charged once: to ``api``, which is about how
the code is put together, and not to every category whose code uses the module."""

from __future__ import annotations

from dataclasses import replace

from grader.results import Report
from grader.score.rubric import total

_SUPPLIED = (
    "The grader supplied {it} and checked everything else as if {it_was} there, so this "
    "costs points only here."
)


def charge_omissions(report: Report, sentences: list[str]) -> Report:
    """``report`` with the omissions (one sentence each) charged to ``api``; a report
    without that category (numpy mode) gets them as a note."""
    if not sentences:
        return report
    one = len(sentences) == 1
    text = " ".join(sentences) + " " + _SUPPLIED.format(
        it="the import" if one else "the imports", it_was="it were" if one else "they were"
    )
    if not any(c.id == "api" for c in report.categories):
        return replace(report, notes=[*report.notes, text])
    categories = [
        replace(c, status="fail", score=0.0,
                message=f"{c.message} {text}" if c.status == "fail" and c.message else text)
        if c.id == "api" else c
        for c in report.categories
    ]
    score, max_score = total(categories)
    return replace(report, categories=categories, score=score, max_score=max_score)
