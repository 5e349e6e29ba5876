# MLP(nin, nouts, activation, step): an activation function and a learning rate are required
# arguments; the MLP keeps its own step() update. The activation is looked up by name.
# ruff: noqa: F821
import random


class Neuron:
    def __init__(self, nin, activation):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
        self.activation = activation

    def __call__(self, x):
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return self.activation(z) if self.activation else z

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


ACTIVATIONS = {"sigmoid": lambda z: z.sigmoid(), "tanh": lambda z: z.tanh()}


class MLP:
    def __init__(self, nin, nouts, activation, step):
        f = ACTIVATIONS.get(activation, activation) if isinstance(activation, str) else activation
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i + 1], f if i < len(nouts) - 1 else None)
                       for i in range(len(nouts))]
        self.step_size = step

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def step(self):
        for p in self.parameters():
            p.data -= self.step_size * p.grad
