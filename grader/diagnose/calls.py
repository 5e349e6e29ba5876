"""Blame through the student's call structure: an op that fails only because a method it
calls fails is not charged; the method it calls is.

``calls`` says, per category, which of the student's methods ran inside it (recorded in the
child, see grader/evaluate/calls.py). A failing category is excused when every one of its
failing examples passes once the failing methods it calls are replaced by corrected ones
(``passes_with``, the counterfactual). Blame then follows the callees down to the ones
that are charged: ``__sub__`` built on ``__neg__`` built on a broken ``__mul__`` is blamed on
``__mul__``. A method the engine lacks never runs, so it is never recorded: the categories
charged as missing are candidates too, and only those the counterfactual needs are kept
(an ``__rsub__`` written ``other + (-self)`` fails when ``__radd__`` is missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable


def blame(
    failing: list[str],
    calls: dict[str, set[str]],
    passes_with: Callable[[str, list[str]], bool],
    missing: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Excused category -> the charged categories it fails through (sorted).

    ``missing``: categories charged as missing, callees whether recorded or not. A category
    whose failing callees include none that stays charged is not excused: two methods that
    call each other cannot excuse each other.
    """
    absent = set(missing)
    charged = set(failing) | absent
    through: dict[str, set[str]] = {}
    for category in _callees_first(failing, calls):
        suspects = sorted((calls.get(category, set()) & charged) - {category})
        found = _explaining(category, suspects, sorted(absent - {category}), passes_with)
        if found:
            charged.discard(category)
            through[category] = set(found)
    roots = {c: _roots(c, through, charged) for c in through}
    return {c: sorted(r) for c, r in roots.items() if r}


def _explaining(
    category: str,
    suspects: list[str],
    absent: list[str],
    passes_with: Callable[[str, list[str]], bool],
) -> list[str]:
    """The callees whose correction makes the category pass: its failing recorded callees,
    else those with the fewest missing methods added that still do; [] when none do."""
    if suspects and passes_with(category, suspects):
        return suspects
    extra = [c for c in absent if c not in suspects]
    if not extra or not passes_with(category, sorted(suspects + extra)):
        return []
    for candidate in list(extra):
        rest = [c for c in extra if c != candidate]
        if passes_with(category, sorted(suspects + rest)):
            extra = rest
    return sorted(suspects + extra)


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
