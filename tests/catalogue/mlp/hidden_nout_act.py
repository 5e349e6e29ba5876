# MLP(nin, hidden_sizes, nout, activation): the hidden sizes and the output size apart, the
# activation named by a string that has no default. relu hidden layers, linear output.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, activation):
        self.weights = [Value(random.gauss(0, 0.7)) for _ in range(nin)]
        self.bias = Value(0.1)
        self.activation = activation

    def __call__(self, x):
        z = sum((w * v for w, v in zip(self.weights, x)), self.bias)
        if self.activation == "relu":
            return z.relu()
        if self.activation == "tanh":
            return z.tanh()
        return z

    def parameters(self):
        return self.weights + [self.bias]


class Layer:
    def __init__(self, nin, nout, activation):
        self.neurons = [Neuron(nin, activation) for _ in range(nout)]

    def __call__(self, x):
        return [n(x) for n in self.neurons]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, hidden, nout, activation):
        sizes = [nin] + hidden
        self.hidden = [Layer(a, b, activation) for a, b in zip(sizes, sizes[1:])]
        self.output = Layer(sizes[-1], nout, "linear")

    def __call__(self, x):
        for layer in self.hidden:
            x = layer(x)
        out = self.output(x)
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for layer in self.hidden + [self.output] for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
