"""Correct: layer modules (Linear, ReLU, Sigmoid, a loss class) with forward and backward,
W of shape (out, in) as in torch, examples in rows, no model class: the student chains the
layers in a training loop."""

import numpy as np


class Linear:
    def __init__(self, in_features, out_features):
        self.weight = np.random.randn(out_features, in_features) * np.sqrt(1 / in_features)
        self.bias = np.zeros(out_features)
        self.grad_weight = None
        self.grad_bias = None

    def forward(self, x):
        self.x = x
        return x @ self.weight.T + self.bias

    def backward(self, grad_out):
        self.grad_weight = grad_out.T @ self.x
        self.grad_bias = grad_out.sum(axis=0)
        return grad_out @ self.weight

    def step(self, lr):
        self.weight -= lr * self.grad_weight
        self.bias -= lr * self.grad_bias


class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad_out):
        return grad_out * self.mask


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, grad_out):
        return grad_out * self.out * (1.0 - self.out)


class BCELoss:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        eps = 1e-12
        p = np.clip(pred, eps, 1 - eps)
        return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))

    def backward(self):
        eps = 1e-12
        p = np.clip(self.pred, eps, 1 - eps)
        return (p - self.target) / (p * (1 - p)) / self.pred.shape[0]


if __name__ == "__main__":
    layers = [Linear(2, 8), ReLU(), Linear(8, 1), Sigmoid()]
    loss_fn = BCELoss()
