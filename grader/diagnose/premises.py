"""What a hint assumes about the student's code, checked against that code.

A bug model that reproduces the student's numbers may still describe code they did not
write: "the _backward inside your __sub__" when ``__sub__`` is ``self + (-other)``, or "you
did not reverse topo" when backward() does. A hint is shown only when its premise holds in
the source: the method exists, has the closure or the line the hint talks about, and the
loop it blames does not reverse. Without the source, no hint.
"""

from __future__ import annotations

import re
from typing import Callable, Optional

from grader.diagnose.models import BugModel
from grader.discover.api import EngineAPI
from grader.discover.finder import OPERATORS

Sources = dict[str, Optional[str]]  # category, "backward" or "class" -> source text
Check = Callable[[str, EngineAPI], bool]

_CLOSURE = re.compile(r"^\s+def \w+\s*\(", re.MULTILINE)
_REVERSES = re.compile(r"reversed\s*\(|\[\s*::\s*-1\s*\]|\.reverse\s*\(|insert\s*\(\s*0\s*,")
_REFLECTED = {"radd": "+", "rmul": "*", "rsub": "-", "rtruediv": "/"}
_FIX = {"radd": "self + other", "rmul": "self * other", "rsub": "-self + other",
        "rtruediv": "self**-1 * other"}  # fmt: skip


def model_holds(model: BugModel, sources: Sources, api: EngineAPI) -> bool:
    """Whether the model's hint is true of the student's code."""
    if model.scope in ("graph", "reuse", "api"):
        check = _ENGINE.get(model.id)
        own = sources.get("backward") if model.id in _IN_BACKWARD else None
        text = own or sources.get("class") or sources.get("backward")
        return check is not None and text is not None and check(text, api)
    text = sources.get(model.scope)
    if text is None:
        return False
    if "_backward" in model.hint and not _CLOSURE.search(text):
        return False
    if model.assign and not re.search(rf"\.{re.escape(api.grad_attr)}\s*=(?!=)", text):
        return False
    check = _SPECIFIC.get(model.id)
    return check is None or check(text, api)


def method_name(category: str, api: EngineAPI) -> str:
    return OPERATORS.get(category) or api.methods.get(category, category)


def recursion_hint(category: str, sources: Sources, api: EngineAPI) -> Optional[str]:
    """For a reflected method that calls itself: its own line, and what to write instead."""
    symbol = _REFLECTED.get(category)
    text = sources.get(category)
    if symbol is None or text is None:
        return None
    if not re.search(rf"return\s+other\s*{re.escape(symbol)}\s*self\b", text):
        return None
    method = method_name(category, api)
    return (
        f"Your {method} returns `other {symbol} self`. When `other` is a plain number, Python "
        f"answers that by calling {method} again, without end. Build it from operations on "
        f"`self` instead, for example `return {_FIX[category]}`."
    )


def recursive_sort(sources: Sources) -> bool:
    """Whether the class defines a function that calls itself (a recursive topological sort)."""
    text = sources.get("class") or sources.get("backward") or ""
    names = re.findall(r"def\s+(\w+)\s*\(", text)
    return any(len(re.findall(rf"\b{re.escape(n)}\s*\(", text)) > 1 for n in names)


def wraps_numbers(category: str, sources: Sources) -> Optional[bool]:
    """Whether the op's method wraps plain numbers (None: source unknown)."""
    text = sources.get(category)
    return None if text is None else "isinstance" in text


def _loops_forward(text: str, api: EngineAPI) -> bool:
    """A loop over a built order (a list, or what a call returns: not a node's children)
    that nothing reverses."""
    loops = re.search(r"^\s*for\s+\w+\s+in\s+(\w+|[\w.]+\s*\(.*\))\s*:", text, re.MULTILINE)
    return bool(loops) and not _REVERSES.search(text)


def _no_visited(text: str, api: EngineAPI) -> bool:
    """No name that is tested with ``in`` is also added to: the visited set is missing."""
    tested = set(re.findall(r"\bin\s+(\w+)\b", text)) - {"range", "self"}
    return not any(re.search(rf"\b{re.escape(n)}\s*\.\s*(add|append)\s*\(", text) for n in tested)


def _no_seed(text: str, api: EngineAPI) -> bool:
    grad = re.escape(api.grad_attr)
    return not re.search(rf"\.{grad}\s*=\s*(1\b|1\.|np\.ones|float\(1)", text)


def _seed_is_value(text: str, api: EngineAPI) -> bool:
    grad, data = re.escape(api.grad_attr), re.escape(api.data_attr)
    return bool(re.search(rf"\.{grad}\s*=\s*self\.{data}\b", text))


def _forgets_other(text: str, api: EngineAPI) -> bool:
    """The method takes ``other`` and never updates ``other``'s grad."""
    grad = re.escape(api.grad_attr)
    takes = re.search(r"def\s+\w+\s*\(\s*self\s*,\s*other\b", text)
    return bool(takes) and not re.search(rf"\bother\s*\.\s*{grad}\s*[-+*/]?=(?!=)", text)


def _grad_uses_data(text: str, api: EngineAPI) -> bool:
    """A grad update in the method multiplies by an operand's data."""
    grad, data = re.escape(api.grad_attr), re.escape(api.data_attr)
    return bool(re.search(rf"\.{grad}\s*\+=[^\n]*\.{data}\b", text))


def _contains(pattern: str) -> Check:
    return lambda text, api: bool(re.search(pattern, text))


_ENGINE: dict[str, Check] = {
    "graph.forward_order": _loops_forward,
    "reuse.no_visited": _no_visited,
    "api.no_seed": _no_seed,
    "api.seed_is_value": _seed_is_value,
}
_IN_BACKWARD = frozenset({"graph.forward_order"})  # premises about backward()'s own lines
_SPECIFIC: dict[str, Check] = {
    "rsub.swapped": _contains(r"self\s*-\s*other"),
    "rtruediv.swapped": _contains(r"self\s*/\s*other"),
    "log.log10": _contains(r"log10"),
    "sigmoid.forward_sign": _contains(r"exp\s*\(\s*(?!-)"),
    "relu.forward_max_one": _contains(r"max\s*\([^)]*\b1(\.0*)?\s*\)"),
    "add.self_twice": lambda text, api: len(re.findall(r"self\s*\.\s*\w+\s*\+=", text)) >= 2,
    "add.other_forgotten": _forgets_other,
    "add.grad_like_mul": _grad_uses_data,
}
