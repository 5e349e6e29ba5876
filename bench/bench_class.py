"""Speed of ``grader batch`` on a generated class of lecture notebooks.

    python bench/bench_class.py [--students 200] [--jobs 2] [--keep DIR]

Writes the class (half correct, half with one op-level bug of the catalogue each, see
``tests/batch/classroom.py``), runs ``python -m grader batch`` on it from the command line
(interpreter start and torch import included), and prints the wall time, the time per
submission, and how many students' category statuses differ from the catalogue's verdicts.
Goal (issue 11): 200 notebooks in at most 5 minutes on two cores.
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
        started, cpu = time.perf_counter(), os.times()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        used = os.times()
        if done.returncode != 0:
            sys.exit(f"grader batch failed ({done.returncode}):\n{done.stderr[-3000:]}")
        wrong = []
        for name, bug in expected.items():
            report = json.loads((output / f"{Path(name).stem}.json").read_text())
            statuses = {c["id"]: c["status"] for c in report["categories"]}
            if statuses != expected_statuses(bug):
                wrong.append(name)
        children = (used.children_user - cpu.children_user) + (
            used.children_system - cpu.children_system
        )
        print(
            f"{args.students} notebooks ({sum(b is not None for b in expected.values())} "
            f"with a bug), -j {args.jobs}, {os.cpu_count()} cores, load before {load:.1f}"
        )
        print(
            f"wall {wall:.1f} s ({wall / args.students:.2f} s per submission), "
            f"CPU of the grader and its children {children:.0f} s"
        )
        print(f"statuses differing from the catalogue's verdicts: {len(wrong)} {wrong[:5]}")


if __name__ == "__main__":
    main()
