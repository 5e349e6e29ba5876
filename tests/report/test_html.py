"""The HTML page (``--format html``) and the pictures written beside a text report."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from grader.cli import emit
from grader.report.html import to_html
from grader.report.picture import HIGHLIGHT_CLASS
from tests.report.pictures import report_with_picture


def test_the_page_is_self_contained() -> None:
    """Nothing to fetch: no script, no stylesheet link, no remote address but SVG's xmlns."""
    page = to_html(report_with_picture())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}


def test_a_failure_shows_code_picture_expected_got_and_hint_in_order() -> None:
    page = to_html(report_with_picture())
    section = page[page.index("<h2>") :]
    order = ["exp (fail, 0/3)", "<svg", "a = Value(1.0)", "Expected", "Got", "Hint:"]
    positions = [section.index(part) for part in order]
    assert positions == sorted(positions)
    assert "<code>self.grad += ...</code>" in section  # backquoted code in the hint
    assert f'class="mg-node {HIGHLIGHT_CLASS}" data-node="a"' in section
    assert '<a href="#mg-exp">exp</a>' in page and 'id="mg-exp"' in page


def test_what_the_student_printed_is_escaped() -> None:
    report = report_with_picture()
    exp = replace(report.categories[1], output="<script>alert(1)</script>\x1b[31m")
    page = to_html(replace(report, categories=[report.categories[0], exp]))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_text_report_written_to_a_file_gets_its_pictures_beside_it(tmp_path: Path) -> None:
    output = tmp_path / "out" / "report.txt"
    emit(report_with_picture(), "text", output)
    picture = tmp_path / "out" / "report.exp.svg"
    assert HIGHLIGHT_CLASS in picture.read_text(encoding="utf-8")
    assert f"Picture of this graph: {picture}" in output.read_text(encoding="utf-8")
    emit(report_with_picture(), "html", tmp_path / "page.html")
    assert "<svg" in (tmp_path / "page.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob("page.*.svg"))  # the page holds its pictures itself
