"""The numpy reference network against torch autograd in float64, directly."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch

PATH = Path(__file__).parents[2] / "reference" / "numpy_network" / "network.py"


def _module():
    spec = importlib.util.spec_from_file_location("numpy_reference", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_forward_and_gradients_match_torch() -> None:
    net = _module()
    rng = np.random.default_rng(3)
    model = net.MLP(3, 5, 1)
    x = rng.normal(size=(7, 3))
    y = rng.integers(0, 2, size=(7, 1)).astype(float)
    a = model.forward(x)
    model.backward(y)
    ws = [torch.tensor(layer.W, requires_grad=True) for layer in (model.layer1, model.layer2)]
    bs = [torch.tensor(layer.b, requires_grad=True) for layer in (model.layer1, model.layer2)]
    out = torch.sigmoid(torch.relu(torch.tensor(x) @ ws[0] + bs[0]) @ ws[1] + bs[1])
    torch.nn.functional.binary_cross_entropy(out, torch.tensor(y)).backward()
    assert np.allclose(a, out.detach().numpy(), rtol=1e-12)
    for layer, w, b in zip((model.layer1, model.layer2), ws, bs):
        assert np.allclose(layer.dW, w.grad.numpy(), rtol=1e-10, atol=1e-14)
        assert np.allclose(layer.db, b.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_training_reduces_the_loss() -> None:
    net = _module()
    np.random.seed(0)
    x = np.array([[2.0, 1.0, 0.5], [-1.0, -2.0, 0.0], [1.5, 2.0, 1.0], [-2.0, -1.0, -0.5]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    history = net.train(net.MLP(3, 4, 1), x, y)
    assert history[-1] < 0.1 * history[0]
