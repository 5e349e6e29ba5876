"""Turn statuses into points: a category earns its whole weight when it passes, else nothing."""

from __future__ import annotations

from dataclasses import replace

from grader.config import Config
from grader.results import CategoryResult


def scored(result: CategoryResult, config: Config) -> CategoryResult:
    """The result with its score and max_score from the rubric's weight."""
    weight = config.weight(result.id)
    return replace(result, score=weight if result.status == "pass" else 0.0, max_score=weight)


def total(results: list[CategoryResult]) -> tuple[float, float]:
    """(score, max_score) over all categories."""
    return sum(r.score for r in results), sum(r.max_score for r in results)
