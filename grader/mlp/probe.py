"""The untrusted side of the MLP checks: build the student's MLP, set its weights, read numbers.

Runs in the sandboxed child as the methods ``mlp.discover``, ``mlp.params``, ``mlp.forward``,
``mlp.grad``, ``mlp.fd``, ``mlp.neurons``, ``mlp.zero_grad`` and ``mlp.train``. Each call is
self-contained: it seeds ``random`` with the parent's seed, builds ``MLP(nin, nouts)`` (or
``MLP([nin, *nouts])``), sets every parameter's value from the parent's list, and answers
with plain numbers only, read through ``number``. A call whose params carry ``trusted`` runs
with a corrected engine bound to the student's class name (see adapter.py).

Which number is which weight: right after building, the model is walked: a list attribute
of layer objects (``layers`` preferred), in each a list of neuron objects (``neurons``), in
each a list of Values (``w``) and one Value (``b``). The walk gives every weight its place,
whatever order ``parameters()`` uses. Without such attributes, ``parameters()`` is assumed to
list, per layer and per neuron, the weights and then the bias (as in micrograd), which is only
trusted when the count is exactly right and nothing repeats.
"""

from __future__ import annotations

import json
import math
import random
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from grader.discover.api import EngineAPI
from grader.discover.finder import attributes
from grader.evaluate.student import number
from grader.mlp.adapter import corrected_engine
from grader.sandbox.methods import register

MLP_NAMES = ("MLP", "Mlp", "MultiLayerPerceptron", "MultilayerPerceptron")
LAYER_NAMES = ("Layer",)
NEURON_NAMES = ("Neuron",)
ZERO_GRAD_NAMES = ("zero_grad", "zero_grads", "zerograd", "zero_gradients", "reset_grad",
                   "reset_grads")  # fmt: skip
PARAMETERS_NAMES = ("parameters", "params", "get_parameters", "get_params")
CALLS = ("nin_nouts", "sizes")  # MLP(3, [4, 4, 1]) or MLP([3, 4, 4, 1])
WEIGHT_NAMES = ("w", "weights", "W", "weight", "ws")
BIAS_NAMES = ("b", "bias", "B", "biases")
FOUR_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
FOUR_YS = [1.0, -1.0, -1.0, 1.0]

PROBES: dict[str, Callable[[dict, dict], Any]] = {}


class ProbeError(Exception):
    """The student's MLP cannot be probed further; ``where`` says at which step."""

    def __init__(self, where: str, error: BaseException):
        super().__init__(f"{where}: {error}")
        self.where = where
        self.error = error


def probe(name: str) -> Callable[[Callable[[dict, dict], Any]], Callable[[dict, dict], Any]]:
    """Register a handler with the sandbox (and here, for in-process use)."""

    def decorate(fn: Callable[[dict, dict], Any]) -> Callable[[dict, dict], Any]:
        PROBES[name] = fn
        return register(name)(fn)

    return decorate


def in_process(namespace: dict[str, Any]) -> Callable[[str, dict], Any]:
    """``call(method, params)`` running the probes here, with a JSON round trip as the sandbox."""

    def call(method: str, params: dict) -> Any:
        answer = PROBES[method](namespace, json.loads(json.dumps(params)))
        return json.loads(json.dumps(answer))

    return call


# -- discovery ----------------------------------------------------------------------------


@probe("mlp.discover")
def discover(namespace: dict, params: dict) -> dict:
    """The classes and method names of the student's network (overrides win)."""
    overrides = params.get("overrides") or {}
    mlp = _find_class(namespace, overrides.get("mlp_class"), MLP_NAMES)
    looked = ", ".join(MLP_NAMES)
    if overrides.get("mlp_class") and mlp is None:
        return {"ok": False, "message": f"No class named {overrides['mlp_class']!r} is defined."}
    if mlp is None:
        return {"ok": False, "message": f"No MLP class found (looked for a class named {looked})."}
    cls = namespace[mlp]
    return {
        "ok": True,
        "mlp": mlp,
        "layer": _find_class(namespace, overrides.get("layer_class"), LAYER_NAMES),
        "neuron": _find_class(namespace, overrides.get("neuron_class"), NEURON_NAMES),
        "parameters": overrides.get("parameters") or _method(cls, PARAMETERS_NAMES),
        "zero_grad": overrides.get("zero_grad") or _method(cls, ZERO_GRAD_NAMES),
        "call": overrides.get("mlp_call"),
    }


