"""The untrusted side of numpy mode: call the student's parts on the parent's arrays.

Runs in the sandboxed child as ``numpy.discover`` and ``numpy.call``. The parent sends every
array already in the student's layout; the answer carries plain numbers only (shape and a flat
list per array), and the names of the arguments a call changed in place. A call whose params
list ``corrected`` parts runs with those parts replaced by correct ones (numpy_corrected.py),
so a model check can be repeated without a part that already failed.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Optional

import numpy as np

from grader.discover.finder import attributes
from grader.discover.numpy_net import (
    BIAS_GRAD_NAMES,
    GRAD_NAMES,
    discover,
    layers_of,
    model_args,
)
from grader.evaluate.numpy_corrected import corrected
from grader.evaluate.numpy_layout import decode, encode
from grader.sandbox.methods import register


class PartError(Exception):
    """The student's code raised, or returned something that is not an array."""


@register("numpy.discover")
def numpy_discover(namespace: dict, params: dict) -> dict[str, Any]:
    """Which style, which parts, which layout (see grader.discover.numpy_net)."""
    try:
        return discover(namespace, bool(params.get("force")))
    except Exception as error:  # noqa: BLE001 - a probe of student code went wrong
        return {"ok": False, "message": f"Looking at your code failed: {_words(error)}"}


@register("numpy.call")
def numpy_call(namespace: dict, params: dict) -> dict[str, Any]:
    """One check's call: ``op`` with ``args``; the outputs, or the error in words."""
    call = Call(namespace, params["found"], params.get("conv") or {})
    args = {k: decode(v) for k, v in params["args"].items()}
    random.seed(0)
    np.random.seed(0)
    with corrected(namespace, params["found"], params.get("corrected") or [], call.conv):
        try:
            out = getattr(call, params["op"])(args)
        except PartError as error:
            return {"ok": False, "error": str(error), "mutated": call.mutated}
        except Exception as error:  # noqa: BLE001 - student code may raise anything
            return {"ok": False, "error": _words(error), "mutated": call.mutated}
    try:
        encoded = {k: encode(v) for k, v in out.items()}
    except ValueError as error:  # the student's part returned something that is not numbers
        return {"ok": False, "error": str(error), "mutated": call.mutated}
    return {"ok": True, "out": encoded, "mutated": call.mutated}


def _words(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:300]}"


def _first(result: Any) -> Any:
    """``(A, cache)`` styles return a tuple: the array is its first element."""
    return result[0] if isinstance(result, tuple) else result


def _scalar(result: Any) -> float:
    try:
        return float(np.squeeze(np.asarray(_first(result), dtype=np.float64)))
    except Exception:  # noqa: BLE001
        raise PartError(f"the loss is {type(result).__name__}, not one number") from None


