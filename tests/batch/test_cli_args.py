"""Every argument is checked before grading: one line on standard error, exit code 2, no
traceback; ``--help`` has examples and the exit codes; the rubric's total is told."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.cli import main
from grader.config import DEFAULT_WEIGHTS, load_config

ROOT = Path(__file__).resolve().parents[2]
ENGINE = str(ROOT / "reference" / "engine.py")


def _exit(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse's own refusal
        return int(stop.code or 0)


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text("x = 1\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.json").write_text("{}")
    return {k: str(tmp_path / k) for k in ("class", "empty", "full")} | {
        "new": str(tmp_path / "new"), "missing": str(tmp_path / "missing"),
        "file": str(tmp_path / "file.txt"),
    }  # fmt: skip


BAD = [
    (["check", ENGINE, "--budget", "0"], "--budget"),
    (["check", ENGINE, "--budget", "ten"], "--budget"),
    (["check", ENGINE, "--seed", "-3"], "--seed"),
    (["check", ENGINE, "--method", "sigmoid"], "OP=NAME"),
    (["check", ENGINE, "--method", "softmax=sm"], "softmax"),
    (["check", ENGINE, "--class", "my class"], "--class"),
    (["check", "{missing}"], "no such file or folder"),
    (["check", ENGINE, "--output", "{class}"], "is a folder"),
    (["check", ENGINE, "--output", "{file}/report.txt"], "is a file"),
    (["check", ENGINE, "--config", "{missing}"], "no such file"),
    (["batch", "{missing}", "--output", "{new}"], "no such folder"),
    (["batch", "{file}", "--output", "{new}"], "grader check FILE"),
    (["batch", "{class}", "--output", "{file}"], "is a file"),
    (["batch", "{class}", "--output", "{full}"], "--overwrite"),
    (["batch", "{class}", "--output", "{class}/reports"], "inside the class folder"),
    (["batch", "{class}", "--output", "{new}", "-j", "0"], "--jobs"),
    (["batch", "{class}", "--output", "{new}", "--time-limit", "-1"], "--time-limit"),
    (["batch", "{empty}", "--output", "{new}"], "holds no submissions"),
    (["autograder", "--output", "{class}"], "is a folder"),
]


@pytest.mark.parametrize(
    ("argv", "said"), BAD, ids=lambda x: " ".join(x)[:60] if isinstance(x, list) else x
)
def test_an_unusable_argument_gets_one_line_and_exit_2(
    argv: list[str], said: str, places: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = _exit([a.format(**places) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and said in err, err
    assert not Path(places["new"]).exists()  # nothing was written


def test_no_traceback_from_the_command_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(tmp_path / "nowhere"), "--output",
         str(tmp_path / "out")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("grader batch: error:") and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["check", "batch", "autograder", "gradescope"])
def test_help_explains_every_option_with_examples_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "exit codes:" in text
    options = re.findall(r"^  (-[-\w, ]+?)(?:\s{2,}|\n)", text, re.M)
    assert options
    for line in text.split("options:")[1].split("examples:")[0].split("\n  -")[1:]:
        assert len(line.split()) > 3, f"an option without a sentence: {line!r}"


def test_the_readme_rubric_adds_up_to_100_and_another_total_is_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text()
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(re.search(r"```toml\n(.*?)```", readme, re.S).group(1))  # type: ignore[union-attr]
    assert sum(load_config(rubric).weights.values()) == 100
    argv = ["autograder", "--config", str(rubric), "--output", str(tmp_path / "a.zip")]
    assert _exit(argv) == 0
    assert "add up" not in capsys.readouterr().err
    rubric.write_text("seed = 5\n[weights]\nreuse = 15\n")
    assert _exit(argv) == 0
    assert "the rubric's weights add up to 101 points, not 100" in capsys.readouterr().err
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_a_rubric_value_the_grader_cannot_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = tmp_path / "rubric.toml"
    for text, said in [("budget = 0\n", "budget"), ("lanes = 'many'\n", "lanes"),
                       ("[weights]\nadd = -1\n", "weight of add")]:  # fmt: skip
        rubric.write_text(text)
        assert _exit(["check", ENGINE, "--config", str(rubric)]) == 2
        assert said in capsys.readouterr().err


def test_autograder_warns_on_the_public_seed_and_passes_the_torch_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a.zip"
    assert _exit(["autograder", "--output", str(out)]) == 0
    assert "public default seed" in capsys.readouterr().err
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("seed = 8675309\n")
    argv = ["autograder", "--config", str(rubric), "--output", str(out)]
    assert _exit([*argv, "--torch-index-url", "https://example.org/whl/cpu"]) == 0
    assert "public default seed" not in capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        setup = archive.read("setup.sh").decode()
    assert '"torch==2.13.0" --index-url https://example.org/whl/cpu' in setup


def test_gradescope_with_a_missing_rubric_still_writes_results(tmp_path: Path) -> None:
    results = tmp_path / "results" / "results.json"
    argv = ["gradescope", "--submission", ENGINE, "--results", str(results)]
    assert _exit([*argv, "--config", str(tmp_path / "gone.toml")]) == 2
    assert "rubric is broken" in results.read_text()
