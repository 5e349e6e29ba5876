"""Compare what the student's engine returned with the oracle, node by node and lane by lane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from grader.compare.tolerance import close


@dataclass
class Mismatch:
    """The first thing wrong on one lane: an error, or a node's value or gradient."""

    lane: int
    kind: str  # "error", "malformed", "value" or "grad"
    node: Optional[int] = None
    expected: Optional[float] = None
    got: Optional[float] = None
    error: Optional[dict[str, Any]] = None


def compare(values: np.ndarray, grads: np.ndarray, got: Any) -> Optional[Mismatch]:
    """The first mismatch (lane 0 first, then the others), or None when all agree."""
    lanes = values.shape[1]
    if not isinstance(got, list) or len(got) != lanes:
        return Mismatch(0, "malformed")
    for lane in range(lanes):
        mismatch = compare_lane(values[:, lane], grads[:, lane], got[lane], lane)
        if mismatch:
            return mismatch
    return None


def compare_lane(
    values: np.ndarray, grads: np.ndarray, got: Any, lane: int = 0
) -> Optional[Mismatch]:
    """Values in forward order first, then gradients from the output back to the leaves."""
    if isinstance(got, dict) and isinstance(got.get("error"), dict):
        return Mismatch(lane, "error", error=got["error"])
    if not well_formed(got, len(values)):
        return Mismatch(lane, "malformed")
    for node, (want, have) in enumerate(zip(values, got["values"])):
        if not close(have, float(want)):
            return Mismatch(lane, "value", node, float(want), have)
    for node in reversed(range(len(grads))):
        have = got["grads"][node]
        if not close(have, float(grads[node])):
            return Mismatch(lane, "grad", node, float(grads[node]), have)
    return None


def well_formed(got: Any, n_nodes: int) -> bool:
    """One lane's answer: values and grads, each ``n_nodes`` plain numbers (or None)."""
    if not isinstance(got, dict):
        return False
    lists = [got.get("values"), got.get("grads")]
    return all(
        isinstance(xs, list)
        and len(xs) == n_nodes
        and all(x is None or (type(x) in (int, float)) for x in xs)
        for xs in lists
    )
