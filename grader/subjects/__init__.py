"""What is graded: the seam each grading mode fills.

A subject finds itself in a submission (through the runner, so in the sandboxed child) and
grades its own categories; every stage around it (load, sandbox, score, report) is shared.

- ``scalar``: a micrograd-style ``Value`` engine and the Neuron/Layer/MLP on top of it
  (grader.pipeline for the engine, grader.mlp for the network);
- ``numpy``: a numpy network with hand-written backward passes (grader.subjects.numpy_net).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Protocol, Union

from grader.config import Config
from grader.evaluate.oracle_process import LocalOracle, OracleProcess
from grader.evaluate.runner import Runner
from grader.results import CategoryResult

Oracle = Union[OracleProcess, LocalOracle]


@dataclass
class Graded:
    """A subject's verdicts, what it detected, how many examples it checked, and notes."""

    results: list[CategoryResult]
    detected: dict[str, str] = field(default_factory=dict)
    checked: int = 0
    notes: list[str] = field(default_factory=list)


class Subject(Protocol):
    """One kind of assignment."""

    name: str

    def find(self, runner: Runner, config: Config) -> dict[str, Any]:
        """Plain data with ``ok`` (and ``message`` when not found)."""

    def grade(self, runner: Runner, config: Config, oracle: Oracle,
              found: dict[str, Any]) -> Graded: ...


def choose(runner: Runner, config: Config) -> tuple[Optional[Subject], dict[str, Any]]:
    """The first subject the submission holds (the rubric's ``mode`` may name it), or None
    with the reason."""
    from grader.subjects.numpy_net import NumpySubject
    from grader.subjects.scalar import ScalarSubject

    every: list[Subject] = [ScalarSubject(), NumpySubject()]
    candidates = [s for s in every if config.mode in ("auto", s.name)]
    reasons: list[dict[str, Any]] = []
    for subject in candidates:
        found = subject.find(runner, config)
        if found.get("ok"):
            return subject, found
        reasons.append(found)
    later = [r for r in reasons[1:] if r.get("message")]  # a numpy network, half found
    return None, later[0] if later else reasons[0]
