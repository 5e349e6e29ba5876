"""Every bug model is recognised from the numbers of a real buggy engine, and only then."""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

from grader.compare.tolerance import close
from grader.diagnose.fingerprint import fingerprint
from grader.diagnose.models import MODELS, MODELS_BY_ID, OP_SCOPES
from grader.graph import Graph
from tests.diagnose.engines import (
    NO_VISITED,
    RECURSIVE,
    Edit,
    KarpathyValue,
    engine,
    graph,
    no_chain,
    overwrite,
    random_graph,
    replace,
    run,
    whole,
)

MIXED = [(0.7, -1.3), (1.9, 0.4), (-0.45, 2.2)]
POSITIVE = [(0.7, 1.3), (1.9, 0.4), (2.6, 1.7)]
COMPOSED_FROM = {
    "radd": {"add"}, "sub": {"add", "mul"}, "rsub": {"add", "mul"}, "rmul": {"mul"},
    "neg": {"mul"}, "truediv": {"mul", "pow"}, "rtruediv": {"mul", "pow"},
}  # fmt: skip
DERIVED = set(COMPOSED_FROM)
METHOD = {
    "add": "__add__", "radd": "__radd__", "sub": "__sub__", "rsub": "__rsub__",
    "mul": "__mul__", "rmul": "__rmul__", "neg": "__neg__", "truediv": "__truediv__",
    "rtruediv": "__rtruediv__", "pow": "__pow__",
}  # fmt: skip
FIRST_STEP = {
    "add": ("add", (0, 1)), "radd": ("radd", (0,), 2.0), "sub": ("sub", (0, 1)),
    "rsub": ("rsub", (0,), 2.0), "mul": ("mul", (0, 1)), "rmul": ("rmul", (0,), 2.0),
    "neg": ("neg", (0,)), "truediv": ("truediv", (0, 1)), "rtruediv": ("rtruediv", (0,), 2.0),
    "pow": ("pow", (0,), 3), "exp": ("exp", (0,)), "log": ("log", (0,)),
    "tanh": ("tanh", (0,)), "sigmoid": ("sigmoid", (0,)), "relu": ("relu", (0,)),
}  # fmt: skip

# nodes: a, b, t1 = a * b, t2 = t1.tanh(), t3 = t1 + t2, out = t3 * a (t1 and a reused)
DIAMOND = graph(MIXED, ("mul", (0, 1)), ("tanh", (2,)), ("add", (2, 3)), ("mul", (4, 0)))


def _lanes(category: str) -> list[tuple[float, float]]:
    return POSITIVE if category in ("log", "pow") else MIXED


def _overwrite_case(category: str) -> tuple[str, Graph, type]:
    # t1 = op(a[, b]); t2 = t1 * a: a collects from both ops, so `=` loses a share
    g = graph(_lanes(category), FIRST_STEP[category], ("mul", (2, 0)), ("mul_c", (3,), 1.5))
    cls = engine(overwrite(METHOD.get(category, category)), direct=category in DERIVED)
    return f"{category}.overwrite", g, cls


def _no_chain_case(category: str) -> tuple[str, Graph, type]:
    # out.grad of the op is not 1, so forgetting it shows
    after = ("exp", (2,)) if category == "mul" else ("mul_c", (2,), 2.5)
    g = graph(_lanes(category), FIRST_STEP[category], after)
    cls = engine(no_chain(METHOD.get(category, category)), direct=category in DERIVED)
    return f"{category}.no_chain", g, cls


def _case(model_id: str, steps: list[tuple[Any, ...]], *edits: Edit, direct: bool = False,
          lanes: Any = MIXED) -> tuple[str, Graph, type]:
    return model_id, graph(lanes, *steps), engine(*edits, direct=direct)


CATEGORIES = list(FIRST_STEP)
FORWARD_LOOP = replace(
    "backward", "reversed(self._topological_order())", "self._topological_order()"
)
SET_CHILDREN = replace("__init__", "tuple(_children)", "set(_children)")
UNARY_THEN_SCALE = [("mul_c", (2,), 3.0)]

