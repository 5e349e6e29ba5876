"""Lecture-style notebooks, drawn at random: the cells a student types while following the
micrograd lecture top to bottom, with the variations seen in real ones, and one planted bug.

The cell sequence: scalars and a numeric derivative, ``Value`` grown over three definitions,
manual backprop with ``.grad =`` lines, nudging the data, ``draw_dot``, a torch comparison,
Neuron/Layer/MLP and the training loop. Variations: stale scalar names, a star import of a
helper module, prints in constructors, magics and shell lines, cells saved with error outputs,
type hints under ``from __future__ import annotations``, comments in several languages, the
number kept in ``.value`` or ``.data``, the network called with ``__call__`` or ``forward``,
a torch module class.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

# Engine categories the lecture's final Value does not implement: `missing`, never `fail`.
LECTURE_MISSING = frozenset({"rsub", "rtruediv", "log", "sigmoid", "relu", "mlp.zero_grad"})


@dataclass(frozen=True)
class Bug:
    """A planted bug: ``old`` becomes ``new`` in the final engine or network cell."""

    name: str
    old: str
    new: str
    fails: frozenset[str]  # categories that must fail (or error)
    built_on: frozenset[str] = frozenset()  # categories that may fail too: see below


def _bug(name: str, old: str, new: str, fails: str, *built_on: str) -> Bug:
    return Bug(name, old, new, frozenset({fails}), frozenset(built_on))


# The lecture builds `-` on `+` and unary minus, `/` on `**` and `*`, unary minus on `*`, and
# the network's gradient and training on its forward pass: a bug in the base makes what is
# built on it really wrong too. Whether that costs points again is the rubric's choice, so these
# may fail (or not); nothing else may.
ON_MUL = ("rmul", "neg", "sub", "truediv")
EVERY_OP = ("add", "radd", "sub", "mul", "rmul", "neg", "truediv", "pow", "exp", "tanh")
UNCHECKED_WHEN_ALL_FAIL = frozenset({"reuse", "graph"})  # nothing passed to build them from

BUGS = (
    _bug("mul grad not accumulated", "self.grad += other.D * out.grad",
         "self.grad = other.D * out.grad", "mul", *ON_MUL),
    _bug("tanh grad not squared", "(1 - t**2) * out.grad", "(1 - t) * out.grad", "tanh"),
    _bug("exp grad uses the input", "self.grad += out.D * out.grad",
         "self.grad += self.D * out.grad", "exp"),
    _bug("pow grad exponent", "other * (self.D ** (other - 1))", "other * (self.D ** other)",
         "pow", "truediv"),
    _bug("sub operands swapped", "return self + (-other)", "return other + (-self)", "sub"),
    _bug("no visited set", "            visited.add(v)\n", "", "reuse"),
    _bug("backward not seeded", "self.grad = 1.0\n        for node",
         "self.grad = 0.0\n        for node", "api", *EVERY_OP),
    _bug("neg keeps the sign", "return self * -1", "return self * 1", "neg", "sub"),
    _bug("truediv multiplies", "return self * other**-1", "return self * other**1", "truediv"),
    _bug("mul adds", "out = Value(self.D * other.D", "out = Value(self.D + other.D", "mul",
         *ON_MUL),
    _bug("backward in topological order", "for node in reversed(topo):", "for node in topo:",
         "graph"),
    _bug("add grad from self", "other.grad += 1.0 * out.grad", "other.grad += 1.0 * self.grad",
         "add", "sub"),
    _bug("bias left out of parameters", "return self.w + [self.b]", "return self.w",
         "mlp.params"),
    _bug("bias left out of the sum", "zip(self.w, x)), self.b)", "zip(self.w, x)), 0.0)",
         "mlp.forward", "mlp.grad", "mlp.train"),
    _bug("last layer's parameters left out", "for layer in self.layers for p in",
         "for layer in self.layers[:-1] for p in", "mlp.params"),
    _bug("first input left out", "zip(self.w, x))", "zip(self.w[1:], x[1:]))", "mlp.forward",
         "mlp.grad", "mlp.train"),
)

COMMENTS = (
    "# numerische Ableitung",
    "# 计算梯度 (gradient)",
    "# производная по a",
    "# dérivée partielle",
    "# 逆伝播を手で計算する",
    "# derivada numérica",
    "# compute the gradient",
)


@dataclass(frozen=True)
class Variation:
    """What one generated notebook does differently."""

    attr: str  # "data" or "value"
    call: str  # "__call__" or "forward"
    stale: bool  # scalar cells bind a, b, c, ... before Value does
    star: bool  # draw_dot comes from `from utils import *`
    prints: bool  # constructors print
    magics: bool  # %matplotlib, !pip, %%time
    errors: bool  # some cells were saved with error outputs
    hints: bool  # type hints, with `from __future__ import annotations` in an earlier cell
    torch_net: bool  # a torch.nn.Module class for the comparison
    comments: tuple[str, ...]

    @staticmethod
    def draw(rng: random.Random) -> Variation:
        return Variation(
            attr=rng.choice(("data", "value")),
            call=rng.choice(("__call__", "forward")),
            stale=rng.random() < 0.7,
            star=rng.random() < 0.5,
            prints=rng.random() < 0.4,
            magics=rng.random() < 0.6,
            errors=rng.random() < 0.5,
            hints=rng.random() < 0.4,
            torch_net=rng.random() < 0.4,
            comments=tuple(rng.sample(COMMENTS, 3)),
        )


@dataclass
class Lecture:
    """One generated notebook and the verdict it must get."""

    seed: int
    variation: Variation
    bug: Bug | None

    @property
    def name(self) -> str:
        return f"lecture_{self.seed:02d}" + (f" ({self.bug.name})" if self.bug else " (correct)")

    def cells(self) -> list[tuple[str, str, bool]]:
        """(kind, text, saved with an error output) for each cell, in order."""
        return _cells(self.variation, self.bug)

    def write(self, path: Path) -> Path:
        cells = []
        count = 0
        for kind, text, error in self.cells():
            if kind == "md":
                cells.append(new_markdown_cell(text))
                continue
            count += 1
            cell = new_code_cell(text, execution_count=count)
            if error:
                cell.outputs = [new_output("error", ename="NameError", evalue="name 'x' is not "
                                           "defined", traceback=["NameError: name 'x'"])]
            cells.append(cell)
        nbformat.write(new_notebook(cells=cells), path)
        return path


def lectures(count: int, seed: int = 0) -> list[Lecture]:
    """``count`` notebooks: every third one correct, the others each with one bug in turn."""
    made = []
    for index in range(count):
        rng = random.Random(seed * 1000 + index)
        bug = None if index % 3 == 0 else BUGS[(index - index // 3 - 1) % len(BUGS)]
        made.append(Lecture(index, Variation.draw(rng), bug))
    return made


def _cells(v: Variation, bug: Bug | None) -> list[tuple[str, str, bool]]:
    D = v.attr
    out: list[tuple[str, str, bool]] = []

    def code(text: str, error: bool = False) -> None:
        out.append(("code", textwrap.dedent(text).strip("\n").replace(".D", "." + D), error))

    def md(text: str) -> None:
        out.append(("md", text, False))

    md("# Building micrograd\nFollowing the lecture, step by step.")
    if v.magics:
        code("!pip install graphviz")
    code(
        """
        import math
        import numpy as np
        import matplotlib.pyplot as plt
        """
        + ("%matplotlib inline\n" if v.magics else "")
    )
    if v.hints:
        code("from __future__ import annotations\nfrom typing import Union")
    code("def f(x):\n    return 3*x**2 - 4*x + 5")
    code("f(3.0)")
    code("xs = np.arange(-5, 5, 0.25)\nys = f(xs)\nplt.plot(xs, ys)")
    code(f"{v.comments[0]}\nh = 0.000001\nx = 2/3\n(f(x + h) - f(x))/h")
    if v.stale:
        code("a = 2.0\nb = -3.0\nc = 10.0\nd = a*b + c\nprint(d)")
        code(
            """
            h = 0.0001

            # inputs
            a = 2.0
            b = -3.0
            c = 10.0

            d1 = a*b + c
            c += h
            d2 = a*b + c

            print('d1', d1)
            print('d2', d2)
            print('slope', (d2 - d1)/h)
            """
        )
    code(_value(v, 1))
    code(
        """
        a = Value(2.0, label='a')
        b = Value(-3.0, label='b')
        c = Value(10.0, label='c')
        e = a*b; e.label = 'e'
        d = e + c; d.label = 'd'
        f = Value(-2.0, label='f')
        L = d * f; L.label = 'L'
        L
        """,
        error=v.errors,
    )
    code("d._prev, d._op")
    if v.star:
        code("from utils import *")
    else:
        code(DRAW_DOT.replace(".D", "." + D))
    code("draw_dot(L)", error=v.errors)
    code(
        f"""
        {v.comments[1]}
        L.grad = 1.0
        f.grad = 4.0
        d.grad = -2.0
        c.grad = -2.0
        e.grad = -2.0
        a.grad = -2.0 * -3.0
        b.grad = -2.0 * 2.0
        """
    )
    code(
        """
        a.D += 0.01 * a.grad
        b.D += 0.01 * b.grad
        c.D += 0.01 * c.grad
        f.D += 0.01 * f.grad

        e = a * b
        d = e + c
        L = d * f

        print(L.D)
        """
    )
    code(LOL)
    code("plt.plot(np.arange(-5,5,0.2), np.tanh(np.arange(-5,5,0.2))); plt.grid();")
    code(_value(v, 2))
    code(NEURON)
    code("o.grad = 1.0\no._backward()\nn._backward()\nb._backward()", error=v.errors)
    code(_value(v, 3, bug))
    code(NEURON + "\no.backward()\ndraw_dot(o)")
    code("a = Value(2.0)\nb = Value(4.0)\na - b")
    code("a / b")
    code(TORCH)
    if v.torch_net:
        code(TORCH_NET)
    code(_network(v, bug))
    call = "n(x)" if v.call == "__call__" else "n.forward(x)"
    code(f"x = [2.0, 3.0, -1.0]\nn = MLP(3, [4, 4, 1])\n{call}")
    code(
        f"""
        {v.comments[2]}
        xs = [
          [2.0, 3.0, -1.0],
          [3.0, -1.0, 0.5],
          [0.5, 1.0, 1.0],
          [1.0, 1.0, -1.0],
        ]
        ys = [1.0, -1.0, -1.0, 1.0] # desired targets
        """
    )
    code(("%%time\n" if v.magics else "") + TRAIN.replace("n(x)", call).replace(".D", "." + D))
    code("ypred")
    return out


def _value(v: Variation, version: int, bug: Bug | None = None) -> str:
    """The Value class as it grows: 1 (+, *), 2 (tanh), 3 (the lecture's final one)."""
    other = "other: Union[Value, float]" if v.hints else "other"
    ret = " -> Value" if v.hints else ""
    data = "data: float" if v.hints else "data"
    parts = [
        f"""
class Value:
    {v.comments[0] if version == 3 else '# a scalar that remembers where it came from'}
    def __init__(self, {data}, _children=(), _op='', label=''){' -> None' if v.hints else ''}:
        self.D = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(D={{self.D}})"

    def __add__(self, {other}){ret}:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.D + other.D, (self, other), '+')
        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, {other}){ret}:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.D * other.D, (self, other), '*')
        def _backward():
            self.grad += other.D * out.grad
            other.grad += self.D * out.grad
        out._backward = _backward
        return out
"""
    ]
    if version == 3:
        parts.append(
            f"""
    def __pow__(self, other){ret}:
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = Value(self.D**other, (self,), f'**{{other}}')
        def _backward():
            self.grad += other * (self.D ** (other - 1)) * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __radd__(self, other):  # other + self
        return self + other
"""
        )
    if version >= 2:
        parts.append(
            f"""
    def tanh(self){ret}:
        x = self.D
        t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
        out = Value(t, (self, ), 'tanh')
        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out
"""
        )
    if version == 3:
        parts.append(
            f"""
    def exp(self){ret}:
        x = self.D
        out = Value(math.exp(x), (self, ), 'exp')
        def _backward():
            self.grad += out.D * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()
        def build_topo(v):
          if v not in visited:
            visited.add(v)
            for child in v._prev:
              build_topo(child)
            topo.append(v)
        build_topo(self)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
"""
        )
    text = "".join(parts).strip("\n")
    if bug is not None and bug.old in text:
        text = text.replace(bug.old, bug.new)
    return text.replace(".D", "." + v.attr).replace("(D=", f"({v.attr}=")


def _network(v: Variation, bug: Bug | None) -> str:
    text = NETWORK.replace("__call__", v.call)
    if v.call == "forward":
        text = text.replace("n(x) for n in", "n.forward(x) for n in").replace(
            "x = layer(x)", "x = layer.forward(x)"
        )
    if v.prints:
        text = text.replace(
            "        self.layers = ", "        print('building an MLP of', nouts)\n"
            "        self.layers = "
        )
    if bug is not None and bug.old in text:
        text = text.replace(bug.old, bug.new)
    return text


DRAW_DOT = '''
from graphviz import Digraph

def trace(root):
    # builds a set of all nodes and edges in a graph
    nodes, edges = set(), set()
    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges

def draw_dot(root):
    dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'}) # LR = left to right
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name = uid, label = "{ %s | data %.4f | grad %.4f }" % (n.label, n.D, n.grad),
                 shape='record')
        if n._op:
            dot.node(name = uid + n._op, label = n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot
'''.strip("\n")

LOL = '''
def lol():
    h = 0.001

    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    L1 = L.D

    a = Value(2.0 + h, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    L2 = L.D

    print((L2 - L1)/h)

lol()
'''.strip("\n")

NEURON = '''
# inputs x1,x2
x1 = Value(2.0, label='x1')
x2 = Value(0.0, label='x2')
# weights w1,w2
w1 = Value(-3.0, label='w1')
w2 = Value(1.0, label='w2')
# bias of the neuron
b = Value(6.8813735870195432, label='b')
# x1*w1 + x2*w2 + b
x1w1 = x1*w1; x1w1.label = 'x1*w1'
x2w2 = x2*w2; x2w2.label = 'x2*w2'
x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
n = x1w1x2w2 + b; n.label = 'n'
o = n.tanh(); o.label = 'o'
'''.strip("\n")

TORCH = '''
import torch
x1 = torch.Tensor([2.0]).double()                ; x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()                ; x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()               ; w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()                ; w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()  ; b.requires_grad = True
n = x1*w1 + x2*w2 + b
o = torch.tanh(n)

print(o.data.item())
o.backward()

print('---')
print('x2', x2.grad.item())
print('w2', w2.grad.item())
print('x1', x1.grad.item())
print('w1', w1.grad.item())
dtype = torch.float64
'''.strip("\n")

TORCH_NET = '''
class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(3, 4, dtype=dtype)
        self.out = torch.nn.Linear(4, 1, dtype=dtype)

    def forward(self, x):
        return torch.tanh(self.out(torch.tanh(self.hidden(x))))

def torch_loss(net, xs, ys):
    pred = net(torch.tensor(xs, dtype=dtype))
    return ((pred.squeeze() - torch.tensor(ys, dtype=dtype)) ** 2).sum()
'''.strip("\n")

# The network cell: the MLP typed along with the lecture video (its catalogue file, without
# the comments at its top).
NETWORK = "".join(
    line for line in (Path(__file__).parents[1] / "catalogue/mlp/lecture_video.py")
    .read_text().splitlines(keepends=True) if not line.startswith("#")
).strip("\n")

TRAIN = '''
for k in range(20):

    # forward pass
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

    # backward pass
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()

    # update
    for p in n.parameters():
        p.D += -0.1 * p.grad

    print(k, loss.D)
'''.strip("\n")
