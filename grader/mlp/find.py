"""Find the student's network by what it is, build it the way its author does, walk it.

Runs in the sandboxed child (imported by probe.py, which registers ``discover`` as
``mlp.discover``). The network is a class of the submission whose instances, built by one of
the usual constructor calls (``CALLS``, with required extra arguments filled in by their
names), hold Values and map a list of numbers to a Value or a list of Values. Its Values are
found by walking the instance (attributes, lists, tuples, dicts, nested objects) in the order
met, so that ``parameters()`` is never needed to reach them.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import itertools
import types
from dataclasses import dataclass
from typing import Any, Callable, Optional

from grader.discover.api import EngineAPI
from grader.discover.finder import attributes

NETWORK_NAMES = ("MLP", "Mlp", "MultiLayerPerceptron", "MultilayerPerceptron", "NeuralNetwork",
                 "NeuralNet", "Network", "Net", "NN", "Model", "SLP", "Perceptron")
ZERO_GRAD_NAMES = ("zero_grad", "zero_grads", "zerograd", "zero_gradients", "zero_gradient",
                   "reset_grad", "reset_grads", "zero_grad_", "zero_gradient_")  # fmt: skip
PARAMETERS_NAMES = ("parameters", "params", "get_parameters", "get_params", "_parameters",
                    "parameters_", "all_parameters", "get_all_parameters")
FORWARD_NAMES = ("__call__", "forward", "predict", "feedforward", "feed_forward", "run")
CALLS = ("nin_nouts", "sizes", "nin_hidden_nout", "nin_varargs", "nin_nout_hidden")
CALLS_TEXT = ("Net(nin, nouts)", "Net(sizes)", "Net(nin, hidden, nout)", "Net(nin, *nouts)",
              "Net(nin, nout, hidden)")
ACT_WORDS = ("act", "nonlin", "non_lin", "linearity", "func", "fn")
# A container of layer modules, Sequential(Linear(3, 4), Tanh(), Linear(4, 1)), as a call:
# "modules:Sequential:Linear:Tanh:args" (or ":list" for Sequential([...]); no activation: "").
MODULES = "modules:"
ACTIVATION_MODULES = ("tanh", "relu", "sigmoid")  # in the order tried; others are not graded
TRIES = 12  # combinations of extra constructor arguments tried per convention
FOUR_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
FOUR_YS = [1.0, -1.0, -1.0, 1.0]
MAX_VALUES = 2048  # Values walked in one network; more is not a network of ours
MAX_OBJECTS = 20_000  # objects visited by one walk
MAX_DEPTH = 12



# -- building ------------------------------------------------------------------------------


def call_args(call: str, nin: int, nouts: list[int]) -> Optional[tuple[Any, ...]]:
    """The positional arguments of a constructor convention (None: it does not apply)."""
    if call == "nin_nouts":
        return (nin, list(nouts))
    if call == "sizes":
        return ([nin, *nouts],)
    if call == "nin_hidden_nout":
        return (nin, list(nouts[:-1]), nouts[-1])
    if call == "nin_varargs":
        return (nin, *nouts)
    if call == "nin_nout_hidden":
        return (nin, nouts[-1], list(nouts[:-1]))
    return None


def expression(call: str, nin: int, nouts: list[int]) -> str:
    """The code of a call that is not a convention of ``CALLS``: a container of layer
    modules (``MODULES``), or a rubric expression with {nin}, {nouts}, {sizes}, ..."""
    if call.startswith(MODULES):
        container, linear, act, form = call[len(MODULES):].split(":")
        sizes = [nin, *nouts]
        layers = [f"{linear}({a}, {b})" for a, b in zip(sizes, sizes[1:])]
        modules = f", {act}(), ".join(layers) if act else ", ".join(layers)
        return f"{container}([{modules}])" if form == "list" else f"{container}({modules})"
    return call.format(nin=nin, nouts=list(nouts), sizes=[nin, *nouts],
                       hidden=list(nouts[:-1]), nout=nouts[-1])


def construct(namespace: dict, cls: type, call: str, nin: int, nouts: list[int],
              extra: int = 0) -> Any:
    """An instance built by ``call``: a convention (with the ``extra``-th choice of values
    for the required arguments it does not give), a container of layer modules, or a rubric
    expression with {nin}, ..."""
    args = call_args(call, nin, nouts)
    if args is None:  # the student's own classes, or the instructor's own expression
        return eval(expression(call, nin, nouts), namespace)  # noqa: S307
    choices = fillings(namespace, cls, len(args), len(nouts))
    if extra >= len(choices):
        raise TypeError("no such choice of constructor arguments")
    return cls(*args, **choices[extra])


def fillings(namespace: dict, cls: type, given: int, layers: int) -> list[dict[str, Any]]:
    """Choices of keyword values for the required parameters past the conventional ones,
    each chosen by its name (at most TRIES; [{}] when there are none)."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return [{}]
    options: dict[str, list[Any]] = {}
    positional = 0
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.kind != param.KEYWORD_ONLY:
            positional += 1
            if positional <= given:
                continue
        if param.default is param.empty:
            options[param.name] = _fillers(namespace, param.name, layers)
    return [dict(zip(options, values))
            for values in itertools.islice(itertools.product(*options.values()), TRIES)]


