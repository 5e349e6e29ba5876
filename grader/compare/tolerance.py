"""When a student's number counts as equal to torch's."""

from __future__ import annotations

import math
from typing import Optional

RTOL = 1e-7
ATOL = 1e-9


def close(got: Optional[float], expected: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """|got - expected| <= atol + rtol * |expected|; a missing or non-finite number never is."""
    if got is None or not math.isfinite(got):
        return False
    return abs(got - expected) <= atol + rtol * abs(expected)
