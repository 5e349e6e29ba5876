"""The autograder passes its rubric (and so its secret seed) in the environment, never on the
command line, where /proc would show it to any process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import RUBRIC_VARIABLE, main

ROOT = Path(__file__).parents[2]


def test_gradescope_reads_the_rubric_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('seed = 7\nbudget = 2\n[weights]\n"mlp.train" = 0\n', encoding="utf-8")
    monkeypatch.setenv(RUBRIC_VARIABLE, str(rubric))
    results = tmp_path / "results.json"
    code = main(["gradescope", "--submission", str(ROOT / "reference"),
                 "--results", str(results)])
    assert code == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    train = [t for t in data["tests"] if "mlp" in t["name"] and "train" in t["name"]]
    assert train and all(t["max_score"] == 0 for t in train)  # weighs 0 by this rubric
    assert data["score"] == 95
