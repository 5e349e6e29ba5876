"""A corrected engine that answers to the student's names, for re-checking their MLP.

Runs in the sandboxed child. The parent sends the source of ``reference/engine.py``; it is
exec'd in a fresh namespace and subclassed so that the student's Neuron, Layer and MLP can use
it unchanged: their data and gradient attributes become properties, their method names
aliases (``sig`` for ``sigmoid``), and methods the reference lacks are borrowed from the
student's class (they work when written in micrograd's style: ``_prev``, ``_backward``).
Every operation the MLP performs is recorded by category, so the parent knows which of the
engine's failures could have hurt the MLP.
"""

from __future__ import annotations

from typing import Any, Callable

from grader.discover.api import UNARY_METHODS, EngineAPI
from grader.discover.finder import OPERATORS

TRACED: dict[str, str] = {dunder: category for category, dunder in OPERATORS.items()}
TRACED.update({name: name for name in UNARY_METHODS})
TRACED["backward"] = "backward"

# Never borrowed from the student's class: the reference keeps these per instance or needs
# its own (a student's __eq__ would break hashing; a property "data" would hide the number).
_KEEP = {
    "__dict__", "__weakref__", "__slots__", "__module__", "__qualname__", "__doc__",
    "__hash__", "__eq__", "__init__", "__new__", "__init_subclass__", "__class_getitem__",
    "__getattr__", "__getattribute__", "__setattr__", "__delattr__", "__annotations__",
    "data", "grad", "_backward", "_prev", "_op",
}  # fmt: skip


def corrected_engine(source: str, student: type, api: EngineAPI) -> tuple[type, set[str]]:
    """The corrected class, named like the student's, and the set it records categories in."""
    namespace: dict[str, Any] = {"__name__": "grader_corrected_engine"}
    exec(compile(source, "<corrected engine>", "exec"), namespace)
    base: type = namespace["Value"]
    used: set[str] = set()
    depth = [0]
    body: dict[str, Any] = {"__init__": _init(base), "__module__": student.__module__}
    for name, category in TRACED.items():
        if callable(getattr(base, name, None)):
            body[name] = _traced(getattr(base, name), category, used, depth)
    for op, name in api.methods.items():
        if name != op and op in body:
            body[name] = body[op]
    if api.backward != "backward":
        body[api.backward] = body["backward"]
    for klass in reversed(student.__mro__[:-1]):
        for name, attr in vars(klass).items():
            if name not in body and name not in _KEEP and _lacks(base, name):
                body[name] = attr
    for name in {api.data_attr, api.grad_attr} - {"data", "grad"}:
        body.pop(name, None)
    if api.data_attr != "data":
        body[api.data_attr] = _alias("data")
    if api.grad_attr != "grad":
        body[api.grad_attr] = _alias("grad")
    adapter = type(student.__name__, (base,), body)
    namespace["Value"] = adapter  # the reference's own ops now build adapters too
    return adapter, used


def _lacks(base: type, name: str) -> bool:
    """Whether the reference has no ``name`` of its own (object's __lt__ does not count)."""
    return getattr(base, name, None) is getattr(object, name, None)


def _init(base: type) -> Callable[..., None]:
    def __init__(self: Any, data: Any = 0.0, _children: Any = (), _op: Any = "", *args: Any,
                 **kwargs: Any) -> None:
        if isinstance(data, base):
            data = data.data  # type: ignore[attr-defined]
        base.__init__(self, data, tuple(_children), str(_op))  # type: ignore[misc]

    return __init__


def _traced(fn: Callable[..., Any], category: str, used: set[str], depth: list[int]) -> Any:
    """``fn``, recording ``category`` when called from outside the engine."""

    def method(*args: Any, **kwargs: Any) -> Any:
        if depth[0] == 0:
            used.add(category)
        depth[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            depth[0] -= 1

    method.__name__ = getattr(fn, "__name__", category)
    return method


def _alias(name: str) -> property:
    def get(self: Any) -> Any:
        return getattr(self, name)

    def set_(self: Any, value: Any) -> None:
        setattr(self, name, value)

    return property(get, set_)
