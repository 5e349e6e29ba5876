# No MLP class: layer modules in the style of torch.nn, chained by a container,
# Sequential(Linear(3, 4), Tanh(), Linear(4, 4), Tanh(), Linear(4, 1)).
# Appended to an engine that defines Value (see tests/mlp/catalogue.py).
# ruff: noqa: F821
import random


class Module:

    def parameters(self):
        return []

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


class Linear(Module):

    def __init__(self, fan_in, fan_out):
        self.W = [[Value(random.gauss(0, fan_in ** -0.5)) for _ in range(fan_in)]
                  for _ in range(fan_out)]
        self.bias = [Value(0.0) for _ in range(fan_out)]

    def __call__(self, inputs):
        outputs = []
        for row, b in zip(self.W, self.bias):
            total = b
            for w, x in zip(row, inputs):
                total = total + w * x
            outputs.append(total)
        return outputs

    def parameters(self):
        return [w for row in self.W for w in row] + self.bias


class Tanh(Module):

    def __call__(self, inputs):
        return [x.tanh() for x in inputs]


class Sequential(Module):

    def __init__(self, *modules):
        self.modules = list(modules)

    def __call__(self, inputs):
        for module in self.modules:
            inputs = module(inputs)
        return inputs

    def parameters(self):
        return [p for m in self.modules for p in m.parameters()]
