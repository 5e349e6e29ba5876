"""The grading pipeline for the engine: which graphs are checked, in which order, and why.

1. ``api``: leaves only (a Value holds its number, a fresh grad is 0, backward seeds 1).
2. Every op category alone: one op on leaves (operands may coincide, so ``x * x`` is alone).
3. Every op that passed alone, in context: surrounded by the ops that are still trusted, its
   result consumed more than once. A category that fails is no longer trusted, and the others
   that failed are checked again without it, so one broken op costs points once.
4. ``reuse`` and ``graph``: shared nodes and random mixed graphs of the ops that passed.
5. ``deep``: a long chain, for the topological sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from hypothesis.strategies import SearchStrategy

from grader.compare.verdict import Mismatch, compare
from grader.config import Config
from grader.diagnose.feedback import Failure, explain_failure, is_engine_level
from grader.discover.api import EngineAPI
from grader.evaluate import oracle
from grader.evaluate.runner import Runner, RunnerError
from grader.generate.classics import classic_graphs, diamond_graphs
from grader.generate.search import find_failure
from grader.generate.simplify import simplify
from grader.generate.strategies import graphs, lanes_of, mixed_graphs
from grader.graph import Graph, Step
from grader.ops import OP_CATEGORIES, forms_of
from grader.results import CategoryResult, Status
from grader.score.rubric import scored


@dataclass
class Outcome:
    """What a check found: nothing (None failure), a failing graph, or a runner error."""

    failure: Optional[Failure] = None
    error: Optional[RunnerError] = None


class EngineGrader:
    """Runs every engine category against one runner."""

    def __init__(self, runner: Runner, api: EngineAPI, missing: dict[str, str], config: Config):
        self.runner = runner
        self.api = api
        self.missing = missing
        self.config = config
        self.seed_output = False
        self.graphs_checked = 0
        self.confirmed: set[str] = set()  # backward()-level bugs shown by the mechanics check

    def grade(self) -> list[CategoryResult]:
        results = {"api": self._verdict("api", self._check_api())}
        present = [c for c in OP_CATEGORIES if c not in self.missing]
        for category in OP_CATEGORIES:
            if category in self.missing:
                results[category] = self._missing(category)
        alone = {
            c: self._check(f"{c}/alone", graphs(forms_of(c), alone=True, lanes=self._lanes))
            for c in present
        }
        passed_alone = [c for c in present if alone[c].failure is None and not alone[c].error]
        mechanics = self._check_mechanics(passed_alone)
        if mechanics is None:
            context = self._check_in_context(passed_alone)
        else:
            context = {c: Outcome() for c in passed_alone}
        for category in present:
            outcome = alone[category] if category not in passed_alone else context[category]
            results[category] = self._verdict(category, outcome)
        trusted = [c for c in present if results[c].status == "pass"]
        results["reuse"] = self._verdict("reuse", self._check_reuse(trusted))
        results["graph"] = self._verdict("graph", self._check_graph(trusted))
        if mechanics is not None:
            self._blame_mechanics(results, mechanics)
        results["deep"] = self._verdict("deep", self._check_deep(trusted))
        order = ["api", *OP_CATEGORIES, "reuse", "graph", "deep"]
        return [scored(results[c], self.config) for c in order]

    @property
    def _lanes(self) -> int:
        return self.config.lanes

    # -- the checks -------------------------------------------------------------------

    def _check_api(self) -> Outcome:
        single = Graph(tuple((float(x),) for x in lanes_of(1.5, 0, self._lanes)), ())
        outcome = self._try([single, _leaves_only(self._lanes)])
        if outcome.failure and outcome.failure.mismatch.kind == "grad":
            self.seed_output = self._output_unseeded(single)
        return outcome

    def _check_mechanics(self, passed_alone: list[str]) -> Optional[Failure]:
        """A bug in backward() itself, shown with primitive ops and explained by a model of it.

        When backward() is wrong, every op fails in context: then ops are judged alone and
        only the structural category the model names is charged.
        """
        forms = [f for f in _PRIMITIVE_FORMS if _category(f) in passed_alone]
        if not forms:
            return None
        strategy = mixed_graphs(forms, lanes=self._lanes, max_steps=6, share=True)
        classics = diamond_graphs(forms, forms, _CLASSIC_LANES)
        outcome = self._check("mechanics", strategy, classics)
        if outcome.failure is not None and is_engine_level(outcome.failure):
            self.confirmed = set(outcome.failure.scopes) & {"reuse", "graph"}
            return outcome.failure if self.confirmed else None
        return None

    def _blame_mechanics(self, results: dict[str, CategoryResult], failure: Failure) -> None:
        """Charge the backward() bug once: to the scope its model names."""
        scope = "graph" if "graph" in self.confirmed else "reuse"
        results[scope] = self._verdict(scope, Outcome(failure=failure))
        first = results[scope].message.split(". ")[0]
        results[
            scope
        ].message = (
            f"{first}. Each op is right on its own, so backward() itself is the likely culprit."
        )
        for other in ("reuse", "graph"):
            if other != scope and results[other].status == "fail":
                results[other] = CategoryResult(other, "pass", 0, 0, _NOT_CHARGED.format(scope))
        note = f" (Context checks were skipped: backward() itself is wrong, see {scope}.)"
        for category in OP_CATEGORIES:
            if category in results and results[category].status == "pass":
                results[category].message += note

    def _check_in_context(self, candidates: list[str]) -> dict[str, Outcome]:
        """Context checks, repeated without the categories that failed until blame is stable."""
        trusted = set(candidates)
        outcomes = {c: Outcome() for c in candidates}
        pending = list(candidates)
        while pending:
            for category in pending:
                around = sorted(trusted - {category})
                outcomes[category] = self._check_context(category, around)
            failed = {c for c in pending if outcomes[c].failure or outcomes[c].error}
            failed -= {c for c in failed if self._excused(outcomes[c])}
            if not failed & trusted:
                break
            trusted -= failed
            pending = sorted(failed)
        return outcomes

    def _check_context(self, category: str, around: list[str]) -> Outcome:
        target = forms_of(category)
        context = [f for c in around for f in forms_of(c)]
        key = f"{category}/context/{'+'.join(around)}"
        classics = classic_graphs(target, context, _CLASSIC_LANES)
        strategy = graphs(target, context, lanes=self._lanes)
        return self._check(key, strategy, classics)

    def _check_reuse(self, trusted: list[str]) -> Outcome:
        forms = [f for c in trusted for f in forms_of(c)]
        if not forms:
            return _skipped("no operation passed, so there is nothing to reuse")
        classics = diamond_graphs([f for f in forms if f in ("add", "mul", "tanh")], forms, 4)
        return self._check("reuse", mixed_graphs(forms, lanes=self._lanes, share=True), classics)

    def _check_graph(self, trusted: list[str]) -> Outcome:
        forms = [f for c in trusted for f in forms_of(c)]
        if not forms:
            return _skipped("no operation passed on its own")
        return self._check("graph", mixed_graphs(forms, lanes=self._lanes, max_steps=14))

    def _check_deep(self, trusted: list[str]) -> Outcome:
        op = next((f for f in ("add_c", "mul_c", "radd", "tanh") if _category(f) in trusted), None)
        if op is None:
            return _skipped("no simple operation (+ number, * number, tanh) passed")
        const = 1.0 if op in ("add_c", "radd") else (1.0 if op == "mul_c" else None)
        steps = tuple(Step(op, (k,), const) for k in range(self.config.deep_steps))
        return self._try([Graph(((0.5,),), steps)])

    # -- running ----------------------------------------------------------------------

    def _check(
        self,
        key: str,
        strategy: SearchStrategy[Graph],
        classics: list[Graph] = (),  # type: ignore[assignment]
    ) -> Outcome:
        outcome = self._try(classics)
        if outcome.failure or outcome.error:
            return outcome
        try:
            graph = find_failure(
                strategy,
                lambda g: self._mismatch(g) is not None,
                budget=self.config.budget,
                seed=self.config.seed,
                key=key,
            )
        except RunnerError as error:
            return Outcome(error=error)
        if graph is None:
            return Outcome()
        return self._failure(graph)

    def _try(self, candidates: list[Graph]) -> Outcome:
        try:
            for graph in candidates:
                if self._mismatch(graph) is not None:
                    return self._failure(graph)
        except RunnerError as error:
            return Outcome(error=error)
        return Outcome()

    def _mismatch(self, graph: Graph) -> Optional[Mismatch]:
        got = self.runner.evaluate(graph, self.seed_output)
        values, grads = oracle.expected(graph)
        self.graphs_checked += graph.n_lanes
        return compare(values, grads, got)

    def _failure(self, graph: Graph) -> Outcome:
        """Narrow a failing graph to its first failing lane, simplify it, and explain it."""
        mismatch, _, _, _ = self._reproduce(graph)
        if mismatch is None:
            mismatch = Mismatch(0, "flaky")
        lane = simplify(graph.lane(mismatch.lane), lambda g: self._reproduce(g)[0] is not None)
        found, got, values, grads = self._reproduce(lane)
        lane_got = got[0] if isinstance(got, list) and got else {}
        failure = explain_failure(
            lane, values, grads, lane_got, found or Mismatch(0, "flaky"), self.api
        )
        return Outcome(failure=failure)

    def _reproduce(self, graph: Graph) -> tuple[Optional[Mismatch], Any, Any, Any]:
        """Run a graph up to a few times until it fails: some engines depend on set order."""
        values, grads = oracle.expected(graph)
        got: Any = None
        for _ in range(_TRIES):
            got = self.runner.evaluate(graph, self.seed_output)
            self.graphs_checked += graph.n_lanes
            mismatch = compare(values, grads, got)
            if mismatch is not None:
                return mismatch, got, values, grads
        return None, got, values, grads

    def _excused(self, outcome: Outcome) -> bool:
        return outcome.failure is not None and self._explained(outcome.failure)

    def _explained(self, failure: Failure) -> bool:
        """Whether a confirmed backward()-level bug (not the op) explains this failure."""
        return (
            bool(self.confirmed)
            and is_engine_level(failure)
            and bool(self.confirmed & set(failure.scopes))
        )

    def _output_unseeded(self, single: Graph) -> bool:
        got = self.runner.evaluate(single.lane(0), False)
        grads = got[0].get("grads") if isinstance(got, list) and isinstance(got[0], dict) else None
        return bool(grads) and grads[0] == 0  # type: ignore[index]

    # -- verdicts ---------------------------------------------------------------------

    def _verdict(self, category: str, outcome: Outcome) -> CategoryResult:
        if outcome.error is not None:
            status: Status = "missing" if outcome.error.kind == "skipped" else "error"
            return CategoryResult(
                category, status, 0, 0, outcome.error.message, output=outcome.error.output
            )
        if outcome.failure is None or self._excused_here(category, outcome.failure):
            return CategoryResult(category, "pass", 0, 0, _PASS.get(category, _PASS["op"]))
        f = outcome.failure
        if _not_implemented(f):
            message = f"Not implemented yet: {f.message}"
            return CategoryResult(category, "missing", 0, 0, message, f.code, got=f.got)
        message = (_DEEP_NOTE if category == "deep" else "") + f.message
        return CategoryResult(category, "fail", 0, 0, message, f.code, f.expected, f.got, f.hint)

    def _excused_here(self, category: str, failure: Failure) -> bool:
        return category in OP_CATEGORIES and self._explained(failure)

    def _missing(self, category: str) -> CategoryResult:
        looked_for = self.missing[category]
        message = f"Not found: your {self.api.class_name} has no {looked_for}."
        return CategoryResult(category, "missing", 0, 0, message)


_CLASSIC_LANES = 4
_TRIES = 5
_PRIMITIVE_FORMS = ("add", "mul", "exp", "tanh", "sigmoid", "relu", "log")
_DEEP_NOTE = (
    "A long chain of operations fails (by default this costs no points: micrograd's own "
    "recursive topological sort fails it too; an iterative sort with an explicit stack fixes "
    "it). "
)
_NOT_CHARGED = (
    "Not charged: these graphs fail because of the backward() bug reported under {0}; "
    "fix that first, and this category will be checked again."
)

_PASS = {
    "op": "Values and gradients match torch, alone and inside larger graphs.",
    "api": "Value(x) holds x, a new value's grad is 0, and backward() starts from grad 1.",
    "reuse": "Gradients add up correctly through nodes used more than once.",
    "graph": "Random mixed graphs match torch in every value and gradient.",
    "deep": "backward() handles a chain of thousands of operations.",
}


def _skipped(reason: str) -> Outcome:
    return Outcome(error=RunnerError("skipped", f"Not checked: {reason}."))


def _not_implemented(failure: Failure) -> bool:
    """A method that raises NotImplementedError (a template's stub) counts as missing."""
    error = failure.mismatch.error or {}
    return failure.mismatch.kind == "error" and error.get("type") == "NotImplementedError"


def _category(form: str) -> str:
    from grader.ops import OPS

    return OPS[form].category


def _leaves_only(lanes: int) -> Graph:
    """Two leaves and no op: the first keeps grad 0, the output (the second) gets grad 1."""
    a, b = lanes_of(-0.7, 0, lanes), lanes_of(2.0, 1, lanes)
    return Graph(tuple((float(x), float(y)) for x, y in zip(a, b)), ())
