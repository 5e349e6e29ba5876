"""``grader batch``: a generated class graded in parallel, the counts of its class report,
unique report names, and one submission's failure or hang never stopping the others."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from grader.api import ungradable
from grader.batch import grade_class, report_names
from grader.batch import run as batch_run
from grader.cli import main
from grader.config import load_config
from grader.evaluate.oracle_process import OracleProcess
from grader.results import CategoryResult, Report
from tests.batch.classroom import expected_statuses, write_class

RECURSIVE_SORT = "Your topological sort is recursive"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Path]:
    """Six generated notebooks (three with bugs), a notebook that cannot be loaded, and two
    folder submissions whose names share a stem with a notebook: ``carol.v2/`` and
    ``student000/``. Graded with two workers at a budget of 5."""
    root = tmp_path_factory.mktemp("class")
    folder = root / "submissions"
    expected = write_class(folder, 6)
    (folder / "broken.py").write_text("class Value(:\n    pass\n")
    for name in ("carol.v2", "student000"):
        (folder / name).mkdir()
        source = (folder / "student002.ipynb").read_bytes()
        (folder / name / "homework.ipynb").write_bytes(source)
    output = root / "reports"
    code = main(["batch", str(folder), "--output", str(output), "-j", "2", "--budget", "5"])
    assert code == 0
    return folder, expected, output


def test_class_report_counts_match_the_known_verdicts(graded_class: tuple) -> None:
    folder, expected, output = graded_class
    data = json.loads((output / "class_report.json").read_text())
    assert (data["students"], data["gradable"]) == (9, 8)
    everyone = [expected_statuses(bug) for bug in expected.values()]
    everyone += [expected_statuses(None)] * 2  # the two folders hold a correct notebook
    for row in data["categories"]:
        wanted = {s: sum(e[row["id"]] == s for e in everyone) for s in ("pass", "fail", "missing")}
        got = {s: row[s] for s in ("pass", "fail", "missing")}
        assert got == wanted, row["id"]
        assert (row["error"], row["not_graded"]) == (0, 1)
    assert sum(b["count"] for b in data["histogram"]) == 8
    table = {row["student"]: row for row in data["table"]}
    assert table["broken"]["gradable"] is False
    names = report_names(sorted(folder.iterdir()))
    assert names[folder / "student000.ipynb"] == "student000-2"  # the folder came first
    for name, bug in expected.items():
        assert table[names[folder / name]]["statuses"] == expected_statuses(bug), name


def test_the_most_common_misconception_is_counted_once_per_student(graded_class: tuple) -> None:
    _, expected, output = graded_class
    data = json.loads((output / "class_report.json").read_text())
    top = data["misconceptions"][0]
    assert top["hint"].startswith(RECURSIVE_SORT) and top["students"] == 8
    assert top["categories"] == ["deep"]
    assert "for _ in range" in top["example"]["counterexample"]
    student_names = [n.removesuffix(".ipynb") for n in expected]
    for misconception in data["misconceptions"]:
        text = json.dumps(misconception)
        assert not any(name in text for name in student_names)  # anonymised
    seen = sum(m["students"] for m in data["misconceptions"] if m is not top)
    # A hint counts only when true of the student's code: each of the three buggy notebooks
    # (add forgets other.grad, add's grads copied from mul, add assigns with `=`) has a bug
    # model that reproduces its numbers and whose premise holds in its __add__.
    assert seen == 3


def test_summary_has_a_column_per_category_and_unique_report_names(graded_class: tuple) -> None:
    folder, _, output = graded_class
    with open(output / "summary.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["submission"] for r in rows] == sorted(p.name for p in folder.iterdir())
    names = [r["report"] for r in rows]
    assert len(set(names)) == len(names) == 9
    assert {"carol.v2", "student000", "student000-2"} <= set(names)
    for row in rows:
        report = json.loads((output / f"{row['report']}.json").read_text())
        assert Path(report["submission"] or "").name in (row["submission"], "homework.ipynb")
        for category in report["categories"]:
            assert row[category["id"]] == (category["status"] if report["gradable"] else "")
    html = (output / "class_report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and 'href="student000-2.json"' in html


def test_report_names_are_unique_and_safe() -> None:
    entries = [Path(n) for n in ("carol.py", "carol.ipynb", "Carol.v2", "a b&c.py", "summary.py",
                                 "class_report.ipynb", "..py")]  # fmt: skip
    names = report_names(entries)
    assert list(names.values()) == [
        "carol", "carol-2", "Carol.v2", "a_b_c", "summary-2", "class_report-2", "submission",
    ]  # fmt: skip


def _fake_report(entry: Path) -> Report:
    result = CategoryResult("add", "pass", 1.0, 1.0, "fine")
    return Report(1.0, 1.0, [result], submission=str(entry))


def test_a_crash_of_the_grader_on_one_submission_does_not_stop_the_batch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def grade_file(entry: Path, config: object, oracle: object) -> Report:
        if entry.name == "bad.py":
            raise MemoryError("the grader ran out of memory")
        return _fake_report(entry)

    monkeypatch.setattr(batch_run, "_grade_file", grade_file)
    entries = [Path(n) for n in ("a.py", "bad.py", "c.py")]
    class_ = grade_class(entries, load_config(), jobs=2, time_limit=60)
    assert [g.report.gradable for g in class_] == [True, False, True]
    assert "The grader itself failed on this submission" in class_[1].report.notes[0]
    assert "bad.py: MemoryError" in capsys.readouterr().err


def test_the_time_limit_fires_and_the_batch_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    limits: list[float] = []

    def grade_file(entry: Path, config: object, oracle: object) -> Report:
        limits.append(config.total_seconds)  # type: ignore[attr-defined]
        if entry.name == "hangs.py":
            release.wait(60)
        return _fake_report(entry)

    monkeypatch.setattr(batch_run, "_grade_file", grade_file)
    entries = [Path(n) for n in ("hangs.py", "b.py", "c.py", "d.py")]
    try:
        class_ = grade_class(entries, load_config(), jobs=2, time_limit=0.5)
    finally:
        release.set()
    assert [g.report.gradable for g in class_] == [False, True, True, True]
    assert "longer than the time limit of 0.5 s" in class_[0].report.notes[0]
    assert set(limits) == {0.5}  # the sandbox's total budget is cut to the limit too


def test_an_ungradable_report_keeps_every_category(tmp_path: Path) -> None:
    report = ungradable("no engine", load_config(), "x.py")
    from grader.report.class_report import class_report

    data = class_report([("x", report)])
    assert data["gradable"] == 0 and data["scores"] == {}
    assert all(row["not_graded"] == 1 and row["pass"] == 0 for row in data["categories"])


def test_a_report_that_cannot_be_written_becomes_ungradable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grader.cli
    from grader.batch import Graded
    from grader.batch.outputs import write_report, write_summary

    real = grader.cli.render

    def render(report: Report, fmt: str) -> str:
        if report.gradable and report.submission == "bad.py":
            raise ValueError("cannot render")
        return real(report, fmt)

    monkeypatch.setattr(grader.cli, "render", render)
    class_ = [Graded(Path(n), n[:-3], _fake_report(Path(n))) for n in ("bad.py", "ok.py")]
    for graded in class_:
        write_report(graded, "json", tmp_path, load_config())
    write_summary(class_, tmp_path)
    bad = json.loads((tmp_path / "bad.json").read_text())
    assert bad["gradable"] is False and "failed while writing" in bad["notes"][0]
    assert json.loads((tmp_path / "ok.json").read_text())["gradable"] is True
    assert "bad.py,bad,0," in (tmp_path / "summary.csv").read_text()


def test_an_oracle_process_that_dies_is_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    used = []

    def grade_file(entry: Path, config: object, oracle: OracleProcess) -> Report:
        used.append((oracle, oracle.alive))
        if entry.name == "kills.py":
            oracle.close()  # as if torch had crashed while answering for this submission
            raise RuntimeError("the torch oracle process stopped unexpectedly")
        return _fake_report(entry)

    monkeypatch.setattr(batch_run, "_grade_file", grade_file)
    entries = [Path(n) for n in ("kills.py", "b.py", "c.py")]
    class_ = grade_class(entries, load_config(), jobs=1, time_limit=60)
    assert [g.report.gradable for g in class_] == [False, True, True]
    assert all(alive for _, alive in used)
    assert used[0][0] is not used[1][0] and used[1][0] is used[2][0]
