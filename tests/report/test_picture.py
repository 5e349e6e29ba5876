"""The picture of a failing graph: its data, and the SVG drawn from it."""

from __future__ import annotations

import json
import runpy
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from grader.compare.verdict import Mismatch
from grader.diagnose.failing_graph import MAX_NODES, failing_graph
from grader.discover.api import EngineAPI
from grader.graph import Graph, Step
from grader.report.json_report import to_json
from grader.report.picture import HIGHLIGHT_CLASS, to_svg, write_pictures
from tests.report.pictures import exp_reused, report_with_picture, wide

SVG = "{http://www.w3.org/2000/svg}"


def _groups(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-node", ""): g for g in root.iter(f"{SVG}g") if g.get("data-node")}


def _box(group: ET.Element) -> tuple[float, float, float, float]:
    rect = group.find(f"{SVG}rect")
    assert rect is not None
    x, y = float(rect.get("x", 0)), float(rect.get("y", 0))
    return x, y, x + float(rect.get("width", 0)), y + float(rect.get("height", 0))


def test_the_data_names_the_first_wrong_node_and_the_edges_back_to_it() -> None:
    picture = exp_reused()
    assert [n.code for n in picture.nodes] == ["a", "a.exp()", "t1 * a"]
    assert (picture.first_wrong, picture.kind) == (0, "grad")
    assert picture.marked == [(0, 1), (0, 2)]  # a's gradient comes back from t1 and from out
    a = picture.nodes[0]
    assert (a.grad, a.grad_got, a.grad_wrong, a.value_wrong) == ("5.43656", "2.71828", True, False)


def test_a_wrong_value_marks_no_edge_and_an_error_no_numbers() -> None:
    graph = Graph(((2.0,),), (Step("exp", (0,)),))
    values, grads = np.array([[2.0], [7.389]]), np.array([[7.389], [1.0]])
    got = {"values": [2.0, 4.0], "grads": [4.0, 1.0]}
    value = failing_graph(
        graph, values, grads, got, Mismatch(0, "value", 1, 7.389, 4.0), EngineAPI()
    )
    assert value is not None and (value.first_wrong, value.kind, value.marked) == (1, "value", [])
    assert value.nodes[1].value_wrong and value.nodes[1].value_got == "4"
    error = {"error": {"step": 0, "phase": "forward", "type": "TypeError", "message": "no"}}
    raised = failing_graph(
        graph, values, grads, error, Mismatch(0, "error", error=error["error"]), EngineAPI()
    )
    assert raised is not None and (raised.first_wrong, raised.kind) == (1, "error")
    assert all(n.value_got is None and not n.value_wrong for n in raised.nodes)


def test_a_long_chain_is_not_drawn() -> None:
    steps = tuple(Step("tanh", (k,)) for k in range(MAX_NODES))
    graph = Graph(((0.5,),), steps)
    zeros = np.zeros((graph.n_nodes, 1))
    mismatch = Mismatch(0, "grad", 0, 1.0, 0.0)
    assert failing_graph(graph, zeros, zeros, {}, mismatch, EngineAPI()) is None


def test_the_svg_highlights_the_first_wrong_node_and_marks_its_edges() -> None:
    svg = to_svg(exp_reused(), "exp")
    groups = _groups(svg)
    assert set(groups) == {"a", "t1", "out"}
    assert HIGHLIGHT_CLASS in groups["a"].get("class", "").split()
    assert all(HIGHLIGHT_CLASS not in groups[n].get("class", "") for n in ("t1", "out"))
    text = "".join(groups["a"].itertext())
    assert "grad  5.43656" in text and "got 2.71828" in text
    root = ET.fromstring(svg)
    edges = {p.get("data-edge"): p.get("class", "") for p in root.iter(f"{SVG}path")}
    edges.pop(None, None)  # the arrow head
    assert edges == {"0-1": "mg-edge mg-marked", "1-2": "mg-edge", "0-2": "mg-edge mg-marked"}
    assert "first wrong gradient" in svg


def test_boxes_never_overlap_and_a_square_draws_two_edges() -> None:
    picture = wide()
    groups = _groups(to_svg(picture, "graph"))
    boxes = [_box(g) for g in groups.values()]
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        for u0, v0, u1, v1 in boxes[i + 1 :]:
            assert x1 <= u0 or u1 <= x0 or y1 <= v0 or v1 <= y0
    root = ET.fromstring(to_svg(picture, "graph"))
    edges = [p.get("data-edge") for p in root.iter(f"{SVG}path") if p.get("data-edge")]
    assert edges.count("6-7") == 2  # h = g * g
    assert len(edges) == sum(len(n.inputs) for n in picture.nodes)
    assert HIGHLIGHT_CLASS in groups["t3"].get("class", "")


def test_names_are_escaped_and_ids_are_safe() -> None:
    picture = exp_reused()
    picture.nodes[1].code = "a.<b>()"
    svg = to_svg(picture, "mlp.grad & co")
    ET.fromstring(svg)  # well-formed
    assert "a.&lt;b&gt;()" in svg and 'id="mg-graph-mlp-grad---co"' in svg


def test_pictures_are_written_beside_the_report_and_kept_in_the_json(tmp_path: Path) -> None:
    report = report_with_picture()
    written = write_pictures(report, tmp_path / "report.txt")
    assert written == {"exp": tmp_path / "report.exp.svg"}
    assert HIGHLIGHT_CLASS in written["exp"].read_text()
    data = json.loads(to_json(report))
    graph = data["categories"][1]["graph"]
    assert graph["first_wrong"] == 0 and graph["marked"] == [[0, 1], [0, 2]]
    assert data["categories"][0]["graph"] is None


def test_a_real_grade_carries_the_failing_graphs() -> None:
    from grader import check

    root = Path(__file__).resolve().parents[2]
    namespace = runpy.run_path(str(root / "examples" / "buggy_student" / "engine.py"))
    report = check(namespace["Value"], namespace=namespace)
    for category in ("exp", "tanh"):
        graph = report.category(category).graph
        assert graph is not None and (graph.first_wrong, graph.kind) == (0, "grad")
        assert graph.nodes[0].grad_wrong and graph.marked
    assert all(c.graph is None for c in report.categories if c.status == "pass")
