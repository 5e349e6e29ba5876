"""check(Value) shows its report in a script, and leaves it to the display at a prompt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.api import shown
from tests.report.pictures import report_with_picture

ROOT = Path(__file__).resolve().parents[2]


def test_shown_prints_in_a_script_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = report_with_picture()
    assert shown(report) is report
    assert capsys.readouterr().out == str(report) + "\n"
    monkeypatch.setattr(sys, "ps1", ">>> ", raising=False)  # a Python prompt
    shown(report)
    assert capsys.readouterr().out == ""


def test_check_in_a_script_prints_the_report(tmp_path: Path) -> None:
    script = tmp_path / "mine.py"
    script.write_text(
        "from reference.engine import Value\nfrom grader import check\ncheck(Value)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Score: 75 / 100" in done.stdout and "info    deep" in done.stdout
    assert done.stdout.count("No MLP class found") == 2  # the table, and the one explanation