CASES: list[tuple[str, Graph, type]] = [
    *(_overwrite_case(c) for c in CATEGORIES),
    *(_no_chain_case(c) for c in CATEGORIES),
    # x * x and x + x: the second assignment wins
    _case("mul.overwrite", [("mul", (0, 0)), ("mul_c", (2,), 1.5)], overwrite("__mul__")),
    _case("add.overwrite", [("add", (0, 0)), ("tanh", (2,))], overwrite("__add__")),
    # composed: the reference builds a - b, a / b, 2 / a from add, mul and pow
    _case("add.overwrite", [("sub", (0, 1)), ("mul", (2, 0))], overwrite("__add__")),
    _case("mul.overwrite", [("truediv", (0, 1)), ("mul", (2, 0))], overwrite("__mul__")),
    _case("pow.no_chain", [("rtruediv", (0,), 2.0), ("mul_c", (2,), 3.0)], no_chain("__pow__")),
    _case("mul.own_value", [("neg", (0,)), ("mul_c", (2,), 3.0)],
          replace("__mul__", "self.grad += other.data", "self.grad += self.data"),
          replace("__mul__", "other.grad += self.data", "other.grad += other.data")),
    _case("add.self_twice", [("add", (0, 1)), ("add_c", (2,), 2.0), ("mul", (3, 1))],
          replace("__add__", "other.grad += out.grad", "self.grad += out.grad")),
    _case("add.other_forgotten", [("add", (0, 1)), ("mul_c", (2,), 2.5)],
          replace("__add__", "            other.grad += out.grad\n", "")),
    _case("add.grad_like_mul", [("add", (0, 1)), ("mul_c", (2,), 2.5)],
          replace("__add__", "self.grad += out.grad", "self.grad += other.data * out.grad"),
          replace("__add__", "other.grad += out.grad", "other.grad += self.data * out.grad")),
    _case("mul.own_value", [("mul", (0, 1)), ("mul_c", (2,), 2.5)],
          replace("__mul__", "self.grad += other.data", "self.grad += self.data"),
          replace("__mul__", "other.grad += self.data", "other.grad += other.data")),
    _case("mul.self_data_twice", [("mul", (0, 1)), ("mul_c", (2,), 2.5)],
          replace("__mul__", "self.grad += other.data", "self.grad += self.data")),
    _case("mul.other_data_twice", [("mul", (0, 1)), ("mul_c", (2,), 2.5)],
          replace("__mul__", "other.grad += self.data", "other.grad += other.data")),
    _case("sub.subtrahend_sign", [("sub", (0, 1)), ("mul_c", (2,), 3.0)],
          replace("__sub__", "other.grad -=", "other.grad +="), direct=True),
    _case("rsub.sign", [("rsub", (0,), 2.0), ("mul", (2, 1))],
          replace("__rsub__", "self.grad -=", "self.grad +="), direct=True),
    _case("rsub.swapped", [("rsub", (0,), 2.0), ("mul", (2, 1))],
          replace("__rsub__", "other + (-self)", "self + (-other)")),
    _case("neg.sign", [("neg", (0,)), ("mul", (2, 1))],
          replace("__neg__", "self.grad -=", "self.grad +="), direct=True),
    _case("truediv.denominator_sign", [("truediv", (0, 1)), ("mul_c", (2,), 3.0)],
          replace("__truediv__", "other.grad -=", "other.grad +="), direct=True),
    _case("truediv.denominator_no_numerator", [("truediv", (0, 1)), ("mul_c", (2,), 3.0)],
          replace("__truediv__", "self.data / other.data**2", "1 / other.data**2"),
          direct=True),
    _case("rtruediv.sign", [("rtruediv", (0,), 2.0), ("mul_c", (2,), 3.0)],
          replace("__rtruediv__", "self.grad -=", "self.grad +="), direct=True),
    _case("rtruediv.swapped", [("rtruediv", (0,), 2.0), ("mul", (2, 1))],
          replace("__rtruediv__", "other * self**-1", "self * other**-1")),
    _case("pow.forgot_minus_one", [("pow", (0,), 3), ("mul_c", (2,), 3.0)],
          replace("__pow__", "self.data ** (exponent - 1)", "self.data**exponent"),
          lanes=POSITIVE),
    _case("pow.no_coefficient", [("pow", (0,), 3), ("mul_c", (2,), 2.5)],
          replace("__pow__", "exponent * self.data ** (exponent - 1)",
                  "self.data ** (exponent - 1)"), lanes=POSITIVE),
    _case("pow.swapped", [("pow", (0,), 3), ("mul_c", (2,), 3.0)],
          replace("__pow__", "exponent * self.data ** (exponent - 1)",
                  "self.data * exponent ** (self.data - 1)"), lanes=POSITIVE),
    _case("exp.grad_is_input", [("exp", (0,)), *UNARY_THEN_SCALE],
          replace("exp", "out.data * out.grad", "self.data * out.grad")),
    _case("exp.grad_is_one", [("exp", (0,)), *UNARY_THEN_SCALE],
          replace("exp", "out.data * out.grad", "out.grad")),
    _case("log.grad_is_input", [("log", (0,)), *UNARY_THEN_SCALE],
          replace("log", "out.grad / self.data", "self.data * out.grad"), lanes=POSITIVE),
    _case("log.grad_inverse_square", [("log", (0,)), *UNARY_THEN_SCALE],
          replace("log", "out.grad / self.data", "out.grad / self.data**2"), lanes=POSITIVE),
    _case("log.grad_is_output", [("log", (0,)), *UNARY_THEN_SCALE],
          replace("log", "out.grad / self.data", "out.data * out.grad"), lanes=POSITIVE),
    _case("log.log10", [("log", (0,)), ("mul", (2, 1))],
          replace("log", "math.log(self.data)", "math.log10(self.data)"), lanes=POSITIVE),
    _case("tanh.grad_from_input", [("tanh", (0,)), *UNARY_THEN_SCALE],
          replace("tanh", "(1 - out.data**2)", "(1 - self.data**2)")),
    _case("tanh.no_square", [("tanh", (0,)), *UNARY_THEN_SCALE],
          replace("tanh", "(1 - out.data**2)", "(1 - out.data)")),
    _case("sigmoid.grad_is_output", [("sigmoid", (0,)), *UNARY_THEN_SCALE],
          replace("sigmoid", "out.data * (1 - out.data)", "out.data")),
    _case("sigmoid.grad_from_input", [("sigmoid", (0,)), *UNARY_THEN_SCALE],
          replace("sigmoid", "out.data * (1 - out.data)", "self.data * (1 - self.data)")),
    _case("sigmoid.forward_sign", [("sigmoid", (0,)), ("mul", (2, 1))],
          replace("sigmoid", "_stable_sigmoid(self.data)", "1 / (1 + math.exp(self.data))")),
    _case("relu.grad_always", [("relu", (0,)), *UNARY_THEN_SCALE],
          replace("relu", "(out.data > 0) * out.grad", "out.grad")),
    _case("relu.grad_is_output", [("relu", (0,)), *UNARY_THEN_SCALE],
          replace("relu", "(out.data > 0) * out.grad", "out.data * out.grad")),
    _case("relu.forward_max_one", [("relu", (0,)), ("mul", (2, 1))],
          replace("relu", "max(self.data, 0.0)", "max(self.data, 1.0)")),
    ("graph.forward_order", DIAMOND, engine(FORWARD_LOOP)),
    # composed: with sub built as a + (-b), b's share is lost when the loop runs forwards
    _case("graph.forward_order", [("mul", (0, 1)), ("sub", (2, 0))], FORWARD_LOOP),
    ("reuse.no_visited", DIAMOND, engine(whole("backward", NO_VISITED))),
    ("reuse.no_visited", DIAMOND, engine(whole("backward", NO_VISITED), SET_CHILDREN)),
    ("api.no_seed", DIAMOND, engine(replace("backward", "self.grad += 1.0", "pass"))),
    ("api.seed_is_value", DIAMOND,
     engine(replace("backward", "self.grad += 1.0", "self.grad = self.data"))),
]  # fmt: skip


