"""The torch oracle in its own process gives exactly the in-process answers, without deadlock."""

from __future__ import annotations

import os

import numpy as np

from grader.evaluate import oracle
from grader.evaluate.oracle_process import OracleProcess, in_oracle, serving
from grader.generate.search import draw_examples
from grader.generate.strategies import mixed_graphs
from grader.graph import Graph
from grader.ops import OPS


def some_graphs(count: int) -> list[Graph]:
    return draw_examples(mixed_graphs(list(OPS), lanes=8), budget=count, seed=0, key="oracle")


def test_answers_match_the_local_oracle_and_many_batches_do_not_deadlock() -> None:
    graphs = some_graphs(60)
    process = OracleProcess()
    try:
        for graph in graphs:  # one batch each: far more than a pipe buffer holds
            process.prefetch([graph])
        for graph in reversed(graphs):
            values, grads = process.expected(graph)
            want_values, want_grads = oracle.expected(graph)
            assert np.array_equal(values, want_values) and np.array_equal(grads, want_grads)
        lone = graphs[0].lane(0)  # never prefetched: asked for on the spot
        assert np.array_equal(process.expected(lone)[0], oracle.expected(lone)[0])
    finally:
        process.close()


def test_in_oracle_runs_the_call_in_the_oracle_process() -> None:
    assert in_oracle("os:getpid") == os.getpid()  # no grade running: here
    process = OracleProcess()
    try:
        with serving(process):
            assert in_oracle("os:getpid") != os.getpid()
    finally:
        process.close()
