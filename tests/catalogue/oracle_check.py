"""An independent judge of an engine file: which grader categories are really wrong in it.

It shares no code with the grader. Every category is checked with explicit expressions,
evaluated both with the engine and with torch float64:

* ``api``: ``Value(x)`` holds x, a fresh grad is 0, ``backward()`` seeds the output with 1;
* each op category: each of its forms *alone* (one op on fresh leaves, possibly the same leaf
  twice) and *in context* (``t = op(...)``, then ``t`` consumed twice and the leaves reused,
  with only add and mul around it, and only those of them that are right);
* ``reuse``: a node consumed by two later nodes, built from add or mul if they are right;
* ``graph``: small random mixed graphs of the op forms that are right.

Backward is the engine's own, except that the output is seeded with 1 first when the engine
does not seed it (the grader compensates the same way). With ``traversal="manual"`` the
contexts are instead driven by a correct topological sort over the engine's ``_prev`` and
``_backward`` (Karpathy's internals): an op is then judged by its own forward value and local
backward rule, whatever the engine's ``backward()`` does to graphs. Ops alone always use the
engine's ``backward()``, so an op composed of several nodes (``a - b`` as ``a + (-b)``) is
wrong alone if the engine walks nodes in a wrong order; ``reuse`` and ``graph`` are then made
of the ops right alone under the manual traversal (so a backward() that raises on every
graph is wrong there too).

``deep`` is not judged.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import random
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Optional

import torch

OP_CATEGORIES = (
    "add",
    "radd",
    "sub",
    "rsub",
    "mul",
    "rmul",
    "neg",
    "truediv",
    "rtruediv",
    "pow",
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
)
CATEGORIES = ("api", *OP_CATEGORIES, "reuse", "graph")
ENGINE_LEVEL = ("api", "reuse", "graph")

RTOL = 1e-7
ATOL = 1e-9


@dataclass(frozen=True)
class Names:
    """How to drive one engine: its class and its attribute and method names."""

    cls: str = "Value"
    data: str = "data"
    grad: str = "grad"
    backward: str = "backward"
    methods: tuple[tuple[str, str], ...] = ()  # e.g. (("sigmoid", "sig"),)

    def method(self, op: str) -> str:
        return dict(self.methods).get(op, op)


@dataclass(frozen=True)
class OracleResult:
    """The categories found wrong, with one counterexample each."""

    wrong: frozenset[str]
    evidence: dict[str, str]


# --------------------------------------------------------------------------- forms

Method = Callable[[Any, str], Any]
Build = Callable[[Any, Any, Any, Method], Any]  # (a, b, c, method) -> result
Domain = Callable[[float, float, Any], bool]  # (x, y, c) -> in the domain?

GENERAL = (-2.3, -1.1, -0.35, 0.45, 1.3, 2.7)
WIDE = (*GENERAL, -5.5, 5.8)  # tanh / sigmoid are graded on |x| <= 6
POSITIVE = (0.3, 0.8, 1.7, 2.9)
CONSTS = (2.0, -1.5, 0.5, 3)
INT_EXPONENTS = (2, 3, -1, -2)
FLOAT_EXPONENTS = (0.5, 1.5, -0.5, 2.5)


def _any(x: float, y: float, c: Any) -> bool:
    return True


@dataclass(frozen=True)
class Form:
    """One way of writing an op: ``build`` works on engine values, tensors and floats alike."""

    id: str
    category: str
    leaves: int  # distinct Value operands: 1 (a) or 2 (a, b)
    build: Build
    pool: tuple[float, ...] = GENERAL
    consts: tuple[Any, ...] = (None,)
    domain: Domain = _any


FORMS: tuple[Form, ...] = (
    Form("a + b", "add", 2, lambda a, b, c, m: a + b),
    Form("a + c", "add", 1, lambda a, b, c, m: a + c, consts=CONSTS),
    Form("a + a", "add", 1, lambda a, b, c, m: a + a),
    Form("c + a", "radd", 1, lambda a, b, c, m: c + a, consts=CONSTS),
    Form("a - b", "sub", 2, lambda a, b, c, m: a - b),
    Form("a - c", "sub", 1, lambda a, b, c, m: a - c, consts=CONSTS),
    Form("a - a", "sub", 1, lambda a, b, c, m: a - a),
    Form("c - a", "rsub", 1, lambda a, b, c, m: c - a, consts=CONSTS),
    Form("a * b", "mul", 2, lambda a, b, c, m: a * b),
    Form("a * c", "mul", 1, lambda a, b, c, m: a * c, consts=CONSTS),
    Form("a * a", "mul", 1, lambda a, b, c, m: a * a),
    Form("c * a", "rmul", 1, lambda a, b, c, m: c * a, consts=CONSTS),
    Form("-a", "neg", 1, lambda a, b, c, m: -a),
    Form("a / b", "truediv", 2, lambda a, b, c, m: a / b, domain=lambda x, y, c: abs(y) > 0.2),
    Form("a / c", "truediv", 1, lambda a, b, c, m: a / c, consts=CONSTS),
    Form("a / a", "truediv", 1, lambda a, b, c, m: a / a, domain=lambda x, y, c: abs(x) > 0.2),
    Form(
        "c / a",
        "rtruediv",
        1,
        lambda a, b, c, m: c / a,
        consts=CONSTS,
        domain=lambda x, y, c: abs(x) > 0.2,
    ),
    Form(
        "a ** k",
        "pow",
        1,
        lambda a, b, c, m: a**c,
        consts=INT_EXPONENTS,
        domain=lambda x, y, c: abs(x) > 0.2,
    ),
    Form(
        "a ** p",
        "pow",
        1,
        lambda a, b, c, m: a**c,
        pool=POSITIVE,
        consts=FLOAT_EXPONENTS,
        domain=lambda x, y, c: x > 0.2,
    ),
    Form("a.exp()", "exp", 1, lambda a, b, c, m: m(a, "exp"), domain=lambda x, y, c: x < 4),
    Form(
        "a.log()",
        "log",
        1,
        lambda a, b, c, m: m(a, "log"),
        pool=POSITIVE,
        domain=lambda x, y, c: x > 0.2,
    ),
    Form("a.tanh()", "tanh", 1, lambda a, b, c, m: m(a, "tanh"), pool=WIDE),
    Form("a.sigmoid()", "sigmoid", 1, lambda a, b, c, m: m(a, "sigmoid"), pool=WIDE),
    Form("a.relu()", "relu", 1, lambda a, b, c, m: m(a, "relu")),
)
FORM_BY_ID = {form.id: form for form in FORMS}

Case = tuple[float, float, Any]  # x (leaf a), y (leaf b), c (constant or exponent)


def cases(form: Form) -> list[Case]:
    """The inputs one form is checked on: every x of its pool, two constants each."""
    pool, consts = form.pool, form.consts
    out = []
    for i, x in enumerate(pool):
        y = pool[(i + 2) % len(pool)]
        for c in dict.fromkeys((consts[i % len(consts)], consts[(i + 1) % len(consts)])):
            if form.domain(x, y, c):
                out.append((x, y, c))
    return out


# A context consumes ``t`` (the op's result) twice and reuses the leaves, so that a missing
# ``* out.grad`` and a grad that overwrites instead of accumulating both show. In the
# ``COMPUTED`` context the op's operands are computed (leaf + 0.0), so that a closure attached
# to the operand instead of the result shows.
COMPUTED = "t * t + leaves, operands computed"
Context = Callable[[Any, list[Any]], Any]
CONTEXTS: dict[str, tuple[frozenset[str], Context]] = {
    "t * t + leaves": (frozenset({"add", "mul"}), lambda t, ls: _fold(t * t, ls, "+")),
    COMPUTED: (frozenset({"add", "mul"}), lambda t, ls: _fold(t * t, ls, "+")),
    "(t + t) + leaves": (frozenset({"add"}), lambda t, ls: _fold(t + t, ls, "+")),
    "(t * t) * leaves": (frozenset({"mul"}), lambda t, ls: _fold(t * t, ls, "*")),
}


def _fold(start: Any, leaves: list[Any], op: str) -> Any:
    out = start
    for leaf in leaves:
        out = out + leaf if op == "+" else out * leaf
    return out


def _apply(form: Form, leaves: list[Any], c: Any, method: Method) -> Any:
    b = leaves[1] if len(leaves) > 1 else None
    return form.build(leaves[0], b, c, method)


# --------------------------------------------------------------------------- torch side

Expected = tuple[float, tuple[float, ...]]  # output value, gradient of every leaf


def _torch_method(t: Any, op: str) -> Any:
    return getattr(t, op)()


def _torch_run(inputs: tuple[float, ...], build: Callable[[list[Any]], Any]) -> Expected:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = build(leaves)
    grads = torch.autograd.grad(out, leaves, allow_unused=True)
    return float(out.detach()), tuple(0.0 if g is None else float(g) for g in grads)


@cache
def _expected_op(form_id: str, context: Optional[str], case: Case) -> Expected:
    form = FORM_BY_ID[form_id]
    return _torch_run(case[: form.leaves], _op_program(form, context, case[2], _torch_method))


def _op_program(
    form: Form, context: Optional[str], c: Any, method: Method
) -> Callable[[list[Any]], Any]:
    def build(leaves: list[Any]) -> Any:
        operands = [leaf + 0.0 for leaf in leaves] if context == COMPUTED else leaves
        t = _apply(form, operands, c, method)
        return t if context is None else CONTEXTS[context][1](t, leaves)

    return build


# --------------------------------------------------------------------------- engine side


class _Engine:
    def __init__(self, path: Path, names: Names):
        self.names = names
        self.cls = getattr(_load(path), names.cls)
        probe = self.cls(0.5)
        self.seeds = True
        try:
            getattr(probe, names.backward)()
            self.seeds = _close(getattr(probe, names.grad), 1.0)
        except Exception:
            self.seeds = False

    def method(self, v: Any, op: str) -> Any:
        return getattr(v, self.names.method(op))()

    def run(
        self, inputs: tuple[float, ...], build: Callable[[list[Any]], Any], manual: bool = False
    ) -> tuple[Any, list[Any]]:
        """Build the graph, backpropagate; the output value and every leaf's grad."""
        leaves = [self.cls(x) for x in inputs]
        out = build(leaves)
        if manual:
            _manual_backward(out, self.names.grad)
        else:
            if not self.seeds:
                setattr(out, self.names.grad, 1.0)
            getattr(out, self.names.backward)()
        return getattr(out, self.names.data), [getattr(v, self.names.grad) for v in leaves]


