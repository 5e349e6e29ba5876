"""Whole grades: the reference, a shipped buggy engine, determinism, the CLI's contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader import check, grade
from grader.cli import main
from grader.config import MLP_WEIGHTS
from grader.results import Report

ROOT = Path(__file__).resolve().parents[2]
BUGGY = ROOT / "examples" / "buggy_student" / "engine.py"


def _engine_failures(report: Report) -> list[str]:
    return [c for c in report.failed() if not c.startswith("mlp.")]


@pytest.fixture(scope="module")
def buggy_report() -> Report:
    return grade(BUGGY)


def test_reference_gets_full_marks() -> None:
    from reference import engine, nn

    report = check(engine.Value, namespace={**vars(engine), **vars(nn)})
    assert report.score == report.max_score == 100
    assert report.failed() == []


def test_check_finds_the_network_beside_the_class() -> None:
    """In a notebook, check(Value) looks for Neuron, Layer and MLP in the same globals."""
    from reference import engine

    report = check(engine.Value)  # reference.engine defines no MLP
    assert report.category("mlp.forward").status == "missing"
    assert report.category("tanh").status == "pass"


def test_shipped_buggy_engine_fails_exactly_its_two_categories(buggy_report: Report) -> None:
    assert _engine_failures(buggy_report) == ["exp", "tanh"]
    tanh = buggy_report.category("tanh")
    assert "out = a.tanh()" in (tanh.counterexample or "")
    assert tanh.hint and "1 - t**2" in tanh.hint


def test_counterexample_is_runnable_and_reproduces_the_numbers(buggy_report: Report) -> None:
    namespace: dict = {}
    exec(BUGGY.read_text(), namespace)
    code = buggy_report.category("exp").counterexample or ""
    exec(code, namespace)
    got = buggy_report.category("exp").got or ""
    node, _, number = got.partition(".grad == ")
    assert namespace[node].grad == pytest.approx(float(number), rel=1e-12)


def test_same_seed_same_json(buggy_report: Report) -> None:
    def stable(report: Report) -> str:
        data = report.to_dict()
        data.pop("execution_time")
        return json.dumps(data, sort_keys=True)

    assert stable(grade(BUGGY)) == stable(buggy_report)


def test_another_seed_still_catches_the_bugs() -> None:
    assert _engine_failures(grade(BUGGY, seed=987654)) == ["exp", "tanh"]


def test_cli_exit_codes(tmp_path: Path) -> None:
    engine_only = tmp_path / "engine_only.toml"
    engine_only.write_text(
        "[weights]\n"
        + "".join(f'"mlp.{c}" = 0\n' for c in ("params", "forward", "grad", "zero_grad", "train"))
    )
    reference = str(ROOT / "reference" / "engine.py")
    out = str(tmp_path / "r.txt")
    assert main(["check", reference, "--config", str(engine_only), "--output", out]) == 0
    assert main(["check", reference, "--output", out]) == 1  # its MLP is missing
    assert (
        main(["check", str(BUGGY), "--format", "json", "--output", str(tmp_path / "b.json")]) == 1
    )
    report = json.loads((tmp_path / "b.json").read_text())
    assert {c["id"]: c["status"] for c in report["categories"]}["tanh"] == "fail"
    assert set(report) >= {"score", "max_score", "categories"}
    assert set(report["categories"][0]) >= {
        "id",
        "status",
        "score",
        "max_score",
        "message",
        "counterexample",
    }
    nothing = tmp_path / "nothing.py"
    nothing.write_text("x = 1\n")
    assert main(["check", str(nothing), "--output", str(tmp_path / "n.txt")]) == 2


def test_python_m_grader_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "micrograd-grader" in done.stdout


def test_grading_writes_nothing_into_the_working_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "check", str(BUGGY)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_student_template_scores_zero_with_every_op_missing() -> None:
    report = grade(ROOT / "student_template")  # engine.py and nn.py, loaded together
    assert report.gradable and report.score == 0
    for category in ("api", "add", "radd", "sub", "mul", "truediv", "pow", "exp", "tanh", "relu"):
        assert report.category(category).status == "missing", category
    assert all(report.category(c).status == "missing" for c in MLP_WEIGHTS)


def test_reference_folder_gets_full_marks_in_the_sandbox() -> None:
    report = grade(ROOT / "reference")
    assert report.score == report.max_score == 100, report.failed()
    assert any("after the files it imports: engine.py" in note and "nn.py" in note
               for note in report.notes)


def test_shipped_buggy_student_is_blamed_once_per_bug() -> None:
    """Its engine's tanh and exp are wrong and its Neuron leaves the bias out of
    parameters(); the MLP's gradients are then checked on a corrected engine, not charged."""
    report = grade(ROOT / "examples" / "buggy_student")
    assert report.failed() == ["exp", "tanh", "mlp.params"]
    assert "corrected engine" in report.category("mlp.grad").message


def test_rubric_refuses_unknown_settings_and_categories(tmp_path: Path) -> None:
    from grader.config import ConfigError, load_config

    rubric = tmp_path / "rubric.toml"
    rubric.write_text('budget = 4\n[weights]\ntanh = 7\n"mlp.train" = 0\n')
    config = load_config(rubric)
    assert (config.budget, config.weight("tanh"), config.weight("mlp.train")) == (4, 7, 0)
    rubric.write_text("[weights]\ntahn = 7\n")
    with pytest.raises(ConfigError, match="tahn"):
        load_config(rubric)
    assert main(["check", str(BUGGY), "--config", str(rubric)]) == 2


def test_check_leaves_the_callers_config_alone() -> None:
    from grader.config import load_config
    from reference.engine import Value

    config = load_config()
    check(Value, config)
    assert config.names == {}  # a later check of another class must not inherit "Value"
