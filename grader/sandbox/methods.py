"""The child's request handlers: ``METHODS[name](namespace, params) -> JSON-able data``.

A handler runs in the child, next to the submission, and must return plain data (dict, list,
str, int, float, bool, None). It should catch the submission's exceptions and return them as
data; one that escapes is reported to the parent as a SandboxError.

Other modules add handlers with ``@register("name")``. List them in ``METHOD_MODULES``: the
child imports them only when a request names a method it does not know yet, so start-up
stays fast. Import what a handler module needs at its top, not inside handlers: after the
submission has run, ``grader`` modules can only be imported by ``grader`` code.
"""

from __future__ import annotations

import importlib
import types

TYPE_CHECKING = False  # keeps typing out of the child's start-up
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Callable

    Method = Callable[[dict, dict], Any]

METHODS: dict[str, Method] = {}
METHOD_MODULES: list[str] = [
    "grader.evaluate.child_methods", "grader.mlp.probe", "grader.evaluate.numpy_child",
]
ONLY_FOR: dict[str, str] = {"grader.evaluate.numpy_child": "numpy."}  # imports numpy
_loaded: set[str] = set()


def register(name: str) -> Callable[[Method], Method]:
    """Decorator: make ``fn`` answer requests for ``name``."""

    def decorate(fn: Method) -> Method:
        METHODS[name] = fn
        return fn

    return decorate


def find(
    name: str,
    extra_modules: Iterable[str] = (),
    importer: Callable[[str], Any] = importlib.import_module,
) -> Method | None:
    """The handler for ``name``, importing the method modules not loaded yet until found."""
    method = METHODS.get(name)
    for module in [*METHOD_MODULES, *extra_modules]:
        if method is not None:
            break
        if not name.startswith(ONLY_FOR.get(module, "")):
            continue  # a heavy module is imported only for its own requests
        if module not in _loaded:
            _loaded.add(module)
            importer(module)
            method = METHODS.get(name)
    return method


@register("ping")
def ping(namespace: dict, params: dict) -> str:
    """Proof of life: the child is alive and answering."""
    return "pong"


def kind_of(value: Any) -> str:
    if isinstance(value, type):
        return "class"
    if isinstance(value, types.ModuleType):
        return "module"
    if callable(value):
        return "function"
    return "value"


@register("names")
def names(namespace: dict, params: dict) -> list[dict[str, str]]:
    """The submission's top-level names (dunders left out), with their kinds and types."""
    return [
        {"name": name, "kind": kind_of(value), "type": type(value).__name__}
        for name, value in list(namespace.items())
        if not (name.startswith("__") and name.endswith("__"))
    ]