_loaded = itertools.count()


def _load(path: Path) -> Any:
    name = f"_oracle_engine_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def _manual_backward(out: Any, grad: str) -> None:
    """A correct backward over Karpathy's internals (``_prev``, ``_backward``)."""
    order: list[Any] = []
    visited = {id(out)}
    stack = [(out, iter(out._prev))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            order.append(node)
        elif id(child) not in visited:
            visited.add(id(child))
            stack.append((child, iter(child._prev)))
    setattr(out, grad, 1.0)
    for node in reversed(order):
        node._backward()


def _close(got: Any, want: float) -> bool:
    try:
        value = float(got)
    except Exception:
        return False
    return math.isclose(value, want, rel_tol=RTOL, abs_tol=ATOL)


def _mismatch(
    engine: _Engine,
    inputs: tuple[float, ...],
    build_engine: Callable[[list[Any]], Any],
    expected: Expected,
    manual: bool = False,
) -> Optional[str]:
    """None when the engine agrees with torch, else what differs."""
    try:
        value, grads = engine.run(inputs, build_engine, manual)
    except Exception as exc:  # an op that raises on valid input is wrong
        return f"raised {type(exc).__name__}: {str(exc)[:80]}"
    want_value, want_grads = expected
    if not _close(value, want_value):
        return f"value {value!r}, expected {want_value!r}"
    for i, (got, want) in enumerate(zip(grads, want_grads)):
        if not _close(got, want):
            return f"grad of leaf {'ab'[i] if i < 2 else i} {got!r}, expected {want!r}"
    return None


# --------------------------------------------------------------------------- checks


def _check_op(engine: _Engine, category: str, context: Optional[str], manual: bool) -> list[str]:
    """The op's forms in one context (None: alone); ``manual``: under the manual traversal."""
    problems = []
    for form in (f for f in FORMS if f.category == category):
        for case in cases(form):
            build = _op_program(form, context, case[2], engine.method)
            expected = _expected_op(form.id, context, case)
            inputs = case[: form.leaves]
            found = _mismatch(engine, inputs, build, expected, manual)
            if found:
                where = "alone" if context is None else f"in context {context}"
                x, y, c = case
                problems.append(f"{form.id} {where}, x={x}, y={y}, c={c}: {found}")
                break
    return problems


def _check_api(engine: _Engine, ok: dict[str, bool]) -> list[str]:
    names = engine.names
    problems = []
    for x in (3.0, -1.5, 2):
        v = engine.cls(x)
        if not _close(getattr(v, names.data), x):
            problems.append(f"Value({x}).{names.data} is {getattr(v, names.data)!r}")
        if getattr(v, names.grad) != 0:
            problems.append(f"a fresh Value has {names.grad} {getattr(v, names.grad)!r}")
    leaf = engine.cls(0.7)
    graphs = [("v = Value(0.7); v.backward()", leaf, leaf)]
    for form in FORMS:
        if ok.get(form.category) and form.leaves == 2:
            a, b = engine.cls(0.7), engine.cls(-1.2)
            out = form.build(a, b, None, engine.method)
            graphs.append((f"out = {form.id}; out.backward()", out, out))
            break
    for label, node, out in graphs:
        try:
            getattr(out, names.backward)()
        except Exception as exc:
            problems.append(f"{label} raised {type(exc).__name__}")
            continue
        if not _close(getattr(node, names.grad), 1.0):
            problems.append(f"after {label}, the output's grad is {getattr(node, names.grad)!r}")
    return problems


REUSE_GRAPHS: dict[str, Callable[[Any, Any, Callable[[Any, Any], Any]], Any]] = {
    "t = a . b; out = (t . a) . t": lambda a, b, f: (lambda t: f(f(t, a), t))(f(a, b)),
    "t = a . b; out = (t . b) . (t . a)": lambda a, b, f: (lambda t: f(f(t, b), f(t, a)))(f(a, b)),
}
REUSE_INPUTS = ((0.7, -1.3), (1.9, 0.4), (-0.6, -2.1))
_COMBINE = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y}


