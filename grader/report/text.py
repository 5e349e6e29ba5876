"""The report a student reads: a table of categories, then each failure explained."""

from __future__ import annotations

from grader.results import CategoryResult, Report

_MARK = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING", "error": "ERROR"}


def _points(x: float) -> str:
    return f"{x:g}"


def to_text(report: Report) -> str:
    """Plain text for a terminal or a notebook cell."""
    lines = [f"micrograd-grader: {report.submission or 'your engine'}"]
    if not report.gradable:
        lines += [
            "",
            "Your submission could not be graded:",
            *report.notes,
            "",
            f"Score: 0 / {_points(report.max_score)}",
        ]
        return "\n".join(lines)
    if report.detected:
        lines.append("Detected: " + "; ".join(f"{k}: {v}" for k, v in report.detected.items()))
    lines += [
        *report.notes,
        "",
        f"Score: {_points(report.score)} / {_points(report.max_score)}",
        "",
    ]
    width = max(len(c.id) for c in report.categories)
    for c in report.categories:
        summary = "" if c.status == "pass" else "  " + c.message.splitlines()[0][:80]
        lines.append(
            f"  {_MARK[c.status]:<7} {c.id:<{width}}  "
            f"{_points(c.score)}/{_points(c.max_score)}{summary}"
        )
    for c in report.categories:
        if c.status != "pass":
            lines += ["", *_details(c)]
    return "\n".join(lines)


def _details(c: CategoryResult) -> list[str]:
    lines = [
        f"--- {c.id} ({_MARK[c.status].lower()}, {_points(c.score)}/{_points(c.max_score)})",
        c.message,
    ]
    if c.counterexample:
        lines += ["Smallest failing example (paste it after your class to try it):"]
        lines += ["    " + line for line in c.counterexample.splitlines()]
    if c.expected:
        lines.append(f"Expected: {c.expected}")
    if c.got:
        lines.append(f"Got:      {c.got}")
    if c.hint:
        lines.append(f"Hint: {c.hint}")
    if c.output:
        lines += ["Your code printed (truncated):", c.output]
    return lines


def to_markdown(report: Report) -> str:
    """Markdown for Jupyter: the summary table, then the failures with code blocks."""
    if not report.gradable:
        return "**Your submission could not be graded.**\n\n" + "\n\n".join(report.notes)
    rows = ["| category | status | points |", "|---|---|---|"]
    rows += [
        f"| `{c.id}` | {_MARK[c.status]} | {_points(c.score)}/{_points(c.max_score)} |"
        for c in report.categories
    ]
    parts = [f"**Score: {_points(report.score)} / {_points(report.max_score)}**", "\n".join(rows)]
    for c in report.categories:
        if c.status == "pass":
            continue
        part = [f"#### `{c.id}`: {_MARK[c.status].lower()}", c.message]
        if c.counterexample:
            part.append(f"```python\n{c.counterexample}\n```")
        part += [f"Expected `{c.expected}`, got `{c.got}`." if c.expected else ""]
        part += [f"*Hint:* {c.hint}" if c.hint else ""]
        parts.append("\n\n".join(p for p in part if p))
    return "\n\n".join(parts)