def _fillers(namespace: dict, name: str, layers: int) -> list[Any]:
    """Values worth trying for a required constructor argument, by its name."""
    low = name.lower().strip("_")
    if "neuron" in low or low in ("cls", "klass", "unit", "unit_cls"):
        found = [v for k, v in namespace.items() if isinstance(v, type) and "neuron" in k.lower()]
        return sorted(found, key=lambda v: v.__name__.lower() != "neuron")[:6] or [None]
    if "loss" in low:
        return ["mse"]
    if any(w in low for w in ACT_WORDS):
        per_layer = ["tanh"] * (layers - 1) + ["linear"]
        lists = [per_layer, ["tanh"] * layers]
        return [*lists, "tanh", True] if low.endswith("s") or "list" in low else \
            ["tanh", *lists, True]
    if low in ("lr", "eta", "alpha", "step", "step_size", "rate") or "learning" in low:
        return [0.05]
    if low in ("x", "xs", "inputs", "data", "samples") or low.startswith(("x_", "train_x")):
        return [[list(x) for x in FOUR_XS]]
    if low in ("y", "ys", "targets", "labels", "outputs") or low.startswith(("y_", "train_y")):
        return [list(FOUR_YS)]
    if low in ("iters", "epochs", "steps", "iterations", "max_iter") or \
            low.startswith(("n_iter", "n_epoch", "n_step", "num_iter", "num_epoch", "num_step")):
        return [1]
    return []  # nothing known: the convention cannot be used


def extra_text(call: str, extra: int, nin: int, nouts: list[int], namespace: dict,
               cls: type) -> str:
    """The keyword arguments the constructor needed beyond the convention's, as code."""
    args = call_args(call, nin, nouts)
    if args is None:
        return ""
    choices = fillings(namespace, cls, len(args), len(nouts))
    if extra >= len(choices):
        return ""
    shown = [f"{k}={v.__name__ if isinstance(v, type) else repr(v)}"
             for k, v in choices[extra].items()]
    return ", ".join(shown)[:300]


