"""Blame through the student's call structure: recording calls, corrected methods and
traversal (child side), and who is charged (grader/diagnose/calls.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.diagnose.calls import blame
from grader.discover.api import EngineAPI
from grader.evaluate.calls import corrected, probe_shape, record_calls, sources, traversal
from grader.evaluate.student import evaluate
from grader.graph import Graph, Step
from tests.catalogue.bugs import BASE, BUG_BY_NAME, mutate

API = EngineAPI()


def _engine(name: str = "") -> type:
    text = BASE.read_text() if not name else mutate(BUG_BY_NAME[name], BASE.read_text())
    namespace: dict[str, Any] = {"__name__": f"engine_{name or 'base'}"}
    exec(compile(text, f"{name or 'base'}.py", "exec"), namespace)
    return namespace["Value"]


def _one(op: str, const: Any = None, arity: int = 1) -> Graph:
    return Graph(((0.7, 1.3),), (Step(op, (0, 1) if arity == 2 else (0,), const),))


def test_calls_follow_the_student_structure() -> None:
    cls = _engine()
    assert record_calls(cls, API, _one("sub", arity=2)) == [["add", "mul", "neg"]]
    assert record_calls(cls, API, _one("sub_c", 2.0)) == [["add"]]  # -2.0 is a float's
    assert record_calls(cls, API, _one("radd", 2.0)) == [["add"]]
    assert record_calls(cls, API, _one("rtruediv", 2.0)) == [["mul", "pow", "rmul"]]
    assert record_calls(cls, API, _one("tanh")) == [[]]
    assert "__add__" not in vars(cls) or vars(cls)["__add__"].__name__ == "__add__"


def test_recording_leaves_the_class_as_it_was() -> None:
    cls = _engine()
    before = dict(vars(cls))
    record_calls(cls, API, _one("sub", arity=2))
    assert dict(vars(cls)) == before


def test_a_corrected_callee_fixes_the_op_built_on_it() -> None:
    cls = _engine("mul_grad_own_data")
    graph = Graph(((0.7, 1.3),), (Step("sub", (0, 1)),))  # a - b = a + (b * -1)
    wrong = evaluate(cls, API, graph)[0]
    shape = probe_shape(cls, API)
    assert shape is not None and (shape.children, shape.closure) == ("_prev", "_backward")
    with corrected(cls, API, ["mul"], shape):
        right = evaluate(cls, API, graph)[0]
    assert wrong["grads"][1] != -1.0
    assert right["grads"] == [1.0, -1.0, 1.0]
    assert evaluate(cls, API, graph)[0] == wrong  # the student's method is back


def test_corrected_traversal_walks_the_student_nodes() -> None:
    cls = _engine("topo_never_marks_visited")
    # t = a * b; out = t + t * a: t is reached along two paths
    graph = Graph(((0.5, 3.0),), (Step("mul", (0, 1)), Step("mul", (2, 0)), Step("add", (2, 3))))
    shape = probe_shape(cls, API)
    assert shape is not None
    right = evaluate(_engine(), API, graph)[0]
    assert evaluate(cls, API, graph)[0] != right
    assert evaluate(cls, API, graph, backward=traversal(API, shape))[0] == right


def test_sources_are_the_student_methods(tmp_path: Path) -> None:
    path = tmp_path / "engine.py"
    path.write_text(BASE.read_text())
    namespace: dict[str, Any] = {"__name__": "engine_sources"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    found = sources(namespace["Value"], API)
    assert (found["sub"] or "").startswith("def __sub__(self, other):")
    assert "reversed(topo)" in (found["backward"] or "")
    assert "def __init__" in (found["class"] or "")


def test_blame_follows_callees_to_the_charged_method() -> None:
    calls = {"sub": {"add", "mul", "neg"}, "neg": {"mul"}, "mul": set(), "add": set()}
    assert blame(["mul", "neg", "sub"], calls, lambda c, fixed: True) == {
        "neg": ["mul"],
        "sub": ["mul"],
    }


def test_blame_needs_the_counterfactual() -> None:
    calls = {"sub": {"add"}, "add": set()}
    assert blame(["add", "sub"], calls, lambda c, fixed: False) == {}
    assert blame(["add", "sub"], calls, lambda c, fixed: c == "sub" and fixed == ["add"]) == {
        "sub": ["add"]
    }


def test_methods_calling_each_other_cannot_excuse_each_other() -> None:
    calls = {"radd": {"add"}, "add": {"radd"}}
    excused = blame(["add", "radd"], calls, lambda c, fixed: True)
    assert len(excused) == 1
    (charged,) = set(calls) - set(excused)
    assert next(iter(excused.values())) == [charged]


def test_a_missing_method_is_a_candidate_callee() -> None:
    # Never recorded (it does not run): tried as a callee, and only the one needed is kept.
    calls = {"rsub": {"mul", "neg"}, "mul": set(), "neg": {"mul"}}
    missing = ["log", "radd", "sigmoid"]
    asked: list[list[str]] = []

    def passes_with(category: str, fixed: list[str]) -> bool:
        asked.append(fixed)
        return "radd" in fixed

    assert blame(["rsub"], calls, passes_with, missing) == {"rsub": ["radd"]}
    assert asked[0] == missing  # all of them first, then narrowed down
    assert blame(["rsub"], calls, lambda c, fixed: False, missing) == {}


def test_a_corrected_method_can_be_added_where_none_was() -> None:
    cls = _engine("rsub_needs_missing_radd")
    graph = _one("rsub", 2.0)  # 2.0 - a = 2.0 + (-a), which needs __radd__
    assert "error" in evaluate(cls, API, graph)[0]
    shape = probe_shape(cls, API)
    assert shape is not None
    with corrected(cls, API, ["radd"], shape):
        assert evaluate(cls, API, graph)[0] == evaluate(_engine(), API, graph)[0]
    assert "__radd__" not in vars(cls)
