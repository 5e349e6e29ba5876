"""The runner for graded submissions: the student's code lives in a sandboxed child.

After a crash or a timeout the next request gets a fresh child, so one hanging op costs only
the category that met it.
"""

from __future__ import annotations

from typing import Any

from grader.discover.api import EngineAPI
from grader.evaluate.runner import RunnerError
from grader.graph import Graph
from grader.load import Submission
from grader.sandbox import Sandbox, SandboxError

_BATCH = 64  # graphs per request when evaluating ahead
_REQUESTS = {
    "engine.evaluate": "running the example below",
    "engine.discover": "looking at your class",
    "submission.missing_modules": "finishing",
    "submission.skipped": "finishing",
}


class SandboxRunner:
    """Sends graphs to the child and brings back plain numbers."""

    def __init__(self, sandbox: Sandbox, submission: Submission):
        self.sandbox = sandbox
        self.submission = submission
        self.api = EngineAPI()
        self._ahead: dict[tuple[Graph, bool], Any] = {}

    def start(self) -> None:
        """Run the submission's code in a fresh child; RunnerError if that fails."""
        try:
            report = self.sandbox.start()
        except SandboxError as error:
            raise RunnerError(error.kind, self._where(error.message), error.output) from None
        if report["error"] is not None:
            raise RunnerError("load", self._load_error(report["error"]), self.sandbox.output())

    def discover(self, overrides: dict[str, Any]) -> dict[str, Any]:
        found = self.call("engine.discover", {"overrides": overrides})
        if not isinstance(found, dict):
            raise RunnerError("protocol", "The submission interfered with API discovery.")
        if found.get("ok"):
            self.api = EngineAPI.from_dict(found["api"])
        return found

    def evaluate(self, graph: Graph, seed: bool) -> Any:
        """Per lane, the numbers of every node; each graph evaluated ahead is used once."""
        if (graph, seed) in self._ahead:
            return self._ahead.pop((graph, seed))
        try:
            return self._evaluate_many([graph], seed)[0]
        except RunnerError as error:
            raise RunnerError(error.kind, error.message, error.output, graph) from None

    def prefetch(self, graphs: list[Graph], seed: bool) -> None:
        """Evaluate many graphs in few requests. If a batch fails (a hang, a crash), its graphs
        are simply evaluated one by one later, so the failure stays with its own category."""
        for start in range(0, len(graphs), _BATCH):
            batch = graphs[start : start + _BATCH]
            try:
                answers = self._evaluate_many(batch, seed)
            except RunnerError:
                return
            self._ahead.update(((g, seed), a) for g, a in zip(batch, answers))

    def _evaluate_many(self, graphs: list[Graph], seed: bool) -> list[Any]:
        params = {"api": self.api.to_dict(), "graphs": [g.to_dict() for g in graphs], "seed": seed}
        answer = self.call("engine.evaluate", params)
        if isinstance(answer, list) and len(answer) == len(graphs):
            return answer
        return [None] * len(graphs)

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """One request; a dead child is replaced first."""
        if not self.sandbox.running:
            self.start()
        try:
            return self.sandbox.call(method, params)
        except SandboxError as error:
            raise RunnerError(error.kind, self._where(error.message), error.output) from None

    def output(self) -> str:
        return self.sandbox.output()

    def _load_error(self, error: dict[str, Any]) -> str:
        kind, message = error.get("type", "Error"), error.get("message", "")
        line = error.get("line")
        where = ""
        if isinstance(line, int):
            where = f" at {self.submission.locate(line)}"
            where += "" if self.submission.files else f" of {self.submission.path.name}"
        return (
            f"Running your code raised {kind}{where}: {message}. "
            "Fix it so that the file (or every cell, top to bottom) runs without errors."
        )

    def _where(self, message: str) -> str:
        """The sandbox's message in the student's terms: their file, no request names."""
        message = message.replace("submission.py", self.submission.path.name)
        for request, words in _REQUESTS.items():
            message = message.replace(f"answering the grader's '{request}' request", words)
        return message.replace("the submission", "your code")
