"""A correct engine whose backward orders nodes with Kahn's algorithm (no recursion).

A node's backward runs once every result that consumes it has run its own, so deep graphs
(long chains) work too.
"""

import math


class Value:
    def __init__(self, data, parents=(), op=""):
        self.data = data
        self.grad = 0.0
        self._parents = tuple(parents)  # the inputs this value was computed from
        self._local = lambda: None
        self._op = op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def local():
            self.grad += out.grad
            other.grad += out.grad

        out._local = local
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def local():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._local = local
        return out

    def __pow__(self, k):
        out = Value(self.data**k, (self,), "**")

        def local():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._local = local
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,), "exp")

        def local():
            self.grad += out.data * out.grad

        out._local = local
        return out

    def log(self):
        out = Value(math.log(self.data), (self,), "log")

        def local():
            self.grad += out.grad / self.data

        out._local = local
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def local():
            self.grad += (1 - out.data**2) * out.grad

        out._local = local
        return out

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def local():
            self.grad += out.data * (1 - out.data) * out.grad

        out._local = local
        return out

    def relu(self):
        out = Value(max(self.data, 0), (self,), "relu")

        def local():
            self.grad += out.grad if self.data > 0 else 0.0

        out._local = local
        return out

    def backward(self):
        # how many edges lead from each node to the results that consume it
        consumers = {}
        seen = {id(self)}
        stack = [self]
        while stack:
            node = stack.pop()
            for parent in node._parents:
                consumers[id(parent)] = consumers.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad = 1.0
        ready = [self]
        while ready:
            node = ready.pop()
            node._local()
            for parent in node._parents:
                consumers[id(parent)] -= 1
                if consumers[id(parent)] == 0:
                    ready.append(parent)

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
