"""Find a numpy network's parts by name and by probing (runs in the sandboxed child).

Two families are recognised, each in several spellings:

- layer objects: a linear layer class (``LinearLayer``, ``Linear``, ``Dense``...) with
  ``forward`` and ``backward`` (and usually ``update``), activation and loss functions or
  classes, and a model class built from such layers (``MLP(3, 4, 1)``);
- the function style of the popular course: ``linear_forward(A, W, b)``,
  ``linear_backward(dZ, cache)``, ``L_model_forward(X, parameters)``, ``L_model_backward``,
  ``compute_cost`` and ``update_parameters``, examples in columns, ``W`` of shape (out, in).

Shapes and layouts are found by calling the code, never assumed from the style.
"""

from __future__ import annotations

import random
from typing import Any, Optional

import numpy as np

from grader.discover.finder import attributes

FUNCTION_NAMES: dict[str, tuple[str, ...]] = {
    "relu": ("relu", "ReLU", "relu_forward"),
    "relu_backward": ("relu_backward", "relu_derivative", "relu_grad", "drelu", "d_relu",
                      "relu_prime", "backward_relu"),
    "sigmoid": ("sigmoid", "sigmoid_forward", "sig"),
    "sigmoid_backward": ("sigmoid_backward", "sigmoid_derivative", "sigmoid_grad", "dsigmoid",
                         "d_sigmoid", "sigmoid_prime", "backward_sigmoid"),
    "loss": ("bce_loss", "binary_cross_entropy", "compute_cost", "bce", "cross_entropy",
             "log_loss", "compute_loss", "loss", "mse_loss", "mse"),
    "loss_backward": ("bce_loss_backward", "bce_backward", "binary_cross_entropy_backward",
                      "bce_derivative", "loss_backward", "compute_cost_backward", "bce_grad",
                      "loss_derivative", "mse_loss_backward", "mse_backward"),
    "linear_forward": ("linear_forward",),
    "linear_backward": ("linear_backward",),
    "model_forward": ("L_model_forward", "l_model_forward", "model_forward", "forward_propagation",
                      "forward_pass"),
    "model_backward": ("L_model_backward", "l_model_backward", "model_backward",
                       "backward_propagation", "backward_pass"),
    "update": ("update_parameters", "update_params", "gradient_descent"),
}  # fmt: skip
ACTIVATION_CLASSES = {"relu": ("ReLU", "Relu", "ReluLayer"), "sigmoid": ("Sigmoid", "SigmoidLayer")}
LOSS_CLASSES = ("BCELoss", "BCE", "BinaryCrossEntropy", "BinaryCrossEntropyLoss", "MSELoss",
                "Loss", "CrossEntropyLoss")  # fmt: skip
GRAD_NAMES = ("dW", "dw", "grad_W", "grad_w", "W_grad", "w_grad", "dweights", "d_weights",
              "grad_weights", "weights_grad")  # fmt: skip
BIAS_GRAD_NAMES = ("db", "dB", "grad_b", "b_grad", "dbias", "d_bias", "grad_bias", "bias_grad")
UPDATE_NAMES = ("update", "step", "update_params", "update_parameters", "apply_gradients", "sgd")
NIN, NOUT = 3, 4  # a probe layer: non-square, so a missing transpose cannot hide
# The model constructor conventions tried, as the probe's calls for a 3 -> 4 -> 1 network:
# MLP(3, 4, 1), MLP([3, 4, 1]), MLP(3, [4], 1) and MLP(3, [4, 1]).
MODEL_CALLS: tuple[list[Any], ...] = ([3, 4, 1], [[3, 4, 1]], [3, [4], 1], [3, [4, 1]])


