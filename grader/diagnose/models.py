"""Models of known bugs: a graph evaluated in plain floats the way a buggy engine would.

A bug model changes one op category's forward or backward (its scope is that category),
the order in which ``backward()`` runs the ``_backward`` closures (scope "graph" or
"reuse"), or how ``backward()`` starts (scope "api"). The evaluator replays student code
step by step: closures run one after another over a list of nodes, each reading its own
``grad`` at that moment, so ``=`` instead of ``+=`` and repeated visits behave as they would.

Student code may build derived ops (``a - b``, ``a / b``, ``-a``, ``2 * a``, ...) directly
or, as micrograd and the reference do, from ``+``, ``*`` and ``**``. A *program* is the graph
in one of those two shapes: "direct" (one node per step) or "composed" (the reference's
primitive nodes). A node's children may be a tuple or a set, whose order is unpredictable,
so a model comes with several *walks* (orders of ``_backward`` calls); see ``Plans``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Optional

from grader.graph import Graph
from grader.ops import OPS, forms_of

Forward = Callable[[float, float, float], float]  # (x, y, c) -> out
Backward = Callable[[float, float, float, float], tuple[float, ...]]  # (x, y, c, out) -> d/dargs
Result = tuple[list[float], list[float]]  # values and grads, one per graph node
Walk = tuple[int, ...]  # program nodes whose _backward runs, in order

MAX_WALK = 5000  # longest walk simulated (a graph without a visited set can explode)
MAX_FLIPS = 5  # set-order choices enumerated exhaustively; above, only two walks are tried


@dataclass(frozen=True)
class Kernel:
    """One op form: its forward, and its local derivatives with respect to its Value operands."""

    forward: Forward
    backward: Backward


@dataclass(frozen=True)
class BugModel:
    """A known bug: what it changes, where the student should look, and what to tell them."""

    id: str
    scope: str  # an op category, or "api", "reuse", "graph"
    hint: str
    kernels: dict[str, Kernel] = field(default_factory=dict, compare=False, repr=False)
    assign: bool = False  # the scope op's _backward writes `grad =` instead of `grad +=`
    chain: bool = True  # False: the scope op's _backward forgets `* out.grad`
    order: str = "reverse"  # walk: "reverse" topological, "forward" or "unvisited"
    seed: str = "one"  # the output's grad when backward starts: "one", "zero" or "value"

    @cached_property
    def forms(self) -> frozenset[str]:
        """The op forms this model changes (none for an engine-level model)."""
        if self.scope not in OP_SCOPES:
            return frozenset()
        return frozenset(self.kernels or forms_of(self.scope))

    @cached_property
    def changes_forward(self) -> bool:
        return any(k.forward is not KERNELS[f].forward for f, k in self.kernels.items())


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


KERNELS: dict[str, Kernel] = {
    "add": Kernel(lambda x, y, c: x + y, lambda x, y, c, o: (1.0, 1.0)),
    "add_c": Kernel(lambda x, y, c: x + c, lambda x, y, c, o: (1.0,)),
    "radd": Kernel(lambda x, y, c: c + x, lambda x, y, c, o: (1.0,)),
    "sub": Kernel(lambda x, y, c: x - y, lambda x, y, c, o: (1.0, -1.0)),
    "sub_c": Kernel(lambda x, y, c: x - c, lambda x, y, c, o: (1.0,)),
    "rsub": Kernel(lambda x, y, c: c - x, lambda x, y, c, o: (-1.0,)),
    "mul": Kernel(lambda x, y, c: x * y, lambda x, y, c, o: (y, x)),
    "mul_c": Kernel(lambda x, y, c: x * c, lambda x, y, c, o: (c,)),
    "rmul": Kernel(lambda x, y, c: c * x, lambda x, y, c, o: (c,)),
    "neg": Kernel(lambda x, y, c: -x, lambda x, y, c, o: (-1.0,)),
    "truediv": Kernel(lambda x, y, c: x / y, lambda x, y, c, o: (1.0 / y, -o / y)),
    "truediv_c": Kernel(lambda x, y, c: x / c, lambda x, y, c, o: (1.0 / c,)),
    "rtruediv": Kernel(lambda x, y, c: c / x, lambda x, y, c, o: (-o / x,)),
    "pow": Kernel(lambda x, y, c: x**c, lambda x, y, c, o: (c * x ** (c - 1) if c else 0.0,)),
    "exp": Kernel(lambda x, y, c: math.exp(x), lambda x, y, c, o: (o,)),
    "log": Kernel(lambda x, y, c: math.log(x), lambda x, y, c, o: (1.0 / x,)),
    "tanh": Kernel(lambda x, y, c: math.tanh(x), lambda x, y, c, o: (1.0 - o * o,)),
    "sigmoid": Kernel(lambda x, y, c: _sigmoid(x), lambda x, y, c, o: (o * (1.0 - o),)),
    "relu": Kernel(lambda x, y, c: max(x, 0.0), lambda x, y, c, o: (1.0 if o > 0 else 0.0,)),
}

OP_SCOPES = frozenset(op.category for op in OPS.values())
PRIMITIVES = frozenset({"add", "add_c", "mul", "mul_c", "pow"})  # what composed programs use


# --- programs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    """A graph as nodes that each run one kernel; leaves first, as in the graph."""

    n_leaves: int
    forms: tuple[str, ...]  # per node; "" for a leaf
    args: tuple[tuple[int, ...], ...]
    consts: tuple[float, ...]
    index: tuple[int, ...]  # graph node -> program node

    @property
    def output(self) -> int:
        return len(self.forms) - 1

    @cached_property
    def inner(self) -> range:
        """The nodes that have a _backward (every node but the leaves)."""
        return range(self.n_leaves, len(self.forms))

    @cached_property
    def kids(self) -> tuple[tuple[int, ...], ...]:
        """Per node, its non-leaf operands, each once (leaves have no _backward to walk)."""
        return tuple(tuple(dict.fromkeys(a for a in args if a >= self.n_leaves))
                     for args in self.args)

    @cached_property
    def reach(self) -> tuple[int, ...]:
        """Per node, a bit mask of the non-leaf nodes reachable from it (itself included)."""
        masks = [0] * len(self.forms)
        for node in self.inner:
            masks[node] = 1 << node
            for arg in self.args[node]:
                masks[node] |= masks[arg]
        return tuple(masks)


def build_program(graph: Graph, composed: bool = False) -> Program:
    """The graph as one node per step, or ``composed`` from add, mul and pow as the reference."""
    forms: list[str] = [""] * graph.n_leaves
    args: list[tuple[int, ...]] = [()] * graph.n_leaves
    consts: list[float] = [0.0] * graph.n_leaves
    index = list(range(graph.n_leaves))

    def emit(form: str, operands: tuple[int, ...], const: float = 0.0) -> int:
        forms.append(form)
        args.append(operands)
        consts.append(const)
        return len(forms) - 1

    for step in graph.steps:
        c = float(step.const) if step.const is not None else 0.0
        a = tuple(index[i] for i in step.args)
        form = step.op if composed else ""
        if form == "radd":
            node = emit("add_c", a, c)
        elif form == "sub":
            node = emit("add", (a[0], emit("mul_c", (a[1],), -1.0)))
        elif form == "sub_c":
            node = emit("add_c", a, -c)
        elif form == "rsub":
            node = emit("add_c", (emit("mul_c", a, -1.0),), c)
        elif form in ("rmul", "neg"):
            node = emit("mul_c", a, c if form == "rmul" else -1.0)
        elif form == "truediv":
            node = emit("mul", (a[0], emit("pow", (a[1],), -1.0)))
        elif form == "truediv_c":
            node = emit("mul_c", a, c**-1 if c else math.inf)
        elif form == "rtruediv":
            node = emit("mul_c", (emit("pow", a, -1.0),), c)
        else:
            node = emit(step.op, a, c)
        index.append(node)
    return Program(graph.n_leaves, tuple(forms), tuple(args), tuple(consts), tuple(index))


# --- walks -----------------------------------------------------------------------------------


def _flipped(program: Program, flips: frozenset[int], dedup: bool = True) -> list[tuple[int, ...]]:
    if dedup:
        kids = list(program.kids)
    else:
        kids = [tuple(a for a in args if a >= program.n_leaves) for args in program.args]
    for node in flips:
        kids[node] = kids[node][::-1]
    return kids


def topological_walk(program: Program, flips: frozenset[int] = frozenset()) -> Walk:
    """Post-order DFS with a visited set, children in argument order (flipped at ``flips``):
    each node after its operands. Leaves are left out; their _backward does nothing."""
    kids = _flipped(program, flips)
    order: list[int] = []
    seen = {program.output}
    stack = [(program.output, iter(kids[program.output]))]
    while stack:
        node, todo = stack[-1]
        for child in todo:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(kids[child])))
                break
        else:
            stack.pop()
            order.append(node)
    return tuple(order)


def unvisited_walk(
    program: Program, dedup: bool, flips: frozenset[int] = frozenset(), limit: int = 0
) -> Optional[Walk]:
    """``reversed(topo)`` when topo is built without a visited set: a node comes once per
    path from the output. None when longer than ``limit`` (default ``MAX_WALK``)."""
    kids = _flipped(program, flips, dedup)
    limit = limit or MAX_WALK
    order: list[int] = []
    stack = [program.output]
    while stack:
        node = stack.pop()
        order.append(node)
        if len(order) > limit:
            return None
        stack.extend(kids[node])
    return tuple(order)


def _flip_sets(candidates: list[int]) -> list[frozenset[int]]:
    """No flip, every flip, then the other combinations (when few enough)."""
    sets = [frozenset(), frozenset(candidates)] if candidates else [frozenset()]
    if len(candidates) <= MAX_FLIPS:
        for bits in itertools.product((False, True), repeat=len(candidates)):
            chosen = frozenset(c for c, bit in zip(candidates, bits) if bit)
            if chosen not in sets:
                sets.append(chosen)
    return sets


class Plans:
    """The programs and walks of one graph, shared by every model tried on it."""

    def __init__(self, graph: Graph):
        self.direct = build_program(graph)
        composed = build_program(graph, composed=True)
        self.composed = composed if composed.forms != self.direct.forms else None
        self._walks: dict[tuple[bool, str, frozenset[int]], list[tuple[Walk, ...]]] = {}
        self._topo: dict[tuple[bool, frozenset[int]], Walk] = {}

    def programs(self, model: Optional[BugModel]) -> list[Program]:
        """The shapes of student code the model can live in, and that it changes."""
        if model is None:  # the right answer, in either shape
            return [self.direct] + ([self.composed] if self.composed else [])
        forms = model.forms
        shapes = [self.direct] if not forms or forms & set(self.direct.forms) else []
        composed = self.composed
        if composed and (not forms or forms <= PRIMITIVES and forms & set(composed.forms)):
            shapes.append(composed)
        return shapes

    def walks(self, program: Program, model: Optional[BugModel]) -> list[tuple[Walk, ...]]:
        """Groups of walks: the student's code is one group; within it, set order may vary."""
        order = model.order if model else "reverse"
        flips = _order_matters(program, model.forms) if model and model.assign else frozenset()
        key = (program is self.composed, order, flips)
        if key not in self._walks:
            if order == "unvisited":
                self._walks[key] = _unvisited_walks(program)
            elif order == "forward":
                self._walks[key] = [(self._topological(program, frozenset()),)]
            else:
                found = (self._topological(program, f)[::-1] for f in _flip_sets(sorted(flips)))
                self._walks[key] = [tuple(dict.fromkeys(found))]
        return self._walks[key]

    def _topological(self, program: Program, flips: frozenset[int]) -> Walk:
        key = (program is self.composed, flips)
        if key not in self._topo:
            self._topo[key] = topological_walk(program, flips)
        return self._topo[key]


