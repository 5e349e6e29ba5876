# No Neuron or Layer classes: the MLP keeps its weights in nested lists, so the grader has to
# rely on parameters() listing each neuron's weights and then its bias.
# ruff: noqa: F821
import random


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.W = [[[Value(random.uniform(-1, 1)) for _ in range(a)] for _ in range(b)]
                  for a, b in zip(sizes, sizes[1:])]
        self.B = [[Value(0.0) for _ in range(b)] for b in sizes[1:]]

    def __call__(self, x):
        for k, (rows, biases) in enumerate(zip(self.W, self.B)):
            z = [sum((w * xi for w, xi in zip(row, x)), b) for row, b in zip(rows, biases)]
            x = z if k == len(self.W) - 1 else [v.tanh() for v in z]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for rows, biases in zip(self.W, self.B)
                for row, b in zip(rows, biases) for p in row + [b]]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0
