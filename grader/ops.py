"""Every operation form the grader draws: its category, arity and how it is written in Python.

An op id names one *form*: ``mul`` is ``a * b`` (Value * Value), ``mul_c`` is ``a * 2.0``
(Value * number) and ``rmul`` is ``2.0 * a`` (number * Value). Forms belong to categories,
the units that are scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Op:
    """One operation form."""

    id: str
    category: str
    arity: int  # how many Value operands
    has_const: bool  # whether a plain number takes part (operand or exponent)
    template: str  # Python source, with {a}, {b}, {c} and {method}

    @property
    def unary_method(self) -> bool:
        return "{method}" in self.template


_FORMS = [
    Op("add", "add", 2, False, "{a} + {b}"),
    Op("add_c", "add", 1, True, "{a} + {c}"),
    Op("radd", "radd", 1, True, "{c} + {a}"),
    Op("sub", "sub", 2, False, "{a} - {b}"),
    Op("sub_c", "sub", 1, True, "{a} - {c}"),
    Op("rsub", "rsub", 1, True, "{c} - {a}"),
    Op("mul", "mul", 2, False, "{a} * {b}"),
    Op("mul_c", "mul", 1, True, "{a} * {c}"),
    Op("rmul", "rmul", 1, True, "{c} * {a}"),
    Op("neg", "neg", 1, False, "-{a}"),
    Op("truediv", "truediv", 2, False, "{a} / {b}"),
    Op("truediv_c", "truediv", 1, True, "{a} / {c}"),
    Op("rtruediv", "rtruediv", 1, True, "{c} / {a}"),
    Op("pow", "pow", 1, True, "{a} ** {c}"),
    Op("exp", "exp", 1, False, "{a}.{method}()"),
    Op("log", "log", 1, False, "{a}.{method}()"),
    Op("tanh", "tanh", 1, False, "{a}.{method}()"),
    Op("sigmoid", "sigmoid", 1, False, "{a}.{method}()"),
    Op("relu", "relu", 1, False, "{a}.{method}()"),
]

OPS: dict[str, Op] = {op.id: op for op in _FORMS}

OP_CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(op.category for op in _FORMS))


def forms_of(category: str) -> list[str]:
    """The op ids that make up one category."""
    return [op.id for op in _FORMS if op.category == category]


_OPERATORS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add": lambda a, b, c: a + b,
    "add_c": lambda a, b, c: a + c,
    "radd": lambda a, b, c: c + a,
    "sub": lambda a, b, c: a - b,
    "sub_c": lambda a, b, c: a - c,
    "rsub": lambda a, b, c: c - a,
    "mul": lambda a, b, c: a * b,
    "mul_c": lambda a, b, c: a * c,
    "rmul": lambda a, b, c: c * a,
    "neg": lambda a, b, c: -a,
    "truediv": lambda a, b, c: a / b,
    "truediv_c": lambda a, b, c: a / c,
    "rtruediv": lambda a, b, c: c / a,
    "pow": lambda a, b, c: a**c,
}


def apply(
    op_id: str, a: Any, b: Any = None, const: Any = None, method: Optional[str] = None
) -> Any:
    """Perform one op with Python's own operators, on student Values and torch tensors alike.

    Unary ops are method calls (``a.tanh()``); ``method`` is the name the engine uses, called
    with the value as argument when the engine defines it as a static method (``Value.tanh(a)``).
    """
    op = OPS[op_id]
    if op.unary_method:
        return call_method(a, method) if method else getattr(a, op.category)()
    return _OPERATORS[op_id](a, b, const)


def call_method(obj: Any, name: str, *args: Any) -> Any:
    """Call the student's method ``name`` of ``obj`` the way its class defines it: ``a.tanh()``,
    or ``Value.tanh(a)`` for a static (or class) method that takes the value as its argument."""
    if takes_value(type(obj), name):
        return getattr(obj, name)(obj, *args)
    return getattr(obj, name)(*args)


def takes_value(cls: type, name: str) -> bool:
    """Whether ``cls`` defines ``name`` as a static or class method, which is called with the
    value as its argument (``Value.relu(x)``) rather than on it."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return isinstance(vars(klass)[name], (staticmethod, classmethod))
    return False
