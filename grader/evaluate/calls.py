"""The student's call structure, and corrected ops that stand in for theirs (child side).

``record_calls`` lists, per step of a graph, which of the student's own op methods ran while
the step was computed: a ``__sub__`` written as ``self + (-other)`` runs ``__neg__`` (and what
that calls) and ``__add__``. ``corrected`` replaces some of those methods, for the duration of
a ``with``, by right ones bound to the student's names: the data and grad attributes, and the
children attribute and ``_backward`` closure found by probing a node the student's code built.
Nothing here knows which op is built on which: that is what the recording finds out.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Callable, Optional

from grader.discover.api import EngineAPI
from grader.discover.finder import OPERATORS
from grader.graph import Graph
from grader.ops import OPS, apply, call_method

_REFLECTED = {"radd": "add", "rsub": "sub", "rmul": "mul", "rtruediv": "truediv"}
_VALUE_FORMS = {"add", "sub", "mul", "truediv"}  # categories whose other operand may be a Value


def method_names(api: EngineAPI) -> dict[str, str]:
    """Category -> the name of the student's method for it."""
    names = dict(OPERATORS)
    names.update(api.methods)
    return names


def record_calls(cls: type, api: EngineAPI, graph: Graph) -> list[list[str]]:
    """Per step (first lane, leaves fresh), the categories of the student's methods that ran
    inside it, its own top-level call left out; an empty list for a step that raised."""
    log: list[str] = []
    calls: list[list[str]] = []
    with _traced(cls, method_names(api), log):
        try:
            nodes = [cls(x) for x in graph.inputs[0]]
        except BaseException:  # noqa: B036 - student code may raise anything
            return [[] for _ in graph.steps]
        for step in graph.steps:
            log.clear()
            op = OPS[step.op]
            b = nodes[step.args[1]] if op.arity == 2 else None
            try:
                method = api.methods.get(op.category)
                out = apply(step.op, nodes[step.args[0]], b, step.const, method)
            except BaseException:  # noqa: B036
                out = None
            calls.append(_callees(log, op.category))
            nodes.append(out if out is not None else nodes[step.args[0]])
    return calls


def _callees(log: list[str], own: str) -> list[str]:
    """The categories called inside the op: the log without its first call, when that is
    the op's own method (``2 - a`` may reach ``__rsub__`` first, or another method)."""
    inner = log[1:] if log and log[0] == own else log
    return sorted(set(inner) - {own})


@contextmanager
def _traced(cls: type, names: dict[str, str], log: list[str]) -> Iterator[None]:
    wrappers = {}
    for category, name in names.items():
        original = defined(cls, name)
        if original is not None:
            wrappers[name] = _recording(original, category, log)
    with replaced(cls, wrappers):
        yield


def _recording(fn: Callable[..., Any], category: str, log: list[str]) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        log.append(category)
        return fn(*args, **kwargs)

    method.__name__ = getattr(fn, "__name__", category)
    return method


def defined(cls: type, name: str) -> Optional[Callable[..., Any]]:
    """The plain function the class (or a base of it) defines under ``name``, if any."""
    for klass in cls.__mro__[:-1]:
        found = vars(klass).get(name)
        if isinstance(found, staticmethod):  # Value.relu(x): a plain function of the value
            found = found.__func__
        if found is not None:
            return found if callable(found) and hasattr(found, "__code__") else None
    return None


@contextmanager
def replaced(cls: type, methods: dict[str, Callable[..., Any]]) -> Iterator[None]:
    """Set ``methods`` on the class, and put back exactly what was there afterwards."""
    own = {name: vars(cls)[name] for name in methods if name in vars(cls)}
    try:
        for name, fn in methods.items():
            setattr(cls, name, fn)
        yield
    finally:
        for name in methods:
            if name in own:
                setattr(cls, name, own[name])
            else:
                with suppress(AttributeError):
                    delattr(cls, name)


