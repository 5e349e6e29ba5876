# MLP(nin, nouts, neuron_cls): the kind of neuron is passed in as a class. The last layer is
# always linear; the neuron class given decides the hidden activation (tanh here).
# ruff: noqa: F821
import random


class TanhNeuron:
    def __init__(self, nin, linear=False):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.linear = linear

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act if self.linear else act.tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, neuron_cls, linear):
        self.neurons = [neuron_cls(nin, linear) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts, neuron_cls):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], neuron_cls, i == len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