def _order_matters(program: Program, assigning: frozenset[str]) -> frozenset[int]:
    """Where a child order changes the grads when ``assigning`` forms use `=`: nodes whose
    two children both reach a consumer of a node that has an assigning consumer and another."""
    users: dict[int, int] = {}
    for node in program.inner:
        for arg in set(program.args[node]):
            users[arg] = users.get(arg, 0) | 1 << node
    contested = [
        mask for mask in users.values()
        if mask & (mask - 1) and any(program.forms[n] in assigning for n in _bits(mask))
    ]
    reach = program.reach
    return frozenset(
        n for n in program.inner
        if len(program.kids[n]) == 2
        and any(all(reach[k] & mask for k in program.kids[n]) for mask in contested)
    )


def _unvisited_walks(program: Program) -> list[tuple[Walk, ...]]:
    """Two groups: children in a tuple (argument order), and in a set (any order where it
    matters: both children reach a shared node). At most ``MAX_WALK`` steps per group."""
    reach, kids = program.reach, program.kids
    pairs = [n for n in program.inner if len(kids[n]) == 2]
    shared = [n for n in pairs if reach[kids[n][0]] & reach[kids[n][1]]]
    groups: list[tuple[Walk, ...]] = []
    as_tuple = unvisited_walk(program, dedup=False)
    if as_tuple is not None:
        groups.append((as_tuple,))
    as_set: dict[Walk, None] = {}
    budget = MAX_WALK
    for flips in _flip_sets(shared):
        walk = unvisited_walk(program, True, flips, budget) if budget > 0 else None
        if walk is None:
            break
        budget -= len(walk)
        as_set[walk] = None
    if as_set:
        groups.append(tuple(as_set))
    return groups