@pytest.mark.parametrize(("model_id", "g", "cls"), CASES, ids=[c[0] for c in CASES])
def test_buggy_engine_is_recognised(model_id: str, g: Graph, cls: type) -> None:
    found = [m.id for m in fingerprint(g, run(cls, g))]
    assert model_id in found


def test_every_model_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(MODELS_BY_ID)


def test_catalogue_is_well_formed() -> None:
    assert len(MODELS) >= 25 and len(MODELS_BY_ID) == len(MODELS)
    for model in MODELS:
        assert model.scope in OP_SCOPES | {"api", "reuse", "graph"}
        assert model.hint.count("did you") + model.hint.count("Did you") >= 1, model.id


def test_the_bug_shown_is_the_bug_named() -> None:
    """A bug in one op is blamed on that op only, or on the op it is built from (the
    reference builds a - b as a + (b * -1), so a bug in either looks alike); an engine bug
    on the engine only."""
    for model_id, g, cls in CASES:
        scopes = {m.scope for m in fingerprint(g, run(cls, g))}
        expected = MODELS_BY_ID[model_id].scope
        related = COMPOSED_FROM.get(expected, set())
        related |= {d for d, parts in COMPOSED_FROM.items() if expected in parts}
        assert scopes <= {expected} | related, (model_id, scopes)


