# Hostile: building the decoy swaps the grader's network handlers for ones that answer
# nonsense: huge counts, wrong types, deep nesting, enormous lists, NaN, negative indices.
# Appended to an engine that defines Value.
# ruff: noqa: F821
import sys

DEEP = []
for _ in range(200):
    DEEP = [DEEP]

FORGED = {
    "mlp.structure": lambda ns, p: {"count": 10 ** 12, "paths": DEEP, "initial": "x",
                                    "layout": [[[[-5], 10 ** 9]]],
                                    "parameters": {"present": True, "items": [-7] * 5}},
    "mlp.forward": lambda ns, p: {"outputs": [{"kind": "list", "items": ["value"] * 10 ** 5,
                                               "values": [float("nan")] * 10 ** 5}]},
    "mlp.outputs": lambda ns, p: {"rows": 12},
    "mlp.grad": lambda ns, p: {"present": "yes", "grads": {"a": 1}},
    "mlp.neurons": lambda ns, p: ["not", "a", "mapping"],
    "mlp.train": lambda ns, p: {"start": [1e308] * 10 ** 5, "final": None, "steps": -1},
}


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


class Decoy:
    def __init__(self, nin, nouts):
        self.p = [Value(0.1) for _ in range(41)]
        _forge(FORGED)

    def __call__(self, x):
        return self.p[0]
