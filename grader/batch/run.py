"""Grade a class in worker threads that share one torch oracle and one set of drawn graphs.

Each student's code runs in its own sandboxed child, so the threads mostly wait on those
children and on the oracle process; the parent's own work (drawing graphs, shrinking a
failure) is what they share the interpreter for, and drawing is done once for the class.
A submission that fails in any way, or outlasts the time limit, gets an ungradable report
and the batch goes on.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from grader.api import _grade_file, ungradable
from grader.batch.names import report_names
from grader.config import Config
from grader.evaluate.oracle_process import OracleProcess, serving
from grader.generate.search import sharing_draws
from grader.results import Report

_POLL_SECONDS = 0.2


@dataclass
class Graded:
    """One student's report, and the unique name its files carry."""

    entry: Path
    name: str
    report: Report


def grade_class(
    entries: list[Path],
    config: Config,
    *,
    jobs: int,
    time_limit: float,
    on_done: Optional[Callable[[Graded], None]] = None,
) -> list[Graded]:
    """Every entry graded, in the entries' order; ``on_done`` is called as each finishes.

    ``time_limit`` bounds each submission's wall time; the sandbox's total budget is cut to
    it too, so a stopped submission's child ends by itself soon after.
    """
    config = replace(config, total_seconds=min(config.total_seconds, time_limit))
    names = report_names(entries)
    pool = _Pool(config, jobs, time_limit)
    try:
        with sharing_draws():
            graded = pool.run(entries, names, on_done)
    finally:
        pool.close()
    return [graded[entry] for entry in entries]


class _Pool:
    """``jobs`` worker threads sharing one oracle process. A thread stuck past the time limit
    is replaced and forgotten; an oracle process that died (killed, out of memory) is
    replaced before the next submission."""

    def __init__(self, config: Config, jobs: int, limit: float):
        self.config, self.jobs, self.limit = config, jobs, limit
        self.oracles = [OracleProcess()]  # the last one serves; earlier ones died
        self.todo: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[tuple[Path, Report]] = queue.SimpleQueue()
        self.started: dict[Path, float] = {}  # entries being graded, and since when
        self.lock = threading.Lock()

    def run(
        self,
        entries: list[Path],
        names: dict[Path, str],
        on_done: Optional[Callable[[Graded], None]],
    ) -> dict[Path, Graded]:
        for entry in entries:
            self.todo.put(entry)
        for _ in range(min(self.jobs, len(entries))):
            self._spawn()
        graded: dict[Path, Graded] = {}
        while len(graded) < len(entries):
            for entry, report in self._collect():
                if entry in graded:  # it finished after being given up on
                    continue
                graded[entry] = Graded(entry, names[entry], report)
                if on_done is not None:
                    on_done(graded[entry])
        return graded

    def _collect(self) -> list[tuple[Path, Report]]:
        """What finished in the last moment, and what ran out of time (its worker is
        replaced, so the batch keeps ``jobs`` threads working)."""
        finished = []
        with contextlib.suppress(queue.Empty):
            finished.append(self.done.get(timeout=_POLL_SECONDS))
        now = time.monotonic()
        with self.lock:
            late = [e for e, t in self.started.items() if now - t > self.limit]
            for entry in late:
                del self.started[entry]
        for entry in late:
            message = (
                f"Grading this submission took longer than the time limit of {self.limit:g} s, "
                "so it was stopped and not graded. Look for a loop that never ends or code "
                "that is very slow."
            )
            finished.append((entry, ungradable(message, self.config, str(entry))))
            self._spawn()
        return finished

    def _spawn(self) -> None:
        threading.Thread(target=self._work, daemon=True).start()

    def close(self) -> None:
        for oracle in self.oracles:
            oracle.close()

    def _oracle(self) -> OracleProcess:
        with self.lock:
            if not self.oracles[-1].alive:
                self.oracles.append(OracleProcess())
            return self.oracles[-1]

    def _work(self) -> None:
        while True:
            try:
                entry = self.todo.get_nowait()
            except queue.Empty:
                return
            with self.lock:
                self.started[entry] = time.monotonic()
            oracle = self._oracle()
            with serving(oracle):
                report = grade_one(entry, self.config, oracle)
            with self.lock:
                given_up = entry not in self.started
                self.started.pop(entry, None)
            self.done.put((entry, report))
            if given_up:  # a replacement took this thread's place
                return


def grade_one(entry: Path, config: Config, oracle: OracleProcess) -> Report:
    """One submission's report, whatever happens: a failure of the grader itself on it
    becomes an ungradable report (and a line for the instructor on standard error)."""
    try:
        return _grade_file(entry, config, oracle)
    except Exception as error:  # noqa: BLE001 - one submission never stops the batch
        print(f"grader: internal error on {entry.name}: {error!r}", file=sys.stderr)
        message = (
            "The grader itself failed on this submission; your instructor has been told. "
            f"({type(error).__name__})"
        )
        return ungradable(message, config, str(entry))
