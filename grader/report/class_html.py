"""The class report as one self-contained HTML page: inline style and an inline SVG plot,
no script, no font or image to fetch, so it opens offline from a file or an e-mail."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

_SYMBOL = {"pass": "✓", "fail": "✗", "missing": "–", "error": "!", "": ""}
_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; }
td.num, th.num { text-align: right; }
.s-pass { background: #d8f0d8; } .s-fail { background: #f6d2d2; }
.s-missing { background: #eee; } .s-error { background: #fbe3c0; }
.meter { display: inline-block; height: .8em; background: #3a7d44; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
.misconception { border-left: 4px solid #c0392b; padding-left: 1em; margin: 1.2em 0; }
.students td { white-space: nowrap; text-align: center; }
.students td.name { text-align: left; }
"""


def to_class_html(data: dict[str, Any], title: str = "Class report") -> str:
    """The page for a ``class_report`` document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _summary(data),
        _categories(data),
        _misconceptions(data),
        _distribution(data),
        _students(data),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(data: dict[str, Any]) -> str:
    scores = data["scores"]
    text = (
        f"{data['students']} submissions, {data['gradable']} graded "
        f"({data['students'] - data['gradable']} could not be)."
    )
    if scores:
        text += (
            f" Score out of {data['max_score']:g}: mean {scores['mean']:g}, "
            f"median {scores['median']:g}, lowest {scores['min']:g}, highest {scores['max']:g}."
        )
    return f'<p id="summary">{escape(text)}</p>'


def _categories(data: dict[str, Any]) -> str:
    graded = data["gradable"] or 1
    rows = []
    for c in data["categories"]:
        width = round(100 * c["pass"] / graded)
        rows.append(
            f'<tr data-category="{escape(c["id"])}"><td>{escape(c["id"])}</td>'
            f'<td class="num">{c["max_score"]:g}</td>'
            f'<td class="num passed">{c["pass"]}</td><td class="num">{c["fail"]}</td>'
            f'<td class="num">{c["missing"]}</td><td class="num">{c["error"]}</td>'
            f'<td><span class="meter" style="width:{width * 2}px"></span></td></tr>'
        )
    head = (
        "<tr><th>category</th><th class=num>points</th><th class=num>passed</th>"
        "<th class=num>failed</th><th class=num>missing</th><th class=num>error</th>"
        f"<th>passed, of {data['gradable']} graded</th></tr>"
    )
    return '<h2>Per category</h2><table id="categories">' + head + "".join(rows) + "</table>"


def _misconceptions(data: dict[str, Any]) -> str:
    items = []
    for m in data["misconceptions"]:
        example = m.get("example") or {}
        code = example.get("counterexample")
        block = f"<pre>{escape(code)}</pre>" if code else ""
        students = "student" if m["students"] == 1 else "students"
        items.append(
            f'<div class="misconception" data-students="{m["students"]}">'
            f"<p><strong>{m['students']} {students}</strong> "
            f"(in {escape(', '.join(m['categories']))}): {escape(m['hint'])}</p>"
            f"{block}</div>"
        )
    body = "".join(items) or "<p>No misconception was confirmed in this class.</p>"
    note = (
        "<p>Hints the grader confirmed (a model of the mistake reproduced the student's "
        "numbers), counted once per student; each with the smallest example found, named "
        "after no one.</p>"
    )
    return f'<h2>Most common misconceptions</h2><section id="misconceptions">{note}{body}</section>'


def _distribution(data: dict[str, Any]) -> str:
    """A bar chart of the histogram, as inline SVG."""
    bins = data["histogram"]
    top = max((b["count"] for b in bins), default=0) or 1
    width, height, left, bottom = 560, 220, 40, 30
    step = (width - left) / len(bins)
    shapes = []
    for k, b in enumerate(bins):
        h = (height - bottom - 20) * b["count"] / top
        x = left + k * step + 4
        y = height - bottom - h
        shapes.append(
            f'<rect class="column" x="{x:.1f}" y="{y:.1f}" width="{step - 8:.1f}" height="{h:.1f}"'
            f' fill="#3a7d44" data-count="{b["count"]}"><title>{b["from"]}-{b["to"]}%: '
            f"{b['count']}</title></rect>"
        )
        shapes.append(
            f'<text x="{x + (step - 8) / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="12">{b["count"]}</text>'
        )
        shapes.append(
            f'<text x="{x + (step - 8) / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" font-size="11">{b["from"]}-{b["to"]}</text>'
        )
    axis = (
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#555"/>'
        f'<text x="{width / 2:.0f}" y="{height - 2}" text-anchor="middle" font-size="12">'
        "score, % of the maximum</text>"
    )
    svg = (
        f'<svg id="distribution" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" role="img" aria-label="score distribution">'
        + "".join(shapes)
        + axis
        + "</svg>"
    )
    return f"<h2>Score distribution</h2>{svg}"


def _students(data: dict[str, Any]) -> str:
    ids = [c["id"] for c in data["categories"]]
    head = (
        "<tr><th>student</th><th class=num>score</th>"
        + "".join(f"<th>{escape(cid)}</th>" for cid in ids)
        + "<th>note</th></tr>"
    )
    rows = []
    for row in data["table"]:
        cells = "".join(_cell(cid, row["statuses"].get(cid, "")) for cid in ids)
        score = f"{row['score']:g}/{row['max_score']:g}" if row["gradable"] else "not graded"
        name = escape(row["student"])
        if row.get("report"):  # the report file lies beside this page
            name = f'<a href="{escape(quote(row["report"]))}">{name}</a>'
        rows.append(
            f'<tr data-student="{escape(row["student"])}"><td class="name">{name}</td>'
            f'<td class="num">{score}</td>{cells}'
            f'<td class="name">{escape(row["note"][:200])}</td></tr>'
        )
    legend = "<p>✓ passed, ✗ failed, – missing, ! error.</p>"
    return (
        f'<h2>Students</h2>{legend}<table id="students" class="students">'
        + head
        + "".join(rows)
        + "</table>"
    )


def _cell(category_id: str, status: str) -> str:
    title = escape(f"{category_id}: {status}")
    return f'<td class="s-{escape(status)}" title="{title}">{_SYMBOL.get(status, "")}</td>'
