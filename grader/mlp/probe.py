"""The untrusted side of the MLP checks: build the student's network, set numbers, read numbers.

Runs in the sandboxed child as the methods ``mlp.discover``, ``mlp.structure``,
``mlp.forward``, ``mlp.outputs``, ``mlp.grad``, ``mlp.neurons`` and ``mlp.train``. Each call is
self-contained: it seeds ``random`` with the parent's seed, builds the network the way
discovery found it, walks it for the Values it owns, sets the parent's numbers into them and
answers with plain numbers only. Nothing here decides a verdict: the parent checks every
number against its own computation. A call whose params carry ``corrected`` (category names)
and ``traverse`` (a flag) runs on the student's class with those parts replaced by the
grader's own stand-ins (see corrected.py).

How the network is found, built and walked: find.py. ``parameters()`` is only compared with
the walk, and used where the parent asks for it.
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
from grader.mlp.corrected import corrected_engine
from grader.mlp.find import (
    MAX_VALUES,
    construct,
    discover,
    forward_with,
    opaque,
    walk,
)
from grader.sandbox.methods import register

PROBES: dict[str, Callable[[dict, dict], Any]] = {}


class ProbeError(Exception):
    """The student's network cannot be probed further; ``where`` says at which step."""

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


probe("mlp.discover")(discover)


def in_process(namespace: dict[str, Any]) -> Callable[[str, dict], Any]:
    """``call(method, params)`` running the probes here, with a JSON round trip as the sandbox."""

    def call(method: str, params: dict) -> Any:
        answer = PROBES[method](namespace, json.loads(json.dumps(params)))
        return json.loads(json.dumps(answer))

    return call


# -- a session: the engine (student's or corrected) and the built model --------------------


@dataclass
class Session:
    """What one call works with."""

    namespace: dict
    params: dict
    cls: type
    api: EngineAPI
    used: Optional[set[str]] = None
    model: Any = None
    values: list[Any] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def found(self) -> dict:
        return dict(self.params["found"])

    def run(self, x: Any) -> Any:
        try:
            return forward_with(self.model, self.found.get("forward") or "__call__")(x)
        except BaseException as error:  # noqa: B036
            raise ProbeError("forward", error) from None


@contextmanager
def session(namespace: dict, params: dict) -> Iterator[Session]:
    """The student's engine, with the parts the parent names corrected for the call's
    duration."""
    api = EngineAPI.from_dict(params["api"])
    student = namespace[api.class_name]
    with _forward_as_call(namespace, params.get("found") or {}):
        if "corrected" not in params:
            yield Session(namespace, params, student, api)
            return
        with corrected_engine(student, api, params["corrected"], params.get("traverse")) as used:
            yield Session(namespace, params, student, api, used)


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


def build(s: Session) -> None:
    """Seed, construct as discovery found, walk; set the parent's weights into the walk."""
    nin, nouts = int(s.params["shape"][0]), [int(n) for n in s.params["shape"][1]]
    _seed(s.namespace, int(s.params.get("seed", 0)))
    found = s.found
    try:
        s.model = construct(s.namespace, s.namespace[found["mlp"]], found["call"], nin, nouts,
                            int(found.get("choice") or 0))
    except BaseException as error:  # noqa: B036 - student code may raise anything
        raise ProbeError("build", error) from None
    s.values, s.paths = walk(s.model, s.cls)
    weights = s.params.get("weights")
    if weights is not None:
        set_all(s, s.values, weights, "set")


def set_all(s: Session, objs: list[Any], numbers: list[Any], where: str,
            attr: Optional[str] = None) -> None:
    try:
        for p, v in zip(objs, numbers):
            if v is not None:
                setattr(p, attr or s.api.data_attr, float(v))
    except BaseException as error:  # noqa: B036
        raise ProbeError(where, error) from None


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


def parameters_list(s: Session, where: str = "parameters") -> list[Any]:
    """What model.parameters() returns (model.parameters, when it is a property)."""
    name = s.found.get("parameters")
    if not name:
        raise ProbeError(where, AttributeError("no parameters() method"))
    try:
        items = getattr(s.model, name)
        if _called(s):
            items = items()
        out: list[Any] = []
        for item in items:
            out.append(item)
            if len(out) > MAX_VALUES:
                break
        return out
    except BaseException as error:  # noqa: B036
        raise ProbeError(where, error) from None


# -- the attributes' layout ----------------------------------------------------------------

WEIGHT_NAMES = ("w", "weights", "W", "weight", "ws")
BIAS_NAMES = ("b", "bias", "B", "biases")


