"""Hand-picked graphs for the classic bugs, tried before the random search.

``x + x``, ``x * x``, a result used twice (``t = f(x); t * t``) and a result used beside its
own input (``t = x.tanh(); t + x``): the shapes where overwriting a gradient instead of
accumulating it shows at once. And an op on a computed operand (``u = x * y; u.tanh()``):
there a closure attached to the operand instead of the result shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from grader.generate import domain
from grader.generate.strategies import lanes_of
from grader.graph import Graph, Number, Step
from grader.ops import OPS

_LEAVES = (1.3, 0.8)
_COMBINE = ("add", "mul")


def classic_graphs(target: Sequence[str], trusted: Sequence[str], lanes: int) -> list[Graph]:
    """The classic shapes for every target form, combined with trusted binary ops only."""
    combiners = [op for op in _COMBINE if op in trusted or op in target]
    found: list[Optional[Graph]] = []
    for op in target:
        const = _constant(op)
        operands = (0, 0) if OPS[op].arity == 2 else (0,)
        found.append(_graph([Step(op, operands, const)], lanes))
        first = Step(op, (0, 1) if OPS[op].arity == 2 else (0,), const)
        for combine in combiners:
            found.append(_graph([first, Step(combine, (2, 2))], lanes))
            found.append(_graph([first, Step(combine, (2, 0))], lanes))
        for combine in combiners:
            on_computed = Step(op, (2, 1) if OPS[op].arity == 2 else (2,), const)
            found.append(_graph([Step(combine, (0, 1)), on_computed], lanes))
    return [g for g in found if g is not None]


def diamond_graphs(target: Sequence[str], trusted: Sequence[str], lanes: int) -> list[Graph]:
    """An interior node reached along two paths: ``t = f(a, b); u = t + a; v = t * b; u + v``.

    A backward() without a visited set runs t's backward twice here, whatever the order of
    a set of children, so the gradients of a and b come out too large.
    """
    combiners = [op for op in _COMBINE if op in trusted]
    found: list[Optional[Graph]] = []
    for op in target:
        shared = Step(op, (0, 1) if OPS[op].arity == 2 else (0,), _constant(op))
        for left in combiners:
            for right in combiners:
                join = Step(left, (3, 4))
                steps = [shared, Step(left, (2, 0)), Step(right, (2, 1)), join]
                found.append(_graph(steps, lanes))
    return [g for g in found if g is not None]


def _constant(op: str) -> Optional[Number]:
    if not OPS[op].has_const:
        return None
    return 3 if op == "pow" else 2.0


def _graph(steps: list[Step], lanes: int) -> Optional[Graph]:
    """The graph on the fixed leaves, or None where an op leaves its safe domain."""
    values = [lanes_of(base, i, lanes) for i, base in enumerate(_LEAVES)]
    for step in steps:
        a = values[step.args[0]]
        b = values[step.args[1]] if len(step.args) > 1 else None
        result = domain.apply(step.op, a, b, step.const)
        if result is None:
            return None
        values.append(result)
    inputs = tuple(tuple(float(v[lane]) for v in values[:2]) for lane in range(lanes))
    return Graph(inputs, tuple(steps))