# -- corrected ops ----------------------------------------------------------------------------


class Shape:
    """Where a node built by the student's code keeps its children and its backward closure."""

    def __init__(self, children: str, kind: type, closure: str):
        self.children = children
        self.kind = kind  # tuple, list, set, ...
        self.closure = closure


def probe_shape(cls: type, api: EngineAPI) -> Optional[Shape]:
    """The children attribute and closure attribute of a node built by one of the student's
    ops (the first that runs), or None when no node shows them."""
    names = method_names(api)
    for category in ("add", "mul", "tanh", "exp", "sigmoid", "relu", "sub", "pow", "log"):
        name = names.get(category)
        try:
            a, b = cls(0.6), cls(0.7)
            if category in _VALUE_FORMS:
                out = getattr(a, name)(b)  # type: ignore[arg-type]
            elif category == "pow":
                out = getattr(a, name)(2)  # type: ignore[arg-type]
            else:
                out = call_method(a, name)  # type: ignore[arg-type]
            attrs = _attributes(out)
        except BaseException:  # noqa: B036
            continue
        children = [k for k, v in attrs.items() if _holds(v, a)]
        leaf = _attributes(a)
        closures = [k for k, v in attrs.items() if _is_function(v) and _is_function(leaf.get(k))]
        closures.sort(key=lambda k: "backward" not in k)
        if children and closures:
            return Shape(children[0], type(attrs[children[0]]), closures[0])
    return None


