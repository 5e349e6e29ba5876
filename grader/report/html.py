"""The report as one self-contained HTML page (``grader check --format html``), and the same
body for a notebook cell (``Report._repr_html_``): score, categories, and for each failure
the code, the picture of the failing graph, expected against got, and the hint.

Nothing is loaded from elsewhere: the style is inline, the pictures are inline SVG, there is
no script, so the page opens offline and from an e-mail attachment.
"""

from __future__ import annotations

import re
from html import escape

from grader.report.gradescope import category_title, clean_text
from grader.report.picture import to_svg
from grader.report.text import groups, heading, mark, notes, points, summaries
from grader.results import CategoryResult, Report

_STYLE = """
.mg-report{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;
  max-width:1100px}
.mg-report h1{font-size:1.4em;margin:.2em 0}
.mg-report h2{font-size:1.15em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
.mg-report .mg-score{font-size:1.6em;font-weight:bold;margin:.3em 0}
.mg-report .mg-detected{color:#555;font-size:.9em}
.mg-report table{border-collapse:collapse;margin:.6em 0}
.mg-report th,.mg-report td{text-align:left;padding:.25em .7em;border-bottom:1px solid #eee;
  vertical-align:top}
.mg-report .mg-status{font:bold 12px monospace;padding:.1em .45em;border-radius:4px;
  white-space:nowrap}
.mg-report .mg-PASS{background:#e3f6e5;color:#17692b}
.mg-report .mg-FAIL,.mg-report .mg-ERROR{background:#fde2e1;color:#a1110a}
.mg-report .mg-MISSING{background:#fff0d6;color:#8a5300}
.mg-report .mg-info{background:#e8eefb;color:#254a9c}
.mg-report pre{background:#f6f8fa;padding:.6em .8em;border-radius:6px;overflow-x:auto}
.mg-report code,.mg-report pre{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
.mg-report .mg-hint{background:#fffbe6;border-left:4px solid #f5c400;padding:.4em .8em}
.mg-report figure{margin:.6em 0;overflow-x:auto}
.mg-report figcaption{color:#555;font-size:.9em}
.mg-report dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}
.mg-report dt{font-weight:bold}
.mg-report dd{margin:0}
"""


def to_html(report: Report) -> str:
    """A whole page, for a file: ``grader check engine.py --format html --output r.html``."""
    title = escape(f"micrograd-grader: {report.submission or 'your engine'}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "</head>\n<body>\n"
        f"{to_html_fragment(report)}\n</body>\n</html>"
    )


def to_html_fragment(report: Report) -> str:
    """The report body with its own style, for a notebook cell or inside a page."""
    parts = [
        f"<style>{_STYLE}</style>",
        '<div class="mg-report">',
        f"<h1>micrograd-grader: {escape(report.submission or 'your engine')}</h1>",
    ]
    if not report.gradable:
        parts += ["<p><strong>Your submission could not be graded:</strong></p>"]
        parts += [f"<pre>{_text(note)}</pre>" for note in notes(report)]
        parts += [f'<p class="mg-score">Score: 0 / {report.max_score:g}</p>', "</div>"]
        return "\n".join(parts)
    if report.detected:
        found = "; ".join(f"{k}: {v}" for k, v in report.detected.items())
        parts.append(f'<p class="mg-detected">Detected: {escape(found)}</p>')
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{_prose(n)}</li>" for n in notes(report)) + "</ul>")
    parts.append(f'<p class="mg-score">Score: {report.score:g} / {report.max_score:g}</p>')
    parts.append(_table(report))
    for group in groups(report):
        parts += _section(group)
    parts.append("</div>")
    return "\n".join(parts)


def _table(report: Report) -> str:
    rows = ["<table>", "<tr><th>status</th><th>category</th><th>points</th><th></th></tr>"]
    for c, about in zip(report.categories, summaries(report)):
        label = mark(c)
        link = escape(c.id)
        if c.status != "pass":
            link = f'<a href="#mg-{link}">{link}</a>'
        rows.append(
            f'<tr><td><span class="mg-status mg-{label}">{label}</span></td>'
            f'<td><code title="{escape(category_title(c.id))}">{link}</code></td>'
            f"<td>{escape(points(c))}</td><td>{_text(about)}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


def _section(group: list[CategoryResult]) -> list[str]:
    c = group[0]
    anchors = "".join(f'<a id="mg-{escape(g.id)}"></a>' for g in group)
    parts = [f"<h2>{anchors}{escape(heading(group))}</h2>", f"<p>{_prose(c.message)}</p>"]
    if c.graph is not None:
        parts += [
            "<figure>",
            to_svg(c.graph, c.id),
            "</figure>",
        ]
    if c.counterexample:
        parts += [
            "<p>Smallest failing example (paste it after your class to try it):</p>",
            f"<pre><code>{_text(c.counterexample)}</code></pre>",
        ]
    if c.expected or c.got:
        parts.append("<dl>")
        if c.expected:
            parts.append(f"<dt>Expected</dt><dd><code>{_text(c.expected)}</code></dd>")
        if c.got:
            parts.append(f"<dt>Got</dt><dd><code>{_text(c.got)}</code></dd>")
        parts.append("</dl>")
    if c.hint:
        parts.append(f'<p class="mg-hint"><strong>Hint:</strong> {_prose(c.hint)}</p>')
    if c.output:
        parts += ["<p>Your code printed (truncated):</p>", f"<pre>{_text(c.output)}</pre>"]
    return parts


def _text(text: str) -> str:
    return escape(clean_text(text))


def _prose(text: str) -> str:
    """Escaped text whose `backquoted` code is shown as code."""
    return re.sub(r"`([^`\n]+)`", r"<code>\1</code>", _text(text))
