"""The graph description: the one currency between generation, the engines and the report.

A graph is a straight-line program. Nodes ``0 .. n_leaves-1`` are leaves (``Value(x)``);
node ``n_leaves + k`` is the result of step ``k``, an op over earlier nodes. Nodes may be
used many times, so a graph is a DAG. ``backward()`` is called on the last node.

One structure may carry several input sets ("lanes"): the same program evaluated on
different leaf values. The oracle evaluates all lanes at once; a report shows one lane.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Union

from grader.discover.api import EngineAPI
from grader.ops import OPS

Number = Union[int, float]
_LOOP_FROM = 20


@dataclass(frozen=True)
class Step:
    """One operation: ``op`` over the earlier nodes ``args``, with the number ``const`` if any."""

    op: str
    args: tuple[int, ...]
    const: Optional[Number] = None


@dataclass(frozen=True)
class Graph:
    """Leaf values (one tuple per lane) and the steps over them."""

    inputs: tuple[tuple[float, ...], ...]
    steps: tuple[Step, ...]

    @property
    def n_leaves(self) -> int:
        return len(self.inputs[0])

    @property
    def n_nodes(self) -> int:
        return self.n_leaves + len(self.steps)

    @property
    def n_lanes(self) -> int:
        return len(self.inputs)

    @property
    def output(self) -> int:
        return self.n_nodes - 1

    def lane(self, index: int) -> Graph:
        """The same program on one input set only."""
        return Graph((self.inputs[index],), self.steps)

    def step_of(self, node: int) -> Optional[Step]:
        """The step that made ``node``, or None for a leaf."""
        return None if node < self.n_leaves else self.steps[node - self.n_leaves]

    def categories(self) -> set[str]:
        return {OPS[step.op].category for step in self.steps}

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": [list(lane) for lane in self.inputs],
            "steps": [[s.op, list(s.args), s.const] for s in self.steps],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        steps = tuple(Step(op, tuple(args), const) for op, args, const in data["steps"])
        return cls(tuple(tuple(lane) for lane in data["inputs"]), steps)


def node_names(graph: Graph) -> list[str]:
    """Readable names: leaves a, b, c, ...; intermediate results t1, t2, ...; the output out."""
    leaves = [_leaf_name(i) for i in range(graph.n_leaves)]
    inner = [f"t{k + 1}" for k in range(len(graph.steps))]
    if inner:
        inner[-1] = "out"
    return leaves + inner


def expression(graph: Graph, step: Step, api: EngineAPI, names: list[str]) -> str:
    """The Python expression of one step, in the student's own names."""
    op = OPS[step.op]
    operands = [names[i] for i in step.args]
    if op.unary_method:
        return api.call(op.category, operands[0])
    return op.template.format(
        a=operands[0],
        b=operands[1] if len(operands) > 1 else "",
        c=repr(step.const),
        method=api.methods.get(op.category, op.category),
    )


def to_code(graph: Graph, api: Optional[EngineAPI] = None, lane: int = 0) -> str:
    """Runnable Python that builds the graph with the student's class and calls backward."""
    api = api or EngineAPI()
    if _is_chain(graph):
        return _chain_code(graph, api, lane)
    names = node_names(graph)
    lines = [f"{names[i]} = {api.class_name}({x!r})" for i, x in enumerate(graph.inputs[lane])]
    for k, step in enumerate(graph.steps):
        lines.append(f"{names[graph.n_leaves + k]} = {expression(graph, step, api, names)}")
    lines.append(f"{names[-1]}.{api.backward}()")
    return "\n".join(lines)


def _is_chain(graph: Graph) -> bool:
    """One leaf and many copies of one op, each applied to the previous node."""
    first = graph.steps[0] if graph.steps else None
    return (
        len(graph.steps) >= _LOOP_FROM
        and graph.n_leaves == 1
        and all(
            s.op == first.op and s.const == first.const and s.args == (k,)  # type: ignore[union-attr]
            for k, s in enumerate(graph.steps)
        )
    )


def _chain_code(graph: Graph, api: EngineAPI, lane: int) -> str:
    step = expression(graph, graph.steps[0], api, ["x"])
    return "\n".join(
        [
            f"x = {api.class_name}({graph.inputs[lane][0]!r})",
            f"for _ in range({len(graph.steps)}):",
            f"    x = {step}",
            f"x.{api.backward}()",
        ]
    )


def _leaf_name(i: int) -> str:
    return "abcdefghijklmnopqrs"[i] if i < 19 else f"x{i}"
