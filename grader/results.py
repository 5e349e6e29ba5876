"""The verdict: what every stage after scoring (reports, CLI, tests) reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional

Status = Literal["pass", "fail", "missing", "error"]


@dataclass
class GraphNode:
    """One node of a failing graph: how it was made, and its numbers expected against got.

    Numbers are text (``format(x, ".6g")``), so that a ``nan`` the engine returned stays
    valid JSON; ``None`` where the engine gave no number (it raised first).
    """

    name: str  # a, b, t1, ..., out
    code: str  # the Python that made it, in the student's names: "a * b", "a.tanh()", "a"
    inputs: list[int]  # the nodes the op reads, in order (a node read twice appears twice)
    value: str
    grad: str
    value_got: Optional[str] = None
    grad_got: Optional[str] = None
    value_wrong: bool = False
    grad_wrong: bool = False


@dataclass
class FailingGraph:
    """The smallest failing graph of a category, for its picture: every node, the first
    wrong one, and the edges (input, node) the wrong gradient flowed back through."""

    nodes: list[GraphNode]
    first_wrong: Optional[int]  # the node to highlight, or None
    kind: str  # what is wrong there first: "value", "grad" or "error"
    marked: list[tuple[int, int]] = field(default_factory=list)



@dataclass
class Verdict:
    """One category's outcome before scoring (a network or a numpy-mode check)."""

    status: Status
    message: str
    expected: Optional[str] = None
    got: Optional[str] = None
    hint: Optional[str] = None
    counterexample: Optional[str] = None
    clean: bool = True  # False: passed, but only by a weaker check worth repeating
    crash: Optional[str] = None  # "where/ErrorType" when the student's code raised; "layout/..."
    output: str = ""


@dataclass
class CategoryResult:
    """The verdict on one category (an op, a property of backward, or the MLP)."""

    id: str
    status: Status
    score: float
    max_score: float
    message: str
    counterexample: Optional[str] = None
    expected: Optional[str] = None
    got: Optional[str] = None
    hint: Optional[str] = None
    output: str = ""
    graph: Optional[FailingGraph] = field(default=None, repr=False)  # for its picture


@dataclass(repr=False)
class Report:
    """The whole grade of one submission."""

    score: float
    max_score: float
    categories: list[CategoryResult]
    detected: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seed: int = 0
    submission: Optional[str] = None
    gradable: bool = True
    graphs_checked: int = 0
    execution_time: float = 0.0

    def category(self, category_id: str) -> CategoryResult:
        """The result of one category, by its stable id."""
        for result in self.categories:
            if result.id == category_id:
                return result
        raise KeyError(category_id)

    def failed(self) -> list[str]:
        """Ids of the categories that did not pass."""
        return [c.id for c in self.categories if c.status != "pass"]

    @property
    def passed(self) -> bool:
        """Whether every category that carries points passed."""
        return self.gradable and all(c.status == "pass" for c in self.categories if c.max_score)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report (schema in README.md)."""
        return asdict(self)

    def __repr__(self) -> str:
        """Short, for a REPL: the whole report is ``str(report)`` or ``print(report)``."""
        shown = f"{self.score:g}/{self.max_score:g}" if self.gradable else "not gradable"
        failed = [c.id for c in self.categories if c.status != "pass" and c.max_score]
        tail = f", not passed: {', '.join(failed)}" if failed else ""
        return f"<Report {self.submission or 'engine'}: {shown}{tail}>"

    def __str__(self) -> str:
        from grader.report.text import to_text

        return to_text(self)

    def _repr_markdown_(self) -> str:
        from grader.report.text import to_markdown

        return to_markdown(self)

    def _repr_html_(self) -> str:
        from grader.report.html import to_html_fragment

        return to_html_fragment(self)
