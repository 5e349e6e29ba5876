"""A catalogue of buggy engines: one realistic student misconception each.

Every bug is a textual mutation of ``engines/base_student.py`` (a correct Karpathy-style
engine). ``fails`` is exactly the set of grader categories that are really wrong in the
mutated engine, given how the base composes its ops:

* ``-a`` is ``a * -1``, so it goes through ``__mul__`` with a constant;
* ``a - b`` is ``a + (-b)``; ``a - 2.0`` is ``a + (-2.0)``, a plain add of a constant;
* ``2.0 - a`` is ``2.0 + (-a)``, which Python turns into ``(-a).__radd__(2.0)``, i.e.
  ``(-a) + 2.0``;
* ``a / b`` is ``a * b**-1``; ``a / 2.0`` is ``a * 0.5``;
* ``2.0 / a`` is ``2.0 * a**-1``, i.e. ``(a**-1) * 2.0``;
* ``2.0 + a`` and ``2.0 * a`` are ``a + 2.0`` and ``a * 2.0``.

So a bug in ``__mul__`` may break neg, sub, rsub, truediv and rtruediv too, but only when
the broken part is reached: a wrong gradient for ``other`` in ``__mul__`` is harmless
when ``other`` is a wrapped constant. Each claim is checked against torch by
``oracle_check.py`` (see ``test_oracle.py``). ``deep`` is never claimed: the base's
recursive topological sort fails it already.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

BASE = Path(__file__).parent / "engines" / "base_student.py"


@dataclass(frozen=True)
class Bug:
    """A misconception, the categories it breaks, and how to write it into the base."""

    name: str
    description: str
    fails: frozenset[str]  # the categories whose forms really compute something wrong
    replacements: tuple[tuple[str, str], ...]
    blamed: Optional[frozenset[str]] = None  # what the grader charges, when not ``fails``
    missing: frozenset[str] = frozenset()  # charged categories whose method is absent

    @property
    def charged(self) -> frozenset[str]:
        """The categories the grader must fail: the planted bug's own. An op built on the
        broken one passes with a note, and a backward() bug is charged once, to the
        structural category its model names, not to every op it makes look wrong."""
        return self.fails if self.blamed is None else self.blamed


def mutate(bug: Bug, text: str) -> str:
    """Apply the replacements in order; each ``old`` must occur exactly once."""
    for old, new in bug.replacements:
        count = text.count(old)
        assert count == 1, f"{bug.name}: {old!r} occurs {count} times in the engine"
        text = text.replace(old, new)
    return text


# Not a bug: the base engine storing numpy float32, mathematically right. Every number is
# rounded to about 7 significant digits, so results drift from torch's float64 by more than
# float64's tolerance: judged at float32's tolerance it passes; a rubric with
# ``precision = "float64"`` charges it once, to ``api``.
FLOAT32 = Bug(
    "float32_data", "The base engine storing numpy float32.", frozenset(),
    (("import math\n", "import math\n\nimport numpy as np\n"),
     ("        self.data = data\n", "        self.data = np.float32(data)\n"),
     ("        self.grad = 0.0\n", "        self.grad = np.float32(0.0)\n")),
)


def materialize(bug: Bug, directory: Path) -> Path:
    """Write the buggy engine to ``directory/<name>.py`` and return its path."""
    path = Path(directory) / f"{bug.name}.py"
    path.write_text(mutate(bug, BASE.read_text()))
    return path


def _f(*categories: str) -> frozenset[str]:
    return frozenset(categories)


# Every op category: what fails when backward() itself raises on every graph.
ALL_OPS = _f(
    "add", "radd", "sub", "rsub", "mul", "rmul", "neg", "truediv", "rtruediv", "pow", "exp",
    "log", "tanh", "sigmoid", "relu",
)  # fmt: skip
# Whatever is built on __add__ (with Values and with constants), or on __mul__, or on __pow__.
ADD_FORMS = _f("add", "radd", "sub", "rsub")
MUL_FORMS = _f("mul", "rmul", "neg", "sub", "rsub", "truediv", "rtruediv")
POW_FORMS = _f("pow", "truediv", "rtruediv")
# A backward that walks nodes in a wrong order still gets a single node right, but not the
# ops the base composes of two nodes (a - b, 2 - a, a / b, 2 / a), nor any deeper graph.
WRONG_ORDER = _f("sub", "rsub", "truediv", "rtruediv", "reuse", "graph")

# Reused old strings (each must stay unique in the base).
ADD_GRADS = "            self.grad += out.grad\n            other.grad += out.grad\n"
MUL_GRADS = (
    "            self.grad += other.data * out.grad\n"
    "            other.grad += self.data * out.grad\n"
)
POW_GRAD = "            self.grad += (other * self.data ** (other - 1)) * out.grad\n"
EXP_GRAD = "            self.grad += out.data * out.grad\n"
LOG_GRAD = "            self.grad += (1 / self.data) * out.grad\n"
TANH_GRAD = "            self.grad += (1 - t**2) * out.grad\n"
SIGMOID_GRAD = "            self.grad += s * (1 - s) * out.grad\n"
RELU_GRAD = "            self.grad += (out.data > 0) * out.grad\n"
WRAP = "        other = other if isinstance(other, Value) else Value(other)\n"

DIRECT_SUB = """    def __sub__(self, other):  # self - other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out
"""

DIRECT_TRUEDIV = """    def __truediv__(self, other):  # self / other
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += (1 / other.data) * out.grad
            other.grad += (self.data / other.data**2) * out.grad

        out._backward = _backward
        return out
