"""first_wrong_node on hand-made graphs: which node, which kind, and which ops to suspect."""

from __future__ import annotations

from typing import Any

import pytest

from grader.diagnose.first_wrong import WrongNode, first_wrong_node
from grader.graph import Graph, Step
from tests.diagnose.engines import engine, graph, replace, run

RIGHT = engine()


def _first(g: Graph, cls: type) -> WrongNode | None:
    expected = run(RIGHT, g)[0]
    return first_wrong_node(g, expected["values"], expected["grads"], run(cls, g)[0])


def _expected(g: Graph) -> dict[str, Any]:
    return run(RIGHT, g)[0]


def test_gradient_blames_the_consumers() -> None:
    # a, b, t1 = a * b, t2 = a.tanh(), out = t1 + t2; tanh's backward uses its input
    g = graph([(0.5, -1.2)], ("mul", (0, 1)), ("tanh", (0,)), ("add", (2, 3)))
    wrong = _first(g, engine(replace("tanh", "(1 - out.data**2)", "(1 - self.data**2)")))
    assert wrong is not None
    assert (wrong.node, wrong.name, wrong.kind, wrong.consumers) == (0, "a", "grad", (2, 3))
    assert wrong.step is None
    assert wrong.expected == _expected(g)["grads"][0]
    assert wrong.message.endswith(
        "a is used by t1 = a * b and t2 = a.tanh(); the backward of one of those ops is the "
        "likely culprit."
    )
    assert wrong.message.startswith("the gradient of a is wrong (expected -0.41")


def test_gradients_are_checked_from_the_output_back() -> None:
    # a, b, t1 = a * b, out = t1.tanh(); mul gives each operand its own value: b (1) and a (0)
    # are both wrong, and b comes first walking back
    g = graph([(0.5, -1.2)], ("mul", (0, 1)), ("tanh", (2,)))
    wrong = _first(g, engine(
        replace("__mul__", "self.grad += other.data", "self.grad += self.data"),
        replace("__mul__", "other.grad += self.data", "other.grad += other.data"),
    ))
    assert wrong is not None
    assert (wrong.node, wrong.kind, wrong.consumers) == (1, "grad", (2,))
    assert "b is used only by t1 = a * b; the backward of that op is the likely culprit." in (
        wrong.message
    )


def test_first_wrong_value_in_forward_order() -> None:
    # a, b, t1 = a.log(), t2 = t1 * b, out = t2.exp(): log10 makes t1, t2 and out wrong
    g = graph([(2.0, 3.0)], ("log", (0,)), ("mul", (2, 1)), ("exp", (3,)))
    wrong = _first(g, engine(replace("log", "math.log(self.data)", "math.log10(self.data)")))
    assert wrong is not None
    assert (wrong.node, wrong.name, wrong.kind) == (2, "t1", "value")
    assert wrong.step == Step("log", (0,))
    assert wrong.consumers == ()
    assert "the forward of t1 = a.log() is the likely culprit" in wrong.message


def test_output_gradient_and_unused_nodes() -> None:
    # a, t1 = a.exp(), out = a * 2.0 (t1 is never used)
    g = graph([(0.3,)], ("exp", (0,)), ("mul_c", (0,), 2.0))
    no_seed = _first(g, engine(replace("backward", "self.grad += 1.0", "pass")))
    assert no_seed is not None
    assert (no_seed.node, no_seed.name, no_seed.kind, no_seed.got) == (2, "out", "grad", 0.0)
    assert "out is the output" in no_seed.message

    expected = _expected(g)
    got = {"values": expected["values"], "grads": [2.0, 5.0, 1.0]}
    dead = first_wrong_node(g, expected["values"], expected["grads"], got)
    assert dead is not None and dead.node == 1 and "not used by any op" in dead.message


def test_leaf_value_missing_number_and_nothing_wrong() -> None:
    g = graph([(0.25, 4.0)], ("mul", (0, 1)))
    expected = _expected(g)
    values, grads = expected["values"], expected["grads"]
    assert first_wrong_node(g, values, grads, expected) is None
    assert first_wrong_node(g, values, grads, {"error": {"type": "ValueError"}}) is None

    leaf = first_wrong_node(g, values, grads, {"values": [0, 4.0, 1.0], "grads": grads})
    assert leaf is not None and (leaf.node, leaf.kind, leaf.step) == (0, "value", None)
    assert "a is a leaf" in leaf.message

    missing = first_wrong_node(g, values, grads, {"values": values, "grads": [4.0, None, 1.0]})
    assert missing is not None and (missing.node, missing.got) == (1, None)
    assert "got no number" in missing.message


def test_wrong_value_names_the_earliest_node_even_if_grads_also_differ() -> None:
    # a, t1 = a.sigmoid(), out = t1 * a with sigmoid computed as 1 / (1 + exp(x))
    g = graph([(0.8,)], ("sigmoid", (0,)), ("mul", (1, 0)))
    wrong = _first(
        g, engine(replace("sigmoid", "_stable_sigmoid(self.data)", "1 / (1 + math.exp(self.data))"))
    )
    assert wrong is not None and (wrong.node, wrong.kind) == (1, "value")


def _first_trusting(g: Graph, cls: type, trusted: tuple[str, ...]) -> WrongNode | None:
    expected = run(RIGHT, g)[0]
    return first_wrong_node(g, expected["values"], expected["grads"], run(cls, g)[0], None, trusted)


# a, b, t1 = a + b, out = <op of t1>: with + trusted (it passes on its own), a wrong b under a
# right t1 means t1's backward did not run or was replaced: the op that uses t1 is named.
PLUS_THEN = [("add", (0, 1))]
POW_NO_INPUTS = replace("__pow__", '(self,), f"**{exponent}"', '(), f"**{exponent}"')
EXP_ON_INPUT = replace("exp", "out._backward = _backward", "self._backward = _backward")


@pytest.mark.parametrize(
    ("last", "edit", "culprit"),
    [
        (("pow", (2,), 3), POW_NO_INPUTS, "out = t1 ** 3"),
        (("exp", (2,)), EXP_ON_INPUT, "out = t1.exp()"),
    ],
)
def test_a_trusted_consumer_passes_the_blame_on(
    last: tuple[Any, ...], edit: Any, culprit: str
) -> None:
    g = graph([(1.0, 0.5)], *PLUS_THEN, last)
    wrong = _first_trusting(g, engine(edit), ("add",))
    assert wrong is not None
    assert (wrong.name, wrong.kind) == ("b", "grad")
    assert wrong.message.endswith(
        "b is used only by t1 = a + b, which passes on its own, and the gradient of t1 is "
        f"right: so that backward did not run, or was replaced. The likely culprit is {culprit}, "
        "which uses t1: it should record its inputs and set the backward of its own result."
    )
    # not trusted (or the wrong node's own consumer is the op under test): as before
    plain = _first_trusting(g, engine(edit), ())
    assert plain is not None
    assert plain.message.endswith(
        "b is used only by t1 = a + b; the backward of that op is the likely culprit."
    )


def test_a_consumer_under_test_keeps_the_blame() -> None:
    # + is under test (not trusted) and forgets other: it is named, whatever uses t1
    g = graph([(1.0, 0.5)], *PLUS_THEN, ("exp", (2,)))
    forgets_other = engine(replace("__add__", "other.grad +=", "other.grad *="))
    wrong = _first_trusting(g, forgets_other, ("exp",))
    assert wrong is not None
    assert wrong.message.endswith(
        "b is used only by t1 = a + b; the backward of that op is the likely culprit."
    )