def attribute_layout(s: Session) -> Optional[list[list[list[Any]]]]:
    """[layer][neuron] = [weight indices, bias index or -1], from layer and neuron objects."""
    index = {id(v): k for k, v in enumerate(s.values)}
    layers = _objects(s.model, s.cls)
    if layers is None:
        return None
    rows = []
    for layer in layers:
        neurons = _objects(layer, s.cls)
        if neurons is None:
            return None
        row = []
        for neuron in neurons:
            attrs = attributes(neuron)
            lists = {k: v for k, v in attrs.items()
                     if isinstance(v, (list, tuple)) and v and all(isinstance(e, s.cls) for e in v)}
            w = _pick(lists, WEIGHT_NAMES)
            b = _pick({k: v for k, v in attrs.items() if isinstance(v, s.cls)}, BIAS_NAMES)
            if w is None or any(id(e) not in index for e in w):
                return None
            row.append([[index[id(e)] for e in w], index.get(id(b), -1) if b is not None else -1])
        rows.append(row)
    return rows


def neuron_objects(s: Session) -> Optional[list[list[Any]]]:
    layers = _objects(s.model, s.cls)
    if layers is None:
        return None
    found = [_objects(layer, s.cls) for layer in layers]
    return None if any(n is None for n in found) else found  # type: ignore[return-value]


def _pick(candidates: dict[str, Any], preferred: tuple[str, ...]) -> Any:
    for name in preferred:
        if name in candidates:
            return candidates[name]
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def _objects(obj: Any, cls: type) -> Optional[list[Any]]:
    """The callable parts of an object (layers of a model, neurons of a layer), in order:
    from its one list (or dict) of them, else from attributes holding one each."""

    def part(e: Any) -> bool:
        return callable(e) and not isinstance(e, (cls, type)) and not opaque(e)

    lists = {}
    singles = []
    for k, v in attributes(obj).items():
        items = list(v.values()) if isinstance(v, dict) else v
        if isinstance(items, (list, tuple)) and items and all(part(e) for e in items):
            lists[k] = list(items)
        elif part(v) and walk(v, cls)[0]:
            singles.append(v)
    if len(lists) == 1 and not singles:
        return next(iter(lists.values()))
    if "layers" in lists and not singles:
        return lists["layers"]
    if "neurons" in lists and not singles:
        return lists["neurons"]
    if lists or singles:  # e.g. self.hidden = [...] then self.out = Layer(...)
        parts: list[Any] = []
        for k, v in attributes(obj).items():
            parts += lists.get(k, [v] if any(v is x for x in singles) else [])
        return parts
    return None


# -- reading -------------------------------------------------------------------------------


def _data(s: Session, obj: Any) -> Optional[float]:
    return number(getattr(obj, s.api.data_attr, None))


def _grad(s: Session, obj: Any) -> Optional[float]:
    return number(getattr(obj, s.api.grad_attr, None))


def describe_output(s: Session, out: Any) -> dict:
    """What a forward pass returned: one Value, a list of Values, or something else."""
    if isinstance(out, s.cls):
        return {"kind": "value", "values": [_data(s, out)]}
    if isinstance(out, (list, tuple)):
        items = list(out)[:64]
        kinds = [_kind(s, o) for o in items]
        values = [_data(s, o) if k == "value" else None for o, k in zip(items, kinds)]
        return {"kind": "list", "type": type(out).__name__[:40], "items": kinds, "values": values}
    if out is None:
        return {"kind": "none", "values": []}
    n = number(out)
    if n is not None:
        return {"kind": "number", "values": [n]}
    return {"kind": "other", "type": type(out).__name__[:40], "values": []}


def _kind(s: Session, obj: Any) -> str:
    if isinstance(obj, s.cls):
        return "value"
    if isinstance(obj, (list, tuple)):
        return "list"
    return "number" if number(obj) is not None else type(obj).__name__[:40]


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


def error_of(error: ProbeError) -> dict:
    return {
        "where": error.where,
        "type": type(error.error).__name__[:80],
        "message": str(error.error)[:300],
    }


def run(namespace: dict, params: dict, fn: Callable[[Session], dict]) -> dict:
    """Run ``fn`` in a session; a ProbeError becomes ``{"error": ...}``."""
    try:
        with session(namespace, params) as s:
            try:
                body = fn(s)
            except ProbeError as error:
                body = {"error": error_of(error)}
            except BaseException as error:  # noqa: B036 - student code somewhere unexpected
                body = {"error": error_of(ProbeError("probe", error))}
            if s.used is not None:
                body["used"] = sorted(s.used)
            return body
    except BaseException as error:  # noqa: B036 - the (corrected) engine could not be set up
        return {"error": error_of(ProbeError("engine", error))}


