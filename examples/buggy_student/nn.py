"""A student's network with one classic bug: Neuron.parameters() leaves out the bias.

Based on the reference network.

Neurons, layers and multi-layer perceptrons built from ``Value``.

Parameter order (the grader relies on it): ``parameters()`` lists, for each neuron,
its weights in input order and then its bias; neurons in the order of their layer;
layers from input to output. So ``MLP(3, [4, 4, 1])`` has 4*(3+1) + 4*(4+1) + 1*(4+1)
= 41 parameters, and the first four are the first hidden neuron's w0, w1, w2, b.

Initialisation: every weight is ``rng.uniform(-1, 1)`` and every bias starts at 0, as in
micrograd. Pass ``rng=random.Random(seed)`` for a reproducible network; without it the
global ``random`` module is used (so ``random.seed`` works too). Weights are drawn in
parameter order.

Activations: "tanh", "relu", "sigmoid" or "linear" (no activation).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Callable, Optional, Union

from engine import Number, Value

Input = Sequence[Union[Value, Number]]

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
    "sigmoid": lambda v: v.sigmoid(),
    "linear": lambda v: v,
}


class Module:
    """Anything with parameters."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (call it before each backward pass)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """activation(w . x + b) for one neuron with ``nin`` inputs."""

    def __init__(self, nin: int, activation: str = "tanh", rng: Optional[random.Random] = None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; use one of {list(ACTIVATIONS)}")
        uniform = rng.uniform if rng is not None else random.uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x: Input) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return ACTIVATIONS[self.activation](act)

    def parameters(self) -> list[Value]:
        return self.w  # bug: the bias is left out, so training never moves it

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs."""

    def __init__(
        self, nin: int, nout: int, activation: str = "tanh", rng: Optional[random.Random] = None
    ):
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Input) -> Value | list[Value]:
        """One Value if the layer has a single neuron, else a list of them."""
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nouts``: ``activation`` on hidden layers, ``output_activation`` last."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        rng: Optional[random.Random] = None,
    ):
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Input) -> Value | list[Value]:
        """One Value if the last layer has a single neuron, else a list of them."""
        y = self.layers[0](x)
        for layer in self.layers[1:]:
            y = layer([y] if isinstance(y, Value) else y)
        return y

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