def _find_class(namespace: dict, name: Optional[str], names: tuple[str, ...]) -> Optional[str]:
    if name:
        return name if isinstance(namespace.get(name), type) else None
    for candidate in names:
        if isinstance(namespace.get(candidate), type):
            return candidate
    lowered = {n.lower() for n in names}
    found = [k for k, v in namespace.items() if isinstance(v, type) and k.lower() in lowered]
    return found[0] if len(found) == 1 else None


def _method(cls: type, names: tuple[str, ...]) -> Optional[str]:
    return next((n for n in names if callable(getattr(cls, n, None))), None)


# -- a session: the engine (student's or corrected) and the built model --------------------


@dataclass
class Session:
    """What one call works with."""

    namespace: dict
    params: dict
    cls: type
    api: EngineAPI
    used: Optional[set[str]] = None
    call: str = ""
    model: Any = None
    plist: list[Any] = field(default_factory=list)
    net: Optional[Net] = None


@dataclass
class Net:
    """The model's Values by place: ``layers[l][j] = (weight indices, bias index or None)``."""

    objs: list[Any]
    layers: list[list[tuple[list[int], Optional[int]]]]
    neurons: Optional[list[list[Any]]]
    source: str  # "attributes" (walked) or "order" (assumed from parameters())
    params: list[Optional[int]]  # per parameter, the index of its object in objs
    shared: list[list[int]]  # [layer, neuron, earlier neuron it is the same object as]
    names: dict  # the attributes walked: layers, neurons, w, b


@contextmanager
def session(namespace: dict, params: dict) -> Iterator[Session]:
    """The student's engine, or the corrected one bound to its name for the call's duration."""
    api = EngineAPI.from_dict(params["api"])
    student = namespace[api.class_name]
    trusted = params.get("trusted")
    with _forward_as_call(namespace, params.get("found") or {}):
        if not trusted:
            yield Session(namespace, params, student, api)
            return
        adapter, used = corrected_engine(trusted, student, api)
        namespace[api.class_name] = adapter
        try:
            yield Session(namespace, params, adapter, api, used)
        finally:
            namespace[api.class_name] = student


@contextmanager
def _forward_as_call(namespace: dict, found: dict) -> Iterator[None]:
    """A network written with ``forward(x)`` and no ``__call__`` is called as ``model(x)``
    for the call's duration, like a torch module."""
    patched = []
    for key in ("mlp", "layer", "neuron"):
        cls = namespace.get(found.get(key) or "")
        if not isinstance(cls, type) or any("__call__" in vars(c) for c in cls.__mro__):
            continue
        forward = getattr(cls, "forward", None)
        if callable(forward):
            with suppress(Exception):
                cls.__call__ = forward  # type: ignore[method-assign]
                patched.append(cls)
    try:
        yield
    finally:
        for cls in patched:
            with suppress(Exception):
                delattr(cls, "__call__")


def build(s: Session, weights: bool = True) -> None:
    """Seed, construct, walk, and set the parent's weights through parameters()."""
    nin, nouts = s.params["shape"][0], list(s.params["shape"][1])
    _seed(s.namespace, int(s.params.get("seed", 0)))
    mlp = s.namespace[s.params["found"]["mlp"]]
    calls = [s.params["found"]["call"]] if s.params["found"].get("call") else list(CALLS)
    first: Optional[BaseException] = None
    for call in calls:
        try:
            s.model = mlp(nin, nouts) if call == "nin_nouts" else mlp([nin, *nouts])
            s.call = call
            break
        except TypeError as error:
            first = first or error
        except BaseException as error:  # noqa: B036 - student code may raise anything
            raise ProbeError("build", error) from None
    if s.model is None:
        raise ProbeError("build", first or TypeError("cannot construct"))
    try:
        s.plist = list(getattr(s.model, s.params["found"]["parameters"] or "parameters")())
    except BaseException as error:  # noqa: B036
        raise ProbeError("parameters", error) from None
    s.net = structure(s.model, s.plist, s.cls, nin, nouts)
    if weights and s.params.get("weights") is not None:
        try:
            for p, v in zip(s.plist, s.params["weights"]):
                setattr(p, s.api.data_attr, float(v))
        except BaseException as error:  # noqa: B036
            raise ProbeError("set", error) from None


