"""Search for a failing graph with Hypothesis, deterministically, and shrink it."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from random import Random
from typing import Callable, Optional

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import Flaky, NoSuchExample
from hypothesis.strategies import SearchStrategy

from grader.graph import Graph

SHRINK_BUDGET = 40  # evaluations spent shrinking after the first failure (then simplify() runs)


class _ShrunkEnough(BaseException):
    """Raised through Hypothesis to stop shrinking: not an Exception, so it is not taken for
    the test's own failure."""


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
    or written, so the same engine and seed always meet the same graphs. Shrinking stops
    after ``SHRINK_BUDGET`` evaluations (a count, so it stays deterministic): each costs a
    round trip to the student's engine, and the grader simplifies the result further.
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
    failing: list[Graph] = []
    spent = [0]

    def remember(graph: Graph) -> bool:
        if failing:
            spent[0] += 1
            if spent[0] > SHRINK_BUDGET:
                raise _ShrunkEnough
        if fails(graph):
            failing.append(graph)
            return True
        return False

    def smallest() -> Optional[Graph]:
        return min(failing, key=lambda g: (len(g.steps), g.n_leaves)) if failing else None

    with _no_local_constants():
        try:
            return find(strategy, remember, settings=config, random=random)
        except _ShrunkEnough:
            return smallest()
        except NoSuchExample:  # a graph that failed once and then passed still fails
            return smallest()
        except Flaky:  # the engine answers differently for the same graph (set order, state)
            return smallest()


@contextmanager
def _no_local_constants() -> Iterator[None]:
    """Keep Hypothesis from mining literals out of the "local" source files it sees.

    Which files count as local depends on how the grader and the submission are installed,
    so mined constants would make the drawn graphs differ between machines; mining also
    writes a .hypothesis/ cache into the working directory. Restored on exit.
    """
    try:
        from hypothesis.internal.conjecture import providers

        original = providers._get_local_constants
        empty = providers.Constants
        cache = providers.CONSTANTS_CACHE
    except (ImportError, AttributeError):  # a Hypothesis without constant mining
        yield
        return
    cache.cache.clear()
    providers._get_local_constants = empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def draw_examples(
    strategy: SearchStrategy[Graph], *, budget: int, seed: int, key: str
) -> list[Graph]:
    """The graphs ``find_failure`` meets, in order, when none of them fails.

    Drawing them ahead lets the engine and the oracle evaluate them in batches; a failing
    one is then searched again with ``find_failure``, which meets the same graphs first.
    Inside ``sharing_draws()`` each draw is made once and remembered.
    """
    memo_key = (repr(strategy), budget, seed, key)
    with _memo_lock:
        remembered = None if _memo is None else _memo.get(memo_key)
    if remembered is not None:
        return list(remembered)
    drawn: list[Graph] = []

    def record(graph: Graph) -> bool:
        drawn.append(graph)
        return False

    find_failure(strategy, record, budget=budget, seed=seed, key=key)
    with _memo_lock:
        if _memo is not None:
            _memo[memo_key] = tuple(drawn)
    return drawn


_memo: Optional[dict[tuple[str, int, int, str], tuple[Graph, ...]]] = None
_memo_lock = threading.Lock()


@contextmanager
def sharing_draws() -> Iterator[None]:
    """Within this block, ``draw_examples`` remembers its draws, so that a batch draws each
    check's graphs once for the whole class. What a draw gives depends only on the strategy
    (its repr names it with its arguments), the budget, the seed and the key, so the grades
    are the same. Local-constant mining stays off for the whole block, which makes searches
    in several threads at once safe from each other's patching."""
    global _memo
    with _memo_lock:
        outer, _memo = _memo, ({} if _memo is None else _memo)
    try:
        with _no_local_constants():
            yield
    finally:
        with _memo_lock:
            _memo = outer
