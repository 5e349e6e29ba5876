"""The HTML report and its pictures in a real browser: headless Chromium opens the page, a
probe script reads what the browser laid out, and a screenshot is kept as an artifact
(in $GRADER_ARTIFACTS, else build/test-artifacts/)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from grader.cli import main
from grader.report.picture import HIGHLIGHT_CLASS
from tests.report.pictures import report_with_picture

ROOT = Path(__file__).resolve().parents[2]
BUGGY = ROOT / "examples" / "buggy_student"
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (apt-get install chromium; .ci/run installs it)",
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
RED = "rgb(208, 2, 27)"  # the highlight's stroke

# What the browser drew: the highlighted node's box on screen, its stroke, and whether that
# point of the page shows the box (nothing covers it).
PROBE = """<script>
const rect = document.querySelector('svg.mg-graph .HIGHLIGHT rect');
const result = {found: !!rect, graphs: document.querySelectorAll('svg.mg-graph').length};
if (rect) {
  rect.scrollIntoView();
  const box = rect.getBoundingClientRect();
  const hit = document.elementFromPoint(box.x + 1, box.y + box.height / 2);
  Object.assign(result, {width: box.width, height: box.height,
    stroke: getComputedStyle(rect).stroke, node: rect.parentNode.dataset.node,
    visible: !!hit && rect.parentNode.contains(hit)});
}
document.body.setAttribute('data-probe', JSON.stringify(result));
</script>""".replace("HIGHLIGHT", HIGHLIGHT_CLASS)


def _chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _probe(page: Path, tmp_path: Path) -> dict[str, Any]:
    probed = tmp_path / f"probe-{page.name}"
    text = page.read_text(encoding="utf-8")
    probed.write_text(text.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, "--window-size=1200,1000", "--dump-dom", probed.as_uri())
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[:2000]
    assert f'class="mg-node {HIGHLIGHT_CLASS}"' in dom
    return dict(json.loads(html.unescape(found.group(1))))


def _artifacts() -> Path:
    folder = Path(os.environ.get("GRADER_ARTIFACTS") or ROOT / "build" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_report_page_draws_the_first_wrong_node(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert main(["check", str(BUGGY), "--format", "html", "--output", str(page)]) == 1
    probe = _probe(page, tmp_path)
    assert probe["found"] and probe["graphs"] == 2  # exp and tanh
    assert probe["node"] == "a" and probe["stroke"] == RED and probe["visible"]
    assert probe["width"] > 50 and probe["height"] > 30
    shot = _artifacts() / "report.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path, "--window-size=1200,1800", f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_notebook_display_draws_the_picture(tmp_path: Path) -> None:
    page = tmp_path / "cell.html"
    fragment = report_with_picture()._repr_html_()
    page.write_text(f"<!DOCTYPE html><html><body>{fragment}</body></html>", encoding="utf-8")
    probe = _probe(page, tmp_path)
    assert probe["graphs"] == 1 and probe["node"] == "a" and probe["stroke"] == RED
    assert probe["visible"]
