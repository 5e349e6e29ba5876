"""Feedback for numpy mode: the failing call as runnable code, shapes in words, and hints that
are shown only when the student's numbers are exactly what the misconception produces."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from grader.compare.tolerance import ARRAYS
from grader.discover.numpy_net import model_args
from grader.evaluate.numpy_layout import Layout

RTOL, ATOL = ARRAYS
SHAPE_OF = {"dW": "W", "W": "W", "db": "b", "b": "b", "dX": "the layer's input X",
            "A": "the input", "dZ": "Z", "dA": "A", "Z": "X @ W + b"}  # fmt: skip


def _same(got: Any, want: Any) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=RTOL, atol=ATOL))


def shape_words(part: str, name: str, got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """"dW has shape (4, 3) but W has shape (3, 4)", in the student's layout."""
    of = SHAPE_OF.get(name)
    if of and name.startswith("d") and of in ("W", "b"):
        return f"{name} has shape {tuple(got)} but {of} has shape {tuple(want)}."
    return f"{name} has shape {tuple(got)}; it should have shape {tuple(want)}."


def confirmed_hint(part: str, name: str, got: Any, want: Any,
                   case: dict[str, Any]) -> Optional[str]:
    """A hint whose misconception reproduces the student's numbers exactly, else None."""
    if isinstance(want, float):
        return _loss_value_hint(got, want, case)
    got = np.asarray(got, dtype=float)
    if name == "dW" and _same(got, np.asarray(want).T):
        return (f"{name} has shape {got.shape} but W has shape {np.shape(want)}: your {name} is "
                "the transpose of the right one. With examples in rows it is X.T @ dOut (not "
                "dOut.T @ X); with examples in columns, dZ @ A_prev.T.")
    if name == "db" and got.size != np.size(want):
        return ("db should add dOut up over the examples, leaving one number per neuron "
                "(sum over the batch axis, not over the neurons).")
    if part == "loss_backward":
        n = case["A"].shape[0]
        if n > 1 and _same(got, np.asarray(want) * n):
            return ("Your loss gradient is n times too large: the loss is a mean over the n "
                    "examples, so its gradient carries a 1/n (or put the 1/m in your layer's "
                    "backward, consistently).")
        if n > 1 and _same(got, np.asarray(want) / n):
            return "Your loss gradient is divided by the number of examples twice."
    if part in ("relu_backward", "sigmoid_backward"):
        return _activation_hint(part, got, want, case)
    if part == "linear_forward" and _same(got, np.asarray(want) - _bias_like(case, want)):
        return "Your forward leaves out the bias: Z = X @ W + b."
    if part == "update" and name in ("W", "b"):
        original, want = np.asarray(case[name]), np.asarray(want)
        if original.size == want.size and original.shape != want.shape:
            original = original.T if original.T.shape == want.shape else original.reshape(
                want.shape)
        if _same(got, 2 * original - want):
            return ("Your update moves the parameters up the gradient: subtract it, "
                    "W -= learning_rate * dW.")
    return None


def _bias_like(case: dict[str, Any], want: Any) -> np.ndarray:
    """b broadcast to the shape of Z (in the student's layout)."""
    b = np.asarray(case["b"]).reshape(-1)
    want = np.asarray(want)
    return np.broadcast_to(b, want.shape) if want.shape[-1] == b.size else \
        np.broadcast_to(b.reshape(-1, 1), want.shape)


def _loss_value_hint(got: Any, want: float, case: dict[str, Any]) -> Optional[str]:
    if not isinstance(got, float):
        return None
    n = case["A"].shape[0]
    if n > 1 and abs(got - want * n) <= ATOL + RTOL * abs(want * n):
        return "Your loss is a sum over the examples; it should be their mean."
    if abs(got + want) <= ATOL + RTOL * abs(want):
        return ("Your loss has the wrong sign: binary cross-entropy is "
                "-mean(Y log A + (1-Y) log(1-A)).")
    return None


def _activation_hint(part: str, got: np.ndarray, want: Any, case: dict[str, Any]) -> Optional[str]:
    z, da = case["Z"], case["dA"]
    if got.shape != z.shape and got.shape != z.T.shape:
        return None
    zs = z if got.shape == z.shape else z.T
    das = da if got.shape == z.shape else da.T
    if part == "relu_backward" and _same(got, (zs > 0).astype(float)):
        return "You return relu's slope alone: multiply it by the upstream gradient dA."
    s = 1 / (1 + np.exp(-zs))
    if part == "sigmoid_backward":
        if _same(got, s * (1 - s)):
            return "You return the sigmoid's slope alone: multiply it by the upstream gradient dA."
        if _same(got, das * zs * (1 - zs)):
            return ("Your sigmoid_backward computes dA * Z * (1 - Z), as if Z were the sigmoid's "
                    "output. Z is the pre-activation: compute s = sigmoid(Z) first, then "
                    "dA * s * (1 - s).")
    return None


def _array(a: Any) -> str:
    return f"np.array({np.asarray(a).tolist()!r})"


