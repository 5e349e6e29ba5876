"""The model answer for the numpy network: forward and backward passes derived by hand.

Examples are rows, ``W`` has shape (in, out), ``b`` shape (out,). The loss is the mean binary
cross-entropy over the batch, so its gradient carries the 1/n and the layers' backward does not.
Matched to torch in tests/reference/test_numpy_net.py.
"""

from __future__ import annotations

import numpy as np

CLIP = 1e-12


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, z)


def relu_backward(da: np.ndarray, z: np.ndarray) -> np.ndarray:
    return da * (z > 0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_backward(da: np.ndarray, z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return da * s * (1.0 - s)


def bce_loss(a: np.ndarray, y: np.ndarray) -> float:
    a = np.clip(a, CLIP, 1.0 - CLIP)
    return float(-np.mean(y * np.log(a) + (1.0 - y) * np.log(1.0 - a)))


def bce_loss_backward(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    a = np.clip(a, CLIP, 1.0 - CLIP)
    return (-y / a + (1.0 - y) / (1.0 - a)) / a.shape[0]


class LinearLayer:
    """Z = X @ W + b; backward sets dW and db and returns dX."""

    def __init__(self, n_inputs: int, n_neurons: int):
        self.W = np.random.randn(n_inputs, n_neurons) * 0.1
        self.b = np.zeros(n_neurons)
        self.X = np.zeros((0, n_inputs))
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.X = x
        return x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.dW = self.X.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T

    def update(self, learning_rate: float) -> None:
        self.W = self.W - learning_rate * self.dW
        self.b = self.b - learning_rate * self.db


class MLP:
    """in -> hidden (relu) -> out (sigmoid)."""

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int):
        self.layer1 = LinearLayer(n_inputs, n_hidden)
        self.layer2 = LinearLayer(n_hidden, n_outputs)
        self.z1 = self.z2 = self.a2 = np.zeros(0)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.z1 = self.layer1.forward(x)
        self.z2 = self.layer2.forward(relu(self.z1))
        self.a2 = sigmoid(self.z2)
        return self.a2

    def backward(self, y: np.ndarray) -> None:
        dz2 = sigmoid_backward(bce_loss_backward(self.a2, y), self.z2)
        dz1 = relu_backward(self.layer2.backward(dz2), self.z1)
        self.layer1.backward(dz1)

    def update(self, learning_rate: float) -> None:
        self.layer1.update(learning_rate)
        self.layer2.update(learning_rate)

    def predict(self, x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
        return (self.forward(x) >= threshold).astype(int)


def train(model: MLP, x: np.ndarray, y: np.ndarray, learning_rate: float = 0.5,
          epochs: int = 300) -> list[float]:
    """Full-batch gradient descent; the loss of every epoch."""
    history = []
    for _ in range(epochs):
        history.append(bce_loss(model.forward(x), y))
        model.backward(y)
        model.update(learning_rate)
    return history