# -- the probes ----------------------------------------------------------------------------


@probe("mlp.structure")
def structure_probe(namespace: dict, params: dict) -> dict:
    """The walk (count, paths, initial values), the attributes' layout, and parameters()
    as indices into the walk (-1: a Value the network does not hold, -2: not a Value)."""

    def body(s: Session) -> dict:
        build(s)
        answer: dict[str, Any] = {
            "count": len(s.values),
            "paths": s.paths[:MAX_VALUES],
            "initial": [_data(s, v) for v in s.values],
            "layout": attribute_layout(s),
        }
        if not s.found.get("parameters"):
            answer["parameters"] = {"present": False}
            return answer
        try:
            plist = parameters_list(s)
            again = parameters_list(s, "parameters_again")  # as every training loop does
        except ProbeError as error:
            answer["parameters"] = {"present": True, "error": error_of(error)}
            return answer
        index = {id(v): k for k, v in enumerate(s.values)}
        items = [index.get(id(p), -1 if isinstance(p, s.cls) else -2) for p in plist]
        foreign = [type(p).__name__[:40] for p in plist if not isinstance(p, s.cls)][:8]
        same = sorted(map(id, again)) == sorted(map(id, plist))  # in any order
        answer["parameters"] = {"present": True, "items": items, "foreign": foreign,
                                "again": same}
        return answer

    return run(namespace, params, body)


@probe("mlp.forward")
def forward_probe(namespace: dict, params: dict) -> dict:
    """Outputs on the parent's inputs after setting the parent's weights (into the walk, or
    through parameters() when ``through`` is given: one number per item)."""

    def body(s: Session) -> dict:
        build(s)
        if s.params.get("through") is not None:
            set_all(s, parameters_list(s), s.params["through"], "set")
        plain = [describe_output(s, s.run(list(x))) for x in s.params["inputs"]]
        answer: dict[str, Any] = {"outputs": plain}
        if s.params.get("as_values"):
            try:
                answer["as_values"] = [describe_output(s, s.run([s.cls(v) for v in x]))
                                       for x in s.params["inputs"]]
            except ProbeError:
                answer["as_values"] = None
        return answer

    return run(namespace, params, body)


@probe("mlp.outputs")
def outputs_probe(namespace: dict, params: dict) -> dict:
    """Outputs on the inputs for each of several weight vectors (finite differences)."""

    def body(s: Session) -> dict:
        build(s)
        rows = []
        for weights in s.params["vectors"]:
            set_all(s, s.values, weights, "set")
            rows.append([describe_output(s, s.run(list(x)))["values"] for x in s.params["inputs"]])
        return {"rows": rows}

    return run(namespace, params, body)


def loss(s: Session) -> Any:
    """sum over inputs and outputs of c * out, with + and * only."""
    total = None
    try:
        for x, coefs in zip(s.params["inputs"], s.params["coefs"]):
            for out, c in zip(outputs(s, s.run(list(x))), coefs):
                term = out * float(c)
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
    """Every walked Value's gradient after the loss's backward(). Gradients start at 0, or at
    the parent's ``preset`` followed by the student's zero_grad() (``zero``)."""

    def body(s: Session) -> dict:
        build(s)
        answer: dict[str, Any] = {}
        if s.params.get("zero"):
            name = s.found.get("zero_grad")
            if not name or not callable(getattr(s.model, name, None)):
                return {"present": False}
            set_all(s, s.values, s.params["preset"], "set", s.api.grad_attr)
            _hold_parameters(s)
            try:
                _zero_grad(s, name)
            except BaseException as error:  # noqa: B036
                raise ProbeError("zero_grad", error) from None
            answer["after_zero"] = [_grad(s, v) for v in s.values]
            answer["raw"] = [type(getattr(v, s.api.grad_attr, None)).__name__[:20]
                             for v in s.values]
            answer["data"] = [_data(s, v) for v in s.values]
            if not s.params.get("fresh", True):
                return answer
            try:
                backward(s, loss(s))
            except ProbeError as error:
                answer["fresh_error"] = error_of(error)
                return answer
        else:
            set_all(s, s.values, [0.0] * len(s.values), "set", s.api.grad_attr)
            backward(s, loss(s))
        answer["grads"] = [_grad(s, v) for v in s.values]
        return answer

    return run(namespace, params, body)


