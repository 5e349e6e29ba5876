# A class called Model with forward() (no __call__), one weight matrix and one bias vector
# per layer: no Neuron or Layer objects, and no parameters()-style helper on the layers.
# ruff: noqa: F821
import random


class Model:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.W = [[[Value(random.uniform(-1, 1)) for _ in range(a)] for _ in range(b)]
                  for a, b in zip(sizes, sizes[1:])]
        self.b = [[Value(random.uniform(-0.2, 0.2)) for _ in range(b)] for b in sizes[1:]]

    def forward(self, x):
        for k, (rows, bias) in enumerate(zip(self.W, self.b)):
            z = [sum((w * xi for w, xi in zip(row, x)), bj) for row, bj in zip(rows, bias)]
            x = z if k == len(self.W) - 1 else [v.tanh() for v in z]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for rows in self.W for row in rows for p in row] + \
            [p for bias in self.b for p in bias]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
