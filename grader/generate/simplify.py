"""Make a shrunk failing graph easier to read, keeping it failing.

Hypothesis shrinks the structure; this pass then drops nodes the output does not depend on
and tries rounder leaf values, accepting each change only if the graph still fails and every
op stays in its safe domain.
"""

from __future__ import annotations

import functools
from typing import Callable, Optional

import numpy as np

from grader.generate import domain
from grader.graph import Graph, Step

ROUND_VALUES = (1.0, 2.0, -1.0, 0.5, 1.5, -2.0, 3.0, -0.5, 2.5, -1.5)


def simplify(graph: Graph, fails: Callable[[Graph], bool]) -> Graph:
    """A single-lane graph that still fails: no dead nodes, rounder leaves where possible."""
    pruned = prune(graph)
    if pruned != graph and fails(pruned):
        graph = pruned
    for leaf in range(graph.n_leaves):
        for value in ROUND_VALUES:
            candidate = _with_leaf(graph, leaf, value)
            if candidate is not None and fails(candidate):
                graph = candidate
                break
    return graph


def prune(graph: Graph) -> Graph:
    """Only the leaves and steps the output depends on, renumbered."""
    live = {graph.output}
    for node in reversed(range(graph.n_nodes)):
        step = graph.step_of(node)
        if node in live and step is not None:
            live.update(step.args)
    keep = [n for n in range(graph.n_nodes) if n in live]
    index = {old: new for new, old in enumerate(keep)}
    leaves = [n for n in keep if n < graph.n_leaves]
    inputs = tuple(tuple(lane[n] for n in leaves) for lane in graph.inputs)
    steps = tuple(
        Step(s.op, tuple(index[a] for a in s.args), s.const)
        for n in keep
        if (s := graph.step_of(n)) is not None
    )
    return Graph(inputs, steps)


def _with_leaf(graph: Graph, leaf: int, value: float) -> Optional[Graph]:
    if graph.inputs[0][leaf] == value:
        return None
    inputs = list(graph.inputs[0])
    inputs[leaf] = value
    candidate = Graph((tuple(inputs),), graph.steps)
    return candidate if in_domain(candidate) else None


@functools.lru_cache(maxsize=256)
def in_domain(graph: Graph) -> bool:
    """Whether every step of every lane stays in its op's safe domain.

    Remembered: a batch meets the same candidates for many students (the rounder leaves
    of the 5,000-op chain, for every recursive topological sort), each costing a second."""
    values = [np.array(column) for column in zip(*graph.inputs)]
    for step in graph.steps:
        b = values[step.args[1]] if len(step.args) > 1 else None
        result = domain.apply(step.op, values[step.args[0]], b, step.const)
        if result is None:
            return False
        values.append(result)
    return True