def discover(namespace: dict[str, Any], force: bool = False) -> dict[str, Any]:
    """What the submission offers, as plain data; ``ok`` is False when it is no numpy network."""
    parts: dict[str, Any] = {}
    for part, names in FUNCTION_NAMES.items():
        name = _function(namespace, names)
        if name is not None:
            parts[part] = {"kind": "function", "name": name}
    for part, names in ACTIVATION_CLASSES.items():
        cls = _class(namespace, names)
        if cls is not None and _has(namespace[cls], "forward", "backward"):
            parts.setdefault(part, {"kind": "class", "name": cls})
            parts.setdefault(f"{part}_backward", {"kind": "class", "name": cls})
    loss_class = _class(namespace, LOSS_CLASSES)
    if loss_class is not None and _has(namespace[loss_class], "forward", "backward"):
        parts.setdefault("loss", {"kind": "class", "name": loss_class})
        parts.setdefault("loss_backward", {"kind": "class", "name": loss_class})
    linear = _linear_class(namespace)
    found: dict[str, Any] = {"ok": False, "parts": parts, "linear": linear}
    if "linear_forward" in parts and "model_forward" in parts:
        found.update(ok=True, style="functions", layout="columns", w_shape="out_in")
        return found
    if linear is not None:
        found.update(ok=True, style="layers", layout=linear["layout"], w_shape=linear["w_shape"])
        found["model"] = _model_class(namespace, linear["class"])
        return found
    if force or ("relu" in parts and "relu_backward" in parts and "sigmoid" in parts):
        found["message"] = ("No linear layer was found: a class with forward and backward whose "
                            "objects hold a weight matrix, or a function linear_forward.")
    return found


def _function(namespace: dict[str, Any], names: tuple[str, ...]) -> Optional[str]:
    for name in names:
        value = namespace.get(name)
        if callable(value) and not isinstance(value, type):
            return name
    return None


def _class(namespace: dict[str, Any], names: tuple[str, ...]) -> Optional[str]:
    return next((n for n in names if isinstance(namespace.get(n), type)), None)


def _has(cls: type, *methods: str) -> bool:
    return all(callable(getattr(cls, m, None)) for m in methods)


def _classes(namespace: dict[str, Any]) -> list[str]:
    return [name for name, value in list(namespace.items())
            if isinstance(value, type) and not name.startswith("_")]


