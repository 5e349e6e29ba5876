"""Name the student's likely bug: the models that reproduce their numbers exactly.

A model matches a failing graph when, for one shape of student code (derived ops built
directly or from +, * and **; children in a tuple or a set), every lane that has numbers
agrees with the model on every value and grad. The order of a set may differ from lane to
lane (it follows the objects' ids), so within one shape each lane may use its own walk.
Nothing matches when the correct model already agrees: then nothing is wrong.
"""

from __future__ import annotations

from typing import Any, Optional

from grader.compare.tolerance import close
from grader.compare.verdict import well_formed
from grader.diagnose.models import (
    MODELS,
    BugModel,
    Local,
    Plans,
    Program,
    Table,
    Walk,
    compile_model,
    local_derivatives,
    propagate,
    run_forward,
    seed_value,
)
from grader.graph import Graph


def fingerprint(graph: Graph, got: list[dict[str, Any]]) -> list[BugModel]:
    """The bug models, in catalogue order, that reproduce ``got`` (one entry per lane:
    ``{"values": [...], "grads": [...]}`` or ``{"error": ...}``)."""
    if len(got) != graph.n_lanes:
        raise ValueError(f"got {len(got)} lanes for a graph with {graph.n_lanes}")
    lanes = []
    for inputs, entry in zip(graph.inputs, got):
        if isinstance(entry, dict) and "error" in entry:
            continue
        if not well_formed(entry, graph.n_nodes):
            return []
        lanes.append((inputs, entry))
    if not lanes:
        return []
    matcher = _Matcher(graph, lanes)
    if matcher.matches(None):
        return []
    return [model for model in MODELS if matcher.matches(model)]


class _Matcher:
    """Compares one graph's lanes with models, sharing programs, walks and forward passes."""

    def __init__(self, graph: Graph, lanes: list[tuple[tuple[float, ...], dict[str, Any]]]):
        self.plans = Plans(graph)
        self.lanes = lanes
        self._forward: dict[tuple[int, str, int], Optional[list[float]]] = {}
        self._tables: dict[tuple[int, str], Table] = {}
        self._right: dict[tuple[int, int], Optional[Local]] = {}

    def matches(self, model: Optional[BugModel]) -> bool:
        for program in self.plans.programs(model):
            if self._values(program, model, 0) is None:
                continue  # the forward pass alone rules this shape out
            table = self._table(program, model)
            lanes = range(len(self.lanes))
            local: dict[int, Optional[Local]] = {}
            for walks in self.plans.walks(program, model):
                if all(self._lane_matches(program, table, model, walks, i, local) for i in lanes):
                    return True
        return False

    def _values(self, program: Program, model: Optional[BugModel], lane: int) -> Optional[list]:
        """The model's forward on one lane if it matches the student's values, else None."""
        key = (id(program), model.id if model and model.changes_forward else "", lane)
        if key not in self._forward:
            inputs, got = self.lanes[lane]
            values = run_forward(program, self._table(program, model), inputs)
            ok = values is not None and _agree(got["values"], values, program.index)
            self._forward[key] = values if ok else None
        return self._forward[key]

    def _table(self, program: Program, model: Optional[BugModel]) -> Table:
        key = (id(program), model.id if model else "")
        if key not in self._tables:
            self._tables[key] = compile_model(program, model)
        return self._tables[key]

    def _local(
        self,
        program: Program,
        table: Table,
        model: Optional[BugModel],
        lane: int,
        values: list[float],
    ) -> Optional[Local]:
        """The model's local derivatives, from the right ones where its forward is right."""
        if model is not None and model.changes_forward:
            return local_derivatives(program, table, values)
        key = (id(program), lane)
        if key not in self._right:
            self._right[key] = local_derivatives(program, self._table(program, None), values)
        right = self._right[key]
        if model is None or not model.kernels or right is None:
            return right
        return local_derivatives(program, table, values, right)

    def _lane_matches(
        self,
        program: Program,
        table: Table,
        model: Optional[BugModel],
        walks: tuple[Walk, ...],
        lane: int,
        local: dict[int, Optional[Local]],
    ) -> bool:
        values = self._values(program, model, lane)
        if values is None:
            return False
        if lane not in local:
            local[lane] = self._local(program, table, model, lane, values)
        derivatives = local[lane]
        if derivatives is None:
            return False
        got = self.lanes[lane][1]["grads"]
        seed = seed_value(model, values)
        for walk in walks:
            grads = propagate(program, table, derivatives, walk, seed)
            if grads is not None and _agree(got, grads, program.index):
                return True
        return False


def _agree(got: list[Optional[float]], model: list[float], index: tuple[int, ...]) -> bool:
    return all(close(got[node], model[p]) for node, p in enumerate(index))
