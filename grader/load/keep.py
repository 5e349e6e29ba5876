"""Which top-level statements to keep when only definitions are loaded.

Kept: imports; class and function definitions; docstrings; assignments (plain, annotated,
augmented) of simple values: literals, names, attributes, tuples/lists/dicts/sets, arithmetic,
lambdas, and a few harmless calls (``float("inf")``, ``TypeVar("T")``, ...); ``if`` blocks (not
``if __name__ == "__main__":``) with a simple test whose bodies keep everything; ``try`` blocks
whose ``try``, ``else`` and ``finally`` parts keep everything (statements that would be dropped
from an ``except`` part become ``pass``). Everything else is dropped: loops, calls, prints, plots,
asserts, ``with`` blocks, bare expressions.

A kept statement must also be able to run: a simple value, a default argument, a decorator or a
base class that uses a name only dropped code defines (``def train(model=n)`` after a dropped
``n = MLP(...)``) gets the statement dropped, with a note for definitions.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field

TRY_NODES: tuple[type[ast.stmt], ...] = (ast.Try,) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()  # type: ignore[attr-defined,unused-ignore]
)
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
SAFE_CALLS = frozenset({"TypeVar", "NewType", "ParamSpec", "namedtuple", "NamedTuple", "TypedDict"})
SAFE_BUILTIN_CALLS = frozenset(
    {"float", "int", "str", "bool", "complex", "tuple", "list", "dict", "set", "frozenset"}
    | {"object"}
)
BUILTIN_NAMES = frozenset(dir(builtins)) | {"__name__", "__doc__", "__file__", "__builtins__"}

_SIMPLE_NODES = (
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Subscript,
    ast.Slice,
    ast.Starred,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.keyword,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
    ast.expr_context,
)


@dataclass
class Decision:
    """Whether to keep one statement, and how to adjust what is kept inside it."""

    keep: bool
    kind: str = ""  # why it is dropped: loop, expr, assign, main, assert, def, other
    note: str = ""  # a sentence for the report, for dropped definitions
    blanks: list[ast.stmt] = field(default_factory=list)  # nested statements to replace by pass
    unguarded: set[int] = field(default_factory=set)  # ids of try nodes whose handlers were cut


class Selector:
    """Decides statement by statement, in order, remembering which names kept code defines."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.star = False  # a kept `from m import *` may define any name
        self.lazy_annotations = False  # `from __future__ import annotations`

    def decide(self, stmt: ast.stmt) -> Decision:
        """Keep or drop ``stmt``; a kept statement's names count as defined from now on."""
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.bind_import(stmt)
            return Decision(True)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return self._definition(stmt)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            return self._assignment(stmt)
        if isinstance(stmt, ast.If):
            return self._if(stmt)
        if isinstance(stmt, TRY_NODES):
            return self._try(stmt)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            return Decision(True)  # a docstring, or a string used as a comment
        return Decision(False, kind_of(stmt))

    def bind_import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import binds."""
        for alias in stmt.names:
            if alias.name == "*":
                self.star = True
            elif isinstance(stmt, ast.Import):
                self.defined.add(alias.asname or alias.name.split(".")[0])
            else:
                self.defined.add(alias.asname or alias.name)
                if stmt.module == "__future__" and alias.name == "annotations":
                    self.lazy_annotations = True

    def undefined(self, nodes: Iterable[ast.AST]) -> list[str]:
        """The names ``nodes`` read that kept code does not define, sorted."""
        if self.star:
            return []
        names = free_names(nodes) - self.defined - BUILTIN_NAMES
        return sorted(names)

    def _definition(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Decision:
        needed: list[ast.AST] = list(stmt.decorator_list)
        if isinstance(stmt, ast.ClassDef):
            needed += stmt.bases + [keyword.value for keyword in stmt.keywords]
        else:
            needed += stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]
        missing = self.undefined(needed)
        if missing:
            names = ", ".join(f"`{name}`" for name in missing)
            what = "class" if isinstance(stmt, ast.ClassDef) else "function"
            note = (
                f"left out the {what} `{stmt.name}`: defining it uses {names}, which only code "
                "that the grader does not run (a call, a loop, ...) defines."
            )
            return Decision(False, "def", note)
        self.defined.add(stmt.name)
        return Decision(True)

    def _assignment(self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> Decision:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        values: list[ast.AST] = [stmt.value] if stmt.value is not None else []
        if isinstance(stmt, ast.AnnAssign) and not self.lazy_annotations:
            values.append(stmt.annotation)
        if isinstance(stmt, ast.AugAssign) and self.undefined([_as_load(stmt.target)]):
            return Decision(False, "assign")  # `total += 1` reads `total` first
        simple = all(self._simple(value) for value in values)
        if not simple or not all(self._simple_target(target) for target in targets):
            return Decision(False, "assign")
        if self.undefined(values + list(targets)):
            return Decision(False, "assign")
        for target in targets:
            self.defined.update(bound_names(target))
        return Decision(True)

    def _if(self, stmt: ast.If) -> Decision:
        if is_main_guard(stmt.test):
            return Decision(False, "main")
        if not self._simple(stmt.test) or self.undefined([stmt.test]):
            return Decision(False, "other")
        trial = self._copy()
        result = Decision(True)
        for inner in stmt.body + stmt.orelse:
            decision = trial.decide(inner)
            if not decision.keep:
                return Decision(False, "other")
            _merge(result, decision)
        self._adopt(trial)
        return result

    def _try(self, stmt: ast.stmt) -> Decision:
        trial = self._copy()
        result = Decision(True)
        strict = stmt.body + stmt.orelse + stmt.finalbody  # type: ignore[attr-defined]
        for inner in strict:
            decision = trial.decide(inner)
            if not decision.keep:
                return Decision(False, "other")
            _merge(result, decision)
        for handler in stmt.handlers:  # type: ignore[attr-defined]
            if handler.type is not None and not self._simple(handler.type):
                return Decision(False, "other")
            header_end = handler.type.end_lineno if handler.type is not None else handler.lineno
            for index, inner in enumerate(handler.body):
                decision = trial.decide(inner)
                if decision.keep:
                    _merge(result, decision)
                    continue
                if inner.lineno <= (header_end or 0) or not owns_lines(handler.body, index):
                    return Decision(False, "other")  # on the `except` line, or shares a line
                result.blanks.append(inner)
                if catches_import_error(handler):
                    result.unguarded.add(id(stmt))
        self._adopt(trial)
        return result

    def _simple(self, node: ast.AST) -> bool:
        """Whether evaluating ``node`` runs no student code and no loop."""
        if isinstance(node, ast.Lambda):
            defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
            return all(self._simple(default) for default in defaults)
        if isinstance(node, ast.Call):
            return self._safe_call(node)
        if not isinstance(node, _SIMPLE_NODES):
            return False
        return all(self._simple(child) for child in ast.iter_child_nodes(node))

    def _safe_call(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Name):
            safe = func.id in SAFE_CALLS or (
                func.id in SAFE_BUILTIN_CALLS and func.id not in self.defined
            )
        else:
            safe = isinstance(func, ast.Attribute) and func.attr in SAFE_CALLS
        arguments = node.args + [keyword.value for keyword in node.keywords]
        return safe and all(self._simple(argument) for argument in arguments)

    def _simple_target(self, target: ast.AST) -> bool:
        if isinstance(target, ast.Name):
            return True
        if isinstance(target, (ast.Tuple, ast.List)):
            return all(self._simple_target(element) for element in target.elts)
        if isinstance(target, ast.Starred):
            return self._simple_target(target.value)
        if isinstance(target, ast.Attribute):
            return self._simple(target.value)
        if isinstance(target, ast.Subscript):
            return self._simple(target.value) and self._simple(target.slice)
        return False

    def _copy(self) -> Selector:
        copy = Selector()
        copy.defined = set(self.defined)
        copy.star = self.star
        copy.lazy_annotations = self.lazy_annotations
        return copy

    def _adopt(self, other: Selector) -> None:
        self.defined = other.defined
        self.star = other.star
        self.lazy_annotations = other.lazy_annotations


def _merge(into: Decision, decision: Decision) -> None:
    into.blanks += decision.blanks
    into.unguarded |= decision.unguarded


def kind_of(stmt: ast.stmt) -> str:
    """How the report groups a dropped statement."""
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return "loop"
    if isinstance(stmt, ast.Expr):
        return "expr"
    if isinstance(stmt, ast.Assert):
        return "assert"
    if isinstance(stmt, ast.If) and is_main_guard(stmt.test):
        return "main"
    return "other"


def is_main_guard(test: ast.expr) -> bool:
    """Whether ``test`` is ``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    sides = [test.left, test.comparators[0]]
    names = [side.id for side in sides if isinstance(side, ast.Name)]
    values = [side.value for side in sides if isinstance(side, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    """Whether an ``except`` clause would catch a failed import."""
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for kind in kinds:
        name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", "")
        if name in IMPORT_ERRORS:
            return True
    return False


def first_line(stmt: ast.stmt) -> int:
    """The first line of ``stmt``, counting its decorators."""
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno] + [decorator.lineno for decorator in decorators])


def owns_lines(siblings: list[ast.stmt], index: int) -> bool:
    """Whether no other statement of the block shares a line with ``siblings[index]`` (``;``)."""
    stmt = siblings[index]
    before = siblings[index - 1] if index > 0 else None
    after = siblings[index + 1] if index + 1 < len(siblings) else None
    if before is not None and (before.end_lineno or before.lineno) >= first_line(stmt):
        return False
    return after is None or first_line(after) > (stmt.end_lineno or stmt.lineno)


def free_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Names that evaluating ``nodes`` reads now (not in lambda bodies or inner comprehensions)."""
    found: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                found.add(node.id)
        elif isinstance(node, ast.Lambda):
            stack += node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            stack.append(node.generators[0].iter)
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def _as_load(target: ast.expr) -> ast.expr:
    """An augmented assignment's target, as the read it starts with."""
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Load())
    return target


def bound_names(target: ast.AST) -> set[str]:
    """The plain names an assignment target binds."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(bound_names(element) for element in target.elts))
    if isinstance(target, ast.Starred):
        return bound_names(target.value)
    return set()
