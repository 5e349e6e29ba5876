"""The corrected engine an MLP is re-checked on: the grader's own stand-ins (child side).

No double jeopardy: when the engine failed a category, the student's network is checked again
with those parts of the engine corrected, so that an engine bug is not charged to the network
too. The parent names the op categories to correct and whether backward() is corrected too.
The stand-ins are the ones the engine's own blame uses (grader/evaluate/calls.py): right ops
and a right traversal, bound to the student's names (data and grad attributes, method names,
the children attribute and ``_backward`` closure found on a node their code built), set on the
student's own class for the duration of a ``with`` and put back exactly afterwards. Their
Neuron, Layer and MLP run unchanged. When no node of theirs shows its children and closure,
the stand-ins keep theirs under names of the grader's own, and every op and backward() is
corrected. Every operation the network performs is recorded by category (calls from outside
the engine only), so the parent knows which failures could have hurt it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any, Callable

from grader.discover.api import UNARY_METHODS, EngineAPI
from grader.evaluate.calls import (
    Shape,
    corrected,
    defined,
    method_names,
    probe_shape,
    replaced,
    traversal,
)
from grader.evaluate.student import number
from grader.ops import OP_CATEGORIES

BACKWARD = "backward"  # what a call of the student's backward() is recorded as
OWN_SHAPE = Shape("_grader_children", tuple, "_grader_backward")


@contextmanager
def corrected_engine(cls: type, api: EngineAPI, categories: Any, traverse: Any
                     ) -> Iterator[set[str]]:
    """The student's class with the ops of ``categories`` corrected, and with backward() and
    the Value basics (a new Value holds its number, its grad starts at 0) when ``traverse``
    (then every op is). Yields the set in which the categories the network uses are recorded."""
    if not isinstance(categories, list) or not all(c in OP_CATEGORIES for c in categories) \
            or not isinstance(traverse, bool):
        raise ValueError("the request to correct the engine is not understood")
    # an op the class lacks is corrected under its own name
    api = replace(api, methods={**{m: m for m in UNARY_METHODS}, **api.methods})
    names = method_names(api)
    shape = probe_shape(cls, api)
    if shape is None:
        shape, traverse = OWN_SHAPE, True
    used: set[str] = set()
    with ExitStack() as stack:
        stack.enter_context(corrected(cls, api, list(names) if traverse else categories, shape))
        if traverse:
            stack.enter_context(replaced(cls, {
                "__init__": _basics(cls, api), api.backward: _backward(api, shape)}))
        stack.enter_context(_recording(cls, api, used))
        yield used


def _basics(cls: type, api: EngineAPI) -> Callable[..., None]:
    """The student's constructor, then the number it was given in their data attribute and
    a grad of 0."""
    original: Callable[..., None] = cls.__init__  # type: ignore[misc]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        given = number(args[0] if args else kwargs.get("data", kwargs.get(api.data_attr)))
        if given is not None:
            setattr(self, api.data_attr, given)
        setattr(self, api.grad_attr, 0.0)

    return __init__


def _backward(api: EngineAPI, shape: Shape) -> Callable[..., None]:
    """A right backward() over the student's nodes, as a method under their name for it."""
    run = traversal(api, shape)

    def backward(self: Any, *args: Any, **kwargs: Any) -> None:
        run(self)

    backward.__name__ = api.backward
    return backward


@contextmanager
def _recording(cls: type, api: EngineAPI, used: set[str]) -> Iterator[None]:
    """Each op method (the student's or a stand-in) and backward() recording its category in
    ``used`` when called from outside the engine."""
    depth = [0]
    wrappers = {}
    for category, name in [*method_names(api).items(), (BACKWARD, api.backward)]:
        fn = defined(cls, name)
        if fn is not None:
            wrappers[name] = _traced(fn, category, used, depth)
    with replaced(cls, wrappers):
        yield


def _traced(fn: Callable[..., Any], category: str, used: set[str], depth: list[int]) -> Any:
    def method(*args: Any, **kwargs: Any) -> Any:
        if depth[0] == 0:
            used.add(category)
        depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1

    method.__name__ = getattr(fn, "__name__", category)
    return method
