"""The untrusted side: build a graph with the student's Value class and read back plain numbers.

This module runs inside the sandboxed child. It imports nothing heavy and returns only
JSON-able data: per lane, every node's value and gradient, or where the engine went wrong.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from grader.discover.api import EngineAPI
from grader.graph import Graph, Step
from grader.ops import OPS, apply

Backward = Callable[[Any], None]  # runs backward from the output node


def evaluate(
    cls: type, api: EngineAPI, graph: Graph, seed: bool = False, backward: Optional[Backward] = None
) -> list[dict[str, Any]]:
    """Run every lane of the graph; ``seed`` sets the output's grad to 1 before backward.
    ``backward`` replaces the student's backward() (a corrected traversal of their nodes).

    A lane that raises ends the run: its error stands for the lanes after it, which no
    comparison reads (the first wrong lane is the verdict), and an error such as a
    RecursionError is slow to repeat on every lane."""
    answers: list[dict[str, Any]] = []
    for lane in range(graph.n_lanes):
        answers.append(_evaluate_lane(cls, api, graph, lane, seed, backward))
        if "error" in answers[-1]:
            return answers + [answers[-1]] * (graph.n_lanes - len(answers))
    return answers


def _evaluate_lane(
    cls: type, api: EngineAPI, graph: Graph, lane: int, seed: bool, backward: Optional[Backward]
) -> dict:
    nodes: list[Any] = []
    for x in graph.inputs[lane]:
        try:
            nodes.append(cls(x))
        except BaseException as error:  # noqa: B036 - student code may raise anything
            return _error(None, "forward", error)
    for k, step in enumerate(graph.steps):
        try:
            result = _apply(step, nodes, api)
        except BaseException as error:  # noqa: B036
            return _error(k, "forward", error)
        if not hasattr(result, api.data_attr) or not hasattr(result, api.grad_attr):
            return _wrong_type(k, result)
        nodes.append(result)
    values = [number(getattr(n, api.data_attr, None)) for n in nodes]
    try:
        if seed:
            setattr(nodes[-1], api.grad_attr, 1.0)
        if backward is None:
            getattr(nodes[-1], api.backward)()
        else:
            backward(nodes[-1])
    except BaseException as error:  # noqa: B036
        return _error(None, "backward", error)
    grads = [number(getattr(n, api.grad_attr, None)) for n in nodes]
    return {"values": values, "grads": grads}


def _apply(step: Step, nodes: list[Any], api: EngineAPI) -> Any:
    op = OPS[step.op]
    b = nodes[step.args[1]] if op.arity == 2 else None
    return apply(step.op, nodes[step.args[0]], b, step.const, api.methods.get(op.category))


def number(x: Any) -> Optional[float]:
    """A plain float for an honest number (int, float, numpy scalar), else None. Never raises:
    an int too large for a float, or an object that lies when converted, is no number."""
    try:
        return _number(x)
    except Exception:  # noqa: BLE001 - whatever the student's object does
        return None


def _number(x: Any) -> Optional[float]:
    if type(x) is float or type(x) is int:
        return float(x)
    if isinstance(x, float):
        return float.__float__(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return float(int.__index__(x))
    if type(x).__module__ == "numpy" and hasattr(x, "item"):
        item = x.item()
        return float(item) if type(item) in (int, float) else None
    return None


def _error(step: Optional[int], phase: str, error: BaseException) -> dict:
    message = str(error)[:300]
    return {
        "error": {"step": step, "phase": phase, "type": type(error).__name__, "message": message}
    }


def _wrong_type(step: int, result: Any) -> dict:
    kind = type(result).__name__
    message = f"returned a {kind}, not a Value"
    return {"error": {"step": step, "phase": "forward", "type": "WrongType", "message": message}}
