# MLP([3, 4, 4, 1]): one list of sizes instead of nin and nouts; relu hidden layers.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, relu=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-0.1, 0.1))
        self.relu = relu

    def __call__(self, x):
        out = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return out.relu() if self.relu else out

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, relu):
        self.neurons = [Neuron(nin, relu) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, sizes):
        self.layers = [Layer(a, b, relu=k < len(sizes) - 2)
                       for k, (a, b) in enumerate(zip(sizes, sizes[1:]))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
