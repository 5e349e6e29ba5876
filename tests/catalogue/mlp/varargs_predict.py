# NeuralNetwork(3, 4, 4, 1): the sizes as separate arguments; predict() computes the output;
# each neuron keeps its bias first, in one list [b, w1, w2, ...]; layers sit in a dict.
# ruff: noqa: F821
import random


class Unit:
    def __init__(self, nin, last):
        self.coeffs = [Value(random.uniform(-0.5, 0.5))] + \
            [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.last = last

    def __call__(self, x):
        z = self.coeffs[0]
        for w, xi in zip(self.coeffs[1:], x):
            z = z + w * xi
        return z if self.last else z.tanh()


class NeuralNetwork:
    def __init__(self, nin, *sizes):
        dims = (nin,) + sizes
        self.layers = {f"layer{k}": [Unit(dims[k], k == len(sizes) - 1) for _ in range(dims[k + 1])]
                       for k in range(len(sizes))}

    def predict(self, x):
        for units in self.layers.values():
            x = [u(x) for u in units]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for units in self.layers.values() for u in units for p in u.coeffs]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
