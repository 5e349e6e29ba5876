"""Buggy engines for the diagnose tests: mutated copies of the reference engine, run for real.

The fingerprint tests must not take their numbers from the bug models (that would be
circular), so every bug here is a source edit of the reference engine, executed as code.
"""

from __future__ import annotations

import random
import re
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable

from grader.discover.api import EngineAPI
from grader.graph import Graph, Step, expression

REFERENCE = (Path(__file__).parent / "reference_copy.py").read_text()

Edit = Callable[[str], str]

# The derived ops written directly, each with its own _backward (the reference builds
# them from +, * and **). Lines use += / -= so the generic edits below apply.
DIRECT = '''
    def __neg__(self):
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad -= out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        out = Value(other + self.data, (self,), "radd")

        def _backward():
            self.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __rsub__(self, other):
        out = Value(other - self.data, (self,), "rsub")

        def _backward():
            self.grad -= out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        out = Value(other * self.data, (self,), "rmul")

        def _backward():
            self.grad += other * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data**2 * out.grad

        out._backward = _backward
        return out

    def __rtruediv__(self, other):
        out = Value(other / self.data, (self,), "rdiv")

        def _backward():
            self.grad -= other / self.data**2 * out.grad

        out._backward = _backward
        return out
'''

# backward() as students often write it: a recursive topological sort with no visited set.
NO_VISITED = '''
    def backward(self):
        topo = []

        def build(v):
            for child in v._prev:
                build(child)
            topo.append(v)

        build(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
'''

# backward() as in micrograd: a recursive topological sort with a visited set.
RECURSIVE = '''
    def backward(self):
        topo = []
        visited = set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
'''


def _block(src: str, method: str) -> tuple[int, int]:
    start = src.index(f"    def {method}(")
    end = src.find("\n    def ", start + 1)
    return start, end if end >= 0 else src.index("\n\n\ndef ", start)


def replace(method: str, old: str, new: str) -> Edit:
    """Replace ``old`` (which must occur) inside one method."""

    def edit(src: str) -> str:
        start, end = _block(src, method)
        assert old in src[start:end], f"{old!r} not in {method}"
        return src[:start] + src[start:end].replace(old, new) + src[end:]

    return edit


def _regex(method: str, *subs: tuple[str, str]) -> Edit:
    def edit(src: str) -> str:
        start, end = _block(src, method)
        block = src[start:end]
        for pattern, repl in subs:
            block = re.sub(pattern, repl, block)
        assert block != src[start:end], f"nothing changed in {method}"
        return src[:start] + block + src[end:]

    return edit


def overwrite(method: str) -> Edit:
    """Every `x.grad += d` in the method's _backward becomes `x.grad = d`."""
    return _regex(
        method, (r"\.grad \+= (.*)", r".grad = \1"), (r"\.grad -= (.*)", r".grad = -(\1)")
    )


def no_chain(method: str) -> Edit:
    """The method's _backward forgets `* out.grad`."""
    return _regex(
        method, (r" \* out\.grad", ""), (r"out\.grad / ", "1 / "), (r"= out\.grad", "= 1.0")
    )


def whole(method: str, new: str) -> Edit:
    """Replace a whole method by ``new`` source."""

    def edit(src: str) -> str:
        start, end = _block(src, method)
        return src[:start] + new.strip("\n") + "\n" + src[end:]

    return edit


def engine(*edits: Edit, direct: bool = False) -> type:
    """The reference Value class, with derived ops written ``direct``ly, after ``edits``."""
    src = REFERENCE
    if direct:
        start, end = src.index("    def __neg__("), src.index("    def __repr__(")
        src = src[:start] + DIRECT.strip("\n") + "\n\n" + src[end:]
    for edit in edits:
        src = edit(src)
    module = types.ModuleType("mutant")
    exec(compile(src, "<mutant>", "exec"), module.__dict__)
    return module.Value


