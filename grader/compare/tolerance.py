"""When a student's number counts as equal to torch's.

The tolerance is float64's unless a grade judges an engine that computes in float32: then
``judged_at(FLOAT32)`` widens it for that grade (a context variable, so grades in one process
do not leak into each other).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Optional

RTOL = 1e-7
ATOL = 1e-9
FLOAT64 = (RTOL, ATOL)
ARRAYS = (1e-6, 1e-9)  # numpy mode: hand-derived passes sum in another order than torch
FLOAT32 = (2e-4, 2e-5)  # float32 keeps about 7 digits; errors grow through a graph

_TOLERANCE: ContextVar[tuple[float, float]] = ContextVar("tolerance", default=FLOAT64)


def close(
    got: Optional[float],
    expected: float,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
) -> bool:
    """|got - expected| <= atol + rtol * |expected|; a missing or non-finite number never is.
    Without ``rtol`` and ``atol``, the tolerance of the current grade."""
    if got is None or not math.isfinite(got):
        return False
    default_rtol, default_atol = _TOLERANCE.get()
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    return abs(got - expected) <= atol + rtol * abs(expected)


@contextmanager
def judged_at(tolerance: tuple[float, float]) -> Iterator[None]:
    """Compare at ``tolerance`` (rtol, atol) inside the ``with``."""
    token = _TOLERANCE.set(tolerance)
    try:
        yield
    finally:
        _TOLERANCE.reset(token)


def is_float32(numbers: list[Optional[float]]) -> bool:
    """Whether every number is exactly a float32, and some are not whole numbers."""
    import numpy as np

    found = [x for x in numbers if x is not None and math.isfinite(x)]
    fractions = [x for x in found if not float(x).is_integer()]
    return bool(fractions) and all(float(np.float32(x)) == x for x in found)