class Call:
    """The student's parts, called the way their style calls them."""

    def __init__(self, namespace: dict, found: dict, conv: dict):
        self.ns = namespace
        self.found = found
        self.parts = found["parts"]
        self.conv = conv
        self.mutated: list[str] = []

    def _run(self, part: str, fn: Callable[..., Any], *args: Any, names: tuple[str, ...]) -> Any:
        """Call ``fn(*args)`` and note which array arguments it changed."""
        copies = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
        result = fn(*args)
        for name, before, after in zip(names, copies, args):
            if before is not None and not np.array_equal(before, after):
                self.mutated.append(f"{part}:{name}")
        return result

    # -- activations and loss -------------------------------------------------------------

    def _activation(self, part: str, z: np.ndarray) -> Any:
        spec = self.parts[part]
        if spec["kind"] == "class":
            obj = self.ns[spec["name"]]()
            return obj, _first(self._run(part, obj.forward, z, names=("Z",)))
        return None, _first(self._run(part, self.ns[spec["name"]], z, names=("Z",)))

    def _activation_backward(self, part: str, da: np.ndarray, z: np.ndarray) -> Any:
        spec = self.parts[f"{part}_backward"]
        if spec["kind"] == "class":
            obj, _ = self._activation(part, z) if self.parts[part]["name"] == spec["name"] \
                else (self.ns[spec["name"]](), None)
            return _first(self._run(f"{part}_backward", obj.backward, da, names=("dA",)))
        fn = self.ns[spec["name"]]
        return _first(self._run(f"{part}_backward", fn, da, z, names=("dA", "Z")))

    def relu(self, a: dict) -> dict:
        return {"A": self._activation("relu", a["Z"])[1]}

    def sigmoid(self, a: dict) -> dict:
        return {"A": self._activation("sigmoid", a["Z"])[1]}

    def relu_backward(self, a: dict) -> dict:
        return {"dZ": self._activation_backward("relu", a["dA"], a["Z"])}

    def sigmoid_backward(self, a: dict) -> dict:
        return {"dZ": self._activation_backward("sigmoid", a["dA"], a["Z"])}

    def loss(self, a: dict) -> dict:
        spec = self.parts["loss"]
        fn = self.ns[spec["name"]]
        fn = fn().forward if spec["kind"] == "class" else fn
        return {"L": _scalar(self._run("loss", fn, a["A"], a["Y"], names=("A", "Y")))}

    def loss_backward(self, a: dict) -> dict:
        spec = self.parts["loss_backward"]
        if spec["kind"] == "class":
            obj = self.ns[spec["name"]]()
            self._run("loss", obj.forward, a["A"], a["Y"], names=("A", "Y"))
            return {"dA": _first(self._run("loss_backward", obj.backward, names=()))}
        fn = self.ns[spec["name"]]
        return {"dA": _first(self._run("loss_backward", fn, a["A"], a["Y"], names=("A", "Y")))}

    # -- one linear layer -----------------------------------------------------------------

    def _layer(self, w: np.ndarray, b: np.ndarray) -> Any:
        linear = self.found["linear"]
        nin, nout = w.shape if linear["w_shape"] == "in_out" else w.shape[::-1]
        if linear.get("init") == "arrays":
            layer = self.ns[linear["class"]](w.copy(), b.copy())
        else:
            layer = self.ns[linear["class"]](nin, nout)
        setattr(layer, linear["w"], w.copy())
        if linear["b"]:
            setattr(layer, linear["b"], b.copy())
        return layer

    def linear_forward(self, a: dict) -> dict:
        if self.found["style"] == "functions":
            fn = self.ns[self.parts["linear_forward"]["name"]]
            z = self._run("linear_forward", fn, a["X"], a["W"], a["b"], names=("A", "W", "b"))
            return {"Z": _first(z)}
        layer = self._layer(a["W"], a["b"])
        return {"Z": _first(self._run("forward", layer.forward, a["X"], names=("X",)))}

    def linear_backward(self, a: dict) -> dict:
        if self.found["style"] == "functions":
            fn = self.ns[self.parts["linear_backward"]["name"]]
            cache = (a["X"], a["W"], a["b"])
            out = self._run("linear_backward", fn, a["dZ"], cache, names=("dZ",))
            if not isinstance(out, tuple) or len(out) != 3:
                raise PartError("linear_backward should return (dA_prev, dW, db)")
            return {"dX": out[0], "dW": out[1], "db": out[2]}
        layer = self._layer(a["W"], a["b"])
        self._run("forward", layer.forward, a["X"], names=("X",))
        out = self._run("backward", layer.backward, a["dZ"], names=("dOut",))
        dw, db = self._layer_grads(layer, out)
        return {"dX": _first(out), "dW": dw, "db": db}

    def _layer_grads(self, layer: Any, out: Any = None) -> tuple[Any, Any]:
        if isinstance(out, tuple) and len(out) == 3:
            return out[1], out[2]
        found, linear = attributes(layer), self.found["linear"]
        dw = linear.get("dw") or _pick(found, GRAD_NAMES, linear["w"])
        db = linear.get("db") or _pick(found, BIAS_GRAD_NAMES, linear["b"])
        if dw is None or dw not in found:
            raise PartError("after backward, the layer holds no weight gradient (like dW)")
        if db is None or db not in found:
            raise PartError("after backward, the layer holds no bias gradient (like db)")
        return found[dw], found[db]

    def update(self, a: dict) -> dict:
        if self.found["style"] == "functions":
            fn = self.ns[self.parts["update"]["name"]]
            params = {"W1": a["W"], "b1": a["b"]}
            grads = {"dW1": a["dW"], "db1": a["db"]}
            out = self._run("update", fn, params, grads, a["lr"], names=())
            out = out if isinstance(out, dict) else params
            return {"W": out["W1"], "b": out["b1"]}
        linear = self.found["linear"]
        if not linear.get("update"):
            raise PartError("the layer class has no update method")
        layer = self._layer(a["W"], a["b"])
        setattr(layer, linear.get("dw") or "dW", a["dW"].copy())
        setattr(layer, linear.get("db") or "db", a["db"].copy())
        self._run("update", getattr(layer, linear["update"]), a["lr"], names=())
        return {"W": getattr(layer, linear["w"]), "b": getattr(layer, linear["b"])}

    # -- the whole model ------------------------------------------------------------------

    def model_forward(self, a: dict) -> dict:
        return {"A": self._model(a).forward(a["X"])}

    def model_backward(self, a: dict) -> dict:
        model = self._model(a)
        model.forward(a["X"])
        model.backward(a["Y"])
        return {"dW": model.grads()[0], "db": model.grads()[1]}

    def train(self, a: dict) -> dict:
        model = self._model(a)
        for _ in range(int(a["epochs"])):
            model.forward(a["X"])
            model.backward(a["Y"])
            model.update(float(a["lr"]))
        return {"W": model.weights()[0], "b": model.weights()[1]}

    def _model(self, a: dict) -> Any:
        if self.found["style"] == "functions":
            return FunctionModel(self, a["W"], a["b"])
        if self.found.get("model"):
            return ClassModel(self, a["W"], a["b"])
        return ChainModel(self, a["W"], a["b"])


def _pick(found: dict[str, Any], names: tuple[str, ...], own: Optional[str]) -> Optional[str]:
    arrays = [k for k, v in found.items() if isinstance(v, np.ndarray) and k != own]
    return next((n for n in names if n in arrays), None)