@cache
def _expected_reuse(graph: str, op: str, inputs: tuple[float, float]) -> Expected:
    return _torch_run(inputs, lambda ls: REUSE_GRAPHS[graph](ls[0], ls[1], _COMBINE[op]))


def _check_reuse(engine: _Engine, ok: dict[str, bool]) -> list[str]:
    problems = []
    for op in (op for op in ("add", "mul") if ok[op]):
        for graph, build in REUSE_GRAPHS.items():
            for inputs in REUSE_INPUTS:
                found = _mismatch(
                    engine,
                    inputs,
                    lambda ls, build=build, op=op: build(ls[0], ls[1], _COMBINE[op]),
                    _expected_reuse(graph, op, inputs),
                )
                if found:
                    problems.append(f"{graph} with . = {op}, inputs {inputs}: {found}")
                    break
    return problems


Program = tuple[tuple[str, int, int, Any], ...]  # (form id, a, b, constant) per step
GRAPH_LEAVES = (-1.7, -0.6, 0.4, 0.9, 1.6, 2.2)


def _float_method(x: float, op: str) -> float:
    if op == "sigmoid":
        return 1 / (1 + math.exp(-x))
    if op == "relu":
        return max(x, 0.0)
    return float(getattr(math, op)(x))


def random_program(rng: random.Random, forms: list[Form], n_leaves: int, n_steps: int) -> tuple:
    """Leaf values and steps over earlier nodes, every op inside its domain."""
    values = [rng.choice(GRAPH_LEAVES) for _ in range(n_leaves)]
    steps: list[tuple[str, int, int, Any]] = []
    consumed: set[int] = set()
    for _ in range(50 * n_steps):
        if len(steps) == n_steps:
            break
        form = rng.choice(forms)
        # a: mostly a result nothing consumes yet, so that most steps reach the output
        open_results = [i for i in range(n_leaves, len(values)) if i not in consumed]
        if open_results and rng.random() < 0.7:
            a = rng.choice(open_results)
        else:
            a = rng.randrange(len(values))
        b = rng.randrange(len(values))
        c = rng.choice(form.consts)
        if not form.domain(values[a], values[b], c):
            continue
        try:
            r = form.build(values[a], values[b], c, _float_method)
        except (ArithmeticError, ValueError):
            continue
        if isinstance(r, float) and math.isfinite(r) and abs(r) < 50:
            values.append(r)
            steps.append((form.id, a, b, c))
            consumed.update((a, b) if form.leaves == 2 else (a,))
    return tuple(values[:n_leaves]), tuple(steps)