"""

DIRECT_RTRUEDIV = """    def __rtruediv__(self, other):  # other / self
        out = Value(other / self.data, (self,), "/")

        def _backward():
            self.grad += (-1 / self.data**2) * out.grad

        out._backward = _backward
        return out
"""

DIRECT_NEG = """    def __neg__(self):  # -self
        out = Value(-self.data, (self,), "neg")

        def _backward():
            self.grad += out.grad

        out._backward = _backward
        return out
"""


BUGS: tuple[Bug, ...] = (
    # ------------------------------------------------------------------ add
    Bug(
        "add_missing_other_grad",
        "__add__'s backward only updates self.grad and forgets other.grad. Constants and "
        "a + 2.0 do not care, but a + b, a + a and a - b (= a + (-b)) do; 2.0 - a is "
        "(-a) + 2.0, where -a is self, so it is right.",
        _f("add", "sub"),
        ((ADD_GRADS, "            self.grad += out.grad\n"),),
        blamed=_f("add"),
    ),
    Bug(
        "add_grad_like_mul",
        "__add__'s backward copied from __mul__: d(a+b)/da taken to be b.",
        ADD_FORMS,
        ((ADD_GRADS, MUL_GRADS),),
        blamed=_f("add"),
    ),
    Bug(
        "add_overwrites_grad",
        "__add__ assigns grads (=) instead of accumulating (+=): a + a gets 1, and an "
        "operand used elsewhere loses its other contributions. 2.0 - a = (-a) + 2.0 is "
        "right: the overwritten node -a is fresh and used once.",
        _f("add", "radd", "sub"),
        ((ADD_GRADS, "            self.grad = out.grad\n            other.grad = out.grad\n"),),
        blamed=_f("add"),
    ),
    Bug(
        "add_missing_out_grad",
        "__add__'s backward adds 1 to each operand's grad (the local derivative) and "
        "forgets the chain rule factor out.grad.",
        ADD_FORMS,
        ((ADD_GRADS, "            self.grad += 1\n            other.grad += 1\n"),),
        blamed=_f("add"),
    ),
    Bug(
        "add_constant_not_wrapped",
        "__add__ does not wrap plain numbers into Values: a + 2.0 raises AttributeError "
        "(so do 2.0 + a, a - 2.0 and 2.0 - a).",
        ADD_FORMS,
        (
            (
                WRAP + '        out = Value(self.data + other.data, (self, other), "+")\n',
                '        out = Value(self.data + other.data, (self, other), "+")\n',
            ),
        ),
        blamed=_f("add"),
    ),
    # ------------------------------------------------------------------ mul
    Bug(
        "mul_grad_own_data",
        "__mul__'s backward multiplies by the operand's own data instead of the other "
        "operand's (d(ab)/da taken to be a).",
        MUL_FORMS,
        (
            (
                MUL_GRADS,
                "            self.grad += self.data * out.grad\n"
                "            other.grad += other.data * out.grad\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "mul_other_grad_typo",
        "In __mul__'s backward, the second line is other.grad += other.data * out.grad "
        "(a copy-paste slip). Only a Value on the right notices: a * b and a / b "
        "(= a * b**-1); a constant on the right (a * 2.0, -a, 2.0 / a) does not, and "
        "a * a comes out right by symmetry.",
        _f("mul", "truediv"),
        (
            (
                "            other.grad += self.data * out.grad\n",
                "            other.grad += other.data * out.grad\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "mul_overwrites_grad",
        "__mul__ assigns grads (=) instead of accumulating. 2.0 / a = (a**-1) * 2.0 is "
        "right: the overwritten node a**-1 is fresh and used once, and __pow__ "
        "accumulates into a.",
        _f("mul", "rmul", "neg", "sub", "rsub", "truediv"),
        (
            (
                MUL_GRADS,
                "            self.grad = other.data * out.grad\n"
                "            other.grad = self.data * out.grad\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "mul_missing_out_grad",
        "__mul__'s backward forgets the chain-rule factor out.grad.",
        MUL_FORMS,
        (
            (
                MUL_GRADS,
                "            self.grad += other.data\n            other.grad += self.data\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "mul_constant_not_wrapped",
        "__mul__ does not wrap plain numbers into Values: a * 2.0 raises, and so do -a "
        "(a * -1), a - b, a / 2.0 and 2.0 / a, which the base builds on it.",
        MUL_FORMS,
        (
            (
                WRAP + '        out = Value(self.data * other.data, (self, other), "*")\n',
                '        out = Value(self.data * other.data, (self, other), "*")\n',
            ),
        ),
        blamed=_f("mul"),
    ),
    # ------------------------------------------------------------------ pow
    Bug(
        "pow_exponent_not_decremented",
        "__pow__'s derivative is k * x**k instead of k * x**(k-1). a / b and 2.0 / a "
        "go through b**-1.",
        POW_FORMS,
        ((POW_GRAD, "            self.grad += (other * self.data**other) * out.grad\n"),),
        blamed=_f("pow"),
    ),
    Bug(
        "pow_missing_exponent_factor",
        "__pow__'s derivative forgets the factor k: x**(k-1).",
        POW_FORMS,
        ((POW_GRAD, "            self.grad += (self.data ** (other - 1)) * out.grad\n"),),
        blamed=_f("pow"),
    ),
    Bug(
        "pow_overwrites_grad",
        "__pow__ assigns self.grad (=) instead of accumulating: a / a and 2.0 / a in a "
        "context lose contributions.",
        POW_FORMS,
        ((POW_GRAD, "            self.grad = (other * self.data ** (other - 1)) * out.grad\n"),),
        blamed=_f("pow"),
    ),
    Bug(
        "pow_missing_out_grad",
        "__pow__'s backward forgets the chain-rule factor out.grad.",
        POW_FORMS,
        ((POW_GRAD, "            self.grad += other * self.data ** (other - 1)\n"),),
        blamed=_f("pow"),
    ),
    Bug(
        "pow_int_exponent_only",
        "__pow__ asserts an int exponent, so a ** 0.5 raises. Division still works: it "
        "uses the int exponent -1.",
        _f("pow"),
        (("assert isinstance(other, (int, float))", "assert isinstance(other, int)"),),
    ),
    # ------------------------------------------------------------------ exp
    Bug(
        "exp_power_rule",
        "exp differentiated with the power rule: d/dx e**x taken to be x * e**(x-1).",
        _f("exp"),
        ((EXP_GRAD, "            self.grad += self.data * math.exp(self.data - 1) * out.grad\n"),),
    ),
    Bug(
        "exp_overwrites_grad",
        "exp assigns self.grad (=) instead of accumulating.",
        _f("exp"),
        ((EXP_GRAD, "            self.grad = out.data * out.grad\n"),),
    ),
    Bug(
        "exp_missing_out_grad",
        "exp's backward forgets the chain-rule factor out.grad.",
        _f("exp"),
        ((EXP_GRAD, "            self.grad += out.data\n"),),
    ),
    # ------------------------------------------------------------------ log
    Bug(
        "log_grad_from_output",
        "log's derivative computed from the output: 1 / log(x) instead of 1 / x.",
        _f("log"),
        ((LOG_GRAD, "            self.grad += (1 / out.data) * out.grad\n"),),
    ),
    Bug(
        "log_base_10",
        "log computed with math.log10 (the derivative 1/x is that of ln).",
        _f("log"),
        (("math.log(self.data)", "math.log10(self.data)"),),
    ),
    Bug(
        "log_missing_out_grad",
        "log's backward forgets the chain-rule factor out.grad.",
        _f("log"),
        ((LOG_GRAD, "            self.grad += 1 / self.data\n"),),
    ),
    # ------------------------------------------------------------------ tanh
    Bug(
        "tanh_grad_from_input",
        "tanh's derivative computed from the input: 1 - x**2 instead of 1 - tanh(x)**2.",
        _f("tanh"),
        ((TANH_GRAD, "            self.grad += (1 - x**2) * out.grad\n"),),
    ),
    Bug(
        "tanh_grad_not_squared",
        "tanh's derivative written 1 - t instead of 1 - t**2.",
        _f("tanh"),
        ((TANH_GRAD, "            self.grad += (1 - t) * out.grad\n"),),
    ),
    Bug(
        "tanh_overwrites_grad",
        "tanh assigns self.grad (=) instead of accumulating.",
        _f("tanh"),
        ((TANH_GRAD, "            self.grad = (1 - t**2) * out.grad\n"),),
    ),
    Bug(
        "tanh_formula_missing_2",
        "tanh written by hand as (e**x - 1) / (e**x + 1), which is tanh(x / 2).",
        _f("tanh"),
        (("        t = math.tanh(x)\n", "        t = (math.exp(x) - 1) / (math.exp(x) + 1)\n"),),
    ),
    # ------------------------------------------------------------------ sigmoid
    Bug(
        "sigmoid_sign_flipped",
        "sigmoid written 1 / (1 + exp(x)): that is sigmoid(-x).",
        _f("sigmoid"),
        (("s = 1 / (1 + math.exp(-self.data))", "s = 1 / (1 + math.exp(self.data))"),),
    ),
    Bug(
        "sigmoid_grad_from_input",
        "sigmoid's derivative computed from the input: x * (1 - x).",
        _f("sigmoid"),
        ((SIGMOID_GRAD, "            self.grad += self.data * (1 - self.data) * out.grad\n"),),
    ),
    Bug(
        "sigmoid_missing_out_grad",
        "sigmoid's backward forgets the chain-rule factor out.grad.",
        _f("sigmoid"),
        ((SIGMOID_GRAD, "            self.grad += s * (1 - s)\n"),),
    ),
    # ------------------------------------------------------------------ relu
    Bug(
        "relu_grad_ge_zero",
        "relu's backward tests out.data >= 0, which holds for every input (out is 0 for "
        "negative x), so negative inputs get gradient 1.",
        _f("relu"),
        ((RELU_GRAD, "            self.grad += (out.data >= 0) * out.grad\n"),),
    ),
    Bug(
        "relu_grad_tests_grad",
        "relu's backward tests the sign of out.grad instead of the data.",
        _f("relu"),
        ((RELU_GRAD, "            self.grad += (out.grad > 0) * out.grad\n"),),
    ),
    Bug(
        "relu_grad_is_output",
        "relu's derivative taken to be relu itself: self.grad += out.data * out.grad.",
        _f("relu"),
        ((RELU_GRAD, "            self.grad += out.data * out.grad\n"),),
    ),
    Bug(
        "relu_returns_step",
        "relu's forward returns the step (1 for positive inputs) instead of x.",
        _f("relu"),
        (("Value(0 if self.data < 0 else self.data,", "Value(0 if self.data < 0 else 1,"),),
    ),
    # ------------------------------------------------------------------ neg, sub, div
    Bug(
        "neg_detached",
        "__neg__ returns a new leaf Value(-self.data): no gradient flows back through "
        "-a, a - b or 2.0 - a.",
        _f("neg", "sub", "rsub"),
        (("        return self * -1\n", "        return Value(-self.data)\n"),),
        blamed=_f("neg"),
    ),
    Bug(
        "neg_direct_grad_sign",
        "__neg__ written with its own backward, which forgets the sign: the gradient of "
        "-a taken to be +1.",
        _f("neg", "sub", "rsub"),
        (("    def __neg__(self):  # -self\n        return self * -1\n", DIRECT_NEG),),
        blamed=_f("neg"),
    ),
    Bug(
        "sub_direct_grad_sign",
        "__sub__ written with its own backward, which forgets the minus sign for other. "
        "a - 2.0 does not notice (constant), 2.0 - a does not use __sub__.",
        _f("sub"),
        (
            (
                "    def __sub__(self, other):  # self - other\n        return self + (-other)\n",
                DIRECT_SUB,
            ),
        ),
    ),
    Bug(
        "truediv_direct_grad_sign",
        "__truediv__ written with its own backward: the quotient rule without its minus "
        "sign for the denominator.",
        _f("truediv"),
        (
            (
                "    def __truediv__(self, other):  # self / other\n"
                "        return self * other**-1\n",
                DIRECT_TRUEDIV,
            ),
        ),
    ),
    Bug(
        "rtruediv_direct_forgets_numerator",
        "__rtruediv__ written with its own backward: d(c/x)/dx taken to be -1/x**2 "
        "(the numerator c forgotten).",
        _f("rtruediv"),
        (
            (
                "    def __rtruediv__(self, other):  # other / self\n"
                "        return other * self**-1\n",
                DIRECT_RTRUEDIV,
            ),
        ),
    ),
    # ------------------------------------------------------------------ reflected ops
    Bug(
        "radd_recurses",
        "__radd__ returns other + self, which calls __radd__ again: RecursionError. "
        "2.0 - a = 2.0 + (-a) goes through __radd__ too.",
        _f("radd", "rsub"),
        (
            (
                "    def __radd__(self, other):  # other + self\n        return self + other\n",
                "    def __radd__(self, other):  # other + self\n        return other + self\n",
            ),
        ),
        blamed=_f("radd"),
    ),
    Bug(
        "rmul_recurses",
        "__rmul__ returns other * self, which calls __rmul__ again: RecursionError. "
        "2.0 / a = 2.0 * a**-1 goes through __rmul__ too.",
        _f("rmul", "rtruediv"),
        (
            (
                "    def __rmul__(self, other):  # other * self\n        return self * other\n",
                "    def __rmul__(self, other):  # other * self\n        return other * self\n",
            ),
        ),
        blamed=_f("rmul"),
    ),
    Bug(
        "rsub_swapped",
        "__rsub__ returns self - other: 2.0 - a computes a - 2.0.",
        _f("rsub"),
        (("        return other + (-self)\n", "        return self - other\n"),),
    ),
    Bug(
        "rtruediv_swapped",
        "__rtruediv__ returns self / other: 2.0 / a computes a / 2.0.",
        _f("rtruediv"),
        (("        return other * self**-1\n", "        return self / other\n"),),
    ),
    # ------------------------------------------------------------------ ops built on ops
    # The base builds sub on add and neg, neg on mul, div on mul and pow, radd on add. These
    # engines build ops on ops in the other ways students do; the bug sits in the op built
    # upon, and only that op is charged.
    Bug(
        "relu_via_mul_mul_bug",
        "relu written as self * (1 if positive else 0), and __mul__'s backward forgets "
        "`* out.grad`: relu is right alone (out.grad is 1) but fails in context, through "
        "__mul__.",
        MUL_FORMS | _f("relu"),
        (
            (
                '        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")\n',
                "        return self * (1.0 if self.data > 0 else 0.0)\n"
                '        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")\n',
            ),
            (
                MUL_GRADS,
                "            self.grad += other.data\n            other.grad += self.data\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "relu_via_max_mul_bug",
        "relu written with Python's max over Values (max(self, self * 0)), and __mul__'s "
        "backward multiplies by the operand's own data: relu fails through __mul__ for "
        "negative inputs.",
        MUL_FORMS | _f("relu"),
        (
            (
                '        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")\n',
                "        return max(self, self * 0.0, key=lambda v: v.data)\n"
                '        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")\n',
            ),
            (
                MUL_GRADS,
                "            self.grad += self.data * out.grad\n"
                "            other.grad += other.data * out.grad\n",
            ),
        ),
        blamed=_f("mul"),
    ),
    Bug(
        "sigmoid_via_exp_exp_bug",
        "sigmoid written as 1 / (1 + (-self).exp()), and exp differentiated with the power "
        "rule: sigmoid fails through exp.",
        _f("exp", "sigmoid"),
        (
            (
                "        s = 1 / (1 + math.exp(-self.data))\n",
                "        return 1 / (1 + (-self).exp())\n",
            ),
            (EXP_GRAD, "            self.grad += self.data * math.exp(self.data - 1) * out.grad\n"),
        ),
        blamed=_f("exp"),
    ),
    Bug(
        "tanh_via_exp_exp_bug",
        "tanh written as (e - 1) / (e + 1) with e = (2 * self).exp(), and exp's backward "
        "forgets `* out.grad`: tanh fails through exp.",
        _f("exp", "tanh"),
        (
            (
                "        x = self.data\n        t = math.tanh(x)\n",
                "        e = (2 * self).exp()\n        return (e - 1) / (e + 1)\n"
                "        x = self.data\n        t = math.tanh(x)\n",
            ),
            (EXP_GRAD, "            self.grad += out.data\n"),
        ),
        blamed=_f("exp"),
    ),
    Bug(
        "sub_via_mul_add_bug",
        "__sub__ written as self + other * -1 and __rsub__ as -self + other; __add__'s "
        "backward forgets other.grad: a - b fails through __add__; 2.0 - a is (-a) + 2.0, "
        "where the forgotten operand is the constant, so it is right.",
        _f("add", "sub"),
        (
            ("        return self + (-other)\n", "        return self + other * -1\n"),
            ("        return other + (-self)\n", "        return -self + other\n"),
            (ADD_GRADS, "            self.grad += out.grad\n"),
        ),
        blamed=_f("add"),
    ),
    Bug(
        "rtruediv_via_truediv_pow_bug",
        "__rtruediv__ written as Value(other) / self, and __pow__'s derivative forgets the "
        "factor k: both divisions fail through __pow__.",
        POW_FORMS,
        (
            (
                "    def __rtruediv__(self, other):  # other / self\n"
                "        return other * self**-1\n",
                "    def __rtruediv__(self, other):  # other / self\n"
                "        return Value(other) / self\n",
            ),
            (POW_GRAD, "            self.grad += (self.data ** (other - 1)) * out.grad\n"),
        ),
        blamed=_f("pow"),
    ),
    Bug(
        "neg_via_rmul_rmul_recurses",
        "__neg__ written as -1 * self, and __rmul__ returns other * self (RecursionError): "
        "-a, a - b, 2.0 - a and 2.0 / a fail through __rmul__.",
        _f("rmul", "neg", "sub", "rsub", "rtruediv"),
        (
            ("        return self * -1\n", "        return -1 * self\n"),
            (
                "    def __rmul__(self, other):  # other * self\n        return self * other\n",
                "    def __rmul__(self, other):  # other * self\n        return other * self\n",
            ),
        ),
        blamed=_f("rmul"),
    ),
    # ------------------------------------------------------------------ built on a missing method
    Bug(
        "rsub_needs_missing_radd",
        "No __radd__ at all, and __rsub__ is other + (-self): 2.0 + a raises TypeError, and so "
        "does 2.0 - a, which needs __radd__. Only the missing __radd__ is charged.",
        _f("radd", "rsub"),
        (("    def __radd__(self, other):  # other + self\n        return self + other\n\n", ""),),
        blamed=_f("radd"),
        missing=_f("radd"),
    ),
    Bug(
        "sigmoid_needs_missing_exp",
        "No exp method, and sigmoid is written 1 / (1 + (-self).exp()): sigmoid raises "
        "AttributeError through the missing exp, which alone is charged.",
        _f("exp", "sigmoid"),
        (
            (
                '    def exp(self):\n        out = Value(math.exp(self.data), (self,), "exp")\n\n'
                "        def _backward():\n" + EXP_GRAD + "\n"
                "        out._backward = _backward\n        return out\n\n",
                "",
            ),
            (
                "        s = 1 / (1 + math.exp(-self.data))\n",
                "        return 1 / (1 + (-self).exp())\n",
            ),
        ),
        blamed=_f("exp"),
        missing=_f("exp"),
    ),
    # ------------------------------------------------------------------ closures on the wrong node
    Bug(
        "exp_closure_on_input",
        "exp attaches its closure to its input (self._backward = _backward): alone the input "
        "is a leaf and it works, but a computed input loses its own _backward.",
        _f("exp"),
        (
            (
                '        out = Value(math.exp(self.data), (self,), "exp")\n\n'
                "        def _backward():\n"
                "            self.grad += out.data * out.grad\n\n"
                "        out._backward = _backward\n",
                '        out = Value(math.exp(self.data), (self,), "exp")\n\n'
                "        def _backward():\n"
                "            self.grad += out.data * out.grad\n\n"
                "        self._backward = _backward\n",
            ),
        ),
    ),
    Bug(
        "tanh_closure_on_input",
        "tanh attaches its closure to its input (self._backward = _backward).",
        _f("tanh"),
        (
            (
                TANH_GRAD + "\n        out._backward = _backward\n",
                TANH_GRAD + "\n        self._backward = _backward\n",
            ),
        ),
    ),
    # ------------------------------------------------------------------ two bugs
    Bug(
        "no_visited_and_tanh_overwrites",
        "Two bugs: build_topo never marks nodes visited, and tanh assigns its grad (=). "
        "backward() is charged once (reuse), and tanh on its own.",
        _f("reuse", "graph", "tanh"),
        (
            ("                visited.add(v)\n", ""),
            (TANH_GRAD, "            self.grad = (1 - t**2) * out.grad\n"),
        ),
        blamed=_f("reuse", "tanh"),
    ),
    Bug(
        "forward_order_and_exp_power_rule",
        "Two bugs: backward() walks topo forwards, and exp uses the power rule.",
        WRONG_ORDER | _f("exp"),
        (
            ("        for v in reversed(topo):\n", "        for v in topo:\n"),
            (EXP_GRAD, "            self.grad += self.data * math.exp(self.data - 1) * out.grad\n"),
        ),
        blamed=_f("graph", "exp"),
    ),
    Bug(
        "no_visited_and_mul_own_data",
        "Two bugs: build_topo never marks nodes visited, and __mul__'s backward multiplies "
        "by the operand's own data.",
        MUL_FORMS | _f("reuse", "graph"),
        (
            ("                visited.add(v)\n", ""),
            (
                MUL_GRADS,
                "            self.grad += self.data * out.grad\n"
                "            other.grad += other.data * out.grad\n",
            ),
        ),
        blamed=_f("reuse", "mul"),
    ),
    Bug(
        "backward_undefined_name_and_tanh_overwrites",
        "Two bugs: backward() starts from an undefined global (NameError on every call), and "
        "tanh assigns its grad (=). api is charged once, and tanh, checked in context with a "
        "corrected backward(), on its own.",
        ALL_OPS | _f("api", "reuse", "graph"),
        (
            ("        build_topo(self)\n", "        build_topo(root)\n"),
            (TANH_GRAD, "            self.grad = (1 - t**2) * out.grad\n"),
        ),
        blamed=_f("api", "tanh"),
    ),
    # ------------------------------------------------------------------ backward()
    Bug(
        "backward_reads_undefined_name",
        "backward() starts its sort from `root`, a global that only a notebook cell not run "
        "here defined: every backward() raises NameError, on bare leaves too. Charged once, to "
        "api; the ops are checked with a corrected backward() and pass.",
        ALL_OPS | _f("api", "reuse", "graph"),
        (("        build_topo(self)\n", "        build_topo(root)\n"),),
        blamed=_f("api"),
    ),
    Bug(
        "backward_child_undefined_name",
        "build_topo recurses into `node` instead of `child`, an undefined name: backward() "
        "raises NameError on every graph with an operation (a bare leaf has no children). "
        "Charged once, to graph.",
        ALL_OPS | _f("reuse", "graph"),
        (("                    build_topo(child)\n", "                    build_topo(node)\n"),),
        blamed=_f("graph"),
    ),
    Bug(
        "missing_seed",
        "backward() never sets self.grad = 1, so every gradient stays 0.",
        _f("api"),
        (("        self.grad = 1.0\n", ""),),
    ),
    Bug(
        "topo_never_marks_visited",
        "build_topo checks the visited set but never adds to it: a node reachable along "
        "two paths is listed, and backpropagated, twice.",
        _f("reuse", "graph"),
        (("                visited.add(v)\n", ""),),
        blamed=_f("reuse"),
    ),
    Bug(
        "backward_forward_order",
        "backward() walks the topological order forwards (no reversed): a node's "
        "_backward runs before its own grad is known.",
        WRONG_ORDER,
        (("        for v in reversed(topo):\n", "        for v in topo:\n"),),
        blamed=_f("graph"),
    ),
    Bug(
        "backward_runs_only_the_output",
        "backward() seeds the output and runs only its own _backward (no topological order, "
        "no loop): the gradient stops one op below the output.",
        WRONG_ORDER,
        (
            (
                "        # topological order all of the children in the graph\n"
                "        topo = []\n"
                "        visited = set()\n\n"
                "        def build_topo(v):\n"
                "            if v not in visited:\n"
                "                visited.add(v)\n"
                "                for child in v._prev:\n"
                "                    build_topo(child)\n"
                "                topo.append(v)\n\n"
                "        build_topo(self)\n\n"
                "        # go one variable at a time and apply the chain rule to get its gradient\n"
                "        self.grad = 1.0\n"
                "        for v in reversed(topo):\n"
                "            v._backward()\n",
                "        self.grad = 1.0\n        self._backward()\n",
            ),
        ),
        blamed=_f("graph"),
    ),
    Bug(
        "topo_preorder",
        "build_topo appends a node before its children (pre-order), so the reversed list "
        "puts the inputs first.",
        WRONG_ORDER,
        (
            (
                "                visited.add(v)\n"
                "                for child in v._prev:\n"
                "                    build_topo(child)\n"
                "                topo.append(v)\n",
                "                visited.add(v)\n"
                "                topo.append(v)\n"
                "                for child in v._prev:\n"
                "                    build_topo(child)\n",
            ),
        ),
        blamed=_f("graph"),
    ),
)

BUG_BY_NAME = {bug.name: bug for bug in BUGS}
