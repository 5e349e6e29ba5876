"""Verdicts and speed of the grader on the bug catalogue (tests/catalogue/bugs.py).

    python bench/bench_catalogue.py [--seeds 20] [--bugs name,name] [--timing] [--runs 3]

1. Verdicts, per seed: every engine of the catalogue is graded in this process (torch warm);
   reported are the charges beyond the planted bug (``Bug.charged``), planted bugs that were
   not charged, and the engines whose charged set differs between seeds.
2. ``--timing``: wall time of ``python -m grader check FILE`` for a passing engine and for
   every failing engine of the catalogue, each against ``python -c "import torch"`` timed
   just before it (medians of ``--runs``): the median and the worst failing ratio. ``--root``
   times another checkout of the grader on the same engines (before and after a change).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
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


def _wall(command: list[str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def _ratio(command: list[str], runs: int, root: Path) -> tuple[float, float]:
    """Median wall time of ``command`` and its ratio to ``import torch``, the two timed
    alternately, so that the load of a shared machine weighs on both alike."""
    torch = [sys.executable, "-c", "import torch"]
    walls, imports = [], []
    for _ in range(runs):
        imports.append(_wall(torch))
        walls.append(_wall(command, root))
    wall = statistics.median(walls)
    return wall, wall / statistics.median(imports)


def timing(runs: int, names: list[str], root: Path) -> None:
    """``root``: the checkout whose grader is timed (another one, to compare versions)."""
    from tests.catalogue.bugs import BASE, BUGS, materialize

    grade = [sys.executable, "-m", "grader", "check"]
    passing, passing_ratio = _ratio([*grade, str(BASE)], runs, root)
    print(f"passing grade (base engine): {passing:.2f} s = {passing_ratio:.2f}x torch import")
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as directory:
        for bug in BUGS:
            if names and bug.name not in names:
                continue
            path = materialize(bug, Path(directory))
            wall, ratios[bug.name] = _ratio([*grade, str(path)], runs, root)
            print(f"  {bug.name:34} {wall:6.2f} s = {ratios[bug.name]:.2f}x", flush=True)
    if ratios:
        worst = max(ratios, key=ratios.__getitem__)
        print(
            f"failing grades: median {statistics.median(ratios.values()):.2f}x torch import; "
            f"worst {ratios[worst]:.2f}x ({worst}); target <= 2x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--bugs", default="", help="comma-separated catalogue names")
    parser.add_argument("--timing", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
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
