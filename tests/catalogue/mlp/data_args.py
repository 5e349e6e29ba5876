# The network takes its training data and schedule in the constructor:
# MLP(nin, sizes, lr, X, Y, iters), and trains itself with fit(). tanh hidden, linear last.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, act):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.act = act

    def __call__(self, x):
        s = self.b
        for wi, xi in zip(self.w, x):
            s = s + wi * xi
        return s.tanh() if self.act else s


class Layer:
    def __init__(self, nin, nout, act):
        self.neurons = [Neuron(nin, act) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs


class MLP:
    def __init__(self, nin, sizes, lr, X, Y, iters):
        dims = [nin] + sizes
        self.layers = [Layer(dims[i], dims[i + 1], i < len(sizes) - 1) for i in range(len(sizes))]
        self.lr, self.X, self.Y, self.iters = lr, X, Y, iters

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for n in layer.neurons for p in n.w + [n.b]]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0

    def fit(self):
        for _ in range(self.iters):
            loss = sum((self(x) - y) ** 2 for x, y in zip(self.X, self.Y))
            self.zero_grad()
            loss.backward()
            for p in self.parameters():
                p.data -= self.lr * p.grad
