"""Find how a submission spells its engine: the class, its attributes and its method names.

Runs in the sandboxed child: it constructs instances of the student's class to see where the
number and the gradient live. Overrides (from the CLI or the rubric) always win.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from grader.discover.api import EngineAPI
from grader.ops import takes_value

DATA_NAMES = ("data", "value", "val", "scalar", "x", "v", "num", "item")
GRAD_NAMES = ("grad", "gradient", "g", "grad_value", "dx", "d")
BACKWARD_NAMES = ("backward", "backprop", "back_prop", "backpropagate", "backward_pass", "bwd")
METHOD_NAMES: dict[str, tuple[str, ...]] = {
    "exp": ("exp",),
    "log": ("log", "ln"),
    "tanh": ("tanh",),
    "sigmoid": ("sigmoid", "sig", "sigm", "logistic", "sgm"),
    "relu": ("relu", "ReLU", "Relu"),
}
OPERATORS: dict[str, str] = {
    "add": "__add__",
    "radd": "__radd__",
    "sub": "__sub__",
    "rsub": "__rsub__",
    "mul": "__mul__",
    "rmul": "__rmul__",
    "neg": "__neg__",
    "truediv": "__truediv__",
    "rtruediv": "__rtruediv__",
    "pow": "__pow__",
}
_PROBE = 2.5


class DiscoveryError(Exception):
    """The submission has no usable engine; the message says what was looked for."""


def discover(namespace: dict[str, Any], overrides: Optional[dict[str, Any]] = None) -> EngineAPI:
    """The engine API of the submission's namespace."""
    overrides = dict(overrides or {})
    cls = find_class(namespace, overrides.get("class_name"))
    probe = _construct(cls)
    api = EngineAPI(
        class_name=cls.__name__,
        data_attr=overrides.get("data_attr") or _find_data(probe),
        grad_attr=overrides.get("grad_attr") or _find_grad(probe),
        backward=overrides.get("backward") or _find_backward(cls),
        methods=_find_methods(cls, overrides.get("methods") or {}),
    )
    api.static = [op for op, name in api.methods.items() if takes_value(cls, name)]
    return api


def missing_operators(cls: type) -> dict[str, str]:
    """Categories whose Python operator the class does not define: category -> dunder."""
    return {
        cat: f"{dunder} method" for cat, dunder in OPERATORS.items() if _own(cls, dunder) is None
    }


def find_class(namespace: dict[str, Any], name: Optional[str]) -> type:
    """The configured class, else ``Value``, else the one class shaped like an engine."""
    if name:
        found = namespace.get(name)
        if isinstance(found, type):
            return found
        raise DiscoveryError(f"No class named {name!r} is defined in your submission.")
    value = namespace.get("Value")
    if isinstance(value, type):
        return value
    shaped = [
        obj
        for obj in namespace.values()
        if isinstance(obj, type) and _own(obj, "__add__") and _backward_name(obj)
    ]
    if len(shaped) == 1:
        return shaped[0]
    if shaped:
        names = ", ".join(sorted(c.__name__ for c in shaped))
        raise DiscoveryError(
            f"Several classes look like an autograd engine ({names}). "
            "Name yours Value, or pass --class NAME."
        )
    almost = sorted(c.__name__ for c in namespace.values()
                    if isinstance(c, type) and _own(c, "__add__"))
    if len(almost) == 1:
        raise DiscoveryError(
            f"No engine class found: your class {almost[0]} defines __add__ but no backward "
            "method, and backward() is what is graded. Add a backward(self) method that sets "
            "the output's grad to 1 and calls every node's _backward in reverse topological "
            "order."
        )
    raise DiscoveryError(
        "No engine class found: looked for a class named Value, or a class that defines "
        "__add__ and a backward method. Define class Value in your file."
    )


def _construct(cls: type) -> Any:
    try:
        return cls(_PROBE)
    except BaseException as error:  # noqa: B036 - student code may raise anything
        raise DiscoveryError(
            f"{cls.__name__}({_PROBE}) raised {type(error).__name__}: {error}. "
            f"The grader creates values as {cls.__name__}(number)."
        ) from None


def attributes(obj: Any) -> dict[str, Any]:
    """An object's attributes by name: its __slots__ (all classes) and its __dict__."""
    found: dict[str, Any] = {}
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()) or ():
            if isinstance(slot, str) and hasattr(obj, slot):
                found[slot] = getattr(obj, slot)
    found.update(getattr(obj, "__dict__", {}) or {})
    return found


def _is_number(x: Any, target: float) -> bool:
    try:
        return not isinstance(x, bool) and math.isclose(float(x), target)
    except (TypeError, ValueError, OverflowError):
        return False


def _pick(attributes: dict[str, Any], preferred: tuple[str, ...], target: float) -> Optional[str]:
    holding = [name for name, x in attributes.items() if _is_number(x, target)]
    for name in preferred:
        if name in holding:
            return name
    public = [name for name in holding if not name.startswith("_")]
    candidates = public or holding
    return candidates[0] if candidates else None


def _find_data(probe: Any) -> str:
    name = _pick(attributes(probe), DATA_NAMES, _PROBE)
    if name is None:
        raise DiscoveryError(
            f"{type(probe).__name__}({_PROBE}) does not keep {_PROBE} in any attribute "
            f"(looked for {', '.join(DATA_NAMES)}). Store the number, e.g. self.data = data."
        )
    return name


def _find_grad(probe: Any) -> str:
    name = _pick(attributes(probe), GRAD_NAMES, 0.0)
    if name is None:
        raise DiscoveryError(
            f"A new {type(probe).__name__} has no gradient attribute equal to 0 "
            f"(looked for {', '.join(GRAD_NAMES)}). Start every value with self.grad = 0.0."
        )
    return name


def _find_backward(cls: type) -> str:
    name = _backward_name(cls)
    if name is None:
        raise DiscoveryError(
            f"{cls.__name__} has no backward method (looked for {', '.join(BACKWARD_NAMES)})."
        )
    return name


def _backward_name(cls: type) -> Optional[str]:
    for name in BACKWARD_NAMES:
        if callable(getattr(cls, name, None)):
            return name
    others = [n for n in dir(cls) if "back" in n.lower() and callable(getattr(cls, n, None))]
    return others[0] if len(others) == 1 else None


def _find_methods(cls: type, overrides: dict[str, str]) -> dict[str, str]:
    methods = {}
    lowered = {n.lower(): n for n in dir(cls) if callable(getattr(cls, n, None))}
    for op, names in METHOD_NAMES.items():
        if op in overrides:
            methods[op] = overrides[op]
            continue
        for name in names:
            if name in lowered.values() or name.lower() in lowered:
                methods[op] = name if callable(getattr(cls, name, None)) else lowered[name.lower()]
                break
    return methods


def _own(cls: type, name: str) -> Optional[Any]:
    """The attribute if the class (not object) defines it."""
    for klass in cls.__mro__:
        if klass is object:
            return None
        if name in vars(klass):
            return vars(klass)[name]
    return None
