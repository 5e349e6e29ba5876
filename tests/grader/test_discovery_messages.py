"""What discovery says when it finds no engine class: the student's own class when there is one."""

from __future__ import annotations

import pytest

from grader.discover.finder import DiscoveryError, find_class


class value:  # noqa: N801 - a student's lowercase class, written before backward()
    def __init__(self, data: float) -> None:
        self.data, self.grad = data, 0.0

    def __add__(self, other: value) -> value:
        return value(self.data + other.data)


def test_a_class_without_backward_is_named_with_what_it_lacks() -> None:
    with pytest.raises(DiscoveryError) as caught:
        find_class({"value": value, "x": 1}, None)
    assert "your class value defines __add__ but no backward method" in str(caught.value)
    assert "Define class Value" not in str(caught.value)


def test_nothing_like_an_engine_asks_for_class_value() -> None:
    with pytest.raises(DiscoveryError) as caught:
        find_class({"x": 1, "Neuron": type("Neuron", (), {})}, None)
    assert "Define class Value" in str(caught.value)