def _program(steps: Program, method: Method) -> Callable[[list[Any]], Any]:
    def build(leaves: list[Any]) -> Any:
        nodes = list(leaves)
        for form_id, a, b, c in steps:
            nodes.append(FORM_BY_ID[form_id].build(nodes[a], nodes[b], c, method))
        return nodes[-1]

    return build


@cache
def _expected_program(inputs: tuple[float, ...], steps: Program) -> Expected:
    return _torch_run(inputs, _program(steps, _torch_method))


def _check_graph(engine: _Engine, ok: dict[str, bool]) -> list[str]:
    forms = [form for form in FORMS if ok[form.category]]
    if not forms:
        return []
    rng = random.Random(20240611)
    for k in range(8):
        inputs, steps = random_program(rng, forms, 3, 10)
        found = _mismatch(
            engine, inputs, _program(steps, engine.method), _expected_program(inputs, steps)
        )
        if found:
            return [f"random graph {k} (inputs {inputs}, steps {steps}): {found}"]
    return []


def oracle_check(path: Path, names: Names = Names(), traversal: str = "engine") -> OracleResult:
    """Which categories are really wrong in the engine at ``path`` (see the module doc)."""
    assert traversal in ("engine", "manual")
    manual = traversal == "manual"
    engine = _Engine(Path(path), names)
    evidence: dict[str, list[str]] = {}
    ok = _judge_ops(engine, manual, False, evidence)
    # reuse and graph are made of the ops right by their own rules: with ``manual``, also
    # alone under the manual traversal (an op wrong alone only through the engine's
    # backward(), which raises or walks in a wrong order, is right by its own rules).
    own = _judge_ops(engine, True, True, {}) if manual else ok
    api_problems = _check_api(engine, ok)
    if api_problems:
        evidence["api"] = api_problems
    reuse_problems = _check_reuse(engine, own)
    if reuse_problems:
        evidence["reuse"] = reuse_problems
    graph_problems = _check_graph(engine, own)
    if graph_problems:
        evidence["graph"] = graph_problems
    if not (own["add"] or own["mul"]):
        raise AssertionError("neither add nor mul is right: reuse cannot be judged")
    return OracleResult(
        frozenset(evidence), {category: "; ".join(p) for category, p in evidence.items()}
    )


def _judge_ops(
    engine: _Engine, manual: bool, manual_alone: bool, evidence: dict[str, list[str]]
) -> dict[str, bool]:
    """Per op category, whether it is right alone and in context (contexts under the manual
    traversal if ``manual``, ops alone too if ``manual_alone``); problems go to ``evidence``."""

    def judge(category: str, contexts: list[Optional[str]]) -> bool:
        for context in contexts:
            walk = manual_alone if context is None else manual
            problems = _check_op(engine, category, context, walk)
            if problems:
                evidence[category] = problems
                return False
        return True

    ok: dict[str, bool] = {}
    # add and mul are judged first (each in a context made of itself only, then of both),
    # since the contexts of every other op are made of them.
    ok["add"] = judge("add", [None, "(t + t) + leaves"])
    ok["mul"] = judge("mul", [None, "(t * t) * leaves"])
    if ok["add"] and ok["mul"]:
        ok["add"] = judge("add", ["t * t + leaves"])
        ok["mul"] = judge("mul", ["t * t + leaves"])
    usable = [name for name, (needs, _) in CONTEXTS.items() if all(ok[n] for n in needs)]
    for category in OP_CATEGORIES:
        if category not in ok:
            ok[category] = judge(category, [None, *usable])
    return ok
