"""The failing graph node by node, for its picture: each node's numbers, expected against got,
the first wrong node, and the edges its wrong gradient came back through."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from grader.compare.tolerance import close
from grader.compare.verdict import Mismatch, well_formed
from grader.diagnose.first_wrong import consumers
from grader.discover.api import EngineAPI
from grader.graph import Graph, expression, node_names
from grader.results import FailingGraph, GraphNode

MAX_NODES = 30  # a longer graph (the deep chain) is not drawn: the code says it better


def failing_graph(
    graph: Graph,
    values: np.ndarray,
    grads: np.ndarray,
    got: Any,
    mismatch: Mismatch,
    api: EngineAPI,
) -> Optional[FailingGraph]:
    """The picture's data for a single-lane failing graph, or None when it is too long."""
    if graph.n_nodes > MAX_NODES:
        return None
    names = node_names(graph)
    numbers = well_formed(got, graph.n_nodes)
    nodes = []
    for node in range(graph.n_nodes):
        step = graph.step_of(node)
        value, grad = float(values[node, 0]), float(grads[node, 0])
        value_got = got["values"][node] if numbers else None
        grad_got = got["grads"][node] if numbers else None
        nodes.append(
            GraphNode(
                name=names[node],
                code=names[node] if step is None else expression(graph, step, api, names),
                inputs=list(step.args) if step is not None else [],
                value=_text(value),
                grad=_text(grad),
                value_got=None if value_got is None else _text(value_got),
                grad_got=None if grad_got is None else _text(grad_got),
                value_wrong=numbers and not close(value_got, value),
                grad_wrong=numbers and not close(grad_got, grad),
            )
        )
    first, kind = _first_wrong(graph, mismatch)
    marked: list[tuple[int, int]] = []
    if kind == "grad" and first is not None:
        marked = [(first, user) for user in consumers(graph, first) if _reaches_output(graph, user)]
    return FailingGraph(nodes, first, kind, marked)


def _first_wrong(graph: Graph, mismatch: Mismatch) -> tuple[Optional[int], str]:
    if mismatch.kind == "error":
        step = (mismatch.error or {}).get("step")
        return (None if step is None else graph.n_leaves + int(step)), "error"
    return mismatch.node, mismatch.kind


def _reaches_output(graph: Graph, node: int) -> bool:
    """Whether the output depends on ``node`` (only then does a gradient flow back into it)."""
    frontier, seen = [node], {node}
    while frontier:
        current = frontier.pop()
        if current == graph.output:
            return True
        for user in consumers(graph, current):
            if user not in seen:
                seen.add(user)
                frontier.append(user)
    return False


def _text(x: Any) -> str:
    return format(float(x), ".6g")
