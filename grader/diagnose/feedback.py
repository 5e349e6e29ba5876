"""Turn one failing lane into feedback: code, expected vs got, where it goes wrong, a hint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from grader.compare.verdict import Mismatch
from grader.diagnose.failing_graph import failing_graph  # the picture's data (issue 12)
from grader.diagnose.first_wrong import first_wrong_node
from grader.diagnose.premises import (
    Sources,
    model_holds,
    recursion_hint,
    recursive_sort,
    wraps_numbers,
)
from grader.discover.api import EngineAPI
from grader.graph import Graph, expression, node_names, to_code
from grader.ops import OPS
from grader.results import FailingGraph

ENGINE_SCOPES = ("reuse", "graph", "api")
_MAX_FINGERPRINT_STEPS = 60


@dataclass
class Failure:
    """A minimal failing graph (one lane) and everything the student is told about it."""

    graph: Graph
    mismatch: Mismatch
    message: str
    code: str
    expected: Optional[str] = None
    got: Optional[str] = None
    hint: Optional[str] = None
    scopes: list[str] = field(default_factory=list)  # the scopes of the bug models that match
    picture: Optional[FailingGraph] = None  # the graph node by node, for its picture


def explain_failure(
    graph: Graph,
    values: np.ndarray,
    grads: np.ndarray,
    got: Any,
    mismatch: Mismatch,
    api: EngineAPI,
    sources: Optional[Sources] = None,
    trusted: tuple[str, ...] = (),
) -> Failure:
    """Feedback for a single-lane failing graph, with the picture's data. A hint is given
    only when a bug model reproduces the numbers and its premise holds in ``sources`` (the
    student's code). ``trusted``: the other op categories in the graph, each passing alone."""
    failure = _explain(graph, values, grads, got, mismatch, api, sources, trusted)
    failure.picture = failing_graph(graph, values, grads, got, mismatch, api)
    return failure


def _explain(
    graph: Graph,
    values: np.ndarray,
    grads: np.ndarray,
    got: Any,
    mismatch: Mismatch,
    api: EngineAPI,
    sources: Optional[Sources] = None,
    trusted: tuple[str, ...] = (),
) -> Failure:
    names = node_names(graph)
    code = to_code(graph, api)
    sources = sources or {}
    if mismatch.kind == "error" and mismatch.error:
        return _error_failure(graph, mismatch, names, code, api, sources)
    if mismatch.kind in ("malformed", "flaky") or mismatch.node is None:
        message = (
            "Your engine returned something other than numbers for value or grad."
            if mismatch.kind == "malformed"
            else "The same graph gave different results when run twice. Usual causes: "
            "backward() depends on the order of a set (like `_prev = set(children)`) because "
            "nodes are visited more than once (no visited set), or your class keeps state "
            "between values (a class-level list or counter)."
        )
        return Failure(graph, mismatch, message, code)
    wrong = first_wrong_node(graph, list(values[:, 0]), list(grads[:, 0]), got, api, trusted)
    node = names[mismatch.node]
    attr = api.data_attr if mismatch.kind == "value" else api.grad_attr
    expected = f"{node}.{attr} == {mismatch.expected!r}"
    got_text = f"{node}.{attr} == {mismatch.got!r}"
    message = wrong.message[0].upper() + wrong.message[1:] if wrong else f"{got_text} is wrong."
    hints, scopes = _fingerprint(graph, got, sources, api)
    code += f"\n# expected {expected}, got {mismatch.got!r}"
    return Failure(graph, mismatch, message, code, expected, got_text, hints, scopes)


def is_engine_level(failure: Failure) -> bool:
    """Whether a model of a backward()-level bug (not an op's) explains the failure."""
    return bool(failure.scopes) and all(s in ENGINE_SCOPES for s in failure.scopes)


def _error_failure(
    graph: Graph,
    mismatch: Mismatch,
    names: list[str],
    code: str,
    api: EngineAPI,
    sources: Sources,
) -> Failure:
    error = mismatch.error or {}
    where = error.get("step")
    kind, text = error.get("type", "Error"), error.get("message", "")
    category = OPS[graph.steps[where].op].category if isinstance(where, int) else None
    if error.get("phase") == "backward":
        place = f"{names[-1]}.{api.backward}()"
    elif where is None:
        place = f"{api.class_name}(number)"
    else:
        node = graph.n_leaves + where
        place = f"{names[node]} = {expression(graph, graph.steps[where], api, names)}"
    if kind == _WRONG_TYPE:  # the child's name for "the op returned something else"
        message = f"{place} {text.replace('a Value', f'a {api.class_name}')}."
        returns = f"Every operation must return a new {api.class_name}, not a plain number."
        return Failure(graph, mismatch, message, code, got=text, hint=returns)
    message = f"{place} raised {kind}: {text}"
    hint = _error_hint(kind, text, error.get("phase") == "backward", category, sources, api)
    return Failure(graph, mismatch, message, code, got=f"{kind}: {text}", hint=hint)


_WRONG_TYPE = "WrongType"


def _error_hint(
    kind: str,
    text: str,
    in_backward: bool,
    category: Optional[str],
    sources: Sources,
    api: EngineAPI,
) -> Optional[str]:
    """A hint for an exception, only when what it says is true of the student's code."""
    if kind == "AttributeError" and ("'float'" in text or "'int'" in text) and category:
        if wraps_numbers(category, sources) is False:
            return (
                "A plain number reached code that expects a Value. Wrap numbers first: "
                f"other = other if isinstance(other, {api.class_name}) else "
                f"{api.class_name}(other)."
            )
        return None
    if kind == "RecursionError" and in_backward:
        if not recursive_sort(sources):
            return None
        return (
            "Your topological sort is recursive, and Python stops recursion about 1,000 "
            "calls deep. Build the order with a loop and an explicit stack instead."
        )
    if kind == "RecursionError" and category:
        return recursion_hint(category, sources, api)
    return None


def _fingerprint(
    graph: Graph, got: Any, sources: Sources, api: EngineAPI
) -> tuple[Optional[str], list[str]]:
    """The hint of the first bug model that reproduces the student's numbers and whose
    premise holds in their code (at most one), and the scopes of every model that matches."""
    from grader.diagnose.fingerprint import fingerprint

    if len(graph.steps) > _MAX_FINGERPRINT_STEPS:
        return None, []
    try:
        models = fingerprint(graph, [got])
    except Exception:  # noqa: BLE001 - a hint is a bonus: never let it sink a grade
        return None, []
    hint = next((m.hint for m in models if model_holds(m, sources, api)), None)
    return hint, [m.scope for m in models]