def _bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


# --- running -------------------------------------------------------------------------------

Table = list[tuple[Kernel, bool, bool]]  # per non-leaf node: kernel, assign, chain
Local = list[tuple[tuple[int, float], ...]]  # per non-leaf node: (operand, local derivative)


def compile_model(program: Program, model: Optional[BugModel]) -> Table:
    """Each step node's kernel under the model, and whether its backward assigns or skips
    out.grad; indexed by node - n_leaves."""
    table: Table = []
    forms = model.forms if model else frozenset()
    for form in program.forms[program.n_leaves :]:
        if model is None or form not in forms:
            table.append((KERNELS[form], False, True))
        else:
            kernel = model.kernels.get(form, KERNELS[form])
            table.append((kernel, model.assign, model.chain))
    return table


def run_forward(program: Program, table: Table, inputs: tuple[float, ...]) -> Optional[list[float]]:
    """Every node's value, or None when the model's math fails (domain, overflow, complex)."""
    values = [float(x) for x in inputs]
    try:
        for node in range(program.n_leaves, len(program.forms)):
            kernel = table[node - program.n_leaves][0]
            a = program.args[node]
            y = values[a[1]] if len(a) > 1 else 0.0
            out = kernel.forward(values[a[0]], y, program.consts[node])
            if type(out) is not float or not math.isfinite(out):
                return None
            values.append(out)
    except (ArithmeticError, ValueError):
        return None
    return values


