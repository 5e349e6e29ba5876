# Hostile: no network at all. Building the decoy class swaps the grader's network handlers
# for forgeries that answer in the expected form without computing anything: constant
# outputs, zero gradients, a "trained" network whose weights are all 0, zero_grad echoing.
# Appended to an engine that defines Value.
# ruff: noqa: F821
import sys


def _count(params):
    nin, nouts = params["shape"]
    return sum((a + 1) * b for a, b in zip([nin] + nouts, nouts))


def _outputs(params):
    nout = params["shape"][1][-1]
    one = {"kind": "value", "values": [0.5]} if nout == 1 else \
        {"kind": "list", "type": "list", "items": ["value"] * nout, "values": [0.5] * nout}
    return [one for _ in params.get("inputs", [])]


def _structure(namespace, params):
    n = _count(params)
    return {"count": n, "paths": [f"model.p[{i}]" for i in range(n)], "initial": [0.1] * n,
            "layout": None, "parameters": {"present": True, "items": list(range(n)),
                                           "foreign": []}}


def _grad(namespace, params):
    n = _count(params)
    return {"present": True, "grads": [0.0] * n, "after_zero": [0.0] * n,
            "data": list(params.get("weights") or [0.0] * n), "raw": ["float"] * n}


FORGED = {
    "mlp.structure": _structure,
    "mlp.forward": lambda ns, p: {"outputs": _outputs(p), "as_values": _outputs(p)},
    "mlp.outputs": lambda ns, p: {"rows": [[[0.5] * p["shape"][1][-1] for _ in p["inputs"]]
                                           for _ in p["vectors"]]},
    "mlp.grad": _grad,
    "mlp.neurons": lambda ns, p: {"outputs": None, "chain": None},
    "mlp.train": lambda ns, p: {"start": [5.0] * _count(p), "final": [0.0] * _count(p),
                                "steps": 1},
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
