"""The in-process and file entry points: ``check(Value)`` and ``grade(path)``."""

from __future__ import annotations

import random
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional, Union

from grader.config import Config, load_config
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
        namespace = vars(module) if module is not None else {}
    if namespace.get(value_class.__name__) is not value_class:
        namespace = {**namespace, value_class.__name__: value_class}
    # The student's own namespace, not a copy: their Neuron's code looks the class up there,
    # and a re-check corrects that very class for a moment (grader/mlp/corrected.py).
    config = replace(config, names={"class_name": value_class.__name__, **config.names})
    runner = InProcessRunner(namespace)
    with _random_state_kept(namespace):
        report = grade_runner(runner, config, LocalOracle(), submission=value_class.__name__)
    return shown(report)


def shown(report: Report) -> Report:
    """In a script, print the report: nothing else would show it. At a prompt or in a
    notebook the returned report displays itself (the notebook with the failing graphs
    drawn), and printing it as well would show it twice."""
    if not _interactive():
        print(report)
    return report


def _interactive() -> bool:
    """A Python prompt (``sys.ps1`` is set) or an IPython kernel or shell."""
    if hasattr(sys, "ps1"):
        return True
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython is not None and get_ipython() is not None


@contextmanager
def _random_state_kept(namespace: dict[str, Any]) -> Iterator[None]:
    """Restore the global state of ``random`` (and numpy's, if loaded) after grading."""
    state = random.getstate()
    numpy = sys.modules.get("numpy")
    numpy_random = getattr(numpy, "random", None)
    numpy_state = numpy_random.get_state() if numpy_random is not None else None
    try:
        yield
    finally:
        random.setstate(state)
        if numpy_random is not None and numpy_state is not None:
            numpy_random.set_state(numpy_state)


def grade_runner(
    runner: Runner,
    config: Config,
    oracle: Union[OracleProcess, LocalOracle],
    submission: Optional[str] = None,
) -> Report:
    """Discover the API through the runner, check every category, and score it."""
    from grader.score.rubric import total
    from grader.subjects import choose

    started = time.perf_counter()
    subject, found = choose(runner, config)
    if subject is None:
        return ungradable(found.get("message", "No engine found."), config, submission)
    graded = subject.grade(runner, config, oracle, found)
    score, max_score = total(graded.results)
    return Report(
        score=score,
        max_score=max_score,
        categories=graded.results,
        detected=graded.detected,
        notes=graded.notes,
        seed=config.seed,
        submission=submission,
        graphs_checked=graded.checked,
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


def grade(
    path: Union[str, Path],
    config: Optional[Config] = None,
    oracle: Optional[OracleProcess] = None,
    **settings: Any,
) -> Report:
    """Grade a submission (.py, .ipynb or folder), its code confined to a sandboxed child.

    ``oracle``: an oracle process to share between grades (torch is imported once); it stays
    open. Without it, one is started for this grade.
    """
    if oracle is not None:
        with serving(oracle):
            return _grade_file(path, config or load_config(**settings), oracle)
    oracle = OracleProcess()  # first: it imports torch while the rest gets ready
    try:
        with serving(oracle):
            return _grade_file(path, config or load_config(**settings), oracle)
    finally:
        oracle.close()


# One load at a time: in CPython 3.11 ast.parse in two threads at once can fail with
# "SystemError: AST constructor recursion depth mismatch" (grader batch grades in threads).
_LOADING = threading.Lock()


def _grade_file(path: Union[str, Path], config: Config, oracle: OracleProcess) -> Report:
    from grader.sandbox.staging import staged

    path = Path(path)
    if not path.is_dir() or path.is_symlink():
        return _grade_source(path, path, config, oracle, [])
    with staged(path) as copy:  # a folder is read from a private copy, links left out
        return _grade_source(copy.path, path, config, oracle, copy.notes())


def _grade_source(
    path: Path, shown: Path, config: Config, oracle: OracleProcess, notes: list[str]
) -> Report:
    """Grade the submission at ``path``, which the student knows as ``shown``."""
    from grader.evaluate.runner import RunnerError
    from grader.evaluate.sandboxed import SandboxRunner
    from grader.load import LoadError, load_submission, stubs
    from grader.load.loader import NO_ENGINE_NOTE
    from grader.sandbox import Limits, Sandbox
    from grader.score.omissions import charge_omissions

    try:
        with _LOADING:
            submission = load_submission(
                path, execute_all=config.execute_all, engine_hint=config.names.get("class_name")
            )
    except LoadError as error:
        return ungradable(str(error), config, str(shown))
    name = str(shown / submission.path.relative_to(path)) if path != shown else str(shown)
    limits = Limits(
        call_seconds=config.call_seconds,
        total_seconds=config.total_seconds,
        memory_mb=config.memory_mb,
    )
    inject = {
        stubs.INJECT_AS: "grader.load.stubs:missing_module",
        stubs.SKIP_AS: "grader.load.stubs:skipped",
        stubs.SHARE_AS: "grader.load.stubs:shared_module",
        stubs.IPYTHON_AS: "grader.load.stubs:ipython_name",
    }
    hide = [str(shown.resolve().parent)]  # the student's folder and its neighbours
    with Sandbox(submission.source, submission.path.name, limits, inject=inject,
                 hide=hide) as sandbox:
        runner = SandboxRunner(sandbox, submission)
        try:
            runner.start()
            report = grade_runner(runner, config, oracle, submission=name)
            missing = runner.missing_modules()
            skipped = _skipped_note(runner.call("submission.skipped", {}), submission)
        except RunnerError as error:
            return ungradable(error.message, config, name)
    if report.gradable:  # what was graded was found: the loader's guess that none was goes
        report = charge_omissions(report, [o.sentence() for o in submission.supplied])
        loaded = [n for n in submission.notes if not n.startswith(NO_ENGINE_NOTE)]
        report.notes = [*notes, *loaded, *skipped, *_missing_notes(missing), *report.notes]
    else:  # the reason it cannot be graded comes first
        report.notes = [*report.notes, *notes, *skipped, *submission.notes]
    return report


def _skipped_note(skipped: Any, submission: Any) -> list[str]:
    """One note for the top-level statements that raised and were skipped, where and why."""
    if not isinstance(skipped, list) or not skipped:
        return []
    lines = submission.source.split("\n")
    shown = []
    for entry in skipped[:5]:
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], int)
                and isinstance(entry[1], int) and isinstance(entry[2], str)):
            continue  # the child's answer is checked, never trusted
        statement, line, words = entry[0], entry[1], entry[2][:200]
        text = lines[statement - 1].strip() if 0 < statement <= len(lines) else ""
        defined = re.match(r"(class|def)\s+(\w+)", text)
        kind = {"class": "class", "def": "function"}
        what = f", in the {kind[defined[1]]} `{defined[2]}`" if defined else ""
        shown.append(f"{submission.locate(line)}{what} ({words})")
    more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return [
        f"Skipped {len(skipped)} top-level statement(s) that raised an error while loading, "
        f"as a notebook run with errors allowed would: {'; '.join(shown)}{more}."
    ]


def _missing_notes(missing: Any) -> list[str]:
    """One note for the imported modules the grading environment lacks."""
    if not isinstance(missing, list) or not missing:
        return []
    if not all(isinstance(m, str) for m in missing):
        return []
    names = ", ".join(f"`{name}`" for name in missing)
    which = "which is" if len(missing) == 1 else "which are"
    return [
        f"Your code imports {names}, {which} not available while grading; the grader went on "
        "without it (fine as long as your engine does not use it)."
    ]