def local_derivatives(
    program: Program, table: Table, values: list[float], base: Optional[Local] = None
) -> Optional[Local]:
    """Each step node's operands paired with its local derivatives (None if the math fails).

    ``base``, the right derivatives at the same values, saves recomputing the nodes whose
    kernel the model leaves alone.
    """
    local: Local = []
    try:
        for node in program.inner:
            kernel = table[node - program.n_leaves][0]
            if base is not None and kernel is KERNELS[program.forms[node]]:
                local.append(base[node - program.n_leaves])
                continue
            a = program.args[node]
            y = values[a[1]] if len(a) > 1 else 0.0
            ds = kernel.backward(values[a[0]], y, program.consts[node], values[node])
            # a complex number (a negative base to a fractional power) makes isfinite raise
            if not all(math.isfinite(d) for d in ds):
                return None
            local.append(tuple(zip(a, ds)))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return local


def propagate(
    program: Program, table: Table, local: Local, walk: Walk, seed: float = 1.0
) -> Optional[list[float]]:
    """Every node's grad after setting the output's to ``seed`` and running the
    ``_backward`` of each node of ``walk`` in turn."""
    grads = [0.0] * len(program.forms)
    grads[program.output] = seed
    start = program.n_leaves
    if all(not assign and chain for _, assign, chain in table):
        for node in walk:
            g = grads[node]
            for arg, d in local[node - start]:
                grads[arg] += d * g
    else:
        for node in walk:
            g = grads[node]
            _, assign, chain = table[node - start]
            for arg, d in local[node - start]:
                if chain:
                    d *= g
                if assign:
                    grads[arg] = d
                else:
                    grads[arg] += d
    return grads if all(map(math.isfinite, grads)) else None


