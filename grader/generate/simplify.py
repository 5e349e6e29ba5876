"""Make a shrunk failing graph easier to read, keeping it failing.

Hypothesis shrinks the structure; this pass then drops nodes the output does not depend on
and tries rounder leaf values, accepting each change only if the graph still fails and every
op stays in its safe domain.
"""

from __future__ import annotations

import functools
from typing import Callable

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
        for candidate in _rounder(graph, leaf):
            if fails(candidate):
                graph = candidate
                break
    return graph


def _rounder(graph: Graph, leaf: int) -> list[Graph]:
    """The graph with each of ROUND_VALUES in place of one leaf, in order, where that stays
    in the safe domain (all the values judged in one pass, one lane each)."""
    values = [v for v in ROUND_VALUES if v != graph.inputs[0][leaf]]
    allowed = _allowed(graph, leaf, tuple(values))
    candidates = []
    for value, ok in zip(values, allowed):
        if ok:
            inputs = list(graph.inputs[0])
            inputs[leaf] = value
            candidates.append(Graph((tuple(inputs),), graph.steps))
    return candidates


@functools.lru_cache(maxsize=256)
def _allowed(graph: Graph, leaf: int, values: tuple[float, ...]) -> tuple[bool, ...]:
    """Per value, whether the graph with that value in place of ``leaf`` stays in domain.

    Remembered: a batch meets the same candidates for many students (the rounder leaves
    of the 5,000-op chain, for every recursive topological sort)."""
    columns = [np.full(len(values), x) for x in graph.inputs[0]]
    columns[leaf] = np.array(values, dtype=float)
    ok = np.ones(len(values), dtype=bool)
    for step in graph.steps:
        b = columns[step.args[1]] if len(step.args) > 1 else None
        result, valid = domain.apply_lanes(step.op, columns[step.args[0]], b, step.const)
        ok &= valid
        if not ok.any():
            break
        columns.append(result)
    return tuple(bool(x) for x in ok)


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


@functools.lru_cache(maxsize=256)
def in_domain(graph: Graph) -> bool:
    """Whether every step of every lane stays in its op's safe domain."""
    values = [np.array(column) for column in zip(*graph.inputs)]
    for step in graph.steps:
        b = values[step.args[1]] if len(step.args) > 1 else None
        result = domain.apply(step.op, values[step.args[0]], b, step.const)
        if result is None:
            return False
        values.append(result)
    return True
