"""A correct engine whose unary ops all go through one generic helper.

``_unary(f, df)`` computes ``f(x)`` and backpropagates ``df(x, y) * out.grad``, where y is
the output: exp, log, tanh, sigmoid, relu and pow are one line each.
"""

import math


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def _unary(self, f, df, op):
        x = self.data
        y = f(x)
        out = Value(y, (self,), op)

        def _backward():
            self.grad += df(x, y) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        return self._unary(math.exp, lambda x, y: y, "exp")

    def log(self):
        return self._unary(math.log, lambda x, y: 1.0 / x, "log")

    def tanh(self):
        return self._unary(math.tanh, lambda x, y: 1.0 - y * y, "tanh")

    def sigmoid(self):
        return self._unary(_sigmoid, lambda x, y: y * (1.0 - y), "sigmoid")

    def relu(self):
        return self._unary(lambda x: x if x > 0 else 0.0, lambda x, y: float(x > 0), "relu")

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        return self._unary(lambda x: x**k, lambda x, y: k * x ** (k - 1), f"**{k}")

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

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
        for v in reversed(topo):
            v._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
