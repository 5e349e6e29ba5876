# Hostile: a real, correct network, whose training handler is swapped for one that claims a
# huge starting loss and answers weights of its own choosing (all 0) as the trained network,
# and whose zero_grad answer claims every gradient reset. Appended to an engine with Value.
# ruff: noqa: F821
import random
import sys


def _train(namespace, params):
    n = len(params.get("roles") or [])
    return {"start": [9.0] * n, "final": [0.0] * n, "steps": 1}


def _forge(answers):
    frame = sys._getframe(1)
    while frame is not None:
        table = frame.f_globals.get("PROBES")
        if isinstance(table, dict):
            table.update(answers)
            register = frame.f_globals.get("register")
            methods = getattr(register, "__globals__", {}).get("METHODS")
            if isinstance(methods, dict):
                methods.update(answers)
            return
        frame = frame.f_back


class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act


class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [[Neuron(sz[i], i != len(nouts) - 1) for _ in range(sz[i + 1])]
                       for i in range(len(nouts))]
        _forge({"mlp.train": _train})

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.w + [n.b]]
