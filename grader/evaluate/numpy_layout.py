"""Between the grader's canonical arrays and the student's layout (parent side).

Canonical: examples in rows, ``W`` of shape (in, out), ``b`` of shape (out,). A submission
may keep examples in columns, ``W`` as (out, in), and ``b`` as (out, 1) or (1, out): found by
probing (grader.discover.numpy_net) and applied here both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np


@dataclass
class Layout:
    """How one submission holds its arrays."""

    columns: bool = False  # examples in columns (X is in x n)
    out_in: bool = False  # W is (out, in)
    bias: str = "flat"  # "flat" (out,), "row" (1, out) or "column" (out, 1)

    @classmethod
    def from_found(cls, found: dict[str, Any]) -> Layout:
        linear = found.get("linear") or {}
        shape = linear.get("b_shape")
        bias = "column" if found.get("style") == "functions" else "flat"
        if shape and len(shape) == 2:
            bias = "row" if shape[0] == 1 else "column"
        return cls(found.get("layout") == "columns", found.get("w_shape") == "out_in", bias)

    def data(self, x: np.ndarray) -> np.ndarray:
        """X, Z, A, dZ, Y: rows -> the student's layout (and back: it is its own inverse)."""
        return x.T if self.columns else x

    def weight(self, w: np.ndarray) -> np.ndarray:
        return w.T if self.out_in else w

    def bias_to(self, b: np.ndarray) -> np.ndarray:
        if self.bias == "row":
            return b.reshape(1, -1)
        if self.bias == "column":
            return b.reshape(-1, 1)
        return b.reshape(-1)

    def bias_shape(self, out: int) -> tuple[int, ...]:
        return self.bias_to(np.zeros(out)).shape

    def bias_from(self, b: np.ndarray) -> Optional[np.ndarray]:
        """The student's bias (or its gradient) as (out,), if it has one row or column."""
        if b.ndim == 1 or 1 in b.shape:
            return b.reshape(-1)
        return None


MAX_CELLS = 100_000  # an array larger than this is refused both ways


def encode(value: Any) -> Any:
    """Arrays as plain data (shape, a flat list of floats, dtype), both ways; numbers and
    lists of arrays as they are. ValueError for what is not numbers, or is too large."""
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    array = np.asarray(value)
    if array.dtype.kind not in "fiub" or array.size > MAX_CELLS:
        raise ValueError(f"it returned {type(value).__name__}, not an array of numbers")
    return {"shape": list(array.shape), "data": array.astype(np.float64).ravel().tolist(),
            "dtype": str(array.dtype)}


def decode(value: Any) -> Any:
    """An array sent by ``encode``, checked: None for anything malformed or too large."""
    if isinstance(value, list):
        return [decode(v) for v in value[:16]]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if not isinstance(value, dict):
        return None
    shape, data = value.get("shape"), value.get("data")
    if not (isinstance(shape, list) and all(isinstance(k, int) and 0 <= k <= MAX_CELLS
                                            for k in shape) and len(shape) <= 4):
        return None
    if not isinstance(data, list) or len(data) != int(np.prod(shape)) or len(data) > MAX_CELLS:
        return None
    try:
        array = np.array(data, dtype=np.float64).reshape(shape)
    except (TypeError, ValueError):
        return None
    return array
