"""Hypothesis strategies that draw graphs as straight-line programs with shared nodes.

A drawn graph has a prefix of context ops, one or two steps of the target category, and a
suffix that consumes the target's result (often more than once). Operands point back at
earlier nodes, so ``x + x``, ``x * x`` and nodes shared by several later ops all occur, and
Hypothesis shrinks a failing graph towards fewer steps, earlier operands and simpler numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Optional, TypeVar

import numpy as np
from hypothesis import strategies as st

from grader.generate import domain
from grader.graph import Graph, Number, Step
from grader.ops import OPS

T = TypeVar("T")
MAX_LEAVES = 24
MAX_LANES = 64
# Fixed per-(leaf, lane) offsets: lane 0 is the drawn value itself, other lanes move it a little.
_JITTER = np.random.default_rng(20260101).uniform(-1.0, 1.0, size=(MAX_LEAVES, MAX_LANES, 2))
_JITTER[:, 0, :] = 0.0


def lanes_of(base: float, leaf: int, lanes: int) -> np.ndarray:
    """The leaf's value on every lane: the drawn base, then nearby values rounded to 4 places."""
    scale, shift = _JITTER[leaf % MAX_LEAVES, :lanes, 0], _JITTER[leaf % MAX_LEAVES, :lanes, 1]
    return np.round(base * (1.0 + 0.3 * scale) + 0.1 * shift, 4)


@cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of items, shrinking towards the first (cheaper than a fresh sampled_from)."""
    return items[draw(_integers(0, len(items) - 1))]


@dataclass
class _Builder:
    """Graph under construction; fresh leaves may be added at any time and are renumbered."""

    draw: st.DrawFn
    lanes: int
    values: list[np.ndarray] = field(default_factory=list)
    leaves: dict[int, float] = field(default_factory=dict)  # builder id -> base value
    steps: dict[int, Step] = field(default_factory=dict)  # builder id -> step over builder ids

    def leaf(self, base: float) -> int:
        node = len(self.values)
        self.values.append(lanes_of(base, len(self.leaves), self.lanes))
        self.leaves[node] = base
        return node

    def drawn_leaf(self) -> int:
        return self.leaf(self.draw(_integers(-30, 30)) / 10)

    def fresh_leaf(self, op: str) -> int:
        """A leaf on which the op is valid whatever else it meets (magnitude 0.5 to 2)."""
        base = self.draw(_integers(5, 20)) / 10
        positive_only = op in ("log", "pow")
        if not positive_only and self.draw(_integers(0, 1)):
            base = -base
        return self.leaf(base)

    def add_step(self, op: str, candidates: Sequence[int], must: bool) -> Optional[int]:
        """Apply op to operands drawn from candidates; fresh leaves where none fits."""
        spec = OPS[op]
        const: Optional[Number] = None
        if spec.has_const:
            const = pick(self.draw, domain.constants_for(op))
        first = self._operand(op, candidates, None, const)
        if first is None:
            if not must:
                return None
            first = self.fresh_leaf(op)
        args = [first]
        if spec.arity == 2:
            second = self._operand(op, candidates, first, const)
            if second is None:
                second = self.fresh_leaf(op) if must else None
            if second is None:
                return None
            args.append(second)
        result = self._result(op, args, const)
        if result is None and must:
            args = [self.fresh_leaf(op) for _ in args]
            result = self._result(op, args, const)
        if result is None:
            return None
        node = len(self.values)
        self.values.append(result)
        self.steps[node] = Step(op, tuple(args), const)
        return node

    def _operand(
        self, op: str, candidates: Sequence[int], first: Optional[int], const: Optional[Number]
    ) -> Optional[int]:
        if first is None and OPS[op].arity == 2:
            valid = list(candidates)
        elif first is None:
            valid = [n for n in candidates if self._result(op, [n], const) is not None]
        else:
            valid = [n for n in candidates if self._result(op, [first, n], const) is not None]
        return pick(self.draw, valid) if valid else None

    def _result(self, op: str, args: list[int], const: Optional[Number]) -> Optional[np.ndarray]:
        a = self.values[args[0]]
        b = self.values[args[1]] if len(args) > 1 else None
        return domain.apply(op, a, b, const)

    def graph(self) -> Graph:
        """Renumber: leaves first (in creation order), then steps."""
        order = list(self.leaves) + list(self.steps)
        index = {node: i for i, node in enumerate(order)}
        inputs = np.stack([self.values[n] for n in self.leaves], axis=1)
        steps = tuple(
            Step(s.op, tuple(index[a] for a in s.args), s.const) for s in self.steps.values()
        )
        return Graph(tuple(tuple(float(x) for x in lane) for lane in inputs), steps)


@st.composite
def graphs(
    draw: st.DrawFn,
    target: Sequence[str],
    context: Sequence[str] = (),
    *,
    alone: bool = False,
    lanes: int = 8,
    max_context: int = 3,
) -> Graph:
    """A graph that uses the target forms, alone on leaves or in context.

    ``context`` ops may surround the target; the suffix consumes the target's result.
    """
    builder = _Builder(draw, lanes)
    for _ in range(draw(_integers(1, 3))):
        builder.drawn_leaf()
    if alone:
        leaves = list(builder.leaves)
        builder.add_step(pick(draw, target), leaves, must=True)
        return builder.graph()
    surround = list(context) or list(target)
    for _ in range(draw(_integers(0, max_context))):
        builder.add_step(pick(draw, surround), range(len(builder.values)), must=False)
    first_target = len(builder.values)
    for _ in range(draw(_integers(1, 2))):
        builder.add_step(pick(draw, target), range(len(builder.values)), must=True)
    for _ in range(draw(_integers(1, max_context))):
        consumers = range(first_target, len(builder.values))
        op = pick(draw, list(target) + surround)
        if OPS[op].arity == 2 and draw(_integers(0, 1)):
            builder.add_step(op, range(len(builder.values)), must=False)
        else:
            builder.add_step(op, consumers, must=False)
    return builder.graph()


@st.composite
def mixed_graphs(
    draw: st.DrawFn, ops: Sequence[str], *, lanes: int = 8, max_steps: int = 10, share: bool = False
) -> Graph:
    """Random mixed graphs over ``ops``; with ``share``, operands favour already-used nodes."""
    builder = _Builder(draw, lanes)
    for _ in range(draw(_integers(1, 2 if share else 4))):
        builder.drawn_leaf()
    for _ in range(draw(_integers(2, max_steps))):
        nodes: Sequence[int] = range(len(builder.values))
        if share:
            used = sorted({a for s in builder.steps.values() for a in s.args} | set(builder.steps))
            if used and draw(_integers(0, 1)) == 1:
                nodes = used
        builder.add_step(pick(draw, list(ops)), nodes, must=not builder.steps)
    return builder.graph()