def seed_value(model: Optional[BugModel], values: list[float]) -> float:
    """The output's grad when the model's backward starts."""
    seed = model.seed if model else "one"
    return {"one": 1.0, "zero": 0.0}.get(seed, values[-1])


def evaluate(
    graph: Graph, model: Optional[BugModel] = None, composed: bool = False
) -> Optional[Result]:
    """Values and grads per node of the graph's first lane under ``model`` (None: correct).

    ``composed`` builds derived ops from add, mul and pow; the walk is the first one the
    model allows (children in argument order). None when the model can't evaluate.
    """
    plans = Plans(graph)
    program = plans.composed if composed and plans.composed else plans.direct
    table = compile_model(program, model)
    values = run_forward(program, table, graph.inputs[0])
    groups = plans.walks(program, model)
    if values is None or not groups:
        return None
    local = local_derivatives(program, table, values)
    if local is None:
        return None
    grads = propagate(program, table, local, groups[0][0], seed_value(model, values))
    if grads is None:
        return None
    return [values[p] for p in program.index], [grads[p] for p in program.index]


# --- the catalogue -------------------------------------------------------------------------

_METHOD = {
    "add": "__add__", "radd": "__radd__", "sub": "__sub__", "rsub": "__rsub__",
    "mul": "__mul__", "rmul": "__rmul__", "neg": "__neg__", "truediv": "__truediv__",
    "rtruediv": "__rtruediv__", "pow": "__pow__",
}  # fmt: skip
_EXAMPLE = {
    "add": "a + b, and for a - b or 2 + a if you build those with +",
    "mul": "a * b, and for -a, a / b or 2 * a if you build those with *",
    "pow": "a ** 2, and for a / b or 2 / a if you build those with **",
    "radd": "2 + a", "sub": "a - b", "rsub": "2 - a", "rmul": "2 * a", "neg": "-a",
    "truediv": "a / b", "rtruediv": "2 / a",
}  # fmt: skip


def _where(category: str) -> str:
    method = _METHOD.get(category, category)
    example = _EXAMPLE.get(category, f"a.{category}()")
    return f"the _backward inside your {method} (used for {example})"


def _overwrite(category: str) -> BugModel:
    hint = (
        f"In {_where(category)}, did you write `self.grad = ...` instead of `self.grad += ...`? "
        "A value used more than once (like a in `a * a`, or in two different ops) must collect "
        "a share from every use; `=` throws away the shares added before it."
    )
    return BugModel(f"{category}.overwrite", category, hint, assign=True)


def _no_chain(category: str) -> BugModel:
    hint = (
        f"In {_where(category)}, did you forget to multiply by `out.grad`? Every line should "
        "look like `self.grad += (local derivative) * out.grad`: the chain rule multiplies "
        "the op's own derivative by the gradient arriving from the output."
    )
    return BugModel(f"{category}.no_chain", category, hint, chain=False)


