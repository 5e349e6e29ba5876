"""Speed of the grader, measured side by side with a naive design.

    python bench/bench_grade.py [--runs 3]

1. Wall time of ``python -m grader check reference`` (engine and MLP) at the default budget,
   interpreter start and torch import included (median of --runs).
2. Graphs checked per second by a whole grade, torch already imported (in-process).
3. The same search done naively, in the same process: one drawn graph per Hypothesis
   example (one lane) and the oracle built from scalar torch ops, same examples per check.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent


def grade_wall_time(runs: int) -> tuple[float, dict]:
    """Median wall time of a full CLI grade of the reference, and its last JSON report."""
    times, report = [], {}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "grader", "check", "reference", "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        report = json.loads(done.stdout)
    return statistics.median(times), report


def warm_graphs_per_second(runs: int = 3) -> float:
    """Graphs checked per second by a whole in-process grade, torch already imported (as the
    naive baseline is measured): the best of a few runs."""
    from grader import check
    from reference import engine, nn

    namespace = {**vars(engine), **vars(nn)}
    best = 0.0
    for _ in range(runs):
        report = check(engine.Value, namespace=namespace)
        best = max(best, report.graphs_checked / report.execution_time)
    return best


def naive_graphs_per_second(examples: int, seconds: float = 5.0) -> float:
    """One graph per example, scalar torch ops: the design the grader improves on."""
    import torch
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    from grader.discover.api import EngineAPI
    from grader.evaluate.student import evaluate
    from grader.generate.strategies import graphs
    from grader.ops import OP_CATEGORIES, apply, forms_of
    from reference.engine import Value

    def scalar_oracle(graph):
        nodes = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in graph.inputs[0]]
        for step in graph.steps:
            b = nodes[step.args[1]] if len(step.args) > 1 else None
            out = apply(step.op, nodes[step.args[0]], b, step.const)
            out.retain_grad()
            nodes.append(out)
        nodes[-1].backward()
        return [n.item() for n in nodes], [0.0 if n.grad is None else n.grad.item() for n in nodes]

    checked = 0

    def fails(graph) -> bool:
        nonlocal checked
        evaluate(Value, EngineAPI(), graph)
        scalar_oracle(graph)
        checked += 1
        return False

    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    context = [f for c in OP_CATEGORIES for f in forms_of(c)]
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for category in OP_CATEGORIES:
            strategy = graphs(forms_of(category), context, lanes=1)
            with contextlib.suppress(NoSuchExample):
                find(strategy, fails, settings=config, random=Random(checked))
    return checked / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    wall, report = grade_wall_time(args.runs)
    from grader.config import Config

    ours = warm_graphs_per_second()
    naive = naive_graphs_per_second(Config().budget)
    print(f"{'':34}{'grader':>12}{'naive':>12}")
    print(f"{'grade of the reference (wall, s)':34}{wall:>12.2f}{'':>12}")
    print(f"{'  of which grading (s)':34}{report['execution_time']:>12.2f}{'':>12}")
    print(f"{'graphs checked':34}{report['graphs_checked']:>12}{'':>12}")
    print(f"{'graphs per second (torch warm)':34}{ours:>12.0f}{naive:>12.0f}")
    print(
        f"speed-up: {ours / naive:.1f}x (target >= 10x); wall target <= 3 s: "
        f"{'met' if wall <= 3 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