def walk(model: Any, cls: type) -> tuple[list[Any], list[str]]:
    """The Values an instance owns, each once, in the order met, with their paths."""
    found: list[Any] = []
    paths: list[str] = []
    ids: set[int] = set()
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(model, "model", 0)]
    while stack and len(seen) < MAX_OBJECTS and len(found) < MAX_VALUES:
        obj, path, depth = stack.pop()
        if isinstance(obj, cls):
            if id(obj) not in ids:
                ids.add(id(obj))
                found.append(obj)
                paths.append(path[:120])
            continue
        if depth > MAX_DEPTH or id(obj) in seen or opaque(obj):
            continue
        seen.add(id(obj))
        children: list[tuple[Any, str]]
        if isinstance(obj, dict):
            children = [(v, f"{path}[{k!r}]") for k, v in list(obj.items())]
        elif isinstance(obj, (list, tuple)):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(obj)]
        elif type(obj).__name__ == "ndarray" and hasattr(obj, "tolist"):
            children = [(obj.tolist(), path)]
        else:
            children = [(v, f"{path}.{k}") for k, v in attributes(obj).items()]
        stack.extend((v, p, depth + 1) for v, p in reversed(children))
    return found, paths


def opaque(obj: Any) -> bool:
    """Objects not walked into: numbers, text, classes, functions, modules."""
    return obj is None or isinstance(obj, (int, float, complex, str, bytes, type,
                                           types.ModuleType, types.FunctionType,
                                           types.MethodType, types.BuiltinFunctionType,
                                           set, frozenset, range))


def forward_with(model: Any, name: str) -> Callable[[Any], Any]:
    """The network's forward pass on one input; "batch:f" calls f on a batch of one."""
    batch, _, name = name.rpartition(":")
    fn: Callable[[Any], Any] = model if name == "__call__" else getattr(model, name)
    if not batch:
        return fn

    def one(x: Any) -> Any:
        out = fn([x])
        return out[0] if isinstance(out, (list, tuple)) and len(out) == 1 else out

    return one


def _output_ok(out: Any, cls: type, nout: int) -> bool:
    if isinstance(out, cls):
        return nout == 1
    return (isinstance(out, (list, tuple)) and len(out) == nout
            and all(isinstance(o, cls) for o in out))


# -- discovery -----------------------------------------------------------------------------


@dataclass
class Candidate:
    """One way of building one class, and how well it looks like the network."""

    name: str
    call: str
    extra: int  # which choice of values for the constructor's other required arguments
    forward: str  # a method name, "batch:" before it when it takes a list of samples
    count: int
    works: bool  # maps 3 numbers to one Value (or a list of one)
    right_count: bool
    named: bool
    attribute: str = ""  # an instance attribute holding the Values, as parameters would

    def key(self) -> tuple[bool, bool, bool, bool, int]:
        return (self.works and self.right_count, self.named, self.right_count, self.works,
                self.count)


