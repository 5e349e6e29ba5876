"""The report a student reads: a table of categories, then each failure explained.

A category of weight 0 is shown as information (``info``), not as PASS or FAIL with 0/0.
Categories that say the same thing (five MLP checks without an MLP) are explained once.
The table shows the first sentence of each message whole, wrapped, never cut.
"""

from __future__ import annotations

import re
import textwrap
from typing import Optional

from grader.results import CategoryResult, Report

_MARK = {"pass": "PASS", "fail": "FAIL", "missing": "MISSING", "error": "ERROR"}
WIDTH = 100  # of the table, wrapped sentences included
_SENTENCE_END = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?])\s+")


def _points(x: float) -> str:
    return f"{x:g}"


def is_info(c: CategoryResult) -> bool:
    """A category that carries no points: shown for information only."""
    return not c.max_score


def mark(c: CategoryResult) -> str:
    """PASS, FAIL, MISSING, ERROR, or info for a category of weight 0."""
    return "info" if is_info(c) else _MARK[c.status]


def points(c: CategoryResult) -> str:
    return "-" if is_info(c) else f"{_points(c.score)}/{_points(c.max_score)}"


def first_sentence(message: str) -> str:
    """The message's first sentence, whole (a number such as 0.78 does not end one)."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    return _SENTENCE_END.split(line, maxsplit=1)[0]


def summary(c: CategoryResult) -> str:
    """What the table says about a category."""
    if c.status == "pass":
        return "passes (for information: no points)" if is_info(c) else ""
    return first_sentence(c.message)


def groups(report: Report) -> list[list[CategoryResult]]:
    """The categories that did not pass, those with the very same feedback together."""
    found: dict[tuple[object, ...], list[CategoryResult]] = {}
    for c in report.categories:
        if c.status != "pass":
            key = (c.status, c.message, c.counterexample, c.expected, c.got, c.hint, c.output)
            found.setdefault(key, []).append(c)
    return list(found.values())


def notes(report: Report) -> list[str]:
    """The report's notes, each said once."""
    return list(dict.fromkeys(report.notes))


def heading(group: list[CategoryResult]) -> str:
    """``tanh (fail, 0/4)``; several ids when they share their feedback; info when unscored."""
    ids = ", ".join(c.id for c in group)
    if all(is_info(c) for c in group):
        return f"{ids} (for information: no points)"
    score = sum(c.score for c in group)
    max_score = sum(c.max_score for c in group)
    return f"{ids} ({_MARK[group[0].status].lower()}, {_points(score)}/{_points(max_score)})"


def to_text(report: Report, pictures: Optional[dict[str, str]] = None) -> str:
    """Plain text for a terminal or a notebook cell; ``pictures`` names the picture file of
    a category's failing graph, when one was written."""
    lines = [f"micrograd-grader: {report.submission or 'your engine'}"]
    if not report.gradable:
        lines += [
            "",
            "Your submission could not be graded:",
            *notes(report),
            "",
            f"Score: 0 / {_points(report.max_score)}",
        ]
        return "\n".join(lines)
    if report.detected:
        lines.append("Detected: " + "; ".join(f"{k}: {v}" for k, v in report.detected.items()))
    lines += [
        *notes(report),
        "",
        f"Score: {_points(report.score)} / {_points(report.max_score)}",
        "",
        *_table(report),
    ]
    for group in groups(report):
        lines += ["", *details(group, (pictures or {}).get(group[0].id))]
    return "\n".join(lines)


def summaries(report: Report) -> list[str]:
    """The table's text for each category: a first sentence already shown for an earlier
    category is not repeated (``(as mlp.params)``)."""
    texts: list[str] = []
    said: dict[str, str] = {}  # a sentence: the id whose row already shows it
    for c in report.categories:
        text = summary(c)
        if text and text in said and c.status != "pass":
            text = f"(as {said[text]})"
        elif text:
            said[text] = c.id
        texts.append(text)
    return texts


def _table(report: Report) -> list[str]:
    width = max((len(c.id) for c in report.categories), default=0)
    point_w = max((len(points(c)) for c in report.categories), default=0)
    indent = 2 + 7 + 1 + width + 2 + point_w + 2
    rows = []
    for c, text in zip(report.categories, summaries(report)):
        head = f"  {mark(c):<7} {c.id:<{width}}  {points(c):<{point_w}}"
        wrapped = textwrap.wrap(text, WIDTH - indent, break_on_hyphens=False) or [""]
        rows.append(f"{head}  {wrapped[0]}".rstrip())
        rows += [" " * indent + more for more in wrapped[1:]]
    return rows


def details(group: list[CategoryResult], picture: Optional[str] = None) -> list[str]:
    """The feedback on categories that share it: message, code, expected, got, hint."""
    c = group[0]
    lines = [f"--- {heading(group)}", c.message]
    if c.counterexample:
        lines += ["Smallest failing example (paste it after your class to try it):"]
        lines += ["    " + line for line in c.counterexample.splitlines()]
    if c.expected:
        lines.append(f"Expected: {c.expected}")
    if c.got:
        lines.append(f"Got:      {c.got}")
    if c.hint:
        lines.append(f"Hint: {c.hint}")
    if picture:
        lines.append(f"Picture of this graph: {picture}")
    if c.output:
        lines += ["Your code printed (truncated):", c.output]
    return lines


def to_markdown(report: Report) -> str:
    """Markdown for Jupyter: the summary table, then the failures with code blocks. Text from
    the grader or the student is escaped, so `__sub__` or `a*b` shows as written."""
    if not report.gradable:
        return "**Your submission could not be graded.**\n\n" + "\n\n".join(
            _md(note) for note in notes(report)
        )
    rows = ["| category | status | points |", "|---|---|---|"]
    rows += [f"| {_code(c.id)} | {mark(c)} | {points(c)} |" for c in report.categories]
    parts = [f"**Score: {_points(report.score)} / {_points(report.max_score)}**",
             *(_md(note) for note in notes(report))]
    parts.append("\n".join(rows))
    for group in groups(report):
        c = group[0]
        part = [f"#### {_md(heading(group))}", _md(c.message)]
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
