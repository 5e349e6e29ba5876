"""What makes a failing grade cheap does not change what it finds (issue 9, speed).

Each shortcut is checked against the plain way of doing the same thing: the rounder leaf
values simplify() tries, the oracle's answers, the engine's answers after a lane that
raises, and graphs already answered or queued, which are not sent again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.discover.api import EngineAPI
from grader.evaluate import oracle
from grader.evaluate.oracle_process import LocalOracle, OracleProcess
from grader.evaluate.sandboxed import SandboxRunner
from grader.evaluate.student import evaluate
from grader.generate.search import draw_examples
from grader.generate.simplify import ROUND_VALUES, _rounder, in_domain
from grader.generate.strategies import graphs, mixed_graphs
from grader.graph import Graph, Step
from grader.ops import OPS
from reference.engine import Value

ALL_FORMS = list(OPS)


def drawn(count: int, lanes: int = 4) -> list[Graph]:
    mixed = mixed_graphs(ALL_FORMS, lanes=lanes, max_steps=14)
    context = graphs(ALL_FORMS, ALL_FORMS, lanes=lanes)
    return [
        *draw_examples(mixed, budget=count, seed=3, key="fewer-runs/mixed"),
        *draw_examples(context, budget=count, seed=3, key="fewer-runs/context"),
    ]


def one_by_one(graph: Graph, leaf: int) -> list[Graph]:
    """The rounder candidates as simplify() found them before: one domain walk each."""
    found = []
    for value in ROUND_VALUES:
        if graph.inputs[0][leaf] == value:
            continue
        inputs = list(graph.inputs[0])
        inputs[leaf] = value
        candidate = Graph((tuple(inputs),), graph.steps)
        if in_domain(candidate):
            found.append(candidate)
    return found


def test_rounder_values_judged_in_one_pass_are_those_judged_one_by_one() -> None:
    chain = Graph(((0.5,),), tuple(Step("mul_c", (k,), 1.0) for k in range(300)))
    growing = Graph(((0.5,),), tuple(Step("add_c", (k,), 1.0) for k in range(2000)))
    singles = [g.lane(lane) for g in drawn(40) for lane in range(2)] + [chain, growing]
    compared = 0
    for graph in singles:
        for leaf in range(graph.n_leaves):
            assert _rounder(graph, leaf) == one_by_one(graph, leaf)
            compared += 1
    assert compared > 100
    assert _rounder(growing, 0) == []  # every value leaves the domain within 1,000 steps
    assert len(_rounder(chain, 0)) == len(ROUND_VALUES) - 1


def seeded_oracle(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    """The oracle as it was: backward from the output with a seed tensor of ones."""
    import torch

    from grader.ops import apply

    inputs = torch.tensor(graph.inputs, dtype=torch.float64).T.contiguous()
    nodes = [leaf.requires_grad_() for leaf in inputs.unbind(0)]
    for step in graph.steps:
        b = nodes[step.args[1]] if len(step.args) > 1 else None
        nodes.append(apply(step.op, nodes[step.args[0]], b, step.const))
    seed = torch.ones(graph.n_lanes, dtype=torch.float64)
    grads = torch.autograd.grad(nodes[-1], nodes, seed, allow_unused=True)
    zero = torch.zeros(graph.n_lanes, dtype=torch.float64)
    values = torch.stack([n.detach() for n in nodes]).numpy()
    return values, torch.stack([zero if g is None else g for g in grads]).numpy()


def test_the_oracle_gives_each_lane_its_own_gradient_exactly() -> None:
    for graph in drawn(30, lanes=8):
        values, grads = oracle.expected(graph)
        want_values, want_grads = seeded_oracle(graph)
        assert np.array_equal(values, want_values, equal_nan=True)
        assert np.array_equal(grads, want_grads, equal_nan=True)


class Recursing(Value):
    """A Value whose tanh recurses without end, and which counts the lanes it starts."""

    leaves = 0

    def __init__(self, data: float, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        if not args:
            Recursing.leaves += 1

    def tanh(self) -> Any:
        return self.tanh()


def test_a_lane_that_raises_ends_the_run_with_the_same_answer_for_every_lane() -> None:
    graph = Graph(tuple((0.1 * k + 0.1, 0.2) for k in range(8)), (Step("tanh", (0,)),))
    plain = evaluate(Value, EngineAPI(), graph)
    assert all("values" in lane for lane in plain)
    Recursing.leaves = 0
    answers = evaluate(Recursing, EngineAPI(), graph)
    assert len(answers) == graph.n_lanes
    assert answers[0]["error"]["type"] == "RecursionError"
    assert all(lane == answers[0] for lane in answers)
    assert Recursing.leaves == 2  # the first lane's leaves: no other lane was run


def test_local_oracle_computes_each_graph_once(monkeypatch: Any) -> None:
    calls: list[Graph] = []
    original = oracle.expected

    def counted(graph: Graph) -> Any:
        calls.append(graph)
        return original(graph)

    monkeypatch.setattr(oracle, "expected", counted)
    local = LocalOracle()
    graphs_ = drawn(5)
    local.prefetch(graphs_)
    local.prefetch(graphs_)
    for graph in graphs_:
        local.expected(graph)
    assert len(calls) == len(graphs_)


def test_oracle_process_sends_a_graph_once() -> None:
    process = OracleProcess()
    try:
        graphs_ = drawn(5)
        process.prefetch(graphs_)
        process.prefetch([*graphs_, *graphs_])  # queued: nothing new to send
        sent = len(process._sent)
        for graph in graphs_:
            process.expected(graph)  # answered: nothing to send either
        process.prefetch(graphs_[:3])
        assert sent <= 1 and not process._sent and not process._queued
        extra = graphs_[0].lane(0)
        process.prefetch([extra, *graphs_])
        assert np.array_equal(process.expected(extra)[1], oracle.expected(extra)[1])
    finally:
        process.close()


class CountingSandbox:
    """Stands in for the sandbox: answers evaluate requests with the reference engine."""

    running = True

    def __init__(self) -> None:
        self.evaluated: list[int] = []

    def call(self, method: str, params: dict[str, Any], max_bytes: Any = None) -> Any:
        assert method == "engine.evaluate"
        graphs_ = [Graph.from_dict(g) for g in params["graphs"]]
        self.evaluated.append(len(graphs_))
        return [evaluate(Value, EngineAPI(), g, params["seed"]) for g in graphs_]


def test_a_graph_whose_answer_waits_is_not_evaluated_again() -> None:
    sandbox = CountingSandbox()
    runner = SandboxRunner(sandbox, None)  # type: ignore[arg-type]
    graphs_ = drawn(4)
    runner.prefetch(graphs_, False)
    runner.prefetch(graphs_, False)  # all waiting: no request
    assert sandbox.evaluated == [len(graphs_)]
    first = runner.evaluate(graphs_[0], False)  # used once
    assert first == evaluate(Value, EngineAPI(), graphs_[0])
    runner.prefetch(graphs_, False)  # only the one used is run again
    assert sandbox.evaluated == [len(graphs_), 1]
