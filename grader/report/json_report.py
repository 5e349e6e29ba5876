"""The JSON report (schema in README.md): stable key order, so two runs differ only in timings."""

from __future__ import annotations

import json

from grader.results import Report


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, allow_nan=False)
