"""Misconceptions: the hints the grader confirmed (a model of the bug reproduced the
student's numbers, or the error has a known cause), as a class report counts them and as
Gradescope tags.

When several bug models fit one failure, the student's hint is their hints joined; it is
split back into them here, so that each misconception is counted on its own.
"""

from __future__ import annotations

import functools
import re

from grader.results import CategoryResult

TAG_CHARS = 80
_SENTENCE_END = re.compile(r"(?<=[.?!])\s")


def misconceptions(result: CategoryResult) -> list[str]:
    """The confirmed misconceptions of a category that did not pass (none if it passed)."""
    if result.status not in ("fail", "error") or not result.hint:
        return []
    return _split(result.hint.strip())


def tag(hint: str) -> str:
    """A short label for a misconception: its first sentence, cut to ``TAG_CHARS``."""
    first = _SENTENCE_END.split(hint.strip(), maxsplit=1)[0]
    if len(first) > TAG_CHARS:
        first = first[: TAG_CHARS - 3].rstrip() + "..."
    return first


def _split(hint: str) -> list[str]:
    """The bug models' hints that make up ``hint``, in order; the whole hint when it is not
    made of them only (an error's hint, the MLP's)."""
    parts, rest = [], hint
    while rest:
        found = next((known for known in _model_hints() if rest.startswith(known)), None)
        if found is None:
            return [hint]
        parts.append(found)
        rest = rest[len(found) :].lstrip()
    return parts


@functools.lru_cache(maxsize=1)
def _model_hints() -> tuple[str, ...]:
    from grader.diagnose.models import MODELS

    return tuple(sorted({m.hint.strip() for m in MODELS}, key=len, reverse=True))
