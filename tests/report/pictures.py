"""Failing graphs built by hand, and a report that carries them."""

from __future__ import annotations

import numpy as np

from grader.compare.verdict import Mismatch
from grader.diagnose.failing_graph import failing_graph
from grader.discover.api import EngineAPI
from grader.graph import Graph, Step
from grader.results import CategoryResult, FailingGraph, Report


def exp_reused() -> FailingGraph:
    """a.exp() * a with exp's backward writing `=` instead of `+=`: a's gradient is wrong,
    and it came back through both of a's edges."""
    graph = Graph(((1.0,),), (Step("exp", (0,)), Step("mul", (1, 0))))
    e = float(np.exp(1.0))
    values = np.array([[1.0], [e], [e]])
    grads = np.array([[2 * e], [1.0], [1.0]])
    got = {"values": [1.0, e, e], "grads": [e, 1.0, 1.0]}
    mismatch = Mismatch(0, "grad", 0, 2 * e, e)
    picture = failing_graph(graph, values, grads, got, mismatch, EngineAPI())
    assert picture is not None
    return picture


def wide() -> FailingGraph:
    """Four leaves, shared nodes, an edge that skips two layers, a square (x * x)."""
    steps = (
        Step("mul", (0, 1)),  # e = a * b
        Step("add", (4, 2)),  # f = e + c
        Step("tanh", (5,)),  # g
        Step("mul", (6, 6)),  # h = g * g
        Step("add", (7, 0)),  # i = h + a  (a skips layers)
        Step("mul", (8, 3)),  # out = i * d
    )
    graph = Graph(((0.5, -1.0, 2.0, 0.3),), steps)
    n = graph.n_nodes
    values = np.arange(1.0, n + 1).reshape(n, 1)
    grads = np.ones((n, 1))
    got = {"values": [float(v) for v in range(1, n + 1)], "grads": [1.0] * n}
    got["grads"][6] = 7.0  # g's gradient is wrong
    mismatch = Mismatch(0, "grad", 6, 1.0, 7.0)
    picture = failing_graph(graph, values, grads, got, mismatch, EngineAPI())
    assert picture is not None
    return picture


def report_with_picture() -> Report:
    tanh = CategoryResult(
        "exp",
        "fail",
        0.0,
        3.0,
        "The gradient of a is wrong (expected 5.436563657, got 2.718281828). a is used by "
        "t1 = a.exp() and out = t1 * a; the backward of one of those ops is the likely culprit.",
        counterexample="a = Value(1.0)\nt1 = a.exp()\nout = t1 * a\nout.backward()",
        expected="a.grad == 5.43656365691809",
        got="a.grad == 2.718281828459045",
        hint="Did you write `self.grad = ...` instead of `self.grad += ...`?",
        graph=exp_reused(),
    )
    return Report(
        3.0,
        6.0,
        [CategoryResult("add", "pass", 3.0, 3.0, "fine"), tanh],
        submission="engine.py",
    )