class FunctionModel:
    """``L_model_forward(X, parameters)`` and friends, with a parameters dict W1, b1, ..."""

    def __init__(self, call: Call, ws: list[np.ndarray], bs: list[np.ndarray]):
        self.call = call
        self.params = {f"{k}{i + 1}": v.copy() for i, (w, b) in enumerate(zip(ws, bs))
                       for k, v in (("W", w), ("b", b))}
        self.n = len(ws)
        self.state: Any = None
        self.grad_dict: dict[str, Any] = {}

    def _fn(self, part: str) -> Callable[..., Any]:
        return self.call.ns[self.call.parts[part]["name"]]

    def forward(self, x: np.ndarray) -> Any:
        self.state = self.call._run("model_forward", self._fn("model_forward"), x, self.params,
                                    names=("X",))
        return _first(self.state)

    def backward(self, y: np.ndarray) -> None:
        al, caches = self.state
        self.grad_dict = self.call._run("model_backward", self._fn("model_backward"), al, y,
                                        caches, names=("AL", "Y"))

    def grads(self) -> tuple[list[Any], list[Any]]:
        g = self.grad_dict
        return ([g[f"dW{i + 1}"] for i in range(self.n)], [g[f"db{i + 1}"] for i in range(self.n)])

    def update(self, lr: float) -> None:
        out = self.call._run("update", self._fn("update"), self.params, self.grad_dict, lr,
                             names=())
        if isinstance(out, dict):
            self.params = out

    def weights(self) -> tuple[list[Any], list[Any]]:
        p = self.params
        return ([p[f"W{i + 1}"] for i in range(self.n)], [p[f"b{i + 1}"] for i in range(self.n)])


class ClassModel:
    """The student's model class (``MLP(3, 4, 1)``), its layers given the parent's weights."""

    def __init__(self, call: Call, ws: list[np.ndarray], bs: list[np.ndarray]):
        spec, linear = call.found["model"], call.found["linear"]
        self.call = call
        dims = [w.shape[0] if linear["w_shape"] == "in_out" else w.shape[1] for w in ws]
        dims.append(ws[-1].shape[1] if linear["w_shape"] == "in_out" else ws[-1].shape[0])
        self.model = call.ns[spec["class"]](*model_args(spec["call"], dims))
        self.layers = layers_of(self.model, call.ns[linear["class"]])
        if len(self.layers) != len(ws):
            raise PartError(f"the model holds {len(self.layers)} layers, not {len(ws)}")
        for layer, w, b in zip(self.layers, ws, bs):
            setattr(layer, linear["w"], w.copy())
            setattr(layer, linear["b"], b.copy())

    def forward(self, x: np.ndarray) -> Any:
        return _first(self.call._run("model_forward", self.model.forward, x, names=("X",)))

    def backward(self, y: np.ndarray) -> None:
        self.call._run("model_backward", self.model.backward, y, names=("Y",))

    def grads(self) -> tuple[list[Any], list[Any]]:
        pairs = [self.call._layer_grads(layer) for layer in self.layers]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def update(self, lr: float) -> None:
        name = self.call.found["model"].get("update")
        if name:
            self.call._run("update", getattr(self.model, name), lr, names=())
            return
        for layer in self.layers:
            getattr(layer, self.call.found["linear"]["update"])(lr)

    def weights(self) -> tuple[list[Any], list[Any]]:
        linear = self.call.found["linear"]
        return ([getattr(x, linear["w"]) for x in self.layers],
                [getattr(x, linear["b"]) for x in self.layers])


class ChainModel(ClassModel):
    """No model class: the student's layers chained as their training loop would chain them,
    relu between linear layers and sigmoid at the end, the loss gradient from their code."""

    def __init__(self, call: Call, ws: list[np.ndarray], bs: list[np.ndarray]):
        self.call = call
        self.layers = [call._layer(w, b) for w, b in zip(ws, bs)]
        self.zs: list[Any] = []
        self.out: Any = None

    def forward(self, x: np.ndarray) -> Any:
        self.zs, a = [], x
        for k, layer in enumerate(self.layers):
            z = _first(self.call._run("forward", layer.forward, a, names=("X",)))
            self.zs.append(z)
            a = self.call.relu({"Z": z})["A"] if k < len(self.layers) - 1 \
                else self.call.sigmoid({"Z": z})["A"]
        self.out = a
        return a

    def backward(self, y: np.ndarray) -> None:
        da = self.call.loss_backward({"A": self.out, "Y": y})["dA"]
        for k in reversed(range(len(self.layers))):
            part = "relu_backward" if k < len(self.layers) - 1 else "sigmoid_backward"
            dz = getattr(self.call, part)({"dA": da, "Z": self.zs[k]})["dZ"]
            da = _first(self.call._run("backward", self.layers[k].backward, dz, names=("dOut",)))

    def update(self, lr: float) -> None:
        for layer in self.layers:
            getattr(layer, self.call.found["linear"]["update"])(lr)