def _seed(namespace: dict, seed: int) -> None:
    random.seed(seed)
    for name in ("random", "np", "numpy"):
        module = namespace.get(name)
        if not isinstance(module, types.ModuleType) or module is random:
            continue
        seeder = getattr(getattr(module, "random", module), "seed", None)
        if callable(seeder):
            with suppress(Exception):
                seeder(seed)


# -- the structure -------------------------------------------------------------------------


def structure(model: Any, plist: list[Any], cls: type, nin: int, nouts: list[int]) -> Optional[Net]:
    """Where each Value sits, walked from attributes, else assumed from parameters()' order."""
    walked = _walk(model, cls)
    if walked is not None:
        return _net(walked[0], plist, "attributes", walked[1])
    expected = sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))
    if len(plist) != expected or len({id(p) for p in plist}) != expected:
        return None
    if not all(isinstance(p, cls) for p in plist):
        return None
    rows, k = [], 0
    for a, b in zip([nin, *nouts], nouts):
        row = []
        for _ in range(b):
            row.append((None, plist[k : k + a], plist[k + a]))
            k += a + 1
        rows.append(row)
    return _net(rows, plist, "order", {})


def _net(rows: list[list[tuple[Any, list[Any], Any]]], plist: list[Any], source: str,
         names: dict) -> Net:
    objs: list[Any] = []
    index: dict[int, int] = {}

    def at(obj: Any) -> int:
        if id(obj) not in index:
            index[id(obj)] = len(objs)
            objs.append(obj)
        return index[id(obj)]

    layers, shared, neurons = [], [], []
    for lay, row in enumerate(rows):
        seen: dict[int, int] = {}
        layer = []
        for j, (neuron, w, b) in enumerate(row):
            if neuron is not None and id(neuron) in seen:
                shared.append([lay, j, seen[id(neuron)]])
            elif neuron is not None:
                seen[id(neuron)] = j
            layer.append(([at(x) for x in w], None if b is None else at(b)))
        layers.append(layer)
        neurons.append([n for n, _, _ in row])
    params = [index.get(id(p)) for p in plist]
    neurons_or_none = neurons if source == "attributes" else None
    return Net(objs, layers, neurons_or_none, source, params, shared, names)


def _pick(candidates: dict[str, Any], preferred: tuple[str, ...]) -> tuple[str, Any]:
    """(name, value) of the preferred candidate, else of the only one, else ("", None)."""
    for name in preferred:
        if name in candidates:
            return name, candidates[name]
    return next(iter(candidates.items())) if len(candidates) == 1 else ("", None)


def _walk(model: Any, cls: type) -> Optional[tuple[list[list[tuple[Any, list[Any], Any]]], dict]]:
    """Layers, neurons, weights and biases found by attributes, and those attributes' names."""
    names = {"layers": "", "neurons": "", "w": "", "b": ""}
    names["layers"], layers = _objects(model, cls, ("layers",))
    if layers is None:
        return None
    rows = []
    for layer in layers:
        names["neurons"], neurons = _objects(layer, cls, ("neurons",))
        if neurons is None:
            return None
        row = []
        for neuron in neurons:
            attrs = attributes(neuron)
            lists = {k: v for k, v in attrs.items()
                     if isinstance(v, (list, tuple)) and v and all(isinstance(e, cls) for e in v)}
            names["w"], w = _pick(lists, WEIGHT_NAMES)
            if w is None:
                return None
            values = {k: v for k, v in attrs.items() if isinstance(v, cls)}
            b_name, b = _pick(values, BIAS_NAMES)
            names["b"] = names["b"] or b_name
            row.append((neuron, list(w), b))
        rows.append(row)
    return rows, names


def _objects(obj: Any, cls: type, preferred: tuple[str, ...]) -> tuple[str, Optional[list[Any]]]:
    """The one list attribute holding callable objects (layers of a model, neurons of a layer)."""
    lists = {
        k: v
        for k, v in attributes(obj).items()
        if isinstance(v, (list, tuple)) and v
        and all(callable(e) and not isinstance(e, (cls, type)) for e in v)
    }
    name, found = _pick(lists, preferred)
    return name, None if found is None else list(found)


# -- reading -------------------------------------------------------------------------------


def _data(s: Session, obj: Any) -> Optional[float]:
    return number(getattr(obj, s.api.data_attr, None))


def _grad(s: Session, obj: Any) -> Optional[float]:
    return number(getattr(obj, s.api.grad_attr, None))


