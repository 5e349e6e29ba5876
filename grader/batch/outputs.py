"""What a batch leaves in its output folder: a report per student, ``summary.csv`` and the
class report (``class_report.json`` and ``class_report.html``)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from grader.api import ungradable
from grader.batch.run import Graded
from grader.config import Config
from grader.results import Report

SUFFIXES = {"json": ".json", "gradescope": ".json", "junit": ".xml", "markdown": ".md",
            "text": ".txt"}  # fmt: skip


def write_report(graded: Graded, fmt: str, folder: Path, config: Config) -> Path:
    """One student's report, named by its unique name. Should writing it fail, the report
    becomes ungradable (it says the grader failed) and that is written instead."""
    path = folder / f"{graded.name}{SUFFIXES[fmt]}"
    try:
        _write(graded.report, fmt, path)
    except Exception as error:  # noqa: BLE001 - one student's report never stops the batch
        print(f"grader: cannot write the report of {graded.entry.name}: {error!r}", file=sys.stderr)
        message = f"The grader failed while writing this report. ({type(error).__name__})"
        graded.report = ungradable(message, config, str(graded.entry))
        _write(graded.report, fmt, path)
    return path


def _write(report: Report, fmt: str, path: Path) -> None:
    from grader.cli import render

    if fmt == "gradescope":
        from grader.report.gradescope import write_results

        write_results(report, path)
    else:
        path.write_text(render(report, fmt) + "\n", encoding="utf-8")


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


def write_class_report(
    class_: Sequence[Graded], folder: Path, title: str, fmt: str = "json"
) -> list[Path]:
    """The class report as JSON and as one self-contained HTML page (whose student names
    link to their reports, in format ``fmt``, beside it)."""
    from grader.report.class_html import to_class_html
    from grader.report.class_report import class_report

    data = class_report([(g.name, g.report) for g in class_], SUFFIXES[fmt])
    as_json, as_html = folder / "class_report.json", folder / "class_report.html"
    as_json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    as_html.write_text(to_class_html(data, title), encoding="utf-8")
    return [as_json, as_html]