def _grad(model_id: str, hint: str, **backward: Backward) -> BugModel:
    """A model whose forward is right but whose local derivatives are ``backward`` per form."""
    kernels = {form: Kernel(KERNELS[form].forward, fn) for form, fn in backward.items()}
    return BugModel(model_id, model_id.split(".")[0], hint, kernels)


def _op(model_id: str, hint: str, **kernels: Kernel) -> BugModel:
    return BugModel(model_id, model_id.split(".")[0], hint, kernels)


_CATEGORIES = list(dict.fromkeys(op.category for op in OPS.values()))

MODELS: list[BugModel] = [
    _grad(
        "add.self_twice",
        "In __add__'s _backward, did you write `self.grad += out.grad` twice? The second line "
        "must be `other.grad += out.grad`, so both operands get the gradient.",
        add=lambda x, y, c, o: (2.0, 0.0),
        add_c=lambda x, y, c, o: (2.0,),
    ),
    _grad(
        "add.other_forgotten",
        "In __add__'s _backward, did you forget `other.grad += out.grad`? Both operands of "
        "a + b get the gradient: `self.grad += out.grad` and `other.grad += out.grad`.",
        add=lambda x, y, c, o: (1.0, 0.0),
    ),
    _grad(
        "add.grad_like_mul",
        "In __add__'s _backward, did you multiply by the other operand's data, as for a "
        "product (`self.grad += other.data * out.grad`)? The derivative of a + b is 1 for "
        "each operand: `self.grad += out.grad` and `other.grad += out.grad`.",
        add=lambda x, y, c, o: (y, x),
        add_c=lambda x, y, c, o: (c,),
    ),
    _grad(
        "mul.own_value",
        "In __mul__'s _backward, did you write `self.grad += self.data * out.grad`? The "
        "derivative of a * b with respect to a is b: `self.grad += other.data * out.grad` "
        "and `other.grad += self.data * out.grad`.",
        mul=lambda x, y, c, o: (x, y),
        mul_c=lambda x, y, c, o: (x,),
    ),
    _grad(
        "mul.self_data_twice",
        "In __mul__'s _backward, did you copy the first line into the second, so both use "
        "`self.data`? The derivative of a * b with respect to b is a and with respect to a "
        "is b: `self.grad += other.data * out.grad` and `other.grad += self.data * out.grad`.",
        mul=lambda x, y, c, o: (x, x),
        mul_c=lambda x, y, c, o: (x,),
    ),
    _grad(
        "mul.other_data_twice",
        "In __mul__'s _backward, did you write `other.grad += other.data * out.grad`? The "
        "derivative of a * b with respect to b is a, so that line needs `self.data`: "
        "`other.grad += self.data * out.grad`.",
        mul=lambda x, y, c, o: (y, y),
    ),
    _grad(
        "sub.subtrahend_sign",
        "In __sub__'s _backward, did you write `other.grad += out.grad`? In a - b, b is "
        "subtracted, so its line must be `other.grad -= out.grad`.",
        sub=lambda x, y, c, o: (1.0, 1.0),
    ),
    _grad(
        "rsub.sign",
        "In __rsub__'s _backward (used for 2 - a), did you write `self.grad += out.grad`? a is "
        "subtracted, so the line must be `self.grad -= out.grad`.",
        rsub=lambda x, y, c, o: (1.0,),
    ),
    _op(
        "rsub.swapped",
        "Did your __rsub__ compute `self - other`? For 2 - a Python calls a.__rsub__(2), so the "
        "number `other` comes first: return `other + (-self)`.",
        rsub=Kernel(lambda x, y, c: x - c, lambda x, y, c, o: (1.0,)),
    ),
    _grad(
        "neg.sign",
        "In __neg__'s _backward, did you write `self.grad += out.grad`? -a flips the sign, so "
        "the line must be `self.grad -= out.grad` (or simply `return self * -1`).",
        neg=lambda x, y, c, o: (1.0,),
    ),
    _grad(
        "truediv.denominator_sign",
        "In __truediv__'s _backward, did you write `other.grad += self.data / other.data**2 * "
        "out.grad`? The derivative of a / b with respect to b is -a / b**2: a minus sign is "
        "missing.",
        truediv=lambda x, y, c, o: (1.0 / y, o / y),
    ),
    _grad(
        "truediv.denominator_no_numerator",
        "In __truediv__'s _backward, did you write `other.grad += -1 / other.data**2 * "
        "out.grad`? That is the derivative of 1 / b; for a / b it is -a / b**2, so multiply "
        "by self.data.",
        truediv=lambda x, y, c, o: (1.0 / y, -1.0 / y / y),
    ),
    _grad(
        "rtruediv.sign",
        "In __rtruediv__'s _backward (used for 2 / a), did you drop the minus sign? The "
        "derivative of c / a is -c / a**2.",
        rtruediv=lambda x, y, c, o: (o / x,),
    ),
    _op(
        "rtruediv.swapped",
        "Did your __rtruediv__ compute `self / other`? For 2 / a Python calls a.__rtruediv__(2), "
        "so the number `other` is the numerator: return `other * self**-1`.",
        rtruediv=Kernel(lambda x, y, c: x / c, lambda x, y, c, o: (1.0 / c,)),
    ),
    _grad(
        "pow.forgot_minus_one",
        "In __pow__'s _backward, did you write `other * self.data**other`? The power rule "
        "lowers the exponent by one: `other * self.data**(other - 1) * out.grad`.",
        pow=lambda x, y, c, o: (c * x**c,),
    ),
    _grad(
        "pow.no_coefficient",
        "In __pow__'s _backward, did you write `self.data**(other - 1) * out.grad` without the "
        "leading `other *`? The power rule brings the exponent down in front: "
        "`other * self.data**(other - 1) * out.grad`.",
        pow=lambda x, y, c, o: (x ** (c - 1),),
    ),
    _grad(
        "pow.swapped",
        "In __pow__'s _backward, did you swap the base and the exponent, as in "
        "`self.data * other**(self.data - 1)`? For x**n the derivative is n * x**(n - 1): "
        "`other * self.data**(other - 1) * out.grad`.",
        pow=lambda x, y, c, o: (x * c ** (x - 1),),
    ),
    _grad(
        "exp.grad_is_input",
        "In exp's _backward, did you write `self.grad += self.data * out.grad`? The derivative "
        "of e**x is e**x itself, which is the output: `self.grad += out.data * out.grad`.",
        exp=lambda x, y, c, o: (x,),
    ),
    _grad(
        "exp.grad_is_one",
        "In exp's _backward, did you write `self.grad += out.grad`? The derivative of e**x is "
        "e**x, not 1: `self.grad += out.data * out.grad`.",
        exp=lambda x, y, c, o: (1.0,),
    ),
    _grad(
        "log.grad_is_input",
        "In log's _backward, did you write `self.grad += self.data * out.grad`? The derivative "
        "of log(x) is 1 / x: `self.grad += out.grad / self.data`.",
        log=lambda x, y, c, o: (x,),
    ),
    _grad(
        "log.grad_inverse_square",
        "In log's _backward, did you use 1 / x**2? The derivative of log(x) is 1 / x: "
        "`self.grad += out.grad / self.data`.",
        log=lambda x, y, c, o: (1.0 / x / x,),
    ),
    _grad(
        "log.grad_is_output",
        "In log's _backward, did you copy exp's line `self.grad += out.data * out.grad`? For "
        "log, out.data is log(x), but the derivative is 1 / x: "
        "`self.grad += out.grad / self.data`.",
        log=lambda x, y, c, o: (o,),
    ),
    _op(
        "log.log10",
        "Did your log compute `math.log10(x)`? The log here is the natural log, `math.log(x)`, "
        "whose derivative is the 1 / x you use in _backward.",
        log=Kernel(lambda x, y, c: math.log10(x), lambda x, y, c, o: (1.0 / x,)),
    ),
    _grad(
        "tanh.grad_from_input",
        "Your tanh gradient looks like it uses the input x instead of the output t = tanh(x): "
        "did you write `(1 - self.data**2)` in tanh's _backward? The derivative is 1 - t**2: "
        "`self.grad += (1 - out.data**2) * out.grad`.",
        tanh=lambda x, y, c, o: (1.0 - x * x,),
    ),
    _grad(
        "tanh.no_square",
        "In tanh's _backward, did you write `(1 - out.data)`? The derivative is 1 - t**2, with "
        "t squared: `self.grad += (1 - out.data**2) * out.grad`.",
        tanh=lambda x, y, c, o: (1.0 - o,),
    ),
    _grad(
        "sigmoid.grad_is_output",
        "In sigmoid's _backward, did you write `self.grad += out.data * out.grad`? The "
        "derivative of s = sigmoid(x) is s * (1 - s): "
        "`self.grad += out.data * (1 - out.data) * out.grad`.",
        sigmoid=lambda x, y, c, o: (o,),
    ),
    _grad(
        "sigmoid.grad_from_input",
        "In sigmoid's _backward, did you use the input, as in `self.data * (1 - self.data)`? "
        "The derivative is s * (1 - s) with s the OUTPUT: "
        "`self.grad += out.data * (1 - out.data) * out.grad`.",
        sigmoid=lambda x, y, c, o: (x * (1.0 - x),),
    ),
    _op(
        "sigmoid.forward_sign",
        "Did your sigmoid compute `1 / (1 + math.exp(x))`? Sigmoid is 1 / (1 + exp(-x)): the "
        "minus sign in the exponent is missing.",
        sigmoid=Kernel(
            lambda x, y, c: 1.0 / (1.0 + math.exp(x)), lambda x, y, c, o: (o * (1.0 - o),)
        ),
    ),
    _grad(
        "relu.grad_always",
        "In relu's _backward, did you write `self.grad += out.grad`? Where the input was "
        "negative relu is flat, so no gradient may pass: "
        "`self.grad += (out.data > 0) * out.grad`.",
        relu=lambda x, y, c, o: (1.0,),
    ),
    _grad(
        "relu.grad_is_output",
        "In relu's _backward, did you write `self.grad += out.data * out.grad`? The slope of "
        "relu is 1 where the input was positive and 0 elsewhere, not the output itself: "
        "`self.grad += (out.data > 0) * out.grad`.",
        relu=lambda x, y, c, o: (o,),
    ),
    _op(
        "relu.forward_max_one",
        "Did your relu compute `max(x, 1)`? relu is `max(x, 0)`: it keeps positive numbers "
        "and turns negative ones into 0.",
        relu=Kernel(lambda x, y, c: max(x, 1.0), lambda x, y, c, o: (1.0 if o > 0 else 0.0,)),
    ),
    *(_overwrite(c) for c in _CATEGORIES),
    *(_no_chain(c) for c in _CATEGORIES),
    BugModel(
        "graph.forward_order",
        "graph",
        "In backward(), did you write `for node in topo:` without reversing? The loop must be "
        "`for node in reversed(topo):` so the output goes first: a node's _backward needs its "
        "own gradient complete before it passes it on.",
        order="forward",
    ),
    BugModel(
        "reuse.no_visited",
        "reuse",
        "In backward()'s topological sort, did you forget the `visited` set? Without it, a node "
        "reached along several paths is added to topo several times and its _backward runs "
        "more than once. Add `if v not in visited: visited.add(v)` around the recursion.",
        order="unvisited",
    ),
    BugModel(
        "api.no_seed",
        "api",
        "In backward(), did you forget `self.grad = 1` before the loop? The output's gradient "
        "with respect to itself is 1; without it every gradient stays 0.",
        seed="zero",
    ),
    BugModel(
        "api.seed_is_value",
        "api",
        "In backward(), did you write `self.grad = self.data`? The output's gradient with "
        "respect to itself is always 1: write `self.grad = 1.0`.",
        seed="value",
    ),
]

MODELS_BY_ID: dict[str, BugModel] = {m.id: m for m in MODELS}
