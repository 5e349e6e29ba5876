"""Layouts of the walked Values, and the schema every child answer is checked against."""

from __future__ import annotations

from typing import Any

import pytest

from grader.mlp import layouts as lay
from grader.mlp import schema
from grader.mlp.feedback import Shape

SHAPE = Shape(2, (2, 1))  # 2 inputs, layers of 2 and 1: (2 + 1) * 2 + (2 + 1) * 1 = 9


def test_layouts_read_off_an_order_each_fit_the_shape() -> None:
    found = dict(lay.candidates(SHAPE, 9, None, None))
    assert found["walk/wb"] == [[([0, 1], 2), ([3, 4], 5)], [([6, 7], 8)]]
    assert found["walk/bw"] == [[([1, 2], 0), ([4, 5], 3)], [([7, 8], 6)]]
    assert found["walk/weights_then_biases"] == [[([0, 1], 4), ([2, 3], 5)], [([6, 7], 8)]]
    assert found["walk/all_weights_then_biases"] == [[([0, 1], 6), ([2, 3], 7)], [([4, 5], 8)]]
    assert all(lay.fits(layout, SHAPE) for layout in found.values())
    assert lay.candidates(SHAPE, 10, None, None) == []  # no way to lay out 10 Values


def test_a_reported_layout_comes_first_and_may_repeat_a_neuron() -> None:
    shared = [[([0, 1], 2), ([0, 1], 2)], [([3, 4], 5)]]
    assert lay.candidates(SHAPE, 6, shared, None)[0] == ("objects", shared)
    assert not lay.fits([[([0, 1], 2), ([1, 3], 4)], [([5, 6], 7)]], SHAPE, shared=True)
    assert lay.roles(shared) == [0, 1, 2, 3, 4, 5]
    wide = [[([0, 1, 9], 2), ([3, 4, 10], 5)], [([6, 7, 11], 8)]]
    assert lay.candidates(SHAPE, 12, wide, None)[0] == (
        "objects/trimmed", [[([0, 1], 2), ([3, 4], 5)], [([6, 7], 8)]])


def test_parameters_order_gives_layouts_too() -> None:
    order = [8, 7, 6, 5, 4, 3, 2, 1, 0]
    found = dict(lay.candidates(SHAPE, 9, None, order))
    assert found["parameters/wb"] == [[([8, 7], 6), ([5, 4], 3)], [([2, 1], 0)]]
    assert not any(name.startswith("parameters") for name, _ in
                   lay.candidates(SHAPE, 9, None, [0, 0, 1, 2, 3, 4, 5, 6, 7]))


GOOD_STRUCTURE: dict[str, Any] = {
    "count": 2, "paths": ["model.w[0]", "model.w[1]"], "initial": [0.5, None], "layout": None,
    "parameters": {"present": True, "items": [1, 0], "foreign": []},
}


@pytest.mark.parametrize("change", [
    {"count": 10 ** 12},
    {"count": True},
    {"paths": ["model.w[0]"]},
    {"initial": ["0.5", 1.0]},
    {"layout": [[[[5], -1]]]},
    {"layout": "everything"},
    {"parameters": {"present": True, "items": [7]}},
    {"parameters": {"present": True, "items": [0] * 5000}},
    {"parameters": []},
])
def test_malformed_structures_are_refused(change: dict) -> None:
    assert schema.clean("mlp.structure", GOOD_STRUCTURE)["count"] == 2
    with pytest.raises(schema.Malformed):
        schema.clean("mlp.structure", {**GOOD_STRUCTURE, **change})


@pytest.mark.parametrize("reply", [
    None, [], "text", {"outputs": [{"kind": "value", "values": [1.0]}]},
    {"outputs": [{"kind": "value", "values": [1.0, 2.0]}] * 2},
    {"outputs": [{"kind": "list", "items": ["value"] * 100, "values": [1.0] * 100}] * 2},
    {"outputs": [{"kind": "mystery", "values": []}] * 2},
    {"outputs": [{"kind": "list", "items": ["value"], "values": []}] * 2},
])
def test_malformed_outputs_are_refused(reply: Any) -> None:
    with pytest.raises(schema.Malformed):
        schema.clean("mlp.forward", reply, inputs=2)


def test_errors_and_texts_are_cut_short() -> None:
    reply = schema.clean("mlp.forward", {"error": {"where": "forward", "type": "E" * 999,
                                                   "message": "m" * 10 ** 6}}, inputs=2)
    assert len(reply["error"]["message"]) == schema.MAX_TEXT
    assert len(reply["error"]["type"]) == schema.MAX_TEXT
    with pytest.raises(schema.Malformed):
        schema.clean("mlp.forward", {"error": ["not", "a", "mapping"]}, inputs=2)


def test_a_long_text_is_cut_at_a_word_and_says_so() -> None:
    long = "No MLP class found: looked at " + ", ".join(f"Class{k}" for k in range(100))
    cut = schema.text(long, 60)
    assert len(cut) <= 60 and cut.endswith("...")
    assert long.startswith(cut[:-3]) and long[len(cut) - 3] == " "  # whole words, then "..."
    assert schema.text("short", 60) == "short"