def test_correct_engines_match_nothing() -> None:
    rng = random.Random(7)
    reference, karpathy = engine(), KarpathyValue
    for _ in range(300):
        g = random_graph(rng, rng.randint(1, 12))
        assert fingerprint(g, run(reference, g)) == []
        small = _karpathy_ops(g)
        if small:
            assert fingerprint(small, run(karpathy, small)) == []
    for _, g, _cls in CASES:
        assert fingerprint(g, run(reference, g)) == []


@pytest.mark.parametrize(
    ("model_id", "edits"),
    [
        ("reuse.no_visited", [whole("backward", NO_VISITED), SET_CHILDREN]),
        ("mul.overwrite", [overwrite("__mul__"), SET_CHILDREN, whole("backward", RECURSIVE)]),
        ("add.overwrite", [overwrite("__add__"), SET_CHILDREN, whole("backward", RECURSIVE)]),
    ],
)
def test_set_children_in_any_order(model_id: str, edits: list[Edit]) -> None:
    """A set's order follows object ids, so each lane may walk the graph differently."""
    rng = random.Random(3)
    cls, right = engine(*edits), engine()
    shown = 0
    for _ in range(150):
        g = random_graph(rng, rng.randint(2, 7), lanes=6)
        got = run(cls, g)
        if fingerprint(g, got) == [] and _same(got, run(right, g)):
            continue  # the bug does not show on this graph
        assert model_id in [m.id for m in fingerprint(g, got)]
        shown += 1
    assert shown >= 10  # how many show varies with the set order


def test_error_lanes_and_shapes() -> None:
    g = DIAMOND
    got = run(engine(replace("backward", "self.grad += 1.0", "pass")), g)
    assert [m.id for m in fingerprint(g, got)] == ["api.no_seed"]
    assert [m.id for m in fingerprint(g, [got[0], {"error": {}}, got[2]])] == ["api.no_seed"]
    assert fingerprint(g, [{"error": {}}] * 3) == []
    assert fingerprint(g, [got[0], {"values": [1.0], "grads": [1.0]}, got[2]]) == []
    with pytest.raises(ValueError):
        fingerprint(g, got[:2])


def test_fingerprint_is_fast() -> None:
    """A 10-step graph with 8 lanes takes well under 5 ms (checked loosely here)."""
    rng = random.Random(11)
    buggy = [engine(overwrite("__mul__")), engine(whole("backward", NO_VISITED)),
             engine(replace("tanh", "(1 - out.data**2)", "(1 - self.data**2)"))]
    timings = []
    for k in range(60):
        g = random_graph(rng, 10, lanes=8)
        got = run(buggy[k % 3], g)
        start = time.process_time()
        fingerprint(g, got)
        timings.append(time.process_time() - start)
    assert sorted(timings)[len(timings) // 2] < 0.005


def _same(got: list[dict[str, Any]], right: list[dict[str, Any]]) -> bool:
    """Whether two engines' numbers agree within tolerance on every lane."""
    for a, b in zip(got, right):
        if "error" in a or "error" in b:
            if ("error" in a) != ("error" in b):
                return False
            continue
        pairs = zip(a["values"] + a["grads"], b["values"] + b["grads"])
        if not all(close(x, y) for x, y in pairs):
            return False
    return True


def _karpathy_ops(g: Graph) -> Graph | None:
    """The graph if micrograd's own engine supports all of its ops, else None."""
    supported = {"add", "add_c", "radd", "sub", "sub_c", "rsub", "mul", "mul_c", "rmul", "neg",
                 "truediv", "truediv_c", "rtruediv", "pow", "tanh", "relu"}
    return g if all(s.op in supported for s in g.steps) else None
