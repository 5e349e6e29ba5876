# MLP(nin, nouts, activations): one activation name per layer, a required argument with no
# default; the base Module's parameters() returns nothing and every class overrides it.
# ruff: noqa: F821
import random


class Module:
    def parameters(self):
        pass


class Neuron(Module):
    def __init__(self, nin, activation="linear"):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.activation = activation

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return {"tanh": z.tanh, "relu": z.relu, "sigmoid": z.sigmoid}.get(
            self.activation, lambda: z)()

    def parameters(self):
        return self.w + [self.b]


class Layer(Module):
    def __init__(self, nin, nout, activation):
        self.neurons = [Neuron(nin, activation) for _ in range(nout)]

    def __call__(self, x):
        return [n(x) for n in self.neurons]

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP(Module):
    def __init__(self, nin, nouts, activations):
        if len(activations) != len(nouts):
            raise ValueError("one activation per layer")
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], activations[i]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
