"""Runners carry graphs to the student's engine and bring back plain numbers.

The in-process runner serves ``check(Value)`` in a student's own notebook; the sandboxed
runner (grader.sandbox) serves graded submissions, whose code is untrusted.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

from grader.discover.api import EngineAPI
from grader.discover.finder import METHOD_NAMES, discover, find_class, missing_operators
from grader.evaluate.student import evaluate
from grader.graph import Graph


class RunnerError(Exception):
    """The engine could not be run at all for this request (crash, timeout, exit)."""

    def __init__(self, kind: str, message: str, output: str = "", graph: Optional[Graph] = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.output = output
        self.graph = graph  # what the engine was running, when it was running a graph


class Runner(Protocol):
    """What the pipeline needs from wherever the student's code lives."""

    def discover(self, overrides: dict[str, Any]) -> dict[str, Any]: ...

    def evaluate(self, graph: Graph, seed: bool) -> Any: ...

    def prefetch(self, graphs: list[Graph], seed: bool) -> None: ...

    def call(self, method: str, params: dict[str, Any]) -> Any: ...

    def output(self) -> str: ...


def discovery_result(namespace: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Discovery as plain data (also the sandbox method's answer)."""
    from grader.discover.finder import DiscoveryError

    try:
        api = discover(namespace, overrides)
    except DiscoveryError as error:
        return {"ok": False, "message": str(error)}
    cls = find_class(namespace, api.class_name)
    missing = missing_operators(cls)
    for op, names in METHOD_NAMES.items():
        if op not in api.methods:
            missing[op] = f"{op} method (looked for: {', '.join(names)})"
    return {"ok": True, "api": api.to_dict(), "missing": missing}


class InProcessRunner:
    """Runs the engine in this process: for a student checking their own class."""

    def __init__(self, namespace: dict[str, Any]):
        self.namespace = namespace
        self.cls: Optional[type] = None
        self.api = EngineAPI()

    def discover(self, overrides: dict[str, Any]) -> dict[str, Any]:
        result = discovery_result(self.namespace, overrides)
        if result["ok"]:
            self.api = EngineAPI.from_dict(result["api"])
            self.cls = self.namespace[self.api.class_name]
        return result

    def evaluate(self, graph: Graph, seed: bool) -> Any:
        assert self.cls is not None, "discover() first"
        return evaluate(self.cls, self.api, graph, seed)

    def prefetch(self, graphs: list[Graph], seed: bool) -> None:
        """Nothing to gain in-process: graphs are evaluated when asked for."""

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """A child-side request (the engine's, numpy mode's or the MLP probes'), answered here,
        with the same JSON round trip as the sandbox."""
        if method.startswith(("engine.", "numpy.")):
            return _answer_here(self.namespace, method, params)
        from grader.mlp.probe import in_process

        return in_process(self.namespace)(method, params)

    def output(self) -> str:
        return ""


def _answer_here(namespace: dict[str, Any], method: str, params: dict[str, Any]) -> Any:
    """A sandbox request answered in this process, with the same JSON round trip."""
    import json

    from grader.sandbox.methods import find

    handler = find(method)
    if handler is None:
        raise RunnerError("protocol", f"No handler for {method}.")
    return json.loads(json.dumps(handler(namespace, json.loads(json.dumps(params)))))
