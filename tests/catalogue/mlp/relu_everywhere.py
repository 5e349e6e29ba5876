# relu in every layer, the output too: it can only reach targets that are not negative.
# Layers are kept in a tuple, the neurons of a layer in a dict.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(0, 0.5))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).relu()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout):
        self.neurons = {f"n{j}": Neuron(nin) for j in range(nout)}

    def __call__(self, x):
        out = [n(x) for n in self.neurons.values()]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons.values() for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = tuple(Layer(sz[i], sz[i + 1]) for i in range(len(nouts)))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
