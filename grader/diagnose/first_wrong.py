"""Where one lane first goes wrong: the earliest wrong value, else the first wrong gradient
met walking back from the output, and which ops are the likely culprits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from grader.compare.tolerance import close
from grader.discover.api import EngineAPI
from grader.graph import Graph, Step, expression, node_names
from grader.ops import OPS


@dataclass(frozen=True)
class WrongNode:
    """The first wrong number of one lane, and the ops that may have caused it."""

    node: int
    name: str
    kind: str  # "value" or "grad"
    expected: float
    got: Optional[float]
    step: Optional[Step]  # the step that made the node; None for a leaf
    consumers: tuple[int, ...]  # for a grad: the nodes whose op uses this one (their backward)
    message: str


def first_wrong_node(
    graph: Graph,
    expected_values: Sequence[float],
    expected_grads: Sequence[float],
    got: dict[str, Any],
    api: Optional[EngineAPI] = None,
    trusted: Collection[str] = (),
) -> Optional[WrongNode]:
    """The first wrong node of one lane (``got`` as the engine returned it), or None when
    every number is right or the lane has no numbers (an error). ``trusted``: the op
    categories that pass on their own, other than the one under test."""
    if "error" in got:
        return None
    api = api or EngineAPI()
    names = node_names(graph)
    values, grads = got["values"], got["grads"]
    for node, want in enumerate(expected_values):
        if not close(values[node], want):
            return _wrong(graph, node, "value", want, values[node], names, api, trusted)
    for node in reversed(range(graph.n_nodes)):
        if not close(grads[node], expected_grads[node]):
            wrong = grads[node]
            return _wrong(graph, node, "grad", expected_grads[node], wrong, names, api, trusted)
    return None


def consumers(graph: Graph, node: int) -> tuple[int, ...]:
    """The nodes made by a step that uses ``node``."""
    return tuple(graph.n_leaves + k for k, s in enumerate(graph.steps) if node in s.args)


def _wrong(
    graph: Graph,
    node: int,
    kind: str,
    expected: float,
    got: Optional[float],
    names: list[str],
    api: EngineAPI,
    trusted: Collection[str] = (),
) -> WrongNode:
    name = names[node]
    step = graph.step_of(node)
    users = consumers(graph, node) if kind == "grad" else ()
    what = "value" if kind == "value" else "gradient"
    text = f"the {what} of {name} is wrong (expected {_num(expected)}, got {_num(got)})."
    if kind == "value" and step is None:
        text += f" {name} is a leaf: check what {api.class_name}(x) stores in .{api.data_attr}."
    elif kind == "value" and step is not None:
        made = f"{name} = {expression(graph, step, api, names)}"
        text += f" Its inputs are right, so the forward of {made} is the likely culprit."
    elif node == graph.output:
        text += f" {name} is the output: {api.backward}() should set its gradient to 1 first."
    elif not users:
        text += f" {name} is not used by any op, so its gradient should stay 0."
    else:
        ops = [_made(graph, u, api, names) for u in users]
        later = _untrusted_users(graph, users, trusted)
        if later:
            used = "only by " + ops[0] if len(ops) == 1 else "by " + " and ".join(ops)
            right = " and ".join(names[u] for u in users)
            culprits = " or ".join(_made(graph, v, api, names) for v in later)
            text += (
                f" {name} is used {used}, which passes on its own, and the gradient of "
                f"{right} is right: so that backward did not run, or was replaced. The likely "
                f"culprit is {culprits}, which uses {right}: it should record its inputs and "
                "set the backward of its own result."
            )
        elif len(ops) == 1:
            text += f" {name} is used only by {ops[0]}; the backward of that op is the likely"
            text += " culprit."
        else:
            listed = ", ".join(ops[:-1]) + " and " + ops[-1]
            text += f" {name} is used by {listed}; the backward of one of those ops is the"
            text += " likely culprit."
    return WrongNode(node, name, kind, expected, got, step, users, text)


def _made(graph: Graph, node: int, api: EngineAPI, names: list[str]) -> str:
    return f"{names[node]} = {expression(graph, graph.steps[node - graph.n_leaves], api, names)}"


def _untrusted_users(graph: Graph, users: tuple[int, ...], trusted: Collection[str]) -> list[int]:
    """When every op that uses the wrong node passes on its own, the ops that use their
    results and are not trusted: the one that should have run (or kept) their backward."""
    if not trusted or any(_category(graph, u) not in trusted for u in users):
        return []
    later = sorted({v for u in users for v in consumers(graph, u)})
    return [v for v in later if _category(graph, v) not in trusted]


def _category(graph: Graph, node: int) -> str:
    return OPS[graph.steps[node - graph.n_leaves].op].category


def _num(x: Optional[float]) -> str:
    if x is None:
        return "no number"
    text = format(x, ".10g")
    return text + ".0" if text.lstrip("-").isdigit() else text
