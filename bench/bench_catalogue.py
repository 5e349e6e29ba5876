"""Verdicts and speed of the grader on the bug catalogue (tests/catalogue/bugs.py).

    python bench/bench_catalogue.py [--seeds 20] [--bugs name,name] [--timing] [--runs 3]

1. Verdicts, per seed: every engine of the catalogue is graded in this process (torch warm);
   reported are the charges beyond the planted bug (``Bug.charged``), planted bugs that were
   not charged, and the engines whose charged set differs between seeds.
2. ``--timing``: ``python -m grader check FILE`` for a passing engine and for every failing
   engine of the catalogue, each against ``python -c "import torch"`` timed just before it
   (medians of ``--runs``): the passing ratio, the median and the worst failing ratio, in
   wall time and in CPU seconds (the grade's processes together, which the load of a shared
   machine sways less than wall time). ``--root`` times another checkout of the grader on
   the same engines (before and after a change).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ("api", "add", "radd", "sub", "rsub", "mul", "rmul", "neg", "truediv", "rtruediv",
          "pow", "exp", "log", "tanh", "sigmoid", "relu", "reuse", "graph")  # fmt: skip


def charged_by_seed(bugs: list, seeds: list[int]) -> dict[str, dict[int, frozenset[str]]]:
    """Per bug, per seed: the categories that did not pass."""
    from grader import check
    from grader.config import load_config
    from tests.catalogue.bugs import BASE, mutate

    base = BASE.read_text()
    found: dict[str, dict[int, frozenset[str]]] = {}
    for bug in bugs:
        namespace: dict = {"__name__": f"catalogue_{bug.name}"}
        exec(compile(mutate(bug, base), f"{bug.name}.py", "exec"), namespace)
        found[bug.name] = {}
        for seed in seeds:
            config = load_config(seed=seed)
            config.weights.update({k: 0 for k in config.weights if k.startswith("mlp.")})
            with contextlib.redirect_stdout(io.StringIO()):  # check() shows each report
                report = check(namespace["Value"], config=config, namespace=namespace)
            failed = frozenset(
                c.id for c in report.categories if c.id in JUDGED and c.status != "pass"
            )
            found[bug.name][seed] = failed
    return found


def verdicts(seeds: list[int], names: list[str]) -> None:
    from tests.catalogue.bugs import BUGS

    bugs = [b for b in BUGS if not names or b.name in names]
    started = time.perf_counter()
    found = charged_by_seed(bugs, seeds)
    extra = missed = 0
    unstable = []
    for bug in bugs:
        per_seed = found[bug.name]
        for seed, failed in per_seed.items():
            beyond, lost = failed - bug.charged, bug.charged - failed
            extra += len(beyond)
            missed += len(lost)
            if beyond or lost:
                print(
                    f"seed {seed:>3} {bug.name:34} beyond: {sorted(beyond)} missed: {sorted(lost)}"
                )
        if len(set(per_seed.values())) > 1:
            unstable.append(bug.name)
    elapsed = time.perf_counter() - started
    print(f"{len(bugs)} engines x {len(seeds)} seeds in {elapsed:.0f} s")
    print(f"charges beyond the planted bug: {extra}; planted bugs not charged: {missed}")
    print(f"engines whose verdict changes with the seed: {len(unstable)} {unstable}")


def _timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Wall seconds of ``command``, and the CPU seconds of it and every process under it.

    The CPU of each process is sampled from /proc while it runs (its own time, every 10 ms):
    the sandboxed child is killed at the end, not waited for, so ``getrusage`` would miss it.
    """
    cpu: dict[int, float] = {}
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as process:
        while process.poll() is None:
            for pid, seconds in _tree_cpu(process.pid).items():
                cpu[pid] = max(seconds, cpu.get(pid, 0.0))
            time.sleep(0.01)
    return time.perf_counter() - started, sum(cpu.values())


def _tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds so far of ``root`` and of each process under it (each its own time)."""
    found: dict[int, float] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return found


_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    """One command against ``import torch`` timed just before it, so that the load of a
    shared machine weighs on both alike: medians over the runs."""

    wall: float  # seconds
    ratio: float  # wall / the torch import's wall
    cpu_ratio: float  # CPU seconds / the torch import's CPU seconds (load matters less)


def _ratio(command: list[str], runs: int, root: Path) -> Timing:
    torch = [sys.executable, "-c", "import torch"]
    walls, ratios, cpu_ratios = [], [], []
    for _ in range(runs):
        torch_wall, torch_cpu = _timed(torch)
        wall, cpu = _timed(command, root)
        walls.append(wall)
        ratios.append(wall / torch_wall)
        cpu_ratios.append(cpu / torch_cpu)
    median = statistics.median
    return Timing(median(walls), median(ratios), median(cpu_ratios))


def timing(runs: int, names: list[str], root: Path) -> None:
    """``root``: the checkout whose grader is timed (another one, to compare versions)."""
    from tests.catalogue.bugs import BASE, BUGS, materialize

    torch_wall, torch_cpu = _timed([sys.executable, "-c", "import torch"])
    print(
        f"python -c 'import torch': {torch_wall:.2f} s wall, {torch_cpu:.2f} s CPU; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    grade = [sys.executable, "-m", "grader", "check"]
    passing = _ratio([*grade, str(BASE)], runs, root)
    print(
        f"passing grade (base engine): {passing.wall:.2f} s = {passing.ratio:.2f}x torch "
        f"import (CPU {passing.cpu_ratio:.2f}x)",
        flush=True,
    )
    failing: dict[str, Timing] = {}
    with tempfile.TemporaryDirectory() as directory:
        for bug in BUGS:
            if names and bug.name not in names:
                continue
            path = materialize(bug, Path(directory))
            found = failing[bug.name] = _ratio([*grade, str(path)], runs, root)
            print(
                f"  {bug.name:34} {found.wall:6.2f} s = {found.ratio:.2f}x "
                f"(CPU {found.cpu_ratio:.2f}x)",
                flush=True,
            )
    if not failing:
        return
    walls = [t.ratio for t in failing.values()]
    cpus = [t.cpu_ratio for t in failing.values()]
    worst = max(failing, key=lambda name: failing[name].ratio)
    worst_cpu = max(failing, key=lambda name: failing[name].cpu_ratio)
    print(
        f"load average now {os.getloadavg()[0]:.1f}; ratios to `import torch` timed just "
        f"before each grade, medians of {runs} run(s); target <= 2x"
    )
    print(f"passing: {passing.ratio:.2f}x wall, {passing.cpu_ratio:.2f}x CPU")
    print(
        f"failing ({len(failing)} engines): wall median {statistics.median(walls):.2f}x, "
        f"worst {max(walls):.2f}x ({worst}); CPU median {statistics.median(cpus):.2f}x, "
        f"worst {max(cpus):.2f}x ({worst_cpu})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--bugs", default="", help="comma-separated catalogue names")
    parser.add_argument("--timing", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="timings per engine (median)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the grader checkout to time")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    names = [n for n in args.bugs.split(",") if n]
    if args.timing:
        timing(args.runs, names, args.root.resolve())
    else:
        verdicts(list(range(args.first_seed, args.first_seed + args.seeds)), names)


if __name__ == "__main__":
    main()
