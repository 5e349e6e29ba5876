"""The requests the sandboxed child answers for the engine checks (registered by name).

Each handler gets the submission's namespace and plain-data params, and returns plain data.
"""

from __future__ import annotations

from typing import Any

from grader.discover.api import EngineAPI
from grader.evaluate.calls import corrected, probe_shape, record_calls, sources, traversal
from grader.evaluate.runner import discovery_result
from grader.evaluate.student import evaluate
from grader.graph import Graph
from grader.load import stubs
from grader.sandbox.child import restore_builtins
from grader.sandbox.methods import register


@register("engine.discover")
def discover(namespace: dict, params: dict) -> dict[str, Any]:
    """The engine API (or why there is none) and the operators the class lacks."""
    return discovery_result(namespace, params.get("overrides") or {})


@register("engine.evaluate")
def evaluate_graphs(namespace: dict, params: dict) -> list[Any]:
    """Per graph, per lane: every node's value and grad, or where the engine went wrong."""
    api = EngineAPI.from_dict(params["api"])
    cls = namespace[api.class_name]
    answers = []
    for graph in params["graphs"]:
        restore_builtins()  # a builtin patched by one graph's op does not reach the next
        answers.append(evaluate(cls, api, Graph.from_dict(graph), bool(params["seed"])))
    return answers


@register("engine.calls")
def calls(namespace: dict, params: dict) -> list[list[list[str]]]:
    """Per graph, per step: the categories of the student's methods that ran inside it."""
    api = EngineAPI.from_dict(params["api"])
    cls = namespace[api.class_name]
    answers = []
    for graph in params["graphs"]:
        restore_builtins()
        answers.append(record_calls(cls, api, Graph.from_dict(graph)))
    return answers


@register("engine.sources")
def engine_sources(namespace: dict, params: dict) -> dict[str, Any]:
    """The source text of the student's methods, for checking what a hint assumes."""
    api = EngineAPI.from_dict(params["api"])
    restore_builtins()
    return sources(namespace[api.class_name], api)


@register("engine.evaluate_corrected")
def evaluate_corrected(namespace: dict, params: dict) -> Any:
    """As engine.evaluate, with the methods of ``params["corrected"]`` (categories) replaced
    by right ones bound to the student's names, and with a corrected backward() traversal
    when ``params["traverse"]``; None when their nodes could not be probed."""
    api = EngineAPI.from_dict(params["api"])
    cls = namespace[api.class_name]
    restore_builtins()
    shape = probe_shape(cls, api)
    if shape is None:
        return None
    backward = traversal(api, shape) if params.get("traverse") else None
    answers = []
    with corrected(cls, api, list(params.get("corrected", [])), shape):
        for graph in params["graphs"]:
            restore_builtins()
            graph_ = Graph.from_dict(graph)
            answers.append(evaluate(cls, api, graph_, bool(params["seed"]), backward))
    return answers


@register("submission.missing_modules")
def missing_modules(namespace: dict, params: dict) -> list[str]:
    """Modules the submission imports that the grading environment lacks."""
    return list(stubs.MISSING)


@register("submission.skipped")
def skipped_statements(namespace: dict, params: dict) -> list[list[Any]]:
    """Top-level statements that raised while loading and were skipped:
    [first line, line that raised, error]."""
    return [list(entry) for entry in stubs.SKIPPED]
