"""The report a student reads: a table of categories, then each failure explained."""

from __future__ import annotations

import re

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
    """Markdown for Jupyter: the summary table, then the failures with code blocks. Text from
    the grader or the student is escaped, so `__sub__` or `a*b` shows as written."""
    if not report.gradable:
        return "**Your submission could not be graded.**\n\n" + "\n\n".join(
            _md(note) for note in report.notes
        )
    rows = ["| category | status | points |", "|---|---|---|"]
    rows += [
        f"| {_code(c.id)} | {_MARK[c.status]} | {_points(c.score)}/{_points(c.max_score)} |"
        for c in report.categories
    ]
    parts = [f"**Score: {_points(report.score)} / {_points(report.max_score)}**", "\n".join(rows)]
    for c in report.categories:
        if c.status == "pass":
            continue
        part = [f"#### {_code(c.id)}: {_MARK[c.status].lower()}", _md(c.message)]
        if c.counterexample:
            fence = "`" * max(3, _longest_run(c.counterexample, "`") + 1)
            part.append(f"{fence}python\n{c.counterexample}\n{fence}")
        if c.expected:
            part.append(f"Expected {_code(c.expected)}, got {_code(c.got or '')}.")
        part += [f"*Hint:* {_md(c.hint)}" if c.hint else ""]
        parts.append("\n\n".join(p for p in part if p))
    return "\n\n".join(parts)


_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def _md(text: str) -> str:
    """``text`` with Markdown's special characters escaped, outside its `code spans`."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unpaired backtick: no code spans at all
        return _SPECIAL.sub(r"\\\1", text)
    return "`".join(p if i % 2 else _SPECIAL.sub(r"\\\1", p) for i, p in enumerate(pieces))


def _code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if "`" in text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _longest_run(text: str, char: str) -> int:
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)
