"""Grade the student's MLP: ``grade_mlp(call, api, engine_results, config)``.

``call(method, params)`` reaches the child (the sandbox, or ``probe.in_process``). The five
categories are checked with the student's engine first. No double jeopardy: when the engine
failed a category and an MLP category did not pass cleanly, that MLP category is checked again
with the failed parts of the student's engine replaced by the grader's own stand-ins (the ops
that failed; backward() and every op when api, reuse or graph failed), recording every
operation the MLP performs (corrected.py, in the child). If the MLP used an operation whose
category failed (or called backward while api, reuse or graph failed), the corrected verdict
counts, and the message says so. If the corrected run itself breaks where the student's did
not, the category is an "error" worth 0 points, with the reason. The model answer
(reference/) never reaches the child. A step of the network that raises is charged once: a
forward pass to mlp.forward, a loss.backward() to mlp.grad; the later checks that cannot run
without that step are not charged, with a note. So is a network whose Values cannot be laid
out as the layers' weights and biases: charged to mlp.params when its parameters() has the
wrong count too, else to mlp.forward; the other checks that need the weights located are not.
"""

from __future__ import annotations

from typing import Any, Callable

from grader.config import Config
from grader.discover.api import EngineAPI
from grader.evaluate.oracle_process import OracleError
from grader.evaluate.runner import RunnerError
from grader.mlp import MLP_CATEGORIES, MLP_WEIGHTS, schema
from grader.mlp.checks import SHAPES, Call, Checks, Correction
from grader.mlp.feedback import join
from grader.ops import OP_CATEGORIES
from grader.results import CategoryResult, Verdict

OVERRIDES = ("mlp_class", "mlp_call", "forward", "zero_grad", "parameters")
BACKWARD_LEVEL = {"api", "reuse", "graph"}  # engine categories every backward() relies on
# A step of the network that raises is charged once, to the category that checks that step;
# a later check that stops at the same step is not charged (as an op built on a failing op).
OWNERS = {"forward": "mlp.forward", "backward": "mlp.grad", "layout": "mlp.forward"}
STEPS = {"forward": "your network's forward pass, which raises an error",
         "backward": "loss.backward(), which raises an error",
         "layout": "your network's Values laid out as the layers' weights and biases, which "
                   "cannot be done: it holds the wrong number of Values"}
CHECKS = {"mlp.forward": "the forward check", "mlp.grad": "the gradient check",
          "mlp.zero_grad": "the backward pass after zero_grad()", "mlp.train": "training"}
NOT_CHECKED = ("Not checked: {check} needs {step} (see {owner}). Not "
               "charged here: fix that, and this category will be checked again.")
ZERO_GRAD_ONLY = ("{name}() sets every gradient to 0 and leaves the values alone. The backward "
                  "pass after it was not checked: it needs {step} (see {owner}). Not "
                  "charged here.")


def grade_mlp(
    call: Call, api: EngineAPI, engine_results: dict[str, CategoryResult], config: Config
) -> list[CategoryResult]:
    """The mlp.* categories, scored with the rubric's weights (MLP_WEIGHTS by default)."""
    overrides = {k: config.names[k] for k in OVERRIDES if k in config.names}
    if config.mlp_call:
        overrides["mlp_call"] = config.mlp_call
    shape = SHAPES[0]
    try:
        found = schema.clean("mlp.discover", call("mlp.discover", {
            "overrides": overrides, "api": api.to_dict(), "seed": config.seed,
            "shape": [shape.nin, list(shape.nouts)]}))
    except RunnerError as error:
        return [_result(c, Verdict("error", error.message, output=error.output), config)
                for c in MLP_CATEGORIES]
    except schema.Malformed as error:
        return [_result(c, _malformed(error), config) for c in MLP_CATEGORIES]
    if "error" in found or not found.get("ok"):
        message = f"{found.get('message', 'No network found.')} Nothing of the network could " \
                  "be graded."
        return [_result(c, Verdict("missing", message), config) for c in MLP_CATEGORIES]
    verdicts, _ = _run(Checks(call, api, found, config), MLP_CATEGORIES)
    failed = {c for c, r in engine_results.items() if r.status != "pass" and c != "deep"}
    redo = [c for c, v in verdicts.items() if v.status != "missing" and
            not (v.status == "pass" and v.clean)]
    if failed and redo:
        corrected, used = _run(Checks(call, api, found, config, correction(failed)), redo)
        for category in redo:
            verdicts[category] = _blame(category, verdicts[category], corrected[category],
                                        failed, used[category])
    _charge_steps_once(verdicts, found)
    return [_result(c, verdicts[c], config) for c in MLP_CATEGORIES]


