"""The requests the sandboxed child answers for the engine checks (registered by name).

Each handler gets the submission's namespace and plain-data params, and returns plain data.
"""

from __future__ import annotations

from typing import Any

from grader.discover.api import EngineAPI
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


@register("submission.missing_modules")
def missing_modules(namespace: dict, params: dict) -> list[str]:
    """Modules the submission imports that the grading environment lacks."""
    return list(stubs.MISSING)


@register("submission.skipped")
def skipped_statements(namespace: dict, params: dict) -> list[list[Any]]:
    """Top-level statements that raised while loading and were skipped:
    [first line, line that raised, error]."""
    return [list(entry) for entry in stubs.SKIPPED]
