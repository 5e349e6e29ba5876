"""Blame through the student's call structure: an op that fails only because a method it
calls fails is not charged; the method it calls is.

``calls`` says, per category, which of the student's methods ran inside it (recorded in the
child, see grader/evaluate/calls.py). A failing category is excused when every one of its
failing examples passes once the failing methods it calls are replaced by corrected ones
(``passes_with``, the counterfactual). Blame then follows the callees down to the ones
that are charged: ``__sub__`` built on ``__neg__`` built on a broken ``__mul__`` is blamed on
``__mul__``.
"""

from __future__ import annotations

from typing import Callable


def blame(
    failing: list[str],
    calls: dict[str, set[str]],
    passes_with: Callable[[str, list[str]], bool],
) -> dict[str, list[str]]:
    """Excused category -> the charged categories it fails through (sorted).

    A category whose failing callees include none that stays charged is not excused: two
    methods that call each other cannot excuse each other.
    """
    charged = set(failing)
    through: dict[str, set[str]] = {}
    for category in _callees_first(failing, calls):
        suspects = sorted((calls.get(category, set()) & charged) - {category})
        if suspects and passes_with(category, suspects):
            charged.discard(category)
            through[category] = set(suspects)
    roots = {c: _roots(c, through, charged) for c in through}
    return {c: sorted(r) for c, r in roots.items() if r}


def _callees_first(failing: list[str], calls: dict[str, set[str]]) -> list[str]:
    """Failing categories, those that call fewer methods first (a callee before its caller)."""
    return sorted(failing, key=lambda c: (len(calls.get(c, set())), c))


def _roots(category: str, through: dict[str, set[str]], charged: set[str]) -> set[str]:
    found: set[str] = set()
    todo, seen = list(through[category]), {category}
    while todo:
        callee = todo.pop()
        if callee in seen:
            continue
        seen.add(callee)
        if callee in charged:
            found.add(callee)
        else:
            todo.extend(through.get(callee, ()))
    return found
