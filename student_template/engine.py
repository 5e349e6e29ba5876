"""Your scalar autograd engine. Fill in every method that raises NotImplementedError.

Each operation builds a new Value ``out`` (with the inputs as its children) and gives
it a ``_backward`` function. ``_backward`` applies the chain rule: it ADDS (+=) to each
input's ``grad`` the local derivative times ``out.grad``. Always add, never assign: a
value used twice must collect gradient from both uses.

Where a method below accepts a number, first wrap it: ``other = other if
isinstance(other, Value) else Value(other)``.

Check your work with ``grader check engine.py`` (see README.md).
"""

from __future__ import annotations

import math  # noqa: F401  (you will need it for exp, log, tanh and sigmoid)
from collections.abc import Iterable
from typing import Callable, Union

Number = Union[int, float]


class Value:
    """A scalar that remembers how it was computed, so it can backpropagate."""

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = ""):
        """Already done: store the number, a zero gradient and the graph links."""
        self.data = float(data)
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __add__(self, other: Value | Number) -> Value:
        """self + other.

        out = Value(self.data + other.data, (self, other), "+")
        in _backward:  self.grad += out.grad;  other.grad += out.grad
        """
        raise NotImplementedError("Value.__add__")

    def __mul__(self, other: Value | Number) -> Value:
        """self * other.

        out = Value(self.data * other.data, (self, other), "*")
        in _backward:  self.grad += other.data * out.grad;  other.grad += self.data * out.grad
        """
        raise NotImplementedError("Value.__mul__")

    def __pow__(self, exponent: Number) -> Value:
        """self ** exponent, where exponent is a plain int or float (not a Value).

        out = Value(self.data ** exponent, (self,), f"**{exponent}")
        in _backward:  self.grad += exponent * self.data ** (exponent - 1) * out.grad
        If self.data is 0 and exponent < 0, raise ZeroDivisionError with a message.
        """
        raise NotImplementedError("Value.__pow__")

    def exp(self) -> Value:
        """e ** self.

        out = Value(math.exp(self.data), (self,), "exp")
        in _backward:  self.grad += out.data * out.grad      (d/dx e^x = e^x)
        """
        raise NotImplementedError("Value.exp")

    def log(self) -> Value:
        """Natural logarithm of self.

        If self.data <= 0, raise ValueError with a message naming log and the value.
        out = Value(math.log(self.data), (self,), "log")
        in _backward:  self.grad += out.grad / self.data     (d/dx ln x = 1/x)
        """
        raise NotImplementedError("Value.log")

    def tanh(self) -> Value:
        """Hyperbolic tangent of self.

        out = Value(math.tanh(self.data), (self,), "tanh")
        in _backward:  self.grad += (1 - out.data ** 2) * out.grad
        """
        raise NotImplementedError("Value.tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self).

        out.data = 1 / (1 + math.exp(-x)) for x >= 0, and math.exp(x) / (1 + math.exp(x))
        for x < 0 (so math.exp never overflows);  out = Value(that, (self,), "sigmoid")
        in _backward:  self.grad += out.data * (1 - out.data) * out.grad
        """
        raise NotImplementedError("Value.sigmoid")

    def relu(self) -> Value:
        """max(self, 0).

        out = Value(max(self.data, 0.0), (self,), "relu")
        in _backward:  self.grad += (1.0 if out.data > 0 else 0.0) * out.grad
        """
        raise NotImplementedError("Value.relu")

    def backward(self) -> None:
        """Fill in grad for every Value that self depends on.

        1. Put every node reachable from self (through _prev) in a list, each node
           after all of its children (a topological order).
        2. Set self.grad += 1.0   (d self / d self = 1).
        3. Call node._backward() for every node in that list, in REVERSE order.
        """
        raise NotImplementedError("Value.backward")

    def __neg__(self) -> Value:
        """-self.  Return self * -1 (its gradient then comes from __mul__)."""
        raise NotImplementedError("Value.__neg__")

    def __radd__(self, other: Number) -> Value:
        """other + self, when other is a number.  Return self + other."""
        raise NotImplementedError("Value.__radd__")

    def __sub__(self, other: Value | Number) -> Value:
        """self - other.  Return self + (-other)."""
        raise NotImplementedError("Value.__sub__")

    def __rsub__(self, other: Number) -> Value:
        """other - self, when other is a number.  Return other + (-self)."""
        raise NotImplementedError("Value.__rsub__")

    def __rmul__(self, other: Number) -> Value:
        """other * self, when other is a number.  Return self * other."""
        raise NotImplementedError("Value.__rmul__")

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other.  Return self * other ** -1."""
        raise NotImplementedError("Value.__truediv__")

    def __rtruediv__(self, other: Number) -> Value:
        """other / self, when other is a number.  Return other * self ** -1."""
        raise NotImplementedError("Value.__rtruediv__")

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"
