"""The grading pipeline for the engine: which graphs are checked, in which order, and why.

0. Every check of a grade in which everything passes is drawn up front; its graphs go to the
   torch oracle (its own process) and to the student's engine (the sandbox) in batches. An
   engine whose numbers are all float32 is judged at float32's tolerance.
1. ``api``: leaves only (a Value holds its number, a fresh grad is 0, backward seeds 1).
2. Every op category alone: one op on leaves (operands may coincide, so ``x * x`` is alone).
3. The mechanics of backward(), with primitive ops. If they fail, ops are checked in context
   under a corrected traversal of the student's own nodes (children and ``_backward``
   closures found by probing), so an op bug is found even beside a backward() bug; then
   backward() is charged once, to ``reuse`` or ``graph``, if its failing example passes
   under that traversal. When no primitive op passes alone because backward() raises on
   every graph, graphs that raised there and pass under the traversal confirm it: charged to
   ``api`` if it raises on bare leaves too, else to ``graph``, and the ops are judged alone
   and in context under the traversal. A wrong value, an error in the forward pass or a
   malformed answer is never put on backward(), nor excused by another request's answers.
4. Every op that passed alone, in context: surrounded by the ops that are still trusted, its
   result consumed more than once. Each round stops trusting the culprits (a failure that
   still fails with the other failing ops corrected), and the others are checked again.
5. Blame through the student's call structure: an op that fails only through a failing
   method it calls (``__sub__`` built on ``__add__``), or one the engine lacks (``__rsub__``
   built on a missing ``__radd__``), passes with a note once its failing examples pass with
   that method corrected (or added); the method is charged.
6. ``reuse`` and ``graph``: shared nodes and random mixed graphs of the ops that passed.
7. ``deep``: a long chain, for the topological sort.

Failures are first explained rough (the first failing graph); only those still charged at
the end are shrunk, which is where a failing grade spends its time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from hypothesis.strategies import SearchStrategy

from grader.compare.tolerance import FLOAT32, FLOAT64, is_float32, judged_at
from grader.compare.verdict import Mismatch, compare
from grader.config import Config
from grader.diagnose.calls import blame
from grader.diagnose.feedback import Failure, explain_failure, is_engine_level
from grader.discover.api import EngineAPI
from grader.discover.finder import OPERATORS
from grader.evaluate.oracle_process import LocalOracle, OracleProcess
from grader.evaluate.runner import Runner, RunnerError
from grader.generate.classics import classic_graphs, diamond_graphs
from grader.generate.search import draw_examples, find_failure
from grader.generate.simplify import simplify
from grader.generate.strategies import graphs, lanes_of, mixed_graphs
from grader.graph import Graph, Step, to_code
from grader.ops import OP_CATEGORIES, OPS, forms_of
from grader.results import CategoryResult, Status
from grader.score.rubric import scored

_TRIES = 5  # runs of a failing graph, to reproduce it on an engine that depends on set order


@dataclass
class Check:
    """One search: a stable key (it seeds Hypothesis), a strategy, and hand-picked graphs."""

    key: str
    strategy: Optional[SearchStrategy[Graph]]
    classics: list[Graph]
    trusted: tuple[str, ...] = ()  # the other op categories in its graphs, each passing alone


@dataclass
class Outcome:
    """What a check found: nothing (None failure), a failing graph, or a runner error."""

    failure: Optional[Failure] = None
    error: Optional[RunnerError] = None
    rough: Optional[tuple[Check, bool]] = None  # a failure not shrunk yet: its check, traverse


class EngineGrader:
    """Runs every engine category against one runner."""

    def __init__(
        self,
        runner: Runner,
        api: EngineAPI,
        missing: dict[str, str],
        config: Config,
        oracle: Optional[OracleProcess | LocalOracle] = None,
    ):
        self.runner = runner
        self.oracle = oracle or LocalOracle()
        self.plan: dict[str, list[Graph]] = {}  # graphs drawn ahead, by check key
        self.api = api
        self.missing = missing
        self.config = config
        self.seed_output = False
        self.graphs_checked = 0
        self.confirmed: set[str] = set()  # backward()-level bugs shown by the mechanics check
        self.excused: set[str] = set()  # ops that fail only through a method they call
        self._sources: Optional[dict[str, Optional[str]]] = None
        self.backward_excused: set[str] = set()  # ops that fail alone only through backward()
        self.traverse = False  # evaluate with a corrected traversal instead of backward()
        self.float32 = False  # the engine computes in float32
        self._mechanics_check: Optional[Check] = None  # the last mechanics check run
        self.tolerance = FLOAT64
        self.notes: list[str] = []
        self.traversed = False  # whether ops were judged in context under that traversal
        self._traversed: dict[Graph, Any] = {}  # answers evaluated ahead under the traversal
        self._last_failure: Optional[tuple[Any, Any]] = None  # the run just before, if it failed
        self._trusted: tuple[str, ...] = ()  # the trusted ops of the check being run

    def grade(self) -> list[CategoryResult]:
        present = [c for c in OP_CATEGORIES if c not in self.missing]
        self._prepare(present)
        self._detect_precision()
        with judged_at(self.tolerance):
            return self._grade(present)

    def _detect_precision(self) -> None:
        """An engine whose numbers are all float32 is judged at float32's tolerance, with a
        note; a rubric that requires float64 charges it once, to ``api``."""
        try:
            got = self.runner.evaluate(self._single(), self.seed_output)
        except RunnerError:
            return
        if not isinstance(got, list):
            return
        lanes = [lane.get("values") for lane in got if isinstance(lane, dict)]
        numbers = [x for values in lanes if isinstance(values, list) for x in values]
        if not is_float32([x for x in numbers if isinstance(x, float)]):
            return
        self.float32 = True
        self.tolerance = FLOAT32
        self.notes.append(_FLOAT32_NOTE.format(self.api.class_name))

    def _grade(self, present: list[str]) -> list[CategoryResult]:
        api = self._check_api()
        results = {"api": self._verdict("api", api)}
        if self.float32 and self.config.precision == "float64":
            results["api"] = _require_float64(results["api"], self.api.class_name)
        for category in OP_CATEGORIES:
            if category in self.missing:
                results[category] = self._missing(category)
        alone = {c: self._run(self._alone(c), rough=True) for c in present}
        passed_alone = [c for c in present if alone[c].failure is None and not alone[c].error]
        mechanics = self._check_mechanics(passed_alone)
        ran = self._mechanics_check is not None
        raised = None if ran else self._raised_everywhere(api, alone)
        if raised is not None:  # backward() raises, whatever the op: ops judged without it
            passed_alone = [c for c in present if alone[c].failure is None and not alone[c].error]
            context, mechanics = self._traversed_context(passed_alone), raised
        elif mechanics is None or not _backward_may_cause(mechanics):
            mechanics = None  # an op's failure, not backward()'s: the context checks find it
            context = self._check_in_context(passed_alone)
        elif self._can_traverse():
            context, mechanics = self._check_with_traversal(passed_alone, mechanics)
            self._recheck_alone(alone, mechanics)
        else:  # no corrected traversal: judge ops alone when a model blames backward()
            self.confirmed = set(mechanics.scopes) & {"reuse", "graph"}
            if is_engine_level(mechanics) and self.confirmed:
                context = {c: Outcome() for c in passed_alone}
            else:
                mechanics, self.confirmed = None, set()
                context = self._check_in_context(passed_alone)
        outcomes = {c: alone[c] if c not in passed_alone else context[c] for c in present}
        for category in present:
            results[category] = self._verdict(category, outcomes[category])
        self._blame_calls(results, outcomes)
        self._polish(results, outcomes)
        trusted = [c for c in present if results[c].status == "pass" and c not in self.excused]
        # when backward() is blamed below, its own example replaces these: none is shrunk,
        # unless its failure is one backward() cannot cause (then it is the category's own)
        blamed = mechanics is not None and bool(self.confirmed)
        checks = {"reuse": self._check_reuse, "graph": self._check_graph}
        shared = {c: check(trusted, rough=blamed) for c, check in checks.items()}
        for category, outcome in shared.items():
            if blamed and outcome.failure is not None and not _backward_may_cause(outcome.failure):
                shared[category] = checks[category](trusted, rough=False)
        results.update({c: self._verdict(c, outcome) for c, outcome in shared.items()})
        if mechanics is not None and self.confirmed:
            if self._mechanics_check is not None:
                mechanics = self._run(self._mechanics_check).failure or mechanics  # shrunk now
            self._blame_mechanics(results, mechanics, shared)
        results["deep"] = self._verdict("deep", self._check_deep(trusted))
        order = ["api", *OP_CATEGORIES, "reuse", "graph", "deep"]
        return [scored(results[c], self.config) for c in order]

    @property
    def _lanes(self) -> int:
        return self.config.lanes

    def _prepare(self, present: list[str]) -> None:
        """Draw every check of a grade in which everything passes, and send all the graphs
        to the engine and the oracle at once. A failing engine needs other checks too; those
        are drawn when reached. Either way the same key draws the same graphs."""
        checks = [self._alone(c) for c in present]
        checks += [self._context(c, sorted(set(present) - {c})) for c in present]
        checks += [self._mechanics(present), self._reuse(present), self._graph(present)]
        graphs_ahead: list[Graph] = []
        for check in [*checks, self._deep(present)]:
            if check.strategy is not None:
                self.plan[check.key] = self._draw(check)
            drawn = check.classics + self.plan.get(check.key, [])
            self.oracle.prefetch(drawn)  # torch starts on them while the rest is drawn
            graphs_ahead += drawn
        try:
            self.seed_output = self._output_unseeded(self._single())
        except RunnerError:
            return
        self.runner.prefetch(graphs_ahead, self.seed_output)

    def _draw(self, check: Check) -> list[Graph]:
        assert check.strategy is not None
        budget, seed = self.config.budget, self.config.seed
        return draw_examples(check.strategy, budget=budget, seed=seed, key=check.key)

    # -- the checks -------------------------------------------------------------------

    def _alone(self, category: str) -> Check:
        strategy = graphs(forms_of(category), alone=True, lanes=self._lanes)
        return Check(f"{category}/alone", strategy, [])

    def _context(self, category: str, around: list[str]) -> Check:
        target = forms_of(category)
        context = [f for c in around for f in forms_of(c)]
        key = f"{category}/context/{'+'.join(around)}"
        classics = classic_graphs(target, context, _CLASSIC_LANES)
        return Check(key, graphs(target, context, lanes=self._lanes), classics, tuple(around))

    def _mechanics(self, passed_alone: list[str]) -> Check:
        forms = [f for f in _PRIMITIVE_FORMS if _category(f) in passed_alone]
        if not forms:
            return Check("mechanics", None, [])
        strategy = mixed_graphs(forms, lanes=self._lanes, max_steps=6, share=True)
        classics = diamond_graphs(forms, forms, _CLASSIC_LANES)
        return Check(f"mechanics/{'+'.join(forms)}", strategy, classics)

    def _reuse(self, trusted: list[str]) -> Check:
        forms = [f for c in trusted for f in forms_of(c)]
        if not forms:
            return Check("reuse", None, [])
        classics = diamond_graphs([f for f in forms if f in ("add", "mul", "tanh")], forms, 4)
        strategy = mixed_graphs(forms, lanes=self._lanes, share=True)
        return Check(f"reuse/{'+'.join(trusted)}", strategy, classics)

    def _graph(self, trusted: list[str]) -> Check:
        forms = [f for c in trusted for f in forms_of(c)]
        strategy = mixed_graphs(forms, lanes=self._lanes, max_steps=14) if forms else None
        return Check(f"graph/{'+'.join(trusted)}", strategy, [])

    def _deep(self, trusted: list[str]) -> Check:
        op = next((f for f in ("add_c", "mul_c", "radd", "tanh") if _category(f) in trusted), None)
        if op is None:
            return Check("deep", None, [])
        const = None if op == "tanh" else 1.0
        steps = tuple(Step(op, (k,), const) for k in range(self.config.deep_steps))
        return Check("deep", None, [Graph(((0.5,),), steps)])

    def _check_api(self) -> Outcome:
        """Checked without the grader's own seeding, which compensates a missing seed later."""
        seed, self.seed_output = self.seed_output, False
        outcome = self._try([self._single(), _leaves_only(self._lanes)])
        self.seed_output = seed
        return outcome

    def _single(self) -> Graph:
        return Graph(tuple((float(x),) for x in lanes_of(1.5, 0, self._lanes)), ())

    def _check_mechanics(self, passed_alone: list[str]) -> Optional[Failure]:
        """Random graphs of the primitive ops that passed alone, shared nodes included: a
        failure there comes from backward() itself, or from an op that is wrong in context."""
        check = self._mechanics(passed_alone)
        if check.strategy is None:
            return None
        self._mechanics_check = check
        return self._run(check, rough=True).failure

    def _can_traverse(self) -> bool:
        """Whether the student's nodes show their children and closures (probed in the child)."""
        try:
            return self._corrected_answers([self._single()], [], traverse=True) is not None
        except RunnerError:
            return False

    def _raised_everywhere(self, api: Outcome, alone: dict[str, Outcome]) -> Optional[Failure]:
        """When no primitive op passes alone, so that backward() has no mechanics check: if
        graphs that raised inside the student's backward() match torch under a corrected
        traversal of their nodes, backward() is confirmed wrong, the ops that raised there are
        judged alone again under that traversal (``alone`` updated), and the failure to charge
        is returned: api's own when backward() raises on bare leaves, else an op's, charged
        to ``graph``. None when no such graph exists, or the traversal does not fix one."""
        raised = [c for c, o in alone.items() if _raised_in_backward(o.failure)]
        failures = [f for c in raised if (f := alone[c].failure) is not None]
        if not failures or not self._can_traverse():
            return None
        leaves = api.failure if _raised_in_backward(api.failure) else None
        fixed = self._fixed_by_traversal(failures + ([leaves] if leaves else []))
        ops = [f for f in fixed if f is not leaves]
        if not ops:
            return None  # only a graph with an op shows that backward() fails whatever the op
        at_api = any(f is leaves for f in fixed)
        self.confirmed = {"api"} if at_api else {"graph"}
        self.traverse = self.traversed = True
        try:
            for category in raised:
                alone[category] = self._run(self._alone(category), rough=True)
        finally:
            self.traverse = False
        return leaves if at_api and leaves is not None else ops[0]

    def _fixed_by_traversal(self, failures: list[Failure]) -> list[Failure]:
        """The failures whose graph matches torch under a corrected traversal (one request)."""
        failures = [f for f in failures if _backward_may_cause(f)]
        graphs = [f.graph for f in failures]
        try:
            answers = self._corrected_answers(graphs, [], traverse=True) if graphs else None
        except RunnerError:
            return []
        if answers is None:
            return []
        return [f for f, got in zip(failures, answers) if self._all_match([f.graph], [got])]

    def _traversed_context(self, passed_alone: list[str]) -> dict[str, Outcome]:
        """Context checks under the corrected traversal."""
        self.traverse = True
        try:
            return self._check_in_context(passed_alone)
        finally:
            self.traverse = False

    def _check_with_traversal(
        self, passed_alone: list[str], failure: Failure
    ) -> tuple[dict[str, Outcome], Optional[Failure]]:
        """Ops in context under a corrected backward() over the student's own nodes, so an op
        bug is found even when backward() is wrong too; then backward() itself, with the ops
        that passed: confirmed when its failing example passes under the corrected traversal.

        Returns the context outcomes and the confirmed backward() failure (or None)."""
        self.traverse = self.traversed = True
        try:
            context = self._check_in_context(passed_alone)
        finally:
            self.traverse = False
        good = [c for c in passed_alone if context[c].failure is None and not context[c].error]
        again = failure if good == passed_alone else self._check_mechanics(good)
        if again is None or not self._fixed_by_traversal([again]):
            return context, None
        self.confirmed = set(again.scopes) & {"reuse", "graph"} or {"graph"}
        return context, again

    def _recheck_alone(self, alone: dict[str, Outcome], failure: Optional[Failure]) -> None:
        """With backward() confirmed wrong, an op that failed alone is checked alone again
        under the corrected traversal: if it passes there, backward() was the cause."""
        if failure is None or not self.confirmed:
            return
        for category, outcome in alone.items():
            if outcome.failure is None or outcome.error or not _backward_may_cause(outcome.failure):
                continue
            self.traverse = True
            try:
                again = self._run(self._alone(category), rough=True)
            finally:
                self.traverse = False
            if again.failure is None and again.error is None:
                self.backward_excused.add(category)

    def _blame_mechanics(
        self, results: dict[str, CategoryResult], failure: Failure, shared: dict[str, Outcome]
    ) -> None:
        """Charge the backward() bug once: to api when it fails there already (backward()
        raises on bare leaves), else to the scope its model names. ``shared``: the reuse and
        graph outcomes; one that backward() may have caused is not charged again."""
        scope = next(s for s in ("api", "graph", "reuse") if s in self.confirmed)
        results[scope] = self._verdict(scope, Outcome(failure=failure))
        first = results[scope].message.split(". ")[0]
        why = (
            "With a corrected backward() walking your own nodes and closures, this example "
            "matches torch, so backward() itself is the culprit."
            if self.traversed
            else "Each op is right on its own, so backward() itself is the likely culprit."
        )
        results[scope].message = f"{first}. {why}"
        for other in ("reuse", "graph"):
            seen = shared[other].failure
            if other != scope and seen is not None and _backward_may_cause(seen):
                results[other] = CategoryResult(other, "pass", 0, 0, _NOT_CHARGED.format(scope))
        note = f" (Context checks were skipped: backward() itself is wrong, see {scope}.)"
        if self.traversed:
            note = (
                f" (Checked with a corrected backward() over your own nodes, since yours is "
                f"wrong: see {scope}.)"
            )
        for category in OP_CATEGORIES:
            if category in results and results[category].status == "pass":
                results[category].message += note

    def _blame_calls(
        self, results: dict[str, CategoryResult], outcomes: dict[str, Outcome]
    ) -> None:
        """An op that fails only through a failing method it calls passes, with a note; the
        method it calls is charged (see grader/diagnose/calls.py)."""
        failing = [c for c, o in outcomes.items() if results[c].status == "fail" and o.failure]
        missing = sorted({*self.missing, *(c for c in outcomes if results[c].status == "missing")})
        if not failing or (len(failing) < 2 and not missing):
            return
        try:
            calls = self._calls(list(outcomes))
        except RunnerError:
            return

        def passes_with(category: str, fixed: list[str]) -> bool:
            failure = outcomes[category].failure
            assert failure is not None
            if failure.mismatch.kind == "malformed":
                return False  # an honest child answers in form, whatever its methods do
            graphs = [failure.graph, *self.plan.get(f"{category}/alone", [])]
            return self._passes_corrected(graphs, fixed)

        for category, roots in blame(failing, calls, passes_with, missing).items():
            self.excused.add(category)
            note = _built_on(self._method(category), roots, self._method, set(missing))
            results[category] = CategoryResult(category, "pass", 0, 0, note)

    def _calls(self, categories: list[str]) -> dict[str, set[str]]:
        """Per category, the categories of the student's methods that run inside its forms."""
        graphs = [_one_step(form) for c in categories for form in forms_of(c)]
        params = {"api": self.api.to_dict(), "graphs": [g.to_dict() for g in graphs]}
        answer = self.runner.call("engine.calls", params)
        found: dict[str, set[str]] = {c: set() for c in categories}
        if not isinstance(answer, list) or len(answer) != len(graphs):
            return found
        for graph, steps in zip(graphs, answer):
            if isinstance(steps, list) and steps and isinstance(steps[0], list):
                category = _category(graph.steps[0].op)
                found[category] |= {c for c in steps[0] if c in OP_CATEGORIES}
        return found

    def _passes_corrected(self, graphs: list[Graph], fixed: list[str]) -> bool:
        """Whether every graph matches torch once the methods of ``fixed`` are corrected."""
        try:
            answers = self._corrected_answers(graphs, fixed, traverse=bool(self.confirmed))
        except RunnerError:
            return False
        return answers is not None and self._all_match(graphs, answers)

    def _corrected_answers(
        self, graphs: list[Graph], fixed: list[str], traverse: bool
    ) -> Optional[list[Any]]:
        """The engine's answers with ``fixed`` methods corrected and, if ``traverse``, a
        corrected backward(); None when the student's nodes could not be probed."""
        params = {
            "api": self.api.to_dict(),
            "graphs": [g.to_dict() for g in graphs],
            "seed": self.seed_output,
            "corrected": fixed,
            "traverse": traverse,
        }
        answers = self.runner.call("engine.evaluate_corrected", params)
        if not isinstance(answers, list) or len(answers) != len(graphs):
            return None
        return answers

    def _all_match(self, graphs: list[Graph], answers: list[Any]) -> bool:
        for graph, got in zip(graphs, answers):
            values, grads = self.oracle.expected(graph)
            self.graphs_checked += graph.n_lanes
            if compare(values, grads, got) is not None:
                return False
        return True

    def _method(self, category: str) -> str:
        return OPERATORS.get(category) or self.api.methods.get(category, category)

    def _check_in_context(self, candidates: list[str]) -> dict[str, Outcome]:
        """Context checks, repeated without the categories that failed until blame is stable.

        Each round stops trusting the culprits: the failing categories whose failing example
        uses no other category that failed, or still fails when those are corrected (if none
        is that clear, every one that failed); the others that failed are checked again
        around the ops still trusted.
        """
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
            culprits = {c for c in failed if self._own_failure(c, outcomes[c], failed)} or failed
            trusted -= culprits
            pending = sorted(failed - culprits)
        return outcomes

    def _own_failure(self, category: str, outcome: Outcome, failed: set[str]) -> bool:
        """Whether a context failure is the category's own: its example uses no other
        category that failed, or still fails with those corrected (the counterfactual). A
        malformed answer is settled by no other request: its category is checked again
        without the others."""
        if outcome.failure is None:
            return True
        graph = outcome.failure.graph
        others = sorted((graph.categories() - {category}) & failed)
        if not others:
            return True
        if outcome.failure.mismatch.kind == "malformed":
            return False  # another request's answers cannot settle it: checked again without
        try:
            answers = self._corrected_answers([graph], others, traverse=self.traverse)
        except RunnerError:
            return False
        return answers is not None and not self._all_match([graph], answers)

    def _check_context(self, category: str, around: list[str]) -> Outcome:
        return self._run(self._context(category, around), rough=True)

    def _check_reuse(self, trusted: list[str], rough: bool = False) -> Outcome:
        check = self._reuse(trusted)
        if check.strategy is None:
            return _skipped("no operation passed, so there is nothing to reuse")
        return self._run(check, rough)

    def _check_graph(self, trusted: list[str], rough: bool = False) -> Outcome:
        check = self._graph(trusted)
        if check.strategy is None:
            return _skipped("no operation passed on its own")
        return self._run(check, rough)

    def _check_deep(self, trusted: list[str]) -> Outcome:
        check = self._deep(trusted)
        if not check.classics:
            return _skipped("no simple operation (+ number, * number, tanh) passed")
        return self._run(check)

    # -- running ----------------------------------------------------------------------

    def _run(self, check: Check, rough: bool = False) -> Outcome:
        """Hand-picked graphs first, then the search; a failure found is shrunk and explained.

        The check's graphs are drawn ahead (once per key) and sent to the oracle and the
        engine in a request each, then checked as they are: only when one fails does
        Hypothesis run again, meeting the same graphs in the same order, to shrink it. A
        ``rough`` run explains the first failing one as it is: ``_polish`` shrinks it later,
        if it is still charged by then.
        """
        self._trusted = check.trusted  # named in a failure's message (first_wrong_node)
        try:
            return self._search(check, rough)
        finally:
            self._trusted = ()

    def _search(self, check: Check, rough: bool) -> Outcome:
        ahead = self.plan.get(check.key)
        if ahead is None and check.strategy is not None:
            ahead = self.plan[check.key] = self._draw(check)
        self._send_ahead(check.classics + (ahead or []))
        outcome = self._try(check.classics, rough)
        if outcome.failure or outcome.error or check.strategy is None:
            return self._remember(outcome, check, rough)
        try:
            seen = None  # a graph seen failing: the check cannot pass after that (flaky fails)
            if ahead is not None:
                failing = (i for i, g in enumerate(ahead) if self._mismatch(g) is not None)
                index = next(failing, None)
                if index is None:
                    return Outcome()
                seen = ahead[index]
                if not rough:  # Hypothesis meets them again first, on its way to shrink
                    self._send_ahead(ahead[: index + 1])
            if rough and seen is not None:
                return self._remember(self._failure(seen, rough=True), check, rough)
            graph = find_failure(
                check.strategy,
                lambda g: self._mismatch(g) is not None,
                budget=self.config.budget,
                seed=self.config.seed,
                key=check.key,
            )
            graph = graph or seen
            return Outcome() if graph is None else self._failure(graph)
        except RunnerError as error:
            return Outcome(error=error)

    def _remember(self, outcome: Outcome, check: Check, rough: bool) -> Outcome:
        if rough and outcome.failure is not None:
            outcome.rough = (check, self.traverse)
        return outcome

    def _polish(self, results: dict[str, CategoryResult], outcomes: dict[str, Outcome]) -> None:
        """Shrink the failures that are still charged, and explain them again."""
        for category, outcome in outcomes.items():
            if outcome.rough is None or results[category].status != "fail":
                continue
            check, traverse = outcome.rough
            self.traverse = traverse
            try:
                results[category] = self._verdict(category, self._run(check))
            finally:
                self.traverse = False

    def _try(self, candidates: list[Graph], rough: bool = False) -> Outcome:
        try:
            for graph in candidates:
                if self._mismatch(graph) is not None:
                    return self._failure(graph, rough)
        except RunnerError as error:
            return Outcome(error=error)
        return Outcome()

    def _mismatch(self, graph: Graph) -> Optional[Mismatch]:
        return self._reproduce(graph, tries=1)[0]

    def _failure(self, graph: Graph, rough: bool = False) -> Outcome:
        """Narrow a failing graph to its first failing lane, simplify it (unless ``rough``),
        and explain it."""
        mismatch, _, _, _ = self._reproduce(graph)
        if mismatch is None:
            mismatch = Mismatch(0, "flaky")
        lane = graph.lane(mismatch.lane)
        if not rough:
            lane = simplify(lane, lambda g: self._reproduce(g)[0] is not None)
        found, got, values, grads = self._reproduce(lane)
        lane_got = got[0] if isinstance(got, list) and got else {}
        mismatch = found or Mismatch(0, "flaky")
        failure = explain_failure(
            lane, values, grads, lane_got, mismatch, self.api, self.sources, self._trusted
        )
        return Outcome(failure=failure)

    def _reproduce(
        self, graph: Graph, tries: int = _TRIES
    ) -> tuple[Optional[Mismatch], Any, Any, Any]:
        """Run a graph up to ``tries`` times until it fails: some engines depend on set order.

        A graph that failed in the run just before is not run again: that run is its answer
        (a failure found, then explained, costs one run of the engine, not two)."""
        key = (graph, self.traverse, self.seed_output)
        last, self._last_failure = self._last_failure, None
        if last is not None and last[0] == key:
            return last[1]
        self.oracle.prefetch([graph])  # torch works on it while the engine does
        got: Any = self._evaluate(graph)
        values, grads = self.oracle.expected(graph)
        for attempt in range(tries):
            if attempt:
                got = self._evaluate(graph)
            self.graphs_checked += graph.n_lanes
            mismatch = compare(values, grads, got)
            if mismatch is not None:
                self._last_failure = (key, (mismatch, got, values, grads))
                return mismatch, got, values, grads
        return None, got, values, grads

    @property
    def sources(self) -> dict[str, Optional[str]]:
        """The student's method sources (fetched once, when a failure is first explained):
        a hint is shown only when what it says is true of them."""
        if self._sources is None:
            try:
                found = self.runner.call("engine.sources", {"api": self.api.to_dict()})
            except RunnerError:
                found = None
            found = found if isinstance(found, dict) else {}
            self._sources = {str(k): v if isinstance(v, str) else None for k, v in found.items()}
        return self._sources

    def _evaluate(self, graph: Graph) -> Any:
        if not self.traverse:
            return self.runner.evaluate(graph, self.seed_output)
        if graph in self._traversed:
            return self._traversed.pop(graph)
        answers = self._corrected_answers([graph], [], traverse=True)
        return answers[0] if answers else None

    def _send_ahead(self, graphs: list[Graph]) -> None:
        """Send graphs to the oracle and to the engine in a request each, ahead of their use
        (a graph whose answer is waiting is not sent again)."""
        if not graphs:
            return
        self.oracle.prefetch(graphs)
        if self.traverse:
            self._ahead_traversed(graphs)
        else:
            self.runner.prefetch(graphs, self.seed_output)

    def _ahead_traversed(self, graphs: list[Graph]) -> None:
        """Evaluate a check's graphs under the corrected traversal in one request."""
        todo = [g for g in graphs if g not in self._traversed]
        if not todo:
            return
        try:
            answers = self._corrected_answers(todo, [], traverse=True)
        except RunnerError:
            return
        if answers is not None:
            self._traversed.update(zip(todo, answers))

    def _excused(self, outcome: Outcome) -> bool:
        return outcome.failure is not None and self._explained(outcome.failure)

    def _explained(self, failure: Failure) -> bool:
        """Whether a confirmed backward()-level bug (not the op) explains this failure."""
        return (
            bool(self.confirmed)
            and not self.traversed
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
            graph = outcome.error.graph
            code = to_code(graph.lane(0), self.api) if graph is not None else None
            error = outcome.error
            return CategoryResult(category, status, 0, 0, error.message, code, output=error.output)
        if outcome.failure is None or self._excused_here(category, outcome.failure):
            return CategoryResult(category, "pass", 0, 0, _PASS.get(category, _PASS["op"]))
        f = outcome.failure
        if _not_implemented(f):
            message = f"Not implemented yet: {f.message}"
            return CategoryResult(category, "missing", 0, 0, message, f.code, got=f.got)
        message = (_DEEP_NOTE if category == "deep" else "") + f.message
        return CategoryResult(
            category, "fail", 0, 0, message, f.code, f.expected, f.got, f.hint, graph=f.picture
        )  # graph=: the picture of the failing graph (issue 12)

    def _excused_here(self, category: str, failure: Failure) -> bool:
        if category in self.backward_excused:
            return True
        return category in OP_CATEGORIES and self._explained(failure)

    def _missing(self, category: str) -> CategoryResult:
        looked_for = self.missing[category]
        message = f"Not found: your {self.api.class_name} has no {looked_for}."
        return CategoryResult(category, "missing", 0, 0, message)


_CLASSIC_LANES = 4
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


def _raised_in_backward(failure: Optional[Failure]) -> bool:
    """Whether a failure is an error raised inside the student's backward()."""
    if failure is None or failure.mismatch.kind != "error":
        return False
    return (failure.mismatch.error or {}).get("phase") == "backward"


def _backward_may_cause(failure: Failure) -> bool:
    """Whether backward() alone may have caused a failure: a wrong gradient, an error inside
    backward(), a graph that failed once and not again. Not a wrong value or an error in the
    forward pass, and never a malformed answer: an honest child always answers in form, so
    another request's answer cannot explain it away."""
    return failure.mismatch.kind in ("grad", "flaky") or _raised_in_backward(failure)


def _not_implemented(failure: Failure) -> bool:
    """A method that raises NotImplementedError (a template's stub) counts as missing."""
    error = failure.mismatch.error or {}
    return failure.mismatch.kind == "error" and error.get("type") == "NotImplementedError"


_FLOAT32_NOTE = (
    "Your {0} computes in 32-bit floats (numpy float32), so its numbers were compared with "
    "torch at float32's precision (about 4 significant digits after a few operations) "
    "instead of float64's."
)


def _require_float64(result: CategoryResult, class_name: str) -> CategoryResult:
    """The api verdict when float64 is required and the engine computes in float32."""
    message = (
        f"Your {class_name} stores its numbers as 32-bit floats (numpy float32); this "
        "assignment asks for 64-bit floats: store float(x). Everything else was checked at "
        "float32's precision, so this costs points only here."
    )
    if result.status == "fail":
        message = f"{result.message} {message}"
    return CategoryResult(
        "api",
        "fail",
        0,
        0,
        message,
        result.counterexample,
        result.expected,
        result.got,
        result.hint,
    )


def _built_on(method: str, roots: list[str], name: Callable[[str], str], missing: set[str]) -> str:
    """The note of an op excused through the methods it calls (or needs, and lacks)."""
    callees = " and ".join(f"`{name(r)}`" for r in roots)
    one = len(roots) == 1
    state, fix, with_ = ("fails" if one else "fail"), "fixed", "a corrected"
    if set(roots) <= missing:
        state, fix, with_ = ("is" if one else "are") + " missing", "written", "an added"
    elif set(roots) & missing:
        state = "fail or are missing"
    return (
        f"Your `{method}` is built on {callees}, which {state}; it passes once {callees} "
        f"{'is' if one else 'are'} {fix} (with {with_} {callees}, your `{method}` matches "
        "torch). Not charged here."
    )


def _one_step(form: str) -> Graph:
    """One op on fresh leaves, for recording which methods it calls."""
    op = OPS[form]
    const = (2 if form == "pow" else 2.0) if op.has_const else None
    return Graph(((0.7, 1.3),), (Step(form, (0, 1) if op.arity == 2 else (0,), const),))


def _category(form: str) -> str:
    return OPS[form].category


def _leaves_only(lanes: int) -> Graph:
    """Two leaves and no op: the first keeps grad 0, the output (the second) gets grad 1."""
    a, b = lanes_of(-0.7, 0, lanes), lanes_of(2.0, 1, lanes)
    return Graph(tuple((float(x), float(y)) for x, y in zip(a, b)), ())