def describe_net(s: Session, grads: bool = False) -> Optional[dict]:
    """The structure as plain data, with every object's value (and gradient)."""
    if s.net is None:
        return None
    net = s.net
    answer = {
        "source": net.source,
        "layers": [[[w, -1 if b is None else b] for w, b in layer] for layer in net.layers],
        "values": [_data(s, o) for o in net.objs],
        "params": [-1 if k is None else k for k in net.params],
        "shared": net.shared,
        "names": net.names,
    }
    if grads:
        answer["grads"] = [_grad(s, o) for o in net.objs]
    return answer


def describe_output(s: Session, out: Any) -> dict:
    """What a forward pass returned: one Value, a list of Values, or something else."""
    if isinstance(out, s.cls):
        return {"kind": "value", "values": [_data(s, out)]}
    if isinstance(out, (list, tuple)):
        kinds = [_kind(s, o) for o in out]
        values = [_data(s, o) if k == "value" else None for o, k in zip(out, kinds)]
        return {"kind": "list", "type": type(out).__name__, "items": kinds, "values": values}
    if out is None:
        return {"kind": "none", "values": []}
    n = number(out)
    if n is not None:
        return {"kind": "number", "values": [n]}
    return {"kind": "other", "type": type(out).__name__, "values": []}


def _kind(s: Session, obj: Any) -> str:
    if isinstance(obj, s.cls):
        return "value"
    if isinstance(obj, (list, tuple)):
        return "list"
    return "number" if number(obj) is not None else type(obj).__name__


def outputs(s: Session, out: Any) -> list[Any]:
    """The output Values of one forward pass, for a loss; a list of one counts as one."""
    if isinstance(out, s.cls):
        return [out]
    if isinstance(out, (list, tuple)) and out and all(isinstance(o, s.cls) for o in out):
        return list(out)
    kind = describe_output(s, out)["kind"]
    what = {"number": "a plain number", "none": "None", "list": "a list that is not all Values"}
    raise ProbeError("output", TypeError(
        f"model(x) returned {what.get(kind, type(out).__name__)}, not a Value or a list of Values"))


def forward(s: Session, x: list[Any]) -> Any:
    try:
        return s.model(x)
    except BaseException as error:  # noqa: B036
        raise ProbeError("forward", error) from None


def error_of(error: ProbeError) -> dict:
    return {
        "where": error.where,
        "type": type(error.error).__name__,
        "message": str(error.error)[:300],
    }


def answer(s: Optional[Session], body: dict) -> dict:
    """A reply: the body, what was detected, and the categories the corrected engine saw."""
    if s is not None:
        body["call"] = s.call
        if s.used is not None:
            body["used"] = sorted(s.used)
    return body


def run(namespace: dict, params: dict, fn: Callable[[Session], dict]) -> dict:
    """Run ``fn`` in a session; a ProbeError becomes ``{"error": ...}``."""
    try:
        with session(namespace, params) as s:
            try:
                return answer(s, fn(s))
            except ProbeError as error:
                return answer(s, {"error": error_of(error)})
            except BaseException as error:  # noqa: B036 - student code somewhere unexpected
                return answer(s, {"error": error_of(ProbeError("probe", error))})
    except BaseException as error:  # noqa: B036 - the (corrected) engine could not be set up
        return {"error": error_of(ProbeError("engine", error))}


# -- the probes ----------------------------------------------------------------------------


@probe("mlp.params")
def params_probe(namespace: dict, params: dict) -> dict:
    """parameters() as built: count, which are Values, repeats, values, and the structure."""

    def body(s: Session) -> dict:
        build(s, weights=False)
        firsts: dict[int, int] = {}
        duplicates = []
        for k, p in enumerate(s.plist):
            if id(p) in firsts:
                duplicates.append([k, firsts[id(p)]])
            else:
                firsts[id(p)] = k
        foreign = [[k, type(p).__name__] for k, p in enumerate(s.plist) if not isinstance(p, s.cls)]
        return {
            "count": len(s.plist),
            "foreign": foreign,
            "duplicates": duplicates,
            "values": [_data(s, p) if isinstance(p, s.cls) else number(p) for p in s.plist],
            "net": describe_net(s),
            "linked": _linked(s),
        }

    return run(namespace, params, body)


