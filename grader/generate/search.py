"""Search for a failing graph with Hypothesis, deterministically, and shrink it."""

from __future__ import annotations

import zlib
from random import Random
from typing import Callable, Optional

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

from grader.graph import Graph


def find_failure(
    strategy: SearchStrategy[Graph],
    fails: Callable[[Graph], bool],
    *,
    budget: int,
    seed: int,
    key: str,
) -> Optional[Graph]:
    """The smallest failing graph Hypothesis finds in ``budget`` examples, or None.

    The random source depends only on ``seed`` and ``key``, and no example database is read
    or written, so the same engine and seed always meet the same graphs.
    """
    config = settings(
        max_examples=budget,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    random = Random(seed * 1_000_003 + zlib.crc32(key.encode()))
    try:
        return find(strategy, fails, settings=config, random=random)
    except NoSuchExample:
        return None
