# relu hidden layers, a linear output; every bias starts well below 0, so most relu units
# start dead and the network's own start rarely trains (the network itself is correct).
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, relu=True):
        self.w = [Value(random.uniform(-0.3, 0.3)) for _ in range(nin)]
        self.b = Value(random.uniform(-3.0, -2.0) if relu else 0.0)
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
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], i < len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
