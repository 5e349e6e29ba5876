"""The oracle for numpy mode: torch autograd in float64, in the canonical layout.

Canonical: examples in rows, ``W`` of shape (in, out), ``b`` of shape (out,), one output
column; the loss is the mean over the batch. Every function takes and returns numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ACTIVATIONS = ("relu", "sigmoid")


def _t(array: np.ndarray, grad: bool = False) -> Any:
    import torch

    return torch.tensor(np.asarray(array, dtype=np.float64), dtype=torch.float64,
                        requires_grad=grad)


def _act(name: str, z: Any) -> Any:
    import torch

    return torch.relu(z) if name == "relu" else torch.sigmoid(z)


def activation(name: str, z: np.ndarray) -> np.ndarray:
    """relu(Z) or sigmoid(Z)."""
    return _act(name, _t(z)).detach().numpy()


def activation_backward(name: str, da: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dL/dZ given dL/dA."""
    zt = _t(z, grad=True)
    (_act(name, zt) * _t(da)).sum().backward()
    return zt.grad.numpy()


def _loss(a: Any, y: Any, kind: str) -> Any:
    import torch

    if kind == "mse":
        return torch.mean((a - y) ** 2)
    return torch.nn.functional.binary_cross_entropy(a, y)


def loss(a: np.ndarray, y: np.ndarray, kind: str = "bce") -> float:
    """The mean loss over the batch."""
    return float(_loss(_t(a), _t(y), kind))


def loss_backward(a: np.ndarray, y: np.ndarray, kind: str = "bce") -> np.ndarray:
    """d(mean loss)/dA."""
    at = _t(a, grad=True)
    _loss(at, _t(y), kind).backward()
    return at.grad.numpy()


def linear_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Z = X W + b."""
    return x @ w + b


def linear_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                    dz: np.ndarray) -> dict[str, np.ndarray]:
    """dX, dW and db for Z = X W + b, given dL/dZ (no 1/m)."""
    xt, wt, bt = _t(x, True), _t(w, True), _t(b, True)
    ((xt @ wt + bt) * _t(dz)).sum().backward()
    return {"dX": xt.grad.numpy(), "dW": wt.grad.numpy(), "db": bt.grad.numpy()}


def model_forward(ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """relu between the layers, sigmoid at the end."""
    return _forward([_t(w) for w in ws], [_t(b) for b in bs], _t(x)).detach().numpy()


def _forward(ws: list[Any], bs: list[Any], x: Any) -> Any:
    a = x
    for k, (w, b) in enumerate(zip(ws, bs)):
        a = _act("relu" if k < len(ws) - 1 else "sigmoid", a @ w + b)
    return a


def model_backward(ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray, y: np.ndarray,
                   kind: str = "bce") -> dict[str, list[np.ndarray]]:
    """The gradients of the mean loss with respect to every W and b."""
    wt = [_t(w, True) for w in ws]
    bt = [_t(b, True) for b in bs]
    _loss(_forward(wt, bt, _t(x)), _t(y), kind).backward()
    return {"dW": [w.grad.numpy() for w in wt], "db": [b.grad.numpy() for b in bt]}


def model_loss(ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray, y: np.ndarray,
               kind: str = "bce") -> float:
    """The mean loss of the network with these weights."""
    return float(_loss(_forward([_t(w) for w in ws], [_t(b) for b in bs], _t(x)), _t(y), kind))
