"""What an MLP with known weights should output, and what common bugs make it output instead.

Runs in the parent. ``predict`` evaluates a network in plain floats under a hypothesis: one
activation per layer, and optionally one bug model (the same mistake in every neuron, or in
the way the MLP chains its layers). ``explain`` finds the first hypothesis that reproduces
the student's numbers. ``torch_grads`` is the float64 oracle for the gradients.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, cast

from grader.compare.tolerance import close


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "sigmoid": _sigmoid,
    "linear": lambda z: z,
}

BUGS: dict[str, str] = {
    "add_wx": "Every neuron's output equals act(sum(w + x) + b): did you add weights to inputs "
    "instead of multiplying them (wi * xi)?",
    "no_bias": "Every neuron's output equals act(w · x), without b: the bias is never added. "
    "Start the sum at the bias: sum((wi * xi for wi, xi in zip(self.w, x)), self.b).",
    "bias_each": "Every neuron's output equals act(w · x + nin * b): the bias is added once per "
    "input. Add it once, outside the loop over the inputs.",
    "post_bias": "Every neuron's output equals act(w · x) + b: the bias is added after the "
    "activation. Add it inside: act(w · x + b).",
    "act_twice": "Every neuron's output equals act(act(w · x + b)): the activation is applied "
    "twice (in Neuron.__call__ and again in Layer or MLP?).",
    "not_chained": "Your output equals the last layer applied to the network's input x: every "
    "layer gets the raw input (zip quietly cuts it to the shorter length). Feed each layer the "
    "previous layer's output: for layer in self.layers: x = layer(x).",
}


@dataclass
class Net:
    """Weights ``w[l][j]`` and biases ``b[l][j]`` (0 for a neuron without a bias)."""

    w: list[list[list[float]]]
    b: list[list[float]]

    @property
    def sizes(self) -> list[int]:
        return [len(self.w[0][0]), *(len(layer) for layer in self.w)]


def acts_combos(layers: int) -> list[tuple[str, ...]]:
    """Every assignment of an activation to each layer, the common ones first."""
    names = list(ACTIVATIONS)
    combos = list(itertools.product(names, repeat=layers))
    combos.sort(key=lambda c: (len(set(c[:-1])), c[-1] != "linear", [names.index(a) for a in c]))
    return combos


def predict(
    net: Net, x: Sequence[float], acts: Sequence[str], bug: Optional[str] = None
) -> list[float]:
    """The network's outputs on ``x`` (a list even for one output)."""
    h = list(x)
    for lay, (ws, bs) in enumerate(zip(net.w, net.b)):
        f = ACTIVATIONS[acts[lay]]
        source = list(x) if bug == "not_chained" else h
        h = [_neuron(w, b, source, f, bug) for w, b in zip(ws, bs)]
    return h


def _neuron(w: list[float], b: float, x: list[float], f: Callable[[float], float],
            bug: Optional[str]) -> float:
    pairs = list(zip(w, x))
    if bug == "add_wx":
        return f(sum(wi + xi for wi, xi in pairs) + b)
    dot = sum(wi * xi for wi, xi in pairs)
    if bug == "no_bias":
        return f(dot)
    if bug == "bias_each":
        return f(dot + len(pairs) * b)
    if bug == "post_bias":
        return f(dot) + b
    if bug == "act_twice":
        return f(f(dot + b))
    return f(dot + b)


def pre_activations(net: Net, x: Sequence[float], acts: Sequence[str]) -> list[float]:
    """Every neuron's w · x + b in the correct network."""
    found, h = [], list(x)
    for lay, (ws, bs) in enumerate(zip(net.w, net.b)):
        zs = [sum(wi * xi for wi, xi in zip(w, h)) + b for w, b in zip(ws, bs)]
        found.extend(zs)
        h = [ACTIVATIONS[acts[lay]](z) for z in zs]
    return found


@dataclass(frozen=True)
class Match:
    """A hypothesis that reproduces the student's outputs."""

    acts: tuple[str, ...]
    bug: Optional[str] = None


def explain(net: Net, inputs: list[list[float]], got: list[list[Optional[float]]],
            bugs: Sequence[Optional[str]] = (None, *BUGS)) -> Optional[Match]:
    """The first hypothesis (correct first, then each bug) whose outputs match ``got``."""
    for bug in bugs:
        for acts in acts_combos(len(net.w)):
            try:
                if all(_same(predict(net, x, acts, bug), g) for x, g in zip(inputs, got)):
                    return Match(acts, bug)
            except (OverflowError, ValueError):
                continue
    return None