def correction(failed: set[str]) -> Correction:
    """The ops that failed; backward() and every op when a category every backward() relies
    on failed: "your MLP passes once your engine's ... is fixed"."""
    if failed & BACKWARD_LEVEL:
        return Correction(OP_CATEGORIES, traverse=True)
    return Correction(tuple(c for c in OP_CATEGORIES if c in failed))


def _run(checks: Checks, categories: Any) -> tuple[dict[str, Verdict], dict[str, set[str]]]:
    """Each category's verdict, and the engine categories its probes used (corrected engine)."""
    methods: dict[str, Callable[[], Verdict]] = {
        "mlp.params": checks.params,
        "mlp.forward": checks.forward,
        "mlp.grad": checks.grad,
        "mlp.zero_grad": checks.zero_grad,
        "mlp.train": checks.train,
    }
    verdicts, used = {}, {}
    for category in categories:
        checks.used = set()
        try:
            verdicts[category] = methods[category]()
        except RunnerError as error:
            verdicts[category] = Verdict("error", f"The check could not run: {error.message}",
                                         output=error.output, crash="runner")
        except schema.Malformed as error:
            verdicts[category] = _malformed(error)
        except OracleError as error:
            verdicts[category] = Verdict("error", f"The check could not run: {error}",
                                         crash="oracle")
        used[category] = checks.used
    return verdicts, used


def _malformed(error: schema.Malformed) -> Verdict:
    return Verdict("error", f"The network check got an answer it cannot use ({error}): the "
                            "grading process was interfered with.", crash="malformed")


def _blame(category: str, student: Verdict, corrected: Verdict, failed: set[str],
           used: set[str]) -> Verdict:
    """The verdict that counts, once the corrected engine has had its say."""
    if corrected.crash is not None and corrected.crash != student.crash and \
            not corrected.crash.startswith("layout/"):  # a verdict, not a run that broke
        ops = join(failed)
        return Verdict(
            "error",
            f"{student.message} Your engine's {ops} failed, so this was checked again with a "
            f"corrected engine, which could not run your MLP either ({corrected.message}). "
            f"Fix {ops} and submit again; this category earns no points until then.",
            output=corrected.output)
    relevant = (used - {"backward"}) | {"api"}
    if "backward" in used:
        relevant |= BACKWARD_LEVEL
    blamed = failed & relevant
    if not blamed:
        return student
    them = "it" if len(blamed) == 1 else "them"
    note = (f" Checked with a corrected engine, because your {join(blamed)} failed: fix "
            f"{them} to be sure.")
    corrected.message += note
    return corrected


def _charge_steps_once(verdicts: dict[str, Verdict], found: dict) -> None:
    """A forward pass or a loss.backward() that raises is charged once, to the category that
    checks that step; a later check that could not run only because that step raised is not
    charged. Weights that cannot be located are charged to mlp.params when it failed too (the
    network holds the wrong number of Values), else to mlp.forward."""
    for step, owner in OWNERS.items():
        if not _raised_in(verdicts[owner], step):
            continue
        if step == "layout" and _raised_in(verdicts["mlp.params"], step):
            owner = "mlp.params"
        for category, check in CHECKS.items():
            if category == owner or not _raised_in(verdicts[category], step):
                continue
            if category == "mlp.zero_grad":  # its own effect was checked before the backward
                name = found.get("zero_grad") or "zero_grad"
                verdicts[category] = Verdict("pass", ZERO_GRAD_ONLY.format(
                    name=name, step=STEPS[step], owner=owner))
            else:
                verdicts[category] = Verdict("pass", NOT_CHECKED.format(
                    check=check, step=STEPS[step], owner=owner))


def _raised_in(verdict: Verdict, step: str) -> bool:
    """Whether the verdict is a failure because the network's own ``step`` raised."""
    return verdict.status in ("fail", "error") and (verdict.crash or "").startswith(f"{step}/")


def _result(category: str, verdict: Verdict, config: Config) -> CategoryResult:
    weight = float(config.weights.get(category, MLP_WEIGHTS[category]))
    return CategoryResult(
        category, verdict.status, weight if verdict.status == "pass" else 0.0, weight,
        verdict.message.strip(), verdict.counterexample, verdict.expected, verdict.got,
        verdict.hint, verdict.output)
