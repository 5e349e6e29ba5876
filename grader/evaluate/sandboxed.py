"""The runner for graded submissions: the student's code lives in a sandboxed child.

After a crash or a timeout the next request gets a fresh child, so one hanging op costs only
the category that met it. Every answer is checked against what the request asked for before
use: its size is capped by the request, its shape must match the graph's, its strings are cut;
anything else is "malformed" (a wrong answer), never an error of the grader.
"""

from __future__ import annotations

from typing import Any, Optional

from grader.discover.api import EngineAPI
from grader.evaluate.runner import RunnerError
from grader.graph import Graph
from grader.load import Submission
from grader.sandbox import Sandbox, SandboxError

_BATCH = 64  # graphs per request when evaluating ahead
_NUMBER_BYTES = 26  # the longest float in JSON ("-2.2250738585072014e-308") and a comma
_LANE_BYTES = 1_000  # an error report of one lane, braces and names
_TEXT_CHARS = {"type": 100, "message": 300}  # what the child's error strings are cut to
_PHASES = ("forward", "backward")
_MISSING_NAMES = 20  # modules the submission may report missing
_NAME_CHARS = 100
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
        are simply evaluated one by one later, so the failure stays with its own category.
        A graph whose answer is still waiting to be used is not evaluated again."""
        graphs = [g for g in dict.fromkeys(graphs) if (g, seed) not in self._ahead]
        for start in range(0, len(graphs), _BATCH):
            batch = graphs[start : start + _BATCH]
            try:
                answers = self._evaluate_many(batch, seed)
            except RunnerError:
                return
            self._ahead.update(((g, seed), a) for g, a in zip(batch, answers))

    def _evaluate_many(self, graphs: list[Graph], seed: bool) -> list[Any]:
        params = {"api": self.api.to_dict(), "graphs": [g.to_dict() for g in graphs], "seed": seed}
        answer = self.call("engine.evaluate", params, answer_bytes(graphs))
        if isinstance(answer, list) and len(answer) == len(graphs):
            return [checked(a, g) for a, g in zip(answer, graphs)]
        return [None] * len(graphs)

    def missing_modules(self) -> list[str]:
        """The modules the submission imports that grading lacks: names only, a few."""
        try:  # an answer too long, or none, adds no note: the grade stands
            found = self.call("submission.missing_modules", {}, 20_000)
        except RunnerError:
            return []
        if not isinstance(found, list):
            return []
        names = [n for n in found if isinstance(n, str) and _module_name(n)]
        return names[:_MISSING_NAMES]

    def call(self, method: str, params: dict[str, Any], max_bytes: Optional[int] = None) -> Any:
        """One request; a dead child is replaced first. ``max_bytes`` caps the answer."""
        if not self.sandbox.running:
            self.start()
        try:
            return self.sandbox.call(method, params, max_bytes)
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


def answer_bytes(graphs: list[Graph]) -> int:
    """The most bytes a true answer for ``graphs`` can take: every lane's numbers, or an error."""
    lanes = sum(g.n_lanes * (2 * _NUMBER_BYTES * (g.n_leaves + len(g.steps)) + _LANE_BYTES)
                for g in graphs)
    return lanes + 1_000


def checked(answer: Any, graph: Graph) -> Any:
    """The child's answer for ``graph`` as the parent may use it: per lane, values and grads
    (one plain number or None per node), or an error with a step of the graph and short texts.
    A lane that is neither becomes ``{}``, which the comparison calls malformed."""
    if not isinstance(answer, list) or len(answer) != graph.n_lanes:
        return None
    return [_lane(lane, graph) for lane in answer]


def _lane(lane: Any, graph: Graph) -> dict[str, Any]:
    if not isinstance(lane, dict):
        return {}
    error = lane.get("error")
    if isinstance(error, dict):
        return _error(error, len(graph.steps))
    nodes = graph.n_leaves + len(graph.steps)
    values, grads = lane.get("values"), lane.get("grads")
    if _numbers(values, nodes) and _numbers(grads, nodes):
        return {"values": values, "grads": grads}
    return {}


def _numbers(xs: Any, n: int) -> bool:
    return isinstance(xs, list) and len(xs) == n and all(
        x is None or type(x) is float for x in xs  # the child sends every number as a float
    )


def _error(error: dict[str, Any], steps: int) -> dict[str, Any]:
    step, phase = error.get("step"), error.get("phase")
    if not (step is None or (type(step) is int and 0 <= step < steps)) or phase not in _PHASES:
        return {}
    texts = {key: error.get(key) for key in _TEXT_CHARS}
    if not all(isinstance(text, str) for text in texts.values()):
        return {}
    cut = {key: str(text)[:size] for (key, size), text in zip(_TEXT_CHARS.items(), texts.values())}
    return {"error": {"step": step, "phase": phase, **cut}}


def _module_name(name: str) -> bool:
    return len(name) <= _NAME_CHARS and all(part.isidentifier() for part in name.split("."))
