"""Misconceptions: the hints the grader confirmed (a model of the bug reproduced the
student's numbers, or the error has a known cause), as a class report counts them and as a
Gradescope tag."""

from __future__ import annotations

import re
from typing import Optional

from grader.results import CategoryResult

TAG_CHARS = 80
_SENTENCE_END = re.compile(r"(?<=[.?!])\s")


def misconception(result: CategoryResult) -> Optional[str]:
    """The confirmed hint of a category that did not pass, or None."""
    if result.status in ("fail", "error") and result.hint:
        return result.hint.strip()
    return None


def tag(hint: str) -> str:
    """A short label for a hint: its first sentence, cut to ``TAG_CHARS`` characters."""
    first = _SENTENCE_END.split(hint.strip(), maxsplit=1)[0]
    if len(first) > TAG_CHARS:
        first = first[: TAG_CHARS - 3].rstrip() + "..."
    return first
