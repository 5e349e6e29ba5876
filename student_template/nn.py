"""Your neural network library, built on your Value. Fill in every method.

Parameter order matters (the grader checks it): ``parameters()`` lists, for each
neuron, its weights in input order and then its bias; neurons in layer order; layers
from input to output. ``MLP(3, [4, 4, 1])`` must have 41 parameters.

Activations are named "tanh", "relu", "sigmoid" or "linear" (no activation): apply
one with ``act.tanh()``, ``act.relu()``, ``act.sigmoid()``, or leave ``act`` as it is.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Optional, Union

try:  # nn.py imported as part of a package
    from .engine import Number, Value
except ImportError:  # nn.py next to engine.py, the usual case
    from engine import Number, Value

Input = Sequence[Union[Value, Number]]


class Module:
    """Anything with parameters."""

    def parameters(self) -> list[Value]:
        """Return the list of this module's parameters (for Module itself: [])."""
        raise NotImplementedError("Module.parameters")

    def zero_grad(self) -> None:
        """Set p.grad = 0.0 for every p in self.parameters()."""
        raise NotImplementedError("Module.zero_grad")


class Neuron(Module):
    """activation(w . x + b) for one neuron with ``nin`` inputs."""

    def __init__(self, nin: int, activation: str = "tanh", rng: Optional[random.Random] = None):
        """Make the weights and the bias.

        self.w = [Value(uniform(-1, 1)) for each of the nin inputs], where uniform is
        rng.uniform, or random.uniform if rng is None; self.b = Value(0.0).
        Store the activation name; raise ValueError for an unknown one.
        """
        raise NotImplementedError("Neuron.__init__")

    def __call__(self, x: Input) -> Value:
        """act = self.b + w0*x0 + w1*x1 + ... ; return act with the activation applied."""
        raise NotImplementedError("Neuron.__call__")

    def parameters(self) -> list[Value]:
        """Return self.w + [self.b]: the weights in input order, then the bias."""
        raise NotImplementedError("Neuron.parameters")


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs."""

    def __init__(
        self, nin: int, nout: int, activation: str = "tanh", rng: Optional[random.Random] = None
    ):
        """self.neurons = a list of nout Neuron(nin, activation, rng)."""
        raise NotImplementedError("Layer.__init__")

    def __call__(self, x: Input) -> Value | list[Value]:
        """Call every neuron on x. Return the single Value if there is one neuron, else the list."""
        raise NotImplementedError("Layer.__call__")

    def parameters(self) -> list[Value]:
        """Every neuron's parameters(), one neuron after another, in order."""
        raise NotImplementedError("Layer.parameters")


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
        """self.layers: layer i is Layer(sizes[i], sizes[i + 1], ...) with sizes = [nin, *nouts].

        Every layer uses `activation` except the last one, which uses `output_activation`.
        Pass rng on to every layer.
        """
        raise NotImplementedError("MLP.__init__")

    def __call__(self, x: Input) -> Value | list[Value]:
        """Feed x through the layers in order, each layer's output into the next.

        If a layer returns a single Value, wrap it in a list before the next layer.
        Return what the last layer returns.
        """
        raise NotImplementedError("MLP.__call__")

    def parameters(self) -> list[Value]:
        """Every layer's parameters(), from the first layer to the last."""
        raise NotImplementedError("MLP.parameters")
