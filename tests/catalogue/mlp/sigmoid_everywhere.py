# sigmoid in every layer, the output too; the activation is a constructor argument with a
# default. Slow to train with plain gradient descent, however correct.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, activation="sigmoid"):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.activation = activation

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return z.sigmoid() if self.activation == "sigmoid" else z.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, activation):
        self.neurons = [Neuron(nin, activation) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class SLP:
    def __init__(self, nin, nouts, activation="sigmoid"):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], activation) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
