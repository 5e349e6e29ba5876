"""Speed of ``grader batch`` on a generated class of lecture notebooks.

    python bench/bench_class.py [--students 200] [--jobs 2] [--keep DIR]

Writes the class (half correct, half with one op-level bug of the catalogue each, see
``tests/batch/classroom.py``), runs ``python -m grader batch`` on it from the command line
(interpreter start and torch import included), and prints the wall time, the time per
submission, the CPU used (in all, and in the grader's own process, whose threads share one
core's worth of Python), and how many students' category statuses differ from the
catalogue's verdicts. Goal (issue 11): 200 notebooks in at most 5 minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.batch.classroom import expected_statuses, write_class  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the class and its reports here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        folder, output = root / "submissions", root / "reports"
        expected = write_class(folder, args.students)
        command = [sys.executable, "-m", "grader", "batch", str(folder), "--output",
                   str(output), "-j", str(args.jobs), "--overwrite"]  # fmt: skip
        load = os.getloadavg()[0]
        started, before = time.perf_counter(), os.times()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)  # fmt: skip
        own = 0.0
        while process.poll() is None:  # the batch process's own CPU, read while it runs
            own = _own_cpu(process.pid) or own
            time.sleep(0.5)
        wall = time.perf_counter() - started
        after = os.times()
        if process.returncode != 0:
            stderr = process.stderr.read() if process.stderr else ""
            sys.exit(f"grader batch failed ({process.returncode}):\n{stderr[-3000:]}")
        wrong = []
        for name, bug in expected.items():
            report = json.loads((output / f"{Path(name).stem}.json").read_text())
            statuses = {c["id"]: c["status"] for c in report["categories"]}
            if statuses != expected_statuses(bug):
                wrong.append(name)
        cpu = after.children_user - before.children_user
        cpu += after.children_system - before.children_system
        buggy = sum(b is not None for b in expected.values())
        print(f"{args.students} notebooks ({buggy} with a bug), -j {args.jobs}, "
              f"{os.cpu_count()} cores, load average before {load:.1f}")  # fmt: skip
        print(f"wall {wall:.1f} s ({wall / args.students:.2f} s per submission)")
        print(f"CPU {cpu:.0f} s in all, {own:.0f} s of it in the grader's own process")
        print(f"statuses differing from the catalogue's verdicts: {len(wrong)} {wrong[:5]}")


def _own_cpu(pid: int) -> float:
    """User and system CPU seconds of process ``pid`` so far (Linux), or 0."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
