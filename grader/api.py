"""The in-process and file entry points: ``check(Value)`` and ``grade(path)``."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional, Union

from grader.compare.tolerance import judged_at
from grader.config import Config, load_config
from grader.discover.api import EngineAPI
from grader.evaluate.oracle_process import LocalOracle, OracleProcess, serving
from grader.evaluate.runner import InProcessRunner, Runner
from grader.results import CategoryResult, Report


def check(
    value_class: type,
    config: Optional[Config] = None,
    namespace: Optional[dict[str, Any]] = None,
    **settings: Any,
) -> Report:
    """Grade a Value class defined in this process (for a student's own notebook).

    The Neuron, Layer and MLP are looked for beside the class: in the notebook's (or the
    module's) globals, or in ``namespace`` when given.
    """
    config = config or load_config(**settings)
    if namespace is None:
        module = sys.modules.get(value_class.__module__)
        namespace = dict(vars(module)) if module is not None else {}
    namespace = {**namespace, value_class.__name__: value_class}
    config = replace(config, names={"class_name": value_class.__name__, **config.names})
    runner = InProcessRunner(namespace)
    return grade_runner(runner, config, LocalOracle(), submission=value_class.__name__)


def grade_runner(
    runner: Runner,
    config: Config,
    oracle: Union[OracleProcess, LocalOracle],
    submission: Optional[str] = None,
) -> Report:
    """Discover the API through the runner, check every category, and score it."""
    from grader.mlp import grade_mlp
    from grader.pipeline import EngineGrader
    from grader.score.rubric import total

    started = time.perf_counter()
    found = runner.discover(config.names)
    if not found.get("ok"):
        return ungradable(found.get("message", "No engine found."), config, submission)
    api = EngineAPI.from_dict(found["api"])
    grader = EngineGrader(runner, api, found.get("missing", {}), config, oracle)
    results = grader.grade()
    with judged_at(grader.tolerance):  # an MLP on a float32 engine computes in float32 too
        results += grade_mlp(runner.call, api, {r.id: r for r in results}, config)
    score, max_score = total(results)
    return Report(
        score=score,
        max_score=max_score,
        categories=results,
        detected=api.describe(),
        notes=grader.notes,
        seed=config.seed,
        submission=submission,
        graphs_checked=grader.graphs_checked,
        execution_time=round(time.perf_counter() - started, 3),
    )


def ungradable(message: str, config: Config, submission: Optional[str] = None) -> Report:
    """A score of 0 with the reason, for a submission that cannot be run at all: every
    category is listed (an autograder's table stays complete), none graded."""
    note = "Not graded: your submission could not be loaded (see above)."
    categories = [
        CategoryResult(category, "error", 0.0, float(weight), note)
        for category, weight in config.weights.items()
    ]
    max_score = sum(c.max_score for c in categories)
    return Report(0.0, max_score, categories, notes=[message], seed=config.seed,
                  submission=submission, gradable=False)


def grade(path: Union[str, Path], config: Optional[Config] = None, **settings: Any) -> Report:
    """Grade a submission (.py, .ipynb or folder), its code confined to a sandboxed child."""
    oracle = OracleProcess()  # first: it imports torch while the rest gets ready
    try:
        with serving(oracle):
            return _grade_file(path, config or load_config(**settings), oracle)
    finally:
        oracle.close()


def _grade_file(path: Union[str, Path], config: Config, oracle: OracleProcess) -> Report:
    from grader.evaluate.runner import RunnerError
    from grader.evaluate.sandboxed import SandboxRunner
    from grader.load import LoadError, load_submission, stubs
    from grader.sandbox import Limits, Sandbox

    try:
        submission = load_submission(
            path, execute_all=config.execute_all, engine_hint=config.names.get("class_name")
        )
    except LoadError as error:
        return ungradable(str(error), config, str(path))
    limits = Limits(
        call_seconds=config.call_seconds,
        total_seconds=config.total_seconds,
        memory_mb=config.memory_mb,
    )
    inject = {stubs.INJECT_AS: "grader.load.stubs:missing_module"}
    with Sandbox(submission.source, submission.path.name, limits, inject=inject) as sandbox:
        runner = SandboxRunner(sandbox, submission)
        try:
            runner.start()
            report = grade_runner(runner, config, oracle, submission=str(submission.path))
            missing = runner.call("submission.missing_modules", {})
        except RunnerError as error:
            return ungradable(error.message, config, str(submission.path))
    if report.gradable:
        report.notes = [*submission.notes, *_missing_notes(missing), *report.notes]
    else:  # the reason it cannot be graded comes first
        report.notes = [*report.notes, *submission.notes]
    return report


def _missing_notes(missing: Any) -> list[str]:
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        return []
    return [
        f"Your code imports {name}, which is not available while grading; the grader went "
        "on without it (fine as long as your engine does not use it)."
        for name in missing
    ]
