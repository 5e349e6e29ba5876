"""Nothing a submission does (exit, hang, flood, monkeypatch, fake floats, write files) changes
another result.

Each entry of ``entries.py`` is graded once, with short limits (``SETTINGS``), and checked for:

* the hostile categories (``entry.hit``) get ``entry.expect``, with a message a student can
  read: what went wrong, no traceback of the grader;
* the honest categories (``api``, every op category not in ``hit``, ``reuse``, ``graph``) pass;
* whole-file hostility (exit or hang at import) is ungradable, with the reason as the first
  note, and ``grader check`` exits with 2;
* nothing it leaves behind acts after grading: no process of the sandbox's uids and no
  process carrying this run's token survives, and no file in the folders it may write changes
  during a wait after grading;
* the score is the honest score: the rubric's points of the honest categories (and of the
  hit ones when they are expected to pass), plus what deep and mlp.* got;
* the results.json forgers are also run through ``python -m grader gradescope`` (cwd = the
  results folder, made writable by anyone, which is worse than on Gradescope, and the results
  path in the grader's environment): the results file is the grader's, its score is the honest
  score (and grade()'s), and it does not change later.

Checks that a known grader bug breaks are strict xfails (``Hostile.bugs``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

from grader.mlp import MLP_CATEGORIES
from grader.ops import OP_CATEGORIES
from tests.hostile.entries import HOSTILE, Hostile, materialize

SETTINGS: dict[str, Any] = {"call_seconds": 1.0, "total_seconds": 60.0, "budget": 2}
RUBRIC = "call_seconds = 1.0\ntotal_seconds = 60.0\nbudget = 2\n"
HONEST = ("api", *OP_CATEGORIES, "reuse", "graph")  # mlp.* are missing, deep fails in the base
LATER_SECONDS = 0.7  # background writers stamp every 0.2 s: a survivor would show by then
OUTPUT_CHARS = 66_000  # the sandbox keeps 64,000 bytes of output, plus the "cut" line
CLI_SECONDS = 60.0  # bound on one `python -m grader ...` run (it starts torch too)
GRADER_TRACE = re.compile(r'File "[^"]*grader/|Traceback \(most recent call last\)')
AS_ROOT = os.geteuid() == 0

ENTRIES = {entry.name: entry for entry in HOSTILE}


def _params(check: str, entries: Any = HOSTILE) -> list[Any]:
    """The entries as pytest params; a check that a known grader bug breaks is a strict xfail."""
    params = []
    for entry in entries:
        reasons = [reason for name, reason in entry.bugs if name == check]
        marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
        params.append(pytest.param(entry, marks=marks, id=entry.name))
    return params


# -- grading once per entry -------------------------------------------------------------------


@dataclass
class Graded:
    """What grading one entry gave, and what was left behind."""

    report: Any
    seconds: float
    drop: Path
    at_return: dict[str, tuple[int, int]]
    later: Optional[dict[str, tuple[int, int]]] = None
    survivors: list[str] = field(default_factory=list)


@dataclass
class Workspace:
    """Folders for one module run: sources, and world-writable folders the hostile code may
    write into (under /tmp, since pytest's own tmp folders are closed to the sandbox uid)."""

    sources: Path
    shared: Path
    rubric: Path  # SETTINGS as a rubric file, for the command line
    token: str
    graded: dict[str, Graded] = field(default_factory=dict)
    cli: dict[str, dict[str, Any]] = field(default_factory=dict)
    autograder_existed: bool = field(default_factory=lambda: Path("/autograder").exists())

    def drop(self, name: str) -> Path:
        folder = self.shared / name
        folder.mkdir()
        folder.chmod(0o777)
        return folder

    def source(self, entry: Hostile, tag: str) -> tuple[Path, Path]:
        """The entry written into its own folder (a submission folder for the CLI)."""
        folder = self.sources / f"{entry.name}-{tag}"
        folder.mkdir()
        drop = self.drop(f"{entry.name}-{tag}")
        return materialize(entry, folder, str(drop), self.token), drop


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    shared = Path(tempfile.mkdtemp(prefix="hostile-grading-", dir="/tmp"))
    shared.chmod(0o755)
    rubric = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    rubric.write_text(RUBRIC)
    token = f"hostile{uuid.uuid4().hex}"
    space = Workspace(tmp_path_factory.mktemp("hostile"), shared, rubric, token)
    try:
        yield space
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _grade(entry: Hostile, space: Workspace) -> Graded:
    if entry.name not in space.graded:
        from grader import grade

        path, drop = space.source(entry, "api")
        begun = time.monotonic()
        report = grade(path, **SETTINGS)
        graded = Graded(report, time.monotonic() - begun, drop, snapshot(drop))
        if entry.later:
            time.sleep(LATER_SECONDS)
            graded.later = snapshot(drop)
        graded.survivors = survivors(space.token, os.getpid())
        space.graded[entry.name] = graded
    return space.graded[entry.name]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder``: size and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        try:
            info = path.stat()
        except OSError:
            continue
        found[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return found


def survivors(token: str, grader_pid: int) -> list[str]:
    """Live processes that carry ``token`` or run as one of ``grader_pid``'s sandbox uids."""
    from grader.sandbox.isolation import BASE_ID, PID_SPAN, SLOTS

    first = BASE_ID + (grader_pid % PID_SPAN) * SLOTS
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "X").split()[0] in ("Z", "X"):
            continue
        uid = int(fields["Uid"].split()[0])
        if token in cmdline or (AS_ROOT and first <= uid < first + SLOTS):
            found.append(f"{name} (uid {uid}): {cmdline[:120]}")
    return found


def readable(text: Optional[str], limit: int = 5000) -> list[str]:
    """Why ``text`` is not a message for a student (empty when it is): a traceback of the
    grader, or more than ``limit`` characters."""
    problems = []
    if text and GRADER_TRACE.search(text):
        problems.append(f"grader traceback in {text[:300]!r}")
    if text and len(text) > limit:
        problems.append(f"{len(text)} characters")
    return problems


# -- every entry --------------------------------------------------------------------------------


def test_catalogue_is_large_enough() -> None:
    assert len(HOSTILE) >= 15
    for entry in HOSTILE:
        assert entry.expect in ("fail", "error", "pass", "ungradable"), entry.name
        assert (entry.expect == "ungradable") == (not entry.hit), entry.name
        assert entry.hit <= set(OP_CATEGORIES), entry.name


@pytest.mark.parametrize("entry", _params("status"))
def test_hostile_categories_get_the_expected_status(entry: Hostile, workspace: Workspace) -> None:
    report = _grade(entry, workspace).report
    if entry.expect == "ungradable":
        assert not report.gradable and report.score == 0
        assert all(c.status == "error" and c.score == 0 for c in report.categories)
        assert report.score == 0
        return
    assert report.gradable, report.notes
    got = {c: report.category(c).status for c in sorted(entry.hit)}
    assert got == dict.fromkeys(sorted(entry.hit), entry.expect), (
        f"{entry.name} ({entry.why}): "
        + "; ".join(
            f"{c}: {report.category(c).status}: {report.category(c).message}"
            for c in sorted(entry.hit)
        )
    )


@pytest.mark.parametrize("entry", _params("message"))
def test_messages_are_for_students(entry: Hostile, workspace: Workspace) -> None:
    report = _grade(entry, workspace).report
    if entry.expect == "ungradable":
        texts = report.notes[:1]
        assert texts, "an ungradable report must say why"
    else:
        results = [report.category(c) for c in sorted(entry.hit)]
        texts = [r.message for r in results]
        for r in results:
            for text in (r.hint, r.expected, r.got):
                assert not readable(text), (r.id, readable(text))
            assert not readable(r.output, OUTPUT_CHARS), (r.id, readable(r.output, OUTPUT_CHARS))
    for text in texts:
        assert text.strip(), entry.name
        assert not readable(text), readable(text)
        for needle in entry.message:
            assert needle.lower() in text.lower(), f"{needle!r} not in {text!r}"
    for note in report.notes:
        assert not readable(note), readable(note)


@pytest.mark.parametrize("entry", _params("honest", [e for e in HOSTILE if e.hit]))
def test_honest_categories_pass(entry: Hostile, workspace: Workspace) -> None:
    report = _grade(entry, workspace).report
    problems = [
        f"{c}: {report.category(c).status}: {report.category(c).message[:200]}"
        for c in HONEST
        if c not in entry.hit and report.category(c).status != "pass"
    ]
    assert not problems, f"{entry.name}: {entry.description}\n" + "\n".join(problems)


@pytest.mark.parametrize("entry", _params("honest_score", [e for e in HOSTILE if e.hit]))
def test_score_is_the_honest_score(entry: Hostile, workspace: Workspace) -> None:
    report = _grade(entry, workspace).report
    assert report.score == honest_score(entry, report)


def honest_score(entry: Hostile, report: Any) -> float:
    """The rubric's points for the honest categories, plus whatever the others (deep, mlp.*,
    untouched by the hostility) got: the score the engine earns if nothing it did counts."""
    honest = [c for c in HONEST if c not in entry.hit or entry.expect == "pass"]
    others = [c for c in report.categories if c.id not in HONEST]
    return sum(report.category(c).max_score for c in honest) + sum(c.score for c in others)


@pytest.mark.parametrize("entry", _params("leftovers"))
def test_nothing_survives_grading(entry: Hostile, workspace: Workspace) -> None:
    graded = _grade(entry, workspace)
    assert graded.survivors == []
    if entry.later:
        assert graded.later == graded.at_return, "a file changed after grading"


# -- particular entries ---------------------------------------------------------------------------


def test_background_writers_ran_while_grading(workspace: Workspace) -> None:
    """The control for the leftovers check: without root the daemon, fork and thread did write
    into the shared folder while the child was alive; as root the child has a /tmp of its own,
    so nothing it wrote reaches the shared folder at all."""
    seen = set(_grade(ENTRIES["setsid_daemon_in_tanh"], workspace).at_return)
    seen |= set(_grade(ENTRIES["fork_and_thread_at_import"], workspace).at_return)
    markers = {"marker-tanh", "marker-fork", "marker-thread"}
    assert (seen & markers) == (set() if AS_ROOT else markers)


@pytest.mark.parametrize("entry", _params("truncated", [e for e in HOSTILE if e.truncated]))
def test_flood_output_is_cut(entry: Hostile, workspace: Workspace) -> None:
    """The flood reaches the report cut to the capture cap, first and last lines kept, and the
    Gradescope document drops its control characters."""
    from grader.report.gradescope import to_gradescope

    report = _grade(entry, workspace).report
    for category in sorted(entry.hit):
        output = report.category(category).output
        assert 1000 < len(output) < OUTPUT_CHARS
        assert output.startswith("FIRST LINE\n") and "LAST LINE" in output
        assert "bytes of output cut" in output
    document = json.dumps(to_gradescope(report), allow_nan=False)
    assert "\\u001b" not in document and "\\u0000" not in document


@pytest.mark.parametrize("entry", _params("snoop", [e for e in HOSTILE if e.snoops]))
def test_snooping_finds_nothing_secret(entry: Hostile, workspace: Workspace) -> None:
    """Reading world-readable grader files is allowed (and harmless: the verdicts above hold);
    the grader's environment is not readable by the sandbox uid."""
    graded = _grade(entry, workspace)
    if AS_ROOT:  # a /tmp of its own: what it found never reaches the shared folder
        assert not (graded.drop / "snoop.json").exists()
        return
    found = json.loads((graded.drop / "snoop.json").read_text())
    assert any("grader" in name for name in found), found


def test_forgers_never_reach_the_grader_outside_the_sandbox(workspace: Workspace) -> None:
    """In grade(), the forgers found no results path to guess and wrote only their logs."""
    for entry in HOSTILE:
        if not entry.forges:
            continue
        drop = _grade(entry, workspace).drop
        for log in drop.glob("forge-*.json"):
            tried = json.loads(log.read_text())["tried"]
            for target, outcome in tried.items():
                assert (
                    outcome != "written"
                    or not os.path.isabs(target)
                    or (target.startswith(str(workspace.shared)))
                ), (entry.name, target, outcome)
    if not workspace.autograder_existed:
        assert not Path("/autograder").exists()


# -- the command line ----------------------------------------------------------------------------


@dataclass
class Done:
    """A finished command: its pid (for the sandbox uids it used), exit code and output."""

    pid: int
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_cli(args: list[str], cwd: Path, env: Optional[dict[str, str]] = None) -> Done:
    begun = time.monotonic()
    with subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=CLI_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
    return Done(process.pid, process.returncode, stdout, stderr, time.monotonic() - begun)


@pytest.mark.parametrize("entry", _params("cli", [e for e in HOSTILE if e.expect == "ungradable"]))
def test_ungradable_exits_with_2(entry: Hostile, workspace: Workspace) -> None:
    path, _ = workspace.source(entry, "cli")
    done = run_cli(
        ["check", str(path), "--format", "json", "--config", str(workspace.rubric)],
        cwd=path.parent,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["gradable"] is False and report["score"] == 0
    for needle in entry.message:
        assert needle.lower() in report["notes"][0].lower()
    assert not readable(report["notes"][0])


def _gradescope(entry: Hostile, space: Workspace) -> dict[str, Any]:
    """Run the gradescope command on the entry, once; what it left."""
    if entry.name not in space.cli:
        path, drop = space.source(entry, "gradescope")
        results_dir = space.drop(f"{entry.name}-results")  # writable by anyone: worst case
        results = results_dir / "results.json"
        args = [
            "gradescope",
            "--submission",
            str(path.parent),
            "--results",
            str(results),
            "--config",
            str(space.rubric),
        ]
        done = run_cli(args, cwd=results_dir, env={"GRADESCOPE_RESULTS": str(results)})
        text = results.read_text() if results.exists() else ""
        left = {"results": snapshot(results_dir), "drop": snapshot(drop)}
        time.sleep(LATER_SECONDS if entry.later else 0.0)
        space.cli[entry.name] = {
            "done": done,
            "text": text,
            "results": results,
            "drop": drop,
            "left": left,
            "later": {"results": snapshot(results_dir), "drop": snapshot(drop)},
            "text_later": results.read_text() if results.exists() else "",
            "survivors": survivors(space.token, done.pid),
        }
    return space.cli[entry.name]


FORGERS = [e for e in HOSTILE if e.forges]


@pytest.mark.parametrize("entry", _params("gradescope", FORGERS))
def test_forged_results_do_not_count(entry: Hostile, workspace: Workspace) -> None:
    run = _gradescope(entry, workspace)
    done = run["done"]
    assert done.returncode == 1, done.stderr[-2000:]
    document = json.loads(run["text"])
    assert "FORGED" not in run["text"]
    report = _grade(entry, workspace).report
    assert document["score"] == honest_score(entry, report) == report.score
    statuses = {t["name"]: t.get("status") for t in document["tests"]}
    assert statuses and all(s in ("passed", "failed") for s in statuses.values()), statuses
    if AS_ROOT:  # a /tmp and a /proc of its own: nothing it tried reached the shared folder
        assert not list(run["drop"].glob("forge-*.json"))
        return
    # The forgers did find the real results path (from the grader's command line) and, the
    # folder being writable, did write it: the grader's own file replaced theirs.
    tried: dict[str, str] = {}
    for log in run["drop"].glob("forge-*.json"):
        data = json.loads(log.read_text())
        tried.update(data["tried"])
        assert "GRADESCOPE_RESULTS" not in data["environ"]
    assert str(run["results"]) in tried, tried


@pytest.mark.parametrize("entry", _params("gradescope_later", FORGERS))
def test_forged_results_do_not_appear_later(entry: Hostile, workspace: Workspace) -> None:
    if entry.later and not AS_ROOT:
        pytest.skip("without root a setsid daemon escapes the sandbox (grader/sandbox/README.md)")
    run = _gradescope(entry, workspace)
    assert run["text_later"] == run["text"]
    assert run["later"] == run["left"]
    assert run["survivors"] == []


def test_torch_imported_at_the_top_is_reported(workspace: Workspace) -> None:
    """The loader's stand-in for torch raises when used, and the report says torch is not
    available: the student learns why, and never gets torch's answers."""
    report = _grade(ENTRIES["import_torch_at_top"], workspace).report
    assert any("torch" in note and "not available" in note for note in report.notes)
    assert "not available while grading" in report.category("tanh").message


def test_forged_answers_and_notes_do_not_count(workspace: Workspace) -> None:
    """Answers out of the graph's range and notes that are not module names are dropped."""
    report = _grade(ENTRIES["forge_answers_in_tanh"], workspace).report
    assert not any("Score" in note for note in report.notes), report.notes[:3]
    assert sum(len(note) for note in report.notes) < 5_000



def test_the_model_answer_never_reaches_the_child(workspace: Workspace) -> None:
    """The network is re-checked on a corrected engine (tanh failed) while it searches every
    string it can reach for a line of reference/engine.py: it finds nothing, and a correct
    network gets every mlp.* category. Without root the child may read any file (the sandbox
    README's "none" path), so only memory and modules are asserted there."""
    entry = ENTRIES["search_for_the_model_answer_in_mlp"]
    report = _grade(entry, workspace).report
    path, _ = workspace.source(entry, "cli")
    done = run_cli(["check", str(path), "--format", "json", "--config", str(workspace.rubric)],
                   cwd=path.parent)
    cli = {c["id"]: c for c in json.loads(done.stdout)["categories"]}
    for results in ({c: report.category(c).__dict__ for c in MLP_CATEGORIES}, cli):
        messages = [results[c]["message"] for c in MLP_CATEGORIES]
        assert not [m for m in messages if "model answer" in m and (
            AS_ROOT or "in a file" not in m)]
        if AS_ROOT:
            statuses = {c: results[c]["status"] for c in MLP_CATEGORIES}
            assert statuses == dict.fromkeys(MLP_CATEGORIES, "pass")
            assert "corrected engine" in results["mlp.grad"]["message"]

@pytest.mark.skipif(not AS_ROOT, reason="IPC namespace and private /tmp need root")
def test_ipc_and_temp_files_do_not_outlive_grading(workspace: Workspace) -> None:
    """No System V segment with the run's key, no file named after the token in /tmp or
    /dev/shm: they lived in the child's own namespaces. The deep tree did not stop the report."""
    graded = _grade(ENTRIES["ipc_tmp_and_deep_tree_in_exp"], workspace)
    assert graded.report.gradable and graded.report.category("exp").status == "pass"
    key = int(workspace.token[-7:], 16)
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    assert all(int(line.split()[0]) != key for line in lines)
    assert not Path("/tmp", workspace.token).exists()
    assert not Path("/dev/shm", workspace.token).exists()
