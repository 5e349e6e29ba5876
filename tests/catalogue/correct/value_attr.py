"""A correct engine that keeps its number in ``.value`` instead of ``.data``."""

import math


class Value:
    def __init__(self, value, _children=(), _op=""):
        self.value = value
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.value + other.value, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.value * other.value, (self, other), "*")

        def _backward():
            self.grad += other.value * out.grad
            other.grad += self.value * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k):
        assert isinstance(k, (int, float))
        out = Value(self.value**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.value ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.value), (self,), "exp")

        def _backward():
            self.grad += out.value * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = Value(math.log(self.value), (self,), "log")

        def _backward():
            self.grad += out.grad / self.value

        out._backward = _backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.value), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.value**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.value)), (self,), "sigmoid")

        def _backward():
            self.grad += out.value * (1 - out.value) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(0.0, self.value), (self,), "relu")

        def _backward():
            self.grad += (self.value > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
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
        return f"Value(value={self.value}, grad={self.grad})"