def _linked(s: Session) -> Optional[bool]:
    """Whether changing the parameters changes the output (None if it cannot be told)."""
    if s.net is not None and s.net.source == "attributes":
        return any(k is not None for k in s.net.params) or not s.plist
    x = [0.3 * (i + 1) for i in range(int(s.params["shape"][0]))]
    try:
        before = describe_output(s, s.model(x))
        for p in s.plist:
            setattr(p, s.api.data_attr, 0.37)
        after = describe_output(s, s.model(x))
    except BaseException:  # noqa: B036
        return None
    return before != after


@probe("mlp.forward")
def forward_probe(namespace: dict, params: dict) -> dict:
    """Outputs on the parent's inputs, as floats and as Values, after setting the weights."""

    def body(s: Session) -> dict:
        build(s)
        plain = [describe_output(s, forward(s, list(x))) for x in s.params["inputs"]]
        as_values: Any
        try:
            as_values = [describe_output(s, s.model([s.cls(v) for v in x]))
                         for x in s.params["inputs"]]
        except BaseException as error:  # noqa: B036
            as_values = {"type": type(error).__name__, "message": str(error)[:300]}
        return {"outputs": plain, "as_values": as_values, "net": describe_net(s)}

    return run(namespace, params, body)


def loss(s: Session) -> Any:
    """sum over inputs and outputs of c * out (or c * out * out), with + and * only."""
    total = None
    try:
        for x, coefs in zip(s.params["inputs"], s.params["coefs"]):
            for out, c in zip(outputs(s, forward(s, list(x))), coefs):
                term = (out * out) * c if s.params.get("square") else out * c
                total = term if total is None else total + term
    except ProbeError:
        raise
    except BaseException as error:  # noqa: B036
        raise ProbeError("loss", error) from None
    return total


def backward(s: Session, root: Any) -> None:
    """root.backward(), seeding root's gradient with 1 if the engine does not."""
    try:
        getattr(root, s.api.backward)()
        if _grad(s, root) == 0:
            setattr(root, s.api.grad_attr, 1.0)
            getattr(root, s.api.backward)()
    except BaseException as error:  # noqa: B036
        raise ProbeError("backward", error) from None


@probe("mlp.grad")
def grad_probe(namespace: dict, params: dict) -> dict:
    """Every parameter's gradient after the loss's backward() (grads start at 0)."""

    def body(s: Session) -> dict:
        build(s)
        objs = s.net.objs if s.net is not None else s.plist
        for p in [*objs, *s.plist]:
            setattr(p, s.api.grad_attr, 0.0)
        root = loss(s)
        backward(s, root)
        return {
            "loss": _data(s, root),
            "grads": [_grad(s, p) for p in s.plist],
            "net": describe_net(s, grads=True),
        }

    return run(namespace, params, body)


@probe("mlp.fd")
def fd_probe(namespace: dict, params: dict) -> dict:
    """Central differences of the loss's value, per object of the structure (else parameter)."""

    def body(s: Session) -> dict:
        build(s)
        h = float(s.params.get("h", 1e-5))
        objs = s.net.objs if s.net is not None else s.plist
        slopes: list[Optional[float]] = []
        for p in objs:
            v = _data(s, p)
            if v is None:
                slopes.append(None)
                continue
            setattr(p, s.api.data_attr, v + h)
            up = _data(s, loss(s))
            setattr(p, s.api.data_attr, v - h)
            down = _data(s, loss(s))
            setattr(p, s.api.data_attr, v)
            ok = up is not None and down is not None
            slopes.append((up - down) / (2 * h) if ok else None)  # type: ignore[operator]
        return {"slopes": slopes, "over": "net" if s.net is not None else "params"}

    return run(namespace, params, body)


@probe("mlp.neurons")
def neurons_probe(namespace: dict, params: dict) -> dict:
    """Single neurons on crafted inputs, and the layers chained by hand on the inputs."""

    def body(s: Session) -> dict:
        build(s)
        if s.net is None or s.net.neurons is None:
            return {"outputs": None, "chain": None}
        results = []
        for lay, j, x in s.params["requests"]:
            try:
                results.append(describe_output(s, s.net.neurons[lay][j](list(x))))
            except BaseException as error:  # noqa: B036
                raise ProbeError("neuron", error) from None
        chain = []
        for x in s.params["inputs"]:
            h: Any = list(x)
            try:
                for layer in s.net.neurons:
                    h = [n(h) for n in layer]
            except BaseException as error:  # noqa: B036
                raise ProbeError("chain", error) from None
            chain.append(describe_output(s, h))
        return {"outputs": results, "chain": chain}

    return run(namespace, params, body)