def _same(expected: list[float], got: list[Optional[float]]) -> bool:
    return len(expected) == len(got) and all(close(g, e) for e, g in zip(expected, got))


def describe_acts(acts: Sequence[str]) -> str:
    """'tanh in every layer', or 'tanh in the hidden layers, linear in the last', ..."""
    if len(set(acts)) == 1:
        return f"{acts[0]} in every layer"
    if len(set(acts[:-1])) == 1:
        return f"{acts[0]} in the hidden layers, {acts[-1]} in the last"
    return ", ".join(f"{a} in layer {k + 1}" for k, a in enumerate(acts))


def torch_grads(net: Net, acts: Sequence[str], inputs: list[list[float]],
                coefs: list[list[float]], square: bool = False
                ) -> tuple[float, list[list[list[float]]], list[list[float]]]:
    """The loss and d loss / d every weight and bias, in torch float64 (in the oracle
    process during a grade)."""
    from grader.evaluate.oracle_process import in_oracle

    target = "grader.mlp.models:torch_grads_here"
    return cast(Any, in_oracle(target, net, list(acts), inputs, coefs, square))


def torch_grads_here(net: Net, acts: Sequence[str], inputs: list[list[float]],
                     coefs: list[list[float]], square: bool = False
                     ) -> tuple[float, list[list[list[float]]], list[list[float]]]:
    """torch_grads, computed in this process."""
    import torch

    dtype = torch.float64
    w = [[torch.tensor(ws, dtype=dtype, requires_grad=True) for ws in layer] for layer in net.w]
    b = [[torch.tensor(x, dtype=dtype, requires_grad=True) for x in layer] for layer in net.b]
    funcs = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
             "linear": lambda t: t}
    total = torch.zeros((), dtype=dtype)
    for x, cs in zip(inputs, coefs):
        h = torch.tensor(x, dtype=dtype)
        for lay in range(len(w)):
            z = torch.stack([(ws * h).sum() + bb for ws, bb in zip(w[lay], b[lay])])
            h = funcs[acts[lay]](z)
        for out, c in zip(h, cs):
            total = total + (out * out * c if square else out * c)
    total.backward()
    wg = [[[float(g) for g in ws.grad] for ws in layer] for layer in w]  # type: ignore[union-attr]
    bg = [[float(x.grad) for x in layer] for layer in b]  # type: ignore[arg-type]
    return float(total.detach()), wg, bg


def torch_train(net: Net, acts: Sequence[str], xs: list[list[float]], ys: list[float],
                lr: float, steps: int, goal: float, baseline: float, patience: int) -> float:
    """The MSE a correct network reaches with the training probe's loop and stopping rules,
    from the weights of ``net`` (in the oracle process during a grade)."""
    from grader.evaluate.oracle_process import in_oracle

    target = "grader.mlp.models:torch_train_here"
    return cast(float, in_oracle(target, net, list(acts), xs, ys, lr, steps, goal, baseline,
                                 patience))


def torch_train_here(net: Net, acts: Sequence[str], xs: list[list[float]], ys: list[float],
                     lr: float, steps: int, goal: float, baseline: float, patience: int
                     ) -> float:
    """torch_train, computed in this process."""
    import torch

    dtype = torch.float64
    w = [torch.tensor(layer, dtype=dtype, requires_grad=True) for layer in net.w]
    b = [torch.tensor(layer, dtype=dtype, requires_grad=True) for layer in net.b]
    funcs = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid,
             "linear": lambda t: t}
    x, y = torch.tensor(xs, dtype=dtype), torch.tensor(ys, dtype=dtype)

    def mse() -> Any:
        h = x
        for lay in range(len(w)):
            h = funcs[acts[lay]](h @ w[lay].T + b[lay])
        return ((h[:, 0] - y) ** 2).mean()

    losses: list[float] = []
    for _ in range(steps):
        loss = mse()
        for p in (*w, *b):
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in (*w, *b):
                p -= lr * p.grad  # type: ignore[operator]
        value = float(loss.detach())
        if not math.isfinite(value):
            break
        losses.append(value)
        if value <= goal * min(losses[0], baseline):
            break
        if len(losses) > patience and min(losses[-patience:]) > 0.99 * min(losses[:-patience]):
            break
    with torch.no_grad():
        return float(mse())