def discover(namespace: dict, params: dict) -> dict:
    """The network class, how to build and call it, and its method names (overrides win)."""
    overrides = params.get("overrides") or {}
    api = EngineAPI.from_dict(params["api"])
    value_cls = namespace.get(api.class_name)
    if not isinstance(value_cls, type):
        return {"ok": False, "message": "The engine class is gone."}
    nin, nouts = int(params["shape"][0]), [int(n) for n in params["shape"][1]]
    expected = sum((a + 1) * b for a, b in zip([nin, *nouts], nouts))
    names = _candidates(namespace, value_cls, overrides.get("mlp_class"))
    if overrides.get("mlp_class") and not names:
        return {"ok": False, "message": f"No class named {overrides['mlp_class']!r} is defined."}
    calls = [overrides["mlp_call"]] if overrides.get("mlp_call") else list(CALLS)
    best: Optional[Candidate] = None
    for name in names:
        for call in calls:
            choices = 1 if call_args(call, nin, nouts) is None else \
                len(fillings(namespace, namespace[name], len(call_args(call, nin, nouts) or ()),
                             len(nouts)))
            for extra in range(choices):
                found = _try(namespace, name, call, extra, value_cls, nin, nouts, expected)
                if found is not None and (best is None or found.key() > best.key()):
                    best = found
                if found is not None and found.works and found.right_count:
                    break
        if best is not None and best.works and best.right_count and best.named:
            break
    if best is not None and not best.named and not best.right_count and \
            not overrides.get("mlp_class"):
        best = None  # a class not named like a network must have a network's Values
    if best is None:
        best = _broken(namespace, names, calls, nin, nouts)
    if best is None and not overrides.get("mlp_call"):
        best = _container(namespace, names, value_cls, nin, nouts, expected)
    if best is None:
        looked = ", ".join(NETWORK_NAMES)
        return {"ok": False, "message": "No MLP class found: no class of yours builds, with "
                f"{nin} inputs and {nouts} as the layer sizes, an object holding Values "
                f"(looked at {looked} first, then every other class, trying the calls "
                f"{', '.join(CALLS_TEXT)}; a class not named like a network must hold "
                f"{expected} Values; and a container of layer modules, "
                "Sequential(Linear(3, 4), Tanh(), Linear(4, 1)))."}
    cls = namespace[best.name]
    shadows = best.attribute if hasattr(cls, best.attribute) else ""  # model.x is the list
    params_name = overrides.get("parameters") or shadows or _method(cls, PARAMETERS_NAMES) or \
        _method(cls, tuple(k for k in dir(cls) if "param" in k.lower() and "zero" not in k)) \
        or next((n for n in PARAMETERS_NAMES if _is_property(cls, n)), None) or best.attribute
    near = "" if params_name else _near(cls, "parameters")
    return {
        "ok": True,
        "mlp": best.name,
        "call": best.call,
        "choice": best.extra,
        "extra": extra_text(best.call, best.extra, nin, nouts, namespace, cls),
        "forward": overrides.get("forward") or best.forward,
        "parameters": params_name,
        "parameters_call": "" if not params_name else
        params_name if _is_property(cls, params_name) or params_name == best.attribute
        else f"{params_name}()",
        "near_parameters": near,
        "zero_grad": overrides.get("zero_grad") or _method(cls, ZERO_GRAD_NAMES),
    }


def _candidates(namespace: dict, value_cls: type, name: Optional[str]) -> list[str]:
    """Class names to try: the override alone, else network names first, then the others."""
    if name:
        return [name] if isinstance(namespace.get(name), type) else []
    module = namespace.get("__name__")
    own = [k for k, v in list(namespace.items()) if isinstance(v, type)
           and not issubclass(v, (value_cls, BaseException)) and v.__module__ == module]
    lowered = [n.lower() for n in NETWORK_NAMES]
    named = sorted((k for k in own if k.lower() in lowered), key=lambda k: lowered.index(k.lower()))
    return named + [k for k in own if k not in named]


def _try(namespace: dict, name: str, call: str, extra: int, value_cls: type, nin: int,
         nouts: list[int], expected: int) -> Optional[Candidate]:
    cls = namespace[name]
    try:
        model = construct(namespace, cls, call, nin, nouts, extra)
        values, _ = walk(model, value_cls)
    except BaseException:  # noqa: B036 - student code may raise anything
        return None
    if not values:
        return None
    x = [0.3 * (i + 1) * (-1) ** i for i in range(nin)]
    present = [f for f in FORWARD_NAMES
               if callable(getattr(type(model), f, None)) and f != "__call__" or
               f == "__call__" and callable(model) and _own_call(type(model))]
    works, forward = False, present[0] if present else "__call__"
    for f in [*present, *(f"batch:{f}" for f in present)]:
        try:
            out = forward_with(model, f)(list(x))
        except BaseException:  # noqa: B036
            continue
        if _output_ok(out, value_cls, nouts[-1]):
            works, forward = True, f
            break
    named = name.lower() in {n.lower() for n in NETWORK_NAMES}
    return Candidate(name, call, extra, forward, len(values), works, len(values) == expected,
                     named, _values_attribute(model, value_cls))


