"""Correct: a Network built from a list of sizes, Dense layers with W of shape (out, in) and
b of shape (out, 1), examples in columns, the 1/m in the layer's backward (so the loss
gradient has none: a consistent convention, not a bug)."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(da, z):
    s = sigmoid(z)
    return da * s * (1 - s)


def relu(z):
    return np.where(z > 0, z, 0.0)


def relu_prime(da, z):
    return np.where(z > 0, da, 0.0)


def binary_cross_entropy(a, y):
    return float(-np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)))


def bce_backward(a, y):
    return (a - y) / (a * (1 - a))


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_out, n_in) * 0.1
        self.b = np.zeros((n_out, 1))

    def forward(self, A):
        self.A_prev = A
        return self.W @ A + self.b

    def backward(self, dZ):
        m = self.A_prev.shape[1]
        self.dW = dZ @ self.A_prev.T / m
        self.db = np.sum(dZ, axis=1, keepdims=True) / m
        return self.W.T @ dZ

    def update(self, lr):
        self.W = self.W - lr * self.dW
        self.b = self.b - lr * self.db


class Network:
    def __init__(self, sizes):
        self.layers = [Dense(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, X):
        self.zs = []
        A = X
        for i, layer in enumerate(self.layers):
            Z = layer.forward(A)
            self.zs.append(Z)
            A = relu(Z) if i < len(self.layers) - 1 else sigmoid(Z)
        self.out = A
        return A

    def backward(self, Y):
        dA = bce_backward(self.out, Y)
        for i in reversed(range(len(self.layers))):
            dZ = relu_prime(dA, self.zs[i]) if i < len(self.layers) - 1 else \
                sigmoid_prime(dA, self.zs[i])
            dA = self.layers[i].backward(dZ)

    def update(self, lr):
        for layer in self.layers:
            layer.update(lr)
