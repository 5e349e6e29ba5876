"""The Gradescope autograder zip: its files, executable bits, determinism and scripts."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.autograder import TORCH_PIN, build_autograder
from grader.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = "seed = 3\n\n[weights]\nadd = 2\ntanh = 2\ndeep = 0\n"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A copy of the grader's source tree, safe to touch."""
    copy = tmp_path / "src"
    copy.mkdir()
    for package in ("grader", "reference"):  # reference/ beside it, as in the repository
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


@pytest.fixture
def rubric(tmp_path: Path) -> Path:
    path = tmp_path / "my-rubric.toml"
    path.write_text(RUBRIC, encoding="utf-8")
    return path


def _mode(info: zipfile.ZipInfo) -> int:
    return stat.S_IMODE(info.external_attr >> 16)


def test_zip_holds_the_scripts_rubric_and_grader(
    source: Path, rubric: Path, tmp_path: Path
) -> None:
    (source / "grader" / "__pycache__").mkdir(exist_ok=True)
    (source / "grader" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    out = build_autograder(rubric, tmp_path / "out" / "autograder.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert archive.read("rubric/my-rubric.toml").decode() == RUBRIC
    names = set(infos)
    assert {"setup.sh", "run_autograder", "rubric/my-rubric.toml"} <= names
    assert {
        "micrograd-grader/pyproject.toml",
        "micrograd-grader/README.md",
        "micrograd-grader/grader/__init__.py",
        "micrograd-grader/grader/results.py",
        "micrograd-grader/grader/report/gradescope.py",
        "micrograd-grader/grader/autograder/build.py",
    } <= names
    assert not any(n.endswith(".pyc") or "__pycache__" in n for n in names)
    assert not any(
        n.startswith(("reference/", "tests/", "micrograd-grader/reference")) for n in names
    )
    assert _mode(infos["setup.sh"]) == 0o755
    assert _mode(infos["run_autograder"]) == 0o755
    assert all(
        _mode(i) == 0o644 for n, i in infos.items() if n not in ("setup.sh", "run_autograder")
    )
    assert list(infos) == sorted(infos)
    assert {i.date_time for i in infos.values()} == {(1980, 1, 1, 0, 0, 0)}


def test_two_builds_are_byte_identical(source: Path, rubric: Path, tmp_path: Path) -> None:
    first = build_autograder(rubric, tmp_path / "a.zip", grader_source=source)
    for path in source.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))  # new mtimes must not matter
    second = build_autograder(rubric, tmp_path / "b.zip", grader_source=source)
    assert first.read_bytes() == second.read_bytes()


def test_without_a_rubric_there_is_no_config(source: Path, tmp_path: Path) -> None:
    out = build_autograder(None, tmp_path / "autograder.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        assert not any(name.startswith("rubric/") for name in archive.namelist())
        assert "--config" not in archive.read("run_autograder").decode()


def test_setup_pins_torch_and_names_no_host(source: Path, tmp_path: Path) -> None:
    out = build_autograder(None, tmp_path / "autograder.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        setup = archive.read("setup.sh").decode()
        run = archive.read("run_autograder").decode()
    assert TORCH_PIN == "torch==2.13.0"
    assert '"torch==2.13.0"' in setup
    assert "--index-url" in setup  # the comment tells the instructor where to point pip
    assert "://" not in setup and "://" not in run
    assert 'pip install "$SOURCE/micrograd-grader"' in setup
    # the same pin as the project's own install-time constraint
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8").split()
    assert TORCH_PIN in pins


def test_a_torch_index_is_passed_to_pip_quoted(source: Path, tmp_path: Path) -> None:
    out = build_autograder(
        None, tmp_path / "a.zip", grader_source=source, torch_index_url="/srv/torch cpu"
    )
    with zipfile.ZipFile(out) as archive:
        setup = archive.read("setup.sh").decode()
    assert "\"torch==2.13.0\" --index-url '/srv/torch cpu'" in setup


def test_bad_rubric_and_bad_source_are_refused(source: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("weights = [", encoding="utf-8")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("budgets = 3\n", encoding="utf-8")
    for bad in (broken, unknown):
        with pytest.raises(ConfigError):
            build_autograder(bad, tmp_path / "a.zip", grader_source=source)
    with pytest.raises(ValueError):
        build_autograder(None, tmp_path / "a.zip", grader_source=tmp_path / "nowhere")
    assert not (tmp_path / "a.zip").exists()


def test_a_pyproject_rubric_keeps_its_name(source: Path, tmp_path: Path) -> None:
    project = tmp_path / "course" / "pyproject.toml"
    project.parent.mkdir()
    project.write_text("[tool.micrograd-grader]\nseed = 5\n", encoding="utf-8")
    out = build_autograder(project, tmp_path / "a.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        assert "rubric/pyproject.toml" in archive.namelist()
        run = archive.read("run_autograder").decode()
        assert 'RUBRIC="$ROOT/source/"rubric/pyproject.toml' in run


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_scripts_are_valid_bash(source: Path, rubric: Path, tmp_path: Path) -> None:
    out = build_autograder(rubric, tmp_path / "a.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "x")
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / "x" / script)], check=True)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_run_autograder_calls_the_gradescope_command(
    source: Path, rubric: Path, tmp_path: Path
) -> None:
    root = tmp_path / "autograder"
    out = build_autograder(rubric, tmp_path / "a.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(root / "source")
    stub = tmp_path / "python3"
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" "rubric=$MICROGRAD_GRADER_RUBRIC" '
                    '> "$ARGS_FILE"\n', encoding="utf-8")
    stub.chmod(0o755)
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "MICROGRAD_GRADER_PYTHON": str(stub),
        "ARGS_FILE": str(tmp_path / "args"),
    }
    subprocess.run(["bash", str(root / "source" / "run_autograder")], check=True, env=env)
    args = (tmp_path / "args").read_text(encoding="utf-8").splitlines()
    assert args == [
        "-m",
        "grader",
        "gradescope",
        "--submission",
        f"{root}/submission",
        "--results",
        f"{root}/results/results.json",
        f"rubric={root}/source/rubric/my-rubric.toml",  # in the environment, not on argv
    ]
    assert (root / "results").is_dir()


def test_bundled_source_builds_as_a_package(source: Path, tmp_path: Path) -> None:
    """pip can build the bundled tree offline (pyproject.toml names README.md: it must be there)."""
    pytest.importorskip("setuptools")
    out = build_autograder(None, tmp_path / "a.zip", grader_source=source)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "x")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path / "wheels"),
            str(tmp_path / "x" / "micrograd-grader"),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 and "No module named pip" in done.stderr:
        pytest.skip("pip is not installed here")
    assert done.returncode == 0, done.stderr
    wheels = list((tmp_path / "wheels").glob("*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
    assert "grader/report/gradescope.py" in names
    assert "grader/autograder/build.py" in names


def test_an_installed_grader_builds_the_zip_without_its_source_tree(tmp_path: Path) -> None:
    """A grader installed from a wheel has no pyproject.toml beside it: the zip's project file
    is written from the installed metadata, and pip can still build it."""
    site = tmp_path / "site-packages"
    for package in ("grader", "reference"):
        shutil.copytree(ROOT / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    out = build_autograder(None, tmp_path / "a.zip", grader_source=site)
    with zipfile.ZipFile(out) as archive:
        project = archive.read("micrograd-grader/pyproject.toml").decode()
        archive.extractall(tmp_path / "x")
    assert 'name = "micrograd-grader"' in project and "torch" in project
    pytest.importorskip("setuptools")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(tmp_path / "wheels"), str(tmp_path / "x" / "micrograd-grader")],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
