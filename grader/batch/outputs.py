"""What a batch leaves in its output folder: a report per student, ``summary.csv`` and the
class report (``class_report.json`` and ``class_report.html``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

from grader.batch.run import Graded

SUFFIXES = {"json": ".json", "gradescope": ".json", "junit": ".xml", "markdown": ".md",
            "text": ".txt"}  # fmt: skip


def write_report(graded: Graded, fmt: str, folder: Path) -> Path:
    """One student's report, named by its unique name."""
    from grader.cli import render

    path = folder / f"{graded.name}{SUFFIXES[fmt]}"
    if fmt == "gradescope":
        from grader.report.gradescope import write_results

        return write_results(graded.report, path)
    path.write_text(render(graded.report, fmt) + "\n", encoding="utf-8")
    return path


def write_summary(class_: Sequence[Graded], folder: Path) -> Path:
    """``summary.csv``: a row per student, with one column per category (its status)."""
    ids: dict[str, None] = {}
    for graded in class_:
        ids.update((c.id, None) for c in graded.report.categories)
    path = folder / "summary.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        table = csv.writer(handle)
        table.writerow(
            ["submission", "report", "score", "max_score", "gradable", "not_passed", *ids]
        )
        for graded in class_:
            report = graded.report
            statuses = {c.id: c.status for c in report.categories} if report.gradable else {}
            table.writerow(
                [
                    graded.entry.name,
                    graded.name,
                    f"{report.score:g}",
                    f"{report.max_score:g}",
                    report.gradable,
                    " ".join(report.failed()),
                    *(statuses.get(cid, "") for cid in ids),
                ]
            )
    return path


def write_class_report(class_: Sequence[Graded], folder: Path, title: str) -> list[Path]:
    """The class report as JSON and as one self-contained HTML page."""
    from grader.report.class_html import to_class_html
    from grader.report.class_report import class_report

    data = class_report([(g.name, g.report) for g in class_])
    as_json, as_html = folder / "class_report.json", folder / "class_report.html"
    as_json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    as_html.write_text(to_class_html(data, title), encoding="utf-8")
    return [as_json, as_html]
