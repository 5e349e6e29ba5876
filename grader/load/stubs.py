"""Stand-ins for modules that a submission imports but the grading sandbox lacks.

This runs in the sandboxed child, so it imports only the standard library. The child puts
``missing_module`` into the submission's globals as ``__grader_missing__`` (``INJECT_AS``);
the loader rewrites each top-level import to call it when the import fails. It also puts
``skipped`` there as ``__grader_skipped__`` (``SKIP_AS``): every other kept top-level statement
calls it when it raises, and loading goes on, as in a notebook run with errors allowed.
``shared_module`` (``SHARE_AS``) stands for one of the student's own modules (``import engine``)
when the files of a folder are loaded into one namespace. ``ipython_name`` (``IPYTHON_AS``)
gives what an IPython kernel binds under a name (``display``, ``get_ipython``, ``In``, ...), for a
notebook that uses it.
"""

from __future__ import annotations

from typing import Any, NoReturn

INJECT_AS = "__grader_missing__"
SKIP_AS = "__grader_skipped__"
SHARE_AS = "__grader_shared__"
IPYTHON_AS = "__grader_ipython__"
MESSAGE_CHARS = 120

# Every module that failed to import, in order, each once.
MISSING: list[str] = []
# Every top-level statement that raised and was skipped: (its first line in the source, the
# line that raised, the error in words).
SKIPPED: list[tuple[int, int, str]] = []


class MissingModule:
    """Bound in place of a module that failed to import: any use raises ImportError."""

    def __init__(self, name: str, reason: str) -> None:
        self._name = name
        self._reason = reason

    def _fail(self) -> NoReturn:
        raise ImportError(
            f"your code uses {self._name}, which is not available while grading ({self._reason})",
            name=self._name,
        )

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # probes such as copy's or inspect's stay harmless
        self._fail()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._fail()

    def __getitem__(self, key: Any) -> Any:
        self._fail()

    def __iter__(self) -> Any:
        self._fail()

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        self._fail()  # used as a base class: class Net(nn.Module)

    def __repr__(self) -> str:
        return f"<missing module {self._name}>"


def missing_module(name: str, error: BaseException) -> object:
    """Record that ``name`` could not be imported and return a stand-in for it."""
    if name not in MISSING:
        MISSING.append(name)
    reason = str(error) if isinstance(error, ImportError) else f"{type(error).__name__}: {error}"
    return MissingModule(name, reason)


def is_missing(obj: object) -> bool:
    """Whether ``obj`` is a stand-in for a module that failed to import."""
    return isinstance(obj, MissingModule)


def skipped(error: BaseException) -> None:
    """Record that a top-level statement raised ``error`` and was skipped."""
    tb = error.__traceback__
    statement = line = tb.tb_lineno if tb is not None else 0
    filename = tb.tb_frame.f_code.co_filename if tb is not None else ""
    while tb is not None:  # the innermost line of the submission itself
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = str(error)
    except Exception:
        message = ""
    words = f"{type(error).__name__}: {message}" if message else type(error).__name__
    if len(words) > MESSAGE_CHARS:
        words = words[: MESSAGE_CHARS - 3] + "..."
    SKIPPED.append((statement, line, words))


class SharedModule:
    """Bound in place of one of the student's own modules (``import engine``, ``from micrograd
    import nn``) when the files of a folder share one namespace: its attributes are that
    namespace's names, or again itself for the name of another of the student's modules
    (``micrograd.engine.Value``)."""

    def __init__(self, name: str, namespace: dict[str, Any], modules: tuple[str, ...]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_namespace", namespace)
        object.__setattr__(self, "_modules", frozenset(modules))

    def __getattr__(self, attr: str) -> Any:
        if attr in self._namespace:
            return self._namespace[attr]
        if attr in self._modules:
            return self
        raise AttributeError(f"module {self._name!r} has no attribute {attr!r}")

    def __setattr__(self, attr: str, value: Any) -> None:
        self._namespace[attr] = value

    def __repr__(self) -> str:
        return f"<module {self._name} (loaded with the rest of the submission)>"


def shared_module(name: str, namespace: dict[str, Any], modules: tuple[str, ...]) -> object:
    """A stand-in for the student's own module ``name``, whose code runs in ``namespace``."""
    return SharedModule(name, namespace, modules)


class _Shell:
    """What ``get_ipython()`` returns while grading: every method does nothing."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return _nothing

    def __repr__(self) -> str:
        return "<IPython shell (a stand-in while grading)>"


def _nothing(*args: Any, **kwargs: Any) -> None:
    """``display(...)`` and the shell's methods: nothing is shown while grading."""
    return None


def ipython_name(name: str) -> object:
    """The stand-in for ``name`` as an IPython kernel binds it at the top level."""
    shell = _Shell()
    found: dict[str, object] = {
        "display": _nothing,
        "get_ipython": lambda: shell,
        "In": [""],
        "_ih": [""],
        "Out": {},
        "_oh": {},
        "_dh": [],
    }
    return found.get(name, _nothing)
