"""The class report page, opened in a real browser: headless Chromium (Debian's package
``chromium``; ``.ci/run`` installs it). Where no Chromium is found the test is skipped and
says so. The screenshot is kept: its path is printed and recorded as the test property
``screenshot`` (set GRADER_TEST_ARTIFACTS to choose the folder)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from grader.report.class_html import to_class_html
from grader.report.class_report import class_report
from grader.results import CategoryResult, Report

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
]  # fmt: skip
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
GREEN = (0x3A, 0x7D, 0x44)  # the bars of the plot and of the category table
RED = (0xF6, 0xD2, 0xD2)  # a failed category in the students' table
HINT = "Did you write `self.grad = ...` instead of `self.grad += ...`?"
CODE = "a = Value(1.0)\nout = a + a\nout.backward()"


def _browser() -> Optional[str]:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def _student(score: float, add: str, hint: Optional[str] = None) -> Report:
    categories = [
        CategoryResult("add", add, 4.0 if add == "pass" else 0.0, 4.0, "m", CODE, hint=hint),
        CategoryResult("tanh", "pass", 6.0, 6.0, "m"),
    ]
    return Report(score, 10.0, categories)


def _class() -> list[tuple[str, Report]]:
    broken = Report(0.0, 10.0, [], notes=["SyntaxError in cell 2"], gradable=False)
    return [
        ("alice", _student(10.0, "pass")),
        ("bob <b>", _student(6.0, "fail", HINT)),  # a name that is markup stays text
        ("carol.v2", _student(6.0, "fail", HINT)),
        ("dave", _student(10.0, "pass")),
        ("erin", broken),
    ]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("GRADER_TEST_ARTIFACTS") or tmp_path_factory.mktemp("page"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "class_report.html"
    path.write_text(to_class_html(class_report(_class()), "Class report: demo"), "utf-8")
    return path


def test_the_page_needs_nothing_from_the_network(page: Path) -> None:
    text = page.read_text()
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert "src=" not in text and "url(" not in text  # only the SVG namespace names a URL


def test_chromium_shows_the_counts_the_plot_and_the_students(
    page: Path, record_property: Callable[[str, Any], None]
) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no Chromium here (Debian: apt-get install chromium; .ci/run does it)")
    dom = _run(browser, "--dump-dom", page.as_uri()).stdout
    shown = _Page()
    shown.feed(dom)
    assert shown.categories == {"add": "2", "tanh": "4"}  # passed, of the 4 graded
    assert shown.bars == [0] * 6 + [2] + [0] * 2 + [2]  # 60% twice, 100% twice
    assert shown.misconceptions == ["2"]
    assert shown.students == ["alice", "bob <b>", "carol.v2", "dave", "erin"]
    assert "5 submissions, 4 graded (1 could not be)" in shown.text
    assert "mean 8, median 8, lowest 6, highest 10" in shown.text

    shot = page.with_suffix(".png")
    _run(browser, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri())
    record_property("screenshot", str(shot))
    print(f"class report screenshot: {shot}")
    colours = _colours(shot.read_bytes())
    assert colours[RED] > 0
    # the two full columns of the plot are drawn at full height (170 x 44 pixels each)
    assert colours[GREEN] > 2 * 170 * 44


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [browser, *FLAGS, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class _Page(HTMLParser):
    """What the rendered DOM holds: passed count per category, plot bars, misconception
    counts, student rows, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.categories: dict[str, str] = {}
        self.bars: list[int] = []
        self.misconceptions: list[str] = []
        self.students: list[str] = []
        self.text = ""
        self._row: Optional[str] = None
        self._passed = False
        self._name = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-category"):
            self._row = a["data-category"]
        if tag == "td" and self._row and "passed" in (a.get("class") or ""):
            self._passed = True
        if tag == "rect" and a.get("class") == "column":
            self.bars.append(int(a["data-count"] or 0))
        if tag == "div" and a.get("class") == "misconception":
            self.misconceptions.append(a["data-students"] or "")
        if tag == "tr" and "data-student" in a:
            self._name = True

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._passed and self._row:
            self.categories[self._row] = data
            self._passed = False
        elif self._name and data.strip():
            self.students.append(data)
            self._name = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None


def _colours(png: bytes) -> Counter[tuple[int, int, int]]:
    """How many pixels of each RGB colour an 8-bit, non-interlaced PNG (what Chromium
    writes) holds."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, header = 8, b"", b""
    while pos < len(png):
        (size,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + size]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        pos += 12 + size
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    step = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(data), width * step
    previous, found = bytearray(stride), Counter[tuple[int, int, int]]()
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row = _unfilter(line[0], bytearray(line[1:]), previous, step)
        found.update(zip(row[0::step], row[1::step], row[2::step]))
        previous = row
    return found


def _unfilter(kind: int, row: bytearray, up: bytearray, step: int) -> bytearray:
    for i in range(len(row)):
        left = row[i - step] if i >= step else 0
        above, corner = up[i], (up[i - step] if i >= step else 0)
        if kind == 1:
            row[i] = (row[i] + left) & 255
        elif kind == 2:
            row[i] = (row[i] + above) & 255
        elif kind == 3:
            row[i] = (row[i] + (left + above) // 2) & 255
        elif kind == 4:
            p = left + above - corner
            pa, pb, pc = abs(p - left), abs(p - above), abs(p - corner)
            near = left if pa <= pb and pa <= pc else above if pb <= pc else corner
            row[i] = (row[i] + near) & 255
    return row