def _values_attribute(model: Any, value_cls: type) -> str:
    """The first parameters-like instance attribute that is a list of Values, or ''."""
    own = getattr(model, "__dict__", {})
    for name in PARAMETERS_NAMES:
        held = own.get(name)
        if isinstance(held, (list, tuple)) and held and \
                all(isinstance(v, value_cls) for v in held):
            return name
    return ""


def _broken(namespace: dict, names: list[str], calls: list[str], nin: int, nouts: list[int]
            ) -> Optional[Candidate]:
    """A class named like a network that no call builds: the first call its signature takes,
    so that building it fails with the student's own error."""
    named = [n for n in names if n.lower() in {k.lower() for k in NETWORK_NAMES}]
    for name in named:
        cls = namespace[name]
        for call in calls:
            args = call_args(call, nin, nouts)
            try:
                choices = fillings(namespace, cls, len(args), len(nouts)) if args else [{}]
                if args is not None:
                    inspect.signature(cls).bind(*args, **choices[0])
            except (TypeError, ValueError, IndexError):
                continue
            return Candidate(name, call, 0, "__call__", 0, False, False, True)
    return None


def _container(namespace: dict, names: list[str], value_cls: type, nin: int, nouts: list[int],
               expected: int) -> Optional[Candidate]:
    """A container of the student's layer modules that works as the network:
    ``Sequential(Linear(3, 4), Tanh(), Linear(4, 1))``, the activation module between layers
    (or none), the modules given one by one or as a list."""
    linears = [n for n in names if _maps(namespace[n], (2, 3), value_cls, owns=True)]
    acts = [n for word in ACTIVATION_MODULES for n in names
            if word in n.lower() and "leaky" not in n.lower()
            and _maps(namespace[n], (), value_cls, owns=False)]
    holders = [n for n in names
               if n not in linears and n not in acts and _holds_modules(namespace[n])]
    for holder, linear, act, form in itertools.product(holders, linears, [*acts, ""],
                                                       ("args", "list")):
        call = f"{MODULES}{holder}:{linear}:{act}:{form}"
        found = _try(namespace, holder, call, 0, value_cls, nin, nouts, expected)
        if found is not None and found.works and found.right_count:
            return found
    return None


def _maps(cls: type, args: tuple[int, ...], value_cls: type, owns: bool) -> bool:
    """Whether ``cls(*args)`` maps a list of values to a list as long as its last argument
    (or as its input), holding Values itself (``owns``: a linear layer) or none (an
    activation)."""
    try:
        module = cls(*args)
        held = walk(module, value_cls)[0]
        width = args[-1] if args else 2
        out = module([value_cls(0.5), value_cls(-0.25)][: args[0] if args else 2])
    except BaseException:  # noqa: B036 - student code may raise anything
        return False
    return bool(held) == owns and isinstance(out, (list, tuple)) and len(out) == width and \
        all(isinstance(o, value_cls) for o in out)


def _holds_modules(cls: type) -> bool:
    """Whether the constructor takes modules: ``*layers``, or one required argument."""
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [p for p in params if p.default is p.empty and p.kind in
                (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return any(p.kind == p.VAR_POSITIONAL for p in params) or len(required) == 1


def _own_call(cls: type) -> bool:
    return any("__call__" in vars(k) for k in cls.__mro__[:-1])


def _method(cls: type, names: tuple[str, ...]) -> Optional[str]:
    return next((n for n in names if callable(getattr(cls, n, None))), None)


def _is_property(cls: type, name: str) -> bool:
    """Whether ``name`` is a property of the class (``model.parameters``, with no call)."""
    found = inspect.getattr_static(cls, name, None)
    return isinstance(found, (property, functools.cached_property))


def _near(cls: type, name: str) -> str:
    """A method whose name is a near miss of ``name`` (paremeters for parameters), or ''."""
    methods = [k for k in dir(cls) if not k.startswith("__") and callable(getattr(cls, k, None))]
    close = difflib.get_close_matches(name, methods, n=1, cutoff=0.8)
    return close[0] if close else ""