def run(cls: type, graph: Graph) -> list[dict[str, Any]]:
    """Every lane's values and grads with a Value class, as the grader reads them."""
    api = EngineAPI()
    names = [f"n{i}" for i in range(graph.n_nodes)]
    lanes: list[dict[str, Any]] = []
    for inputs in graph.inputs:
        nodes = {names[i]: cls(x) for i, x in enumerate(inputs)}
        try:
            for k, step in enumerate(graph.steps):
                code = expression(graph, step, api, names)
                nodes[names[graph.n_leaves + k]] = eval(code, {}, dict(nodes))
            nodes[names[-1]].backward()
        except (ArithmeticError, ValueError) as error:
            lanes.append({"error": {"type": type(error).__name__}})
            continue
        lanes.append({"values": [_number(v.data) for v in nodes.values()],
                      "grads": [_number(v.grad) for v in nodes.values()]})
    return lanes


def _number(x: Any) -> float | None:
    """A float, or None for anything else (a complex number), as the grader reads it."""
    return float(x) if isinstance(x, (int, float)) else None


def graph(lanes: Sequence[tuple[float, ...]], *steps: tuple[Any, ...]) -> Graph:
    """A graph from leaf values per lane and steps written (op, args) or (op, args, const)."""
    made = tuple(Step(s[0], tuple(s[1]), s[2] if len(s) > 2 else None) for s in steps)
    return Graph(tuple(lanes), made)


_UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "pow", "add_c", "radd", "sub_c",
          "rsub", "mul_c", "rmul", "truediv_c", "rtruediv"]
_BINARY = ["add", "sub", "mul", "truediv"]


def random_graph(rng: random.Random, n_steps: int, n_leaves: int = 3, lanes: int = 4) -> Graph:
    """A random connected-ish graph; some lanes may leave a domain (log of a negative)."""
    steps = []
    for k in range(n_steps):
        n = n_leaves + k
        recent = n - 1 if rng.random() < 0.6 else rng.randrange(n)
        if rng.random() < 0.5:
            steps.append(Step(rng.choice(_BINARY), (rng.randrange(n), recent)))
        else:
            op = rng.choice(_UNARY)
            const = rng.choice([2, 3, -1]) if op == "pow" else rng.choice([2.0, -1.5, 0.5])
            steps.append(Step(op, (recent,), const if op not in _UNARY[:6] else None))
    inputs = tuple(tuple(rng.uniform(0.3, 1.6) for _ in range(n_leaves)) for _ in range(lanes))
    return Graph(inputs, tuple(steps))


class KarpathyValue:
    """micrograd's own engine (set children, recursive visited sort), for an outside check."""

    def __init__(self, data: float, _children: tuple[Any, ...] = (), _op: str = ""):
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other: Any) -> KarpathyValue:
        other = other if isinstance(other, KarpathyValue) else KarpathyValue(other)
        out = KarpathyValue(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> KarpathyValue:
        other = other if isinstance(other, KarpathyValue) else KarpathyValue(other)
        out = KarpathyValue(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, other: float) -> KarpathyValue:
        out = KarpathyValue(self.data**other, (self,), f"**{other}")

        def _backward() -> None:
            self.grad += (other * self.data ** (other - 1)) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> KarpathyValue:
        import math

        t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
        out = KarpathyValue(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> KarpathyValue:
        out = KarpathyValue(0 if self.data < 0 else self.data, (self,), "ReLU")

        def _backward() -> None:
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self) -> None:
        topo: list[KarpathyValue] = []
        seen: set[KarpathyValue] = set()

        def build(v: KarpathyValue) -> None:
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __neg__(self) -> KarpathyValue:
        return self * -1

    def __radd__(self, other: Any) -> KarpathyValue:
        return self + other

    def __sub__(self, other: Any) -> KarpathyValue:
        return self + (-other)

    def __rsub__(self, other: Any) -> KarpathyValue:
        return other + (-self)

    def __rmul__(self, other: Any) -> KarpathyValue:
        return self * other

    def __truediv__(self, other: Any) -> KarpathyValue:
        return self * other**-1

    def __rtruediv__(self, other: Any) -> KarpathyValue:
        return other * self**-1