def _attributes(obj: Any) -> dict[str, Any]:
    found = dict(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if isinstance(slot, str) and hasattr(obj, slot):
                found[slot] = getattr(obj, slot)
    return found


def _holds(container: Any, node: Any) -> bool:
    if not isinstance(container, (tuple, list, set, frozenset)):
        return False
    return any(item is node for item in container)


def _is_function(value: Any) -> bool:
    return callable(value) and hasattr(value, "__code__")


@contextmanager
def corrected(cls: type, api: EngineAPI, categories: list[str], shape: Shape) -> Iterator[None]:
    """The student's methods for ``categories`` replaced by right ones, bound to their names
    (a method the engine lacks is added under its category's name: ``exp``)."""
    names = method_names(api)
    methods = {names.get(c, c): _corrected(c, cls, api, shape) for c in categories if c in OPS}
    with replaced(cls, methods):
        yield


def _corrected(category: str, cls: type, api: EngineAPI, shape: Shape) -> Callable[..., Any]:
    def method(self: Any, other: Any = None) -> Any:
        operands, form, const = _operands(category, cls, self, other)
        numbers = [float(getattr(v, api.data_attr)) for v in operands]
        x, y = numbers[0], numbers[1] if len(numbers) > 1 else 0.0
        value = _FORWARD[form](x, y, const)
        out = cls(value)
        derivatives = _BACKWARD[form](x, y, const, value)

        def _backward() -> None:
            g = getattr(out, api.grad_attr)
            for node, d in zip(operands, derivatives):
                setattr(node, api.grad_attr, getattr(node, api.grad_attr) + d * g)

        setattr(out, shape.children, shape.kind(operands))
        setattr(out, shape.closure, _backward)
        return out

    method.__name__ = category
    return method


def _operands(category: str, cls: type, this: Any, other: Any) -> tuple[list[Any], str, float]:
    """The Value operands, the form (op id) and the constant of one call."""
    if category in _REFLECTED and isinstance(other, cls):  # a Value on the left, oddly
        return [other, this], _REFLECTED[category], 0.0
    if isinstance(other, cls):
        return [this, other], category, 0.0
    if other is None:
        return [this], category, 0.0
    form = f"{category}_c" if category in _VALUE_FORMS else category
    return [this], form, float(other)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


_FORWARD: dict[str, Callable[[float, float, float], float]] = {
    "add": lambda x, y, c: x + y, "add_c": lambda x, y, c: x + c, "radd": lambda x, y, c: c + x,
    "sub": lambda x, y, c: x - y, "sub_c": lambda x, y, c: x - c, "rsub": lambda x, y, c: c - x,
    "mul": lambda x, y, c: x * y, "mul_c": lambda x, y, c: x * c, "rmul": lambda x, y, c: c * x,
    "neg": lambda x, y, c: -x, "truediv": lambda x, y, c: x / y,
    "truediv_c": lambda x, y, c: x / c, "rtruediv": lambda x, y, c: c / x,
    "pow": lambda x, y, c: x**c, "exp": lambda x, y, c: math.exp(x),
    "log": lambda x, y, c: math.log(x), "tanh": lambda x, y, c: math.tanh(x),
    "sigmoid": lambda x, y, c: _sigmoid(x), "relu": lambda x, y, c: max(x, 0.0),
}  # fmt: skip
_BACKWARD: dict[str, Callable[[float, float, float, float], tuple[float, ...]]] = {
    "add": lambda x, y, c, o: (1.0, 1.0), "add_c": lambda x, y, c, o: (1.0,),
    "radd": lambda x, y, c, o: (1.0,), "sub": lambda x, y, c, o: (1.0, -1.0),
    "sub_c": lambda x, y, c, o: (1.0,), "rsub": lambda x, y, c, o: (-1.0,),
    "mul": lambda x, y, c, o: (y, x), "mul_c": lambda x, y, c, o: (c,),
    "rmul": lambda x, y, c, o: (c,), "neg": lambda x, y, c, o: (-1.0,),
    "truediv": lambda x, y, c, o: (1.0 / y, -o / y), "truediv_c": lambda x, y, c, o: (1.0 / c,),
    "rtruediv": lambda x, y, c, o: (-o / x,),
    "pow": lambda x, y, c, o: (c * x ** (c - 1) if c else 0.0,),
    "exp": lambda x, y, c, o: (o,), "log": lambda x, y, c, o: (1.0 / x,),
    "tanh": lambda x, y, c, o: (1.0 - o * o,), "sigmoid": lambda x, y, c, o: (o * (1.0 - o),),
    "relu": lambda x, y, c, o: (1.0 if o > 0 else 0.0,),
}  # fmt: skip


def traversal(api: EngineAPI, shape: Shape) -> Callable[[Any], None]:
    """A right backward() over the student's own nodes: every node once, each after all that
    use it, the output's grad set to 1 first, then each node's own closure called."""

    def backward(output: Any) -> None:
        order: list[Any] = []
        seen = {id(output)}
        stack = [(output, iter(_children(output, shape)))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif id(child) not in seen:
                seen.add(id(child))
                stack.append((child, iter(_children(child, shape))))
        setattr(output, api.grad_attr, 1.0)
        for node in reversed(order):
            closure = getattr(node, shape.closure, None)
            if callable(closure):
                closure()

    return backward


def _children(node: Any, shape: Shape) -> list[Any]:
    found = getattr(node, shape.children, ())
    return list(found) if isinstance(found, (tuple, list, set, frozenset)) else []


def sources(cls: type, api: EngineAPI) -> dict[str, Optional[str]]:
    """The source of the student's method per category, of backward() ("backward") and of
    the whole class ("class"); None where it cannot be found."""
    found: dict[str, Optional[str]] = {}
    for category, name in method_names(api).items():
        found[category] = _source(defined(cls, name))
    found["backward"] = _source(defined(cls, api.backward))
    methods = [_source(f) for k in cls.__mro__[:-1] for f in vars(k).values() if _is_function(f)]
    found["class"] = _source(cls) or "\n".join(m for m in methods if m) or None
    return found


def _source(obj: Any) -> Optional[str]:
    if obj is None:
        return None
    try:
        return textwrap.dedent(inspect.getsource(obj))
    except (OSError, TypeError):
        return None
