"""Your numpy network: forward and backward passes derived by hand.

Fill in every function and method that raises NotImplementedError. Conventions (keep them):
examples are rows (X has shape (n, n_inputs)), W has shape (n_inputs, n_neurons), b has shape
(n_neurons,), and the loss is the MEAN binary cross-entropy over the n examples, so the 1/n
belongs in ``bce_loss_backward`` and not in the layers. Never change an array you were given:
build new ones.

Check your work with ``grader check network.py`` (see README.md).
"""

from __future__ import annotations

import numpy as np


def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, Z), element by element."""
    raise NotImplementedError("relu")


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dL/dZ = dA where Z > 0, else 0."""
    raise NotImplementedError("relu_backward")


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z))."""
    raise NotImplementedError("sigmoid")


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """dL/dZ = dA * s * (1 - s), with s = sigmoid(Z)."""
    raise NotImplementedError("sigmoid_backward")


def bce_loss(A: np.ndarray, Y: np.ndarray) -> float:
    """-mean(Y log A + (1 - Y) log(1 - A)); clip A away from 0 and 1 first."""
    raise NotImplementedError("bce_loss")


def bce_loss_backward(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL/dA = (-Y / A + (1 - Y) / (1 - A)) / n."""
    raise NotImplementedError("bce_loss_backward")


class LinearLayer:
    """Z = X @ W + b."""

    def __init__(self, n_inputs: int, n_neurons: int):
        """Already done: small random weights, zero biases."""
        self.W = np.random.randn(n_inputs, n_neurons) * 0.1
        self.b = np.zeros(n_neurons)
        self.X = np.zeros((0, n_inputs))
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Keep X (backward needs it) and return X @ W + b."""
        raise NotImplementedError("LinearLayer.forward")

    def backward(self, dOut: np.ndarray) -> np.ndarray:
        """Set self.dW = X.T @ dOut and self.db = dOut summed over the examples; return
        dL/dX = dOut @ W.T."""
        raise NotImplementedError("LinearLayer.backward")

    def update(self, learning_rate: float) -> None:
        """One step of gradient descent on W and b."""
        raise NotImplementedError("LinearLayer.update")


class MLP:
    """n_inputs -> n_hidden (relu) -> n_outputs (sigmoid)."""

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int):
        """Already done: the two layers."""
        self.layer1 = LinearLayer(n_inputs, n_hidden)
        self.layer2 = LinearLayer(n_hidden, n_outputs)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Keep Z1 and Z2 (backward needs them) and return the sigmoid's output A2."""
        raise NotImplementedError("MLP.forward")

    def backward(self, Y: np.ndarray) -> None:
        """From the loss gradient back to layer1: every layer's dW and db set."""
        raise NotImplementedError("MLP.backward")

    def update(self, learning_rate: float) -> None:
        """Update both layers."""
        raise NotImplementedError("MLP.update")
