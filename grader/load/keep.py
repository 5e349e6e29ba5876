"""Which top-level statements to keep when only definitions are loaded.

Kept: imports; class and function definitions; docstrings; assignments (plain, annotated,
augmented) of simple values: literals, names, attributes, tuples/lists/dicts/sets, arithmetic,
lambdas, and a few harmless calls (``float("inf")``, ``TypeVar("T")``, ...); ``if`` blocks (not
``if __name__ == "__main__":``) with a simple test whose bodies keep everything; ``try`` blocks
whose ``try``, ``else`` and ``finally`` parts keep everything (statements that would be dropped
from an ``except`` part become ``pass``). Everything else is dropped: loops, calls, prints, plots,
asserts, ``with`` blocks, bare expressions.

The slice follows the data: a statement is kept only if every name it reads is bound, at that
point, by kept statements. A dropped statement hides what earlier kept ones bound to the names it
binds (``a = 2.0`` kept, then ``a = Value(2.0)`` dropped: ``e = a * b`` is dropped too), and a
dropped attribute, subscript or augmented assignment hides its target. A star import binds any
name only when its module can be loaded while grading. A definition that reads a dropped name
(``def train(model=n)`` after a dropped ``n = MLP(...)``) is dropped with a note; so is one that
needs torch (``class Net(torch.nn.Module)``, a function that calls torch), as torch is not
available while grading.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import os
import sys
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
ORACLE_MODULES = frozenset({"torch", "jax", "tensorflow"})  # blocked while grading

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
    kind: str = ""  # why it is dropped: loop, expr, assign, main, assert, def, torch, other
    note: str = ""  # a sentence for the report
    name: str = ""  # a dropped definition's name (`Net`, or "the class `Net`")
    needs: str = ""  # the names a dropped definition needs, in words
    blanks: list[ast.stmt] = field(default_factory=list)  # nested statements to replace by pass
    unguarded: set[int] = field(default_factory=set)  # ids of try nodes whose handlers were cut


class Selector:
    """Decides statement by statement, in order, remembering which names kept code binds."""

    def __init__(self) -> None:
        self.defined: set[str] = set()
        self.hidden: set[str] = set()  # names whose last binding was dropped
        self.definitions: set[str] = set()  # names bound by kept class and function definitions
        self.oracle: set[str] = set()  # names bound by imports of torch (or jax, tensorflow)
        self.star = False  # a loadable `from m import *` may define any name
        self.lazy_annotations = False  # `from __future__ import annotations`

    def decide(self, stmt: ast.stmt) -> Decision:
        """Keep or drop ``stmt``; what it binds counts as defined, or as hidden, from now on."""
        decision = self._decide(stmt)
        if not decision.keep:
            self.hide(stmt)
        return decision

    def _decide(self, stmt: ast.stmt) -> Decision:
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
        if isinstance(stmt, ast.Pass):
            return Decision(True)  # does nothing (an import of the student's own module, say)
        return Decision(False, kind_of(stmt))

    def bind_import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        """Record the names an import binds."""
        module = stmt.module if isinstance(stmt, ast.ImportFrom) else None
        level = stmt.level if isinstance(stmt, ast.ImportFrom) else 0
        for alias in stmt.names:
            if alias.name == "*":
                if level == 0 and module and loadable(module):
                    self.star = True
                    self.hidden.clear()
                continue
            if isinstance(stmt, ast.Import):
                name, source = alias.asname or alias.name.split(".")[0], alias.name
            else:
                name, source = alias.asname or alias.name, "." * level + (module or "")
            self._bind({name})
            if source.split(".")[0] in ORACLE_MODULES:
                self.oracle.add(name)
            if module == "__future__" and alias.name == "annotations":
                self.lazy_annotations = True

    def hide(self, stmt: ast.stmt) -> None:
        """Forget what ``stmt``, dropped, would have bound (or changed: ``a.grad = ...``)."""
        names = binds(stmt)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            roots = {root for target in targets for root in changed_roots(target)}
            names |= roots - self.definitions  # `Value.exp = make_exp()` keeps the class
        self.defined -= names
        self.oracle -= names
        self.hidden |= names

    def undefined(self, nodes: Iterable[ast.AST]) -> list[str]:
        """The names ``nodes`` read that kept code does not bind at this point, sorted."""
        names = free_names(nodes)
        return sorted(
            name
            for name in names
            if name in self.hidden
            or name in self.oracle
            or (name not in self.defined and name not in BUILTIN_NAMES and not self.star)
        )

    def _bind(self, names: Iterable[str]) -> None:
        for name in names:
            self.defined.add(name)
            self.hidden.discard(name)
            self.oracle.discard(name)
            self.definitions.discard(name)

    def _definition(self, stmt: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> Decision:
        needed: list[ast.AST] = list(stmt.decorator_list)
        if isinstance(stmt, ast.ClassDef):
            needed += stmt.bases + [keyword.value for keyword in stmt.keywords]
        else:
            needed += stmt.args.defaults + [d for d in stmt.args.kw_defaults if d is not None]
        torch = free_names(needed) & self.oracle
        if not isinstance(stmt, ast.ClassDef):  # a function that calls torch is a comparison
            torch |= all_names(stmt.body) & self.oracle
        if torch:
            return Decision(False, "torch", name=stmt.name)
        missing = self.undefined(needed)
        if missing:
            names = ", ".join(f"`{name}`" for name in missing)
            what = "class" if isinstance(stmt, ast.ClassDef) else "function"
            return Decision(False, "def", name=f"the {what} `{stmt.name}`", needs=names)
        self._bind({stmt.name})
        self.definitions.add(stmt.name)
        return Decision(True)

    def _assignment(self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign) -> Decision:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        values: list[ast.AST] = [stmt.value] if stmt.value is not None else []
        if isinstance(stmt, ast.AnnAssign) and not self.lazy_annotations:
            values.append(stmt.annotation)
        if isinstance(stmt, ast.AugAssign):
            values.append(_as_load(stmt.target))  # `total += 1` reads `total` first
        simple = all(self._simple(value) for value in values)
        if not simple or not all(self._simple_target(target) for target in targets):
            return Decision(False, "assign")
        if self.undefined(values + list(targets)):
            return Decision(False, "assign")
        if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
            return Decision(True)  # `x: int` binds nothing
        for target in targets:
            self._bind(bound_names(target))
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
        copy._adopt(self)
        for name in ("defined", "hidden", "definitions", "oracle"):
            setattr(copy, name, set(getattr(self, name)))
        return copy

    def _adopt(self, other: Selector) -> None:
        self.defined, self.hidden = other.defined, other.hidden
        self.definitions, self.oracle = other.definitions, other.oracle
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


_SCOPES = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def binds(stmt: ast.stmt) -> set[str]:
    """The names ``stmt`` binds at the top level when it runs (not inside functions or classes
    it defines, which only bind their own name)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    found: set[str] = set()
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    plain = isinstance(node, ast.Import)
                    found.add(alias.asname or (alias.name.split(".")[0] if plain else alias.name))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
            stack.extend(ast.iter_child_nodes(node))
        elif isinstance(node, _SCOPES):  # only a walrus inside binds outside: [y := f(x) ...]
            found |= {n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr)}
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def changed_roots(target: ast.AST) -> set[str]:
    """The names whose objects an attribute or subscript target changes: ``a`` in ``a.grad``."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(changed_roots(element) for element in target.elts))
    if isinstance(target, ast.Starred):
        return changed_roots(target.value)
    if not isinstance(target, (ast.Attribute, ast.Subscript)):
        return set()
    node: ast.AST = target
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return {node.id} if isinstance(node, ast.Name) else set()


def all_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Every name read anywhere in ``nodes``, nested scopes included."""
    return {
        node.id
        for root in nodes
        for node in ast.walk(root)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def loadable(module: str) -> bool:
    """Whether ``import module`` can work while grading: the standard library or an installed
    package (not the grader's working folder, not torch)."""
    top = module.split(".")[0]
    if top in ORACLE_MODULES:
        return False
    if top in getattr(sys, "stdlib_module_names", ()) or top in sys.builtin_module_names:
        return True
    here = os.path.abspath(os.getcwd())
    paths = [p for p in sys.path if p and os.path.abspath(p) != here]
    try:
        return importlib.machinery.PathFinder.find_spec(top, paths) is not None
    except (ImportError, ValueError):
        return False