def code_for(part: str, case: dict[str, Any], found: dict[str, Any], layout: Layout,
             raw: bool = False) -> Optional[str]:
    """The failing call as code to paste after the student's own, in their names."""
    part = part.removeprefix("np.")
    parts = found.get("parts", {})
    lay = layout
    lines = ["import numpy as np"]
    spec = parts.get(part) or parts.get(part.replace("_backward", "")) or {}
    name = spec.get("name", part)
    if part in ("relu", "sigmoid", "relu_backward", "sigmoid_backward") and "Z" in case:
        lines.append(f"Z = {_array(lay.data(case['Z']))}")
        if part.endswith("_backward"):
            lines.append(f"dA = {_array(lay.data(case['dA']))}")
            if spec.get("kind") == "class":
                lines += [f"act = {name}()", "act.forward(Z)", "act.backward(dA)"]
            else:
                lines.append(f"{name}(dA, Z)")
        else:
            lines.append(f"{name}().forward(Z)" if spec.get("kind") == "class" else f"{name}(Z)")
        return "\n".join(lines)
    if part in ("loss", "loss_backward") and "A" in case:
        lines += [f"A = {_array(lay.data(case['A']))}", f"Y = {_array(lay.data(case['Y']))}"]
        if spec.get("kind") == "class":
            lines += [f"loss = {name}()", "loss.forward(A, Y)"]
            lines += ["loss.backward()"] if part == "loss_backward" else []
        else:
            lines.append(f"{name}(A, Y)")
        return "\n".join(lines)
    if part in ("linear_forward", "linear_backward", "forward", "backward") and "X" in case \
            and not isinstance(case["W"], list):
        return _linear_code(part, case, found, lay, lines)
    if part == "update" and "dW" in case:
        return _update_code(case, found, lay, lines)
    if isinstance(case.get("W"), list):
        return _model_code(part, case, found, lay, lines)
    return None


def _linear_code(part: str, case: dict[str, Any], found: dict[str, Any], lay: Layout,
                 lines: list[str]) -> str:
    x, w, b = lay.data(case["X"]), lay.weight(case["W"]), lay.bias_to(case["b"])
    if found.get("style") == "functions":
        lines += [f"A = {_array(x)}", f"W = {_array(w)}", f"b = {_array(b)}"]
        if part == "linear_backward":
            lines += [f"dZ = {_array(lay.data(case['dZ']))}",
                      f"{found['parts']['linear_backward']['name']}(dZ, (A, W, b))"]
        else:
            lines.append(f"{found['parts']['linear_forward']['name']}(A, W, b)")
        return "\n".join(lines)
    lines += [*_new_layer(found["linear"], case, w, b), f"X = {_array(x)}", "layer.forward(X)"]
    if part == "linear_backward":
        lines += [f"dOut = {_array(lay.data(case['dZ']))}", "dX = layer.backward(dOut)"]
    return "\n".join(lines)


def _new_layer(linear: dict[str, Any], case: dict[str, Any], w: Any, b: Any) -> list[str]:
    """A layer built the way the student's class is built, holding W and b."""
    if linear.get("init") == "arrays":
        return [f"layer = {linear['class']}({_array(w)}, {_array(b)})"]
    nin, nout = case["W"].shape
    return [f"layer = {linear['class']}({nin}, {nout})", f"layer.{linear['w']} = {_array(w)}",
            f"layer.{linear['b']} = {_array(b)}"]


def _update_code(case: dict[str, Any], found: dict[str, Any], lay: Layout,
                 lines: list[str]) -> str:
    w, b = lay.weight(case["W"]), lay.bias_to(case["b"])
    dw, db = lay.weight(case["dW"]), lay.bias_to(case["db"])
    if found.get("style") == "functions":
        name = found["parts"]["update"]["name"]
        lines.append(f"{name}({{'W1': {_array(w)}, 'b1': {_array(b)}}}, "
                     f"{{'dW1': {_array(dw)}, 'db1': {_array(db)}}}, {case['lr']})")
        return "\n".join(lines)
    linear = found["linear"]
    lines += [*_new_layer(linear, case, w, b), f"layer.{linear.get('dw') or 'dW'} = "
              f"{_array(dw)}", f"layer.{linear.get('db') or 'db'} = {_array(db)}",
              f"layer.{linear['update']}({case['lr']})"]
    return "\n".join(lines)


def _model_code(part: str, case: dict[str, Any], found: dict[str, Any], lay: Layout,
                lines: list[str]) -> Optional[str]:
    if part == "train":
        return None
    ws = [lay.weight(w) for w in case["W"]]
    bs = [lay.bias_to(b) for b in case["b"]]
    x, y = lay.data(case["X"]), lay.data(case["Y"])
    if found.get("style") == "functions":
        params = ", ".join(f"'W{k + 1}': {_array(w)}, 'b{k + 1}': {_array(b)}"
                           for k, (w, b) in enumerate(zip(ws, bs)))
        parts = found["parts"]
        lines += [f"parameters = {{{params}}}", f"X = {_array(x)}", f"Y = {_array(y)}",
                  f"AL, caches = {parts['model_forward']['name']}(X, parameters)"]
        if part != "model_forward":
            lines.append(f"grads = {parts['model_backward']['name']}(AL, Y, caches)")
        return "\n".join(lines)
    model, linear = found.get("model"), found["linear"]
    sizes = [case["W"][0].shape[0], case["W"][0].shape[1], 1]
    if model:
        call = ", ".join(map(str, model_args(model["call"], sizes)))
        lines.append(f"model = {model['class']}({call})")
        for path, w, b in zip(model.get("paths", []), ws, bs):
            lines += [f"model.{path}.{linear['w']} = {_array(w)}",
                      f"model.{path}.{linear['b']} = {_array(b)}"]
        lines += [f"X = {_array(x)}", "model.forward(X)"]
        if part != "model_forward":
            lines += [f"Y = {_array(y)}", "model.backward(Y)"]
        return "\n".join(lines)
    return None