def _zero_grad(s: Session, name: str) -> None:
    """model.zero_grad(); when it calls a method the network lacks (parameters() that is not
    there), that method answers the network's own Values and it runs again: the missing
    method is mlp.params' fault alone."""
    try:
        getattr(s.model, name)()
    except AttributeError as error:
        missing = getattr(error, "name", None)
        roles = s.params.get("roles")
        if not isinstance(missing, str) or hasattr(s.model, missing) or roles is None:
            raise
        own = [s.values[k] for k in roles if 0 <= k < len(s.values)]
        setattr(s.model, missing, lambda *args, **kwargs: list(own))
        getattr(s.model, name)()


def _hold_parameters(s: Session) -> None:
    """Make parameters() return the network's own Values while zero_grad() runs, so that a
    parameters() bug (copies, a missing layer) is charged to mlp.params alone."""
    name = s.found.get("parameters")
    if not name:
        return
    roles = s.params.get("roles")
    if roles is None:
        return
    own = [s.values[k] for k in roles if 0 <= k < len(s.values)]
    held: Any = lambda *args, **kwargs: list(own)  # noqa: E731
    if not _called(s):
        held = own  # an attribute (a property cannot be held: it keeps answering)
    with suppress(BaseException):
        setattr(s.model, name, held)


def _called(s: Session) -> bool:
    """Whether parameters are asked for with a call (parameters()), not as a property."""
    return str(s.found.get("parameters_call") or "()").endswith("()")


@probe("mlp.neurons")
def neurons_probe(namespace: dict, params: dict) -> dict:
    """Single neurons on crafted inputs, and the layers chained by hand on the inputs."""

    def body(s: Session) -> dict:
        build(s)
        neurons = neuron_objects(s)
        if neurons is None:
            return {"outputs": None, "chain": None}
        results = []
        for lay, j, x in s.params["requests"]:
            try:
                results.append(describe_output(s, neurons[lay][j](list(x))))
            except BaseException as error:  # noqa: B036
                raise ProbeError("neuron", error) from None
        chain = []
        for x in s.params["inputs"]:
            h: Any = list(x)
            try:
                for layer in neurons:
                    h = [n(h) for n in layer]
            except BaseException as error:  # noqa: B036
                raise ProbeError("chain", error) from None
            chain.append(describe_output(s, h))
        return {"outputs": results, "chain": chain}

    return run(namespace, params, body)


@probe("mlp.train")
def train_probe(namespace: dict, params: dict) -> dict:
    """The usual loop: MSE towards ``ys``, grads set to 0, backward, v.data -= lr * v.grad
    for the walked Values of ``roles``. Starts from the student's initialisation, or from the
    parent's ``weights``. Answers the walked Values at the start and at the end."""

    def body(s: Session) -> dict:
        build(s)
        xs, ys = s.params["xs"], s.params["ys"]
        lr, steps = float(s.params["lr"]), int(s.params["steps"])
        goal = float(s.params.get("goal", 0.0))
        deadline = time.perf_counter() + float(s.params.get("seconds", 4.0))
        trained = [s.values[k] for k in s.params["roles"] if 0 <= k < len(s.values)]
        start = [_data(s, v) for v in s.values]
        baseline = float(s.params.get("baseline", math.inf))
        patience = int(s.params.get("patience", 30))
        losses: list[float] = []
        for _ in range(steps):
            root = _mse(s, xs, ys)
            set_all(s, s.values, [0.0] * len(s.values), "zero", s.api.grad_attr)
            backward(s, root)
            _step(s, trained, lr)
            value = _data(s, root)
            if value is None or not math.isfinite(value):
                break
            losses.append(value)
            if value <= goal * min(losses[0], baseline) or time.perf_counter() > deadline:
                break
            if len(losses) > patience and min(losses[-patience:]) > 0.99 * min(losses[:-patience]):
                break
        return {"start": start, "final": [_data(s, v) for v in s.values], "steps": len(losses)}

    return run(namespace, params, body)


def _mse(s: Session, xs: list[list[float]], ys: list[float]) -> Any:
    total = None
    try:
        for x, y in zip(xs, ys):
            out = outputs(s, s.run(list(x)))[0]
            diff = out + (-float(y))
            term = diff * diff
            total = term if total is None else total + term
        return total * (1.0 / len(xs))  # type: ignore[operator]
    except ProbeError:
        raise
    except BaseException as error:  # noqa: B036
        raise ProbeError("loss", error) from None


def _step(s: Session, trained: list[Any], lr: float) -> None:
    for p in trained:
        data, grad = _data(s, p), _grad(s, p)
        if data is None or grad is None:
            raise ProbeError("update", TypeError("a parameter's data or grad is not a number"))
        try:
            setattr(p, s.api.data_attr, data - lr * grad)
        except BaseException as error:  # noqa: B036
            raise ProbeError("update", error) from None
