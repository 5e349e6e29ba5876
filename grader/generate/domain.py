"""Where each op is safe to draw: correct engines agree with torch there to tight tolerance.

Values are known while a graph is drawn (one numpy array per node, one entry per lane), so an
op is only applied where it is valid on every lane: log of positive numbers, no division near
zero, no exp overflow, relu away from its kink, tanh and sigmoid away from saturation, and
every node's magnitude bounded.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from grader import ops
from grader.graph import Number

BOUND = 1e3  # largest magnitude a node may take
Array = np.ndarray

PLAIN_CONSTANTS: tuple[Number, ...] = (2.0, -1.0, 3, 0.5, -2.5, 1.5, -3, 4.0)
EXPONENTS: tuple[Number, ...] = (2, 3, -1, -2, 0.5, 1.5, -0.5, 2.0, 4, 1, 0)

_UNARY: dict[str, Callable[[Array], Array]] = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0.0),
}


_CHECKS: dict[str, Callable[[Array], Array]] = {
    "exp": lambda x: x <= 4.0,
    "log": lambda x: x >= 0.1,
    "tanh": lambda x: np.abs(x) <= 5.0,
    "sigmoid": lambda x: np.abs(x) <= 8.0,
    "relu": lambda x: np.abs(x) >= 0.05,
}


def operands_valid(op: str, a: Array, b: Optional[Array], const: Optional[Number]) -> bool:
    """Whether the op's operands lie in its safe domain on every lane."""
    if op not in _CHECKS and op not in ("truediv", "rtruediv", "pow"):
        return True
    return bool(np.all(_operands_ok(op, a, b, const)))


def _operands_ok(op: str, a: Array, b: Optional[Array], const: Optional[Number]) -> Array:
    """Per lane, whether the op's operands lie in its safe domain."""
    if op in ("truediv", "rtruediv"):
        divisor = b if op == "truediv" and b is not None else a
        return np.abs(divisor) >= 0.1
    if op == "pow":
        assert const is not None
        if float(const).is_integer():
            return (np.abs(a) >= 0.1) & (np.abs(a) <= 10)
        return (a >= 0.1) & (a <= 10)
    check = _CHECKS.get(op)
    return np.ones(np.shape(a), dtype=bool) if check is None else check(a)


def apply(op: str, a: Array, b: Optional[Array], const: Optional[Number]) -> Optional[Array]:
    """The op's result on every lane, or None where the op must not be drawn."""
    if not operands_valid(op, a, b, const):
        return None
    result = _result(op, a, b, const)
    if not np.all(np.isfinite(result)) or np.any(np.abs(result) > BOUND):
        return None
    return result


def apply_lanes(
    op: str, a: Array, b: Optional[Array], const: Optional[Number]
) -> tuple[Array, Array]:
    """The op's result on every lane, and per lane whether ``apply`` would allow it there:
    lanes that are separate candidates, judged in one pass."""
    result = _result(op, a, b, const)
    ok = _operands_ok(op, a, b, const) & np.isfinite(result) & (np.abs(result) <= BOUND)
    return result, ok


def _result(op: str, a: Array, b: Optional[Array], const: Optional[Number]) -> Array:
    with np.errstate(all="ignore"):
        if op in _UNARY:
            return _UNARY[op](a)
        # Python's operators, as in ops.py, on numpy arrays
        return ops.apply(op, a, b, float(const) if const is not None else None)


def constants_for(op: str) -> tuple[Number, ...]:
    """The plain numbers that may stand beside a Value in this op."""
    return EXPONENTS if op == "pow" else PLAIN_CONSTANTS
