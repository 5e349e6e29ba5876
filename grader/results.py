"""The verdict: what every stage after scoring (reports, CLI, tests) reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional

Status = Literal["pass", "fail", "missing", "error"]


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


@dataclass
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

    def __str__(self) -> str:
        from grader.report.text import to_text

        return to_text(self)

    def _repr_markdown_(self) -> str:
        from grader.report.text import to_markdown

        return to_markdown(self)