def _linear_class(namespace: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The first class whose objects, built as ``cls(3, 4)``, hold a 3x4 or 4x3 matrix and
    map a batch of 3-vectors to 4-vectors."""
    for name in _classes(namespace):
        cls = namespace[name]
        if not _has(cls, "forward", "backward"):
            continue
        found = _probe_linear(cls)
        if found is not None:
            return {"class": name, **found}
    return None


def _probe_linear(cls: type) -> Optional[dict[str, Any]]:
    layer, init = _build_layer(cls)
    if layer is None:
        return None
    arrays = {k: v for k, v in attributes(layer).items() if isinstance(v, np.ndarray)}
    weight = next((k for k, v in arrays.items() if v.shape in ((NIN, NOUT), (NOUT, NIN))), None)
    if weight is None:
        return None
    bias = next((k for k, v in arrays.items() if k != weight and v.size == NOUT), None)
    w_shape = "in_out" if arrays[weight].shape == (NIN, NOUT) else "out_in"
    layout = _layout(layer)
    if layout is None:
        return None
    dw, db = grad_names(layer, layout, weight, bias)
    return {
        "w": weight, "b": bias, "w_shape": w_shape, "layout": layout, "dw": dw, "db": db,
        "init": init,
        "b_shape": list(arrays[bias].shape) if bias else None,
        "update": next((m for m in UPDATE_NAMES if callable(getattr(cls, m, None))), None),
    }  # fmt: skip


def _build_layer(cls: type) -> tuple[Any, str]:
    """``cls(3, 4)``, or ``cls(W, b)`` for a layer given its arrays; (None, "") if neither."""
    for init, args in (("sizes", (NIN, NOUT)), ("arrays", (_probe_w(), np.zeros(NOUT)))):
        try:
            random.seed(0)
            np.random.seed(0)
            return cls(*args), init
        except Exception:  # noqa: BLE001 - not a layer of this kind
            continue
    return None, ""


def _probe_w() -> np.ndarray:
    return np.linspace(-1, 1, NIN * NOUT).reshape(NIN, NOUT)


def _layout(layer: Any) -> Optional[str]:
    """Examples in rows (X is n x 3) or in columns (X is 3 x n), by trying both. A template's
    forward that is not written yet counts as rows (its checks are then "missing")."""
    for layout, shape, out in (("rows", (5, NIN), (5, NOUT)), ("columns", (NIN, 5), (NOUT, 5))):
        try:
            result = layer.forward(np.ones(shape))
        except NotImplementedError:
            return "rows"
        except Exception:  # noqa: BLE001 - the other layout
            continue
        if isinstance(result, tuple):
            result = result[0]
        if getattr(result, "shape", None) == out:
            return layout
    return None


def grad_names(layer: Any, layout: str, weight: str, bias: Optional[str]) -> tuple[Any, Any]:
    """The attributes backward fills with dW and db: arrays shaped like W and b that backward
    created or changed (conventional names first)."""
    x = np.linspace(-1, 1, 5 * NIN).reshape((5, NIN) if layout == "rows" else (NIN, 5))
    try:
        out = layer.forward(x)
        before = {k: v.copy() for k, v in attributes(layer).items() if isinstance(v, np.ndarray)}
        layer.backward(np.ones_like(out[0] if isinstance(out, tuple) else out))
    except Exception:  # noqa: BLE001 - judged by the checks, with the student's error
        return None, None
    after = attributes(layer)

    def changed(name: str, like: Optional[str]) -> bool:
        value = after.get(name)
        if not isinstance(value, np.ndarray) or like is None or name in (weight, bias):
            return False
        shaped = value.shape == after[like].shape or value.size == np.size(after[like])
        old = before.get(name)
        fresh = old is None or old.shape != value.shape or not np.array_equal(old, value)
        return shaped and fresh

    def pick(names: tuple[str, ...], like: Optional[str]) -> Optional[str]:
        candidates = [k for k in after if changed(k, like)]
        return next((n for n in names if n in candidates), candidates[0] if candidates else None)

    return pick(GRAD_NAMES, weight), pick(BIAS_GRAD_NAMES, bias)


def _model_class(namespace: dict[str, Any], linear: str) -> Optional[dict[str, Any]]:
    """A class with forward and backward whose objects hold two or more linear layers."""
    for name in _classes(namespace):
        cls = namespace[name]
        if name == linear or not _has(cls, "forward", "backward"):
            continue
        for call in MODEL_CALLS:
            try:
                random.seed(0)
                np.random.seed(0)
                model = cls(*call)
            except Exception:  # noqa: BLE001 - another convention
                continue
            layers = layers_of(model, namespace[linear])
            if len(layers) == 2:
                update = next((m for m in UPDATE_NAMES if callable(getattr(cls, m, None))), None)
                return {"class": name, "call": call, "update": update,
                        "paths": _paths(model, layers)}
    return None


def layers_of(model: Any, linear: type) -> list[Any]:
    """The model's linear layers, in the order its attributes hold them (lists walked)."""
    found: list[Any] = []
    for value in attributes(model).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        found += [v for v in items if isinstance(v, linear) and not any(v is f for f in found)]
    return found


def _paths(model: Any, layers: list[Any]) -> list[str]:
    """Where each layer sits in the model, as code: ``layer1`` or ``layers[0]``."""
    paths: list[str] = []
    for layer in layers:
        for name, value in attributes(model).items():
            if value is layer:
                paths.append(name)
                break
            if isinstance(value, (list, tuple)) and any(v is layer for v in value):
                paths.append(f"{name}[{next(i for i, v in enumerate(value) if v is layer)}]")
                break
    return paths


def model_args(call: list[Any], dims: list[int]) -> list[Any]:
    """The arguments of the constructor convention ``call`` (one of MODEL_CALLS) for a network
    of layer sizes ``dims`` (inputs, hidden sizes..., outputs)."""
    nin, hidden, nout = dims[0], dims[1:-1], dims[-1]
    conventions = ([nin, *hidden, nout], [dims], [nin, hidden, nout], [nin, [*hidden, nout]])
    return conventions[MODEL_CALLS.index(call)]