@probe("mlp.zero_grad")
def zero_grad_probe(namespace: dict, params: dict) -> dict:
    """Every parameter's gradient after zero_grad(), with all gradients set non-zero first."""

    def body(s: Session) -> dict:
        build(s, weights=False)
        name = s.params["found"].get("zero_grad")
        if not name or not callable(getattr(s.model, name, None)):
            return {"present": False}
        objs = s.net.objs if s.net is not None else []
        for k, p in enumerate([*s.plist, *objs]):
            setattr(p, s.api.grad_attr, 0.5 + 0.25 * (k % 7))
        before = [_data(s, p) for p in s.plist]
        held = _hold_parameters(s)
        try:
            getattr(s.model, name)()
        except BaseException as error:  # noqa: B036
            raise ProbeError("zero_grad", error) from None
        return {
            "present": True,
            "grads": [_grad(s, p) for p in s.plist],
            "raw": [type(getattr(p, s.api.grad_attr, None)).__name__ for p in s.plist],
            "changed": [k for k, p in enumerate(s.plist) if _data(s, p) != before[k]],
            "net": describe_net(s, grads=True),
            "held": held,
        }

    return run(namespace, params, body)


def _hold_parameters(s: Session) -> bool:
    """If parameters() makes new objects at each call, make it return the same list for a while.

    Otherwise what zero_grad() resets could not be observed (the fault is parameters()').
    """
    name = s.params["found"].get("parameters") or "parameters"
    try:
        again = list(getattr(s.model, name)())
        if len(again) == len(s.plist) and all(a is b for a, b in zip(again, s.plist)):
            return False
        setattr(s.model, name, lambda: list(s.plist))
    except BaseException:  # noqa: B036 - then zero_grad is observed as it is
        return False
    return True


@probe("mlp.train")
def train_probe(namespace: dict, params: dict) -> dict:
    """The usual loop at one learning rate: MSE, zero grads, backward, p.data -= lr * p.grad."""

    def body(s: Session) -> dict:
        build(s, weights=False)
        xs, ys = s.params.get("xs", FOUR_XS), s.params.get("ys", FOUR_YS)
        lr, steps = float(s.params["lr"]), int(s.params["steps"])
        target = float(s.params.get("target", 0.1))
        baseline = float(s.params.get("baseline", math.inf))
        patience = int(s.params.get("patience", 30))
        deadline = time.perf_counter() + float(s.params.get("seconds", 4.0))
        name = s.params["found"].get("zero_grad")
        zero = getattr(s.model, name) if name and callable(getattr(s.model, name, None)) else None
        losses: list[float] = []
        stop = "steps"
        for _ in range(steps):
            root = _mse(s, xs, ys)
            if zero is not None:
                try:
                    zero()
                except BaseException as error:  # noqa: B036
                    raise ProbeError("zero_grad", error) from None
            else:
                for p in s.plist:
                    setattr(p, s.api.grad_attr, 0.0)
            backward(s, root)
            _step(s, lr)
            value = _data(s, root)
            if value is None or not math.isfinite(value):
                stop = "diverged"
                break
            losses.append(value)
            if value <= target * min(losses[0], baseline):
                stop = "target"
                break
            if len(losses) > patience and min(losses[-patience:]) > 0.99 * min(losses[:-patience]):
                stop = "plateau"
                break
            if time.perf_counter() > deadline:
                stop = "time"
                break
        return {"losses": losses, "stop": stop, "zeroing": "method" if zero else "manual"}

    return run(namespace, params, body)


def _mse(s: Session, xs: list[list[float]], ys: list[float]) -> Any:
    total = None
    try:
        for x, y in zip(xs, ys):
            out = outputs(s, forward(s, list(x)))[0]
            diff = out + (-float(y))
            term = diff * diff
            total = term if total is None else total + term
        return total * (1.0 / len(xs))  # type: ignore[operator]
    except ProbeError:
        raise
    except BaseException as error:  # noqa: B036
        raise ProbeError("loss", error) from None


def _step(s: Session, lr: float) -> None:
    for p in s.plist:
        data, grad = _data(s, p), _grad(s, p)
        if data is None or grad is None:
            raise ProbeError("update", TypeError("a parameter's data or grad is not a number"))
        try:
            setattr(p, s.api.data_attr, data - lr * grad)
        except BaseException as error:  # noqa: B036
            raise ProbeError("update", error) from None
