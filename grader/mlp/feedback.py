"""Words for the MLP checks: shapes, code to reproduce a failure, and hints found in numbers.

Every hint is the conclusion of a test on the student's numbers (which parameters are
missing, which gradients are zero, which output shape came back), never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from grader.discover.api import EngineAPI


@dataclass(frozen=True)
class Shape:
    """One network the checks build: ``MLP(nin, nouts)``."""

    nin: int
    nouts: tuple[int, ...]

    @property
    def sizes(self) -> list[int]:
        return [self.nin, *self.nouts]

    @property
    def count(self) -> int:
        """(nin + 1) * nout per layer."""
        return sum((a + 1) * b for a, b in zip(self.sizes, self.nouts))

    @property
    def weights_only(self) -> int:
        return sum(a * b for a, b in zip(self.sizes, self.nouts))

    def text(self, found: dict, call: str = "") -> str:
        name = found.get("mlp") or "MLP"
        if call == "sizes":
            return f"{name}({self.sizes})"
        return f"{name}({self.nin}, {list(self.nouts)})"


def fmt(x: Optional[float]) -> str:
    return "None" if x is None else f"{x:.10g}"


def fmt_values(values: Sequence[Optional[float]]) -> str:
    """One number alone, several as a list."""
    if len(values) == 1:
        return fmt(values[0])
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def setup_code(shape: Shape, found: dict, api: EngineAPI, call: str, seed: int,
               weights: Optional[list[float]]) -> list[str]:
    """Lines that build the network and give it the grader's weights."""
    lines = ["import random", f"random.seed({seed})", f"model = {shape.text(found, call)}"]
    if weights is not None:
        params = found.get("parameters") or "parameters"
        lines += [
            f"values = {weights!r}  # one per parameter, in {params}() order",
            f"for p, v in zip(model.{params}(), values):",
            f"    p.{api.data_attr} = v",
        ]
    return lines


def loss_code(inputs: list[list[float]], coefs: list[list[float]], api: EngineAPI) -> list[str]:
    """Lines that build the grader's loss and call backward()."""
    return [
        f"xs = {inputs!r}",
        f"coefs = {coefs!r}",
        "loss = None",
        "for x, cs in zip(xs, coefs):",
        "    outs = model(x)",
        "    outs = outs if isinstance(outs, list) else [outs]",
        "    for out, c in zip(outs, cs):",
        "        loss = out * c if loss is None else loss + out * c",
        f"loss.{api.backward}()",
    ]


def output_text(desc: dict) -> str:
    """What a forward pass returned, in words."""
    kind = desc.get("kind")
    if kind == "value":
        return f"one Value ({fmt(desc['values'][0])})"
    if kind == "list":
        items = desc.get("items", [])
        return f"a {desc.get('type', 'list')} of {len(items)}: [{', '.join(items)}]"
    if kind == "number":
        return f"a plain number ({fmt(desc['values'][0])})"
    if kind == "none":
        return "None"
    return f"a {desc.get('type', kind)}"


def expected_output(nout: int) -> str:
    return "one Value (a list of one is accepted too)" if nout == 1 else f"a list of {nout} Values"


def shape_problem(shape: Shape, desc: dict) -> Optional[Optional[str]]:
    """None if the output has the documented shape, else the hint (possibly None) for it."""
    nout, kind = shape.nouts[-1], desc.get("kind")
    items = desc.get("items", [])
    if kind == "value":
        if nout == 1:
            return None
        return (f"The last layer has {nout} neurons: return the list of their outputs "
                "(return out[0] only when len(out) == 1).")
    if kind == "list":
        if len(items) == nout and all(i == "value" for i in items):
            return None
        if "number" in items:
            return "Return the Values themselves, not their .data: backward() needs Values."
        if len(items) == len(shape.nouts) and len(shape.nouts) > 1:
            return "That is one item per layer: return only the last layer's output."
        if len(items) == shape.nouts[0] != nout:
            return ("That is the size of the first layer: does MLP.__call__ return inside its "
                    "loop over the layers?")
        if items == ["list"]:
            return "That is a list inside a list: return the layer's list itself."
        return ""
    if kind == "number":
        return ("Return the Value itself, not its .data: the loss must be built from Values "
                "for backward() to reach the weights.")
    if kind == "none":
        return "MLP.__call__ returns None: is a return statement missing?"
    return ""


def output_values(desc: dict) -> list[Optional[float]]:
    """The output numbers of a well-shaped output (a list of one gives one number)."""
    return list(desc.get("values", []))


def place(desc: dict, obj: int) -> str:
    """Where a Value of the structure sits, as code when its attributes are known."""
    names = desc.get("names") or {}
    for lay, layer in enumerate(desc["layers"]):
        for j, (ws, b) in enumerate(layer):
            if obj in ws or obj == b:
                what = f"w[{ws.index(obj)}]" if obj in ws else "b"
                if desc["source"] == "attributes":
                    attr = (f"{names.get('w', 'w')}[{ws.index(obj)}]" if obj in ws
                            else names.get("b") or "b")
                    return (f"model.{names.get('layers', 'layers')}[{lay}]."
                            f"{names.get('neurons', 'neurons')}[{j}].{attr}")
                return f"layer {lay}, neuron {j}, {what}"
    return f"value {obj}"


def roles(desc: Optional[dict]) -> dict[int, tuple[int, int, str]]:
    """Object index -> (layer, neuron, "w" or "b")."""
    found: dict[int, tuple[int, int, str]] = {}
    if desc is None:
        return found
    for lay, layer in enumerate(desc["layers"]):
        for j, (ws, b) in enumerate(layer):
            for k in ws:
                found.setdefault(k, (lay, j, "w"))
            if b >= 0:
                found.setdefault(b, (lay, j, "b"))
    return found


def params_hint(shape: Shape, reply: dict) -> Optional[str]:
    """Why parameters() has the wrong count, when its structure tells."""
    count, desc = reply["count"], reply.get("net")
    if count == shape.weights_only:
        return ("That is nin * nout per layer: the biases are missing. Neuron.parameters() "
                "should return self.w + [self.b].")
    if desc is None:
        return None
    listed = {k for k in desc["params"] if k >= 0}
    role = roles(desc)
    left_out = [k for k in role if k not in listed]
    if left_out and all(role[k][2] == "b" for k in left_out):
        return "The biases are missing: Neuron.parameters() should return self.w + [self.b]."
    whole = [lay for lay in range(len(desc["layers"]))
             if all(k in left_out for k in role if role[k][0] == lay)]
    if left_out and {role[k][0] for k in left_out} == set(whole):
        which = ", ".join(str(lay) for lay in whole)
        return (f"The parameters of layer {which} (0-based) are missing: MLP.parameters() "
                "should collect the parameters of every layer.")
    return None


def zero_grad_hint(reply: dict, bad: list[int]) -> Optional[str]:
    """What the parameters that kept a gradient have in common."""
    if any(reply["raw"][k] == "NoneType" for k in bad):
        return "Set each gradient to 0, not None: backward() adds to it."
    if len(bad) == len(reply["grads"]):
        return ("zero_grad() changed no gradient. Write p.grad = 0 (p.grad == 0 only compares), "
                "for every p in self.parameters().")
    desc = reply.get("net")
    if desc is None:
        return None
    role = roles(desc)
    kinds = {role.get(desc["params"][k], (0, 0, "?"))[2] for k in bad}
    biases = [k for k, obj in enumerate(desc["params"]) if role.get(obj, (0, 0, ""))[2] == "b"]
    if kinds == {"b"} and sorted(bad) == biases:
        return ("zero_grad() misses the biases: loop over self.parameters(), which includes "
                "them, rather than over the weights.")
    if kinds == {"w"}:
        return "zero_grad() misses weights: loop over self.parameters()."
    return None


def grad_hint(desc: dict, got: Sequence[Optional[float]], want: Sequence[Optional[float]]
              ) -> Optional[str]:
    """A pattern in the wrong gradients: none at all, or none before the last layer(s)."""
    role = roles(desc)
    n_layers = len(desc["layers"])
    wanted = [abs(w or 0.0) > 1e-12 for w in want]
    if all(g == 0 for g in got) and any(wanted):
        return ("backward() left every parameter's gradient at 0: does the loss reach the "
                "parameters, and does backward() start from the loss?")
    dead = [
        lay for lay in range(n_layers)
        if all(got[k] == 0 for k in role if role[k][0] == lay)
        and any(wanted[k] for k in role if role[k][0] == lay)
    ]
    if dead and max(dead) < n_layers - 1:
        which = ", ".join(str(lay) for lay in dead)
        return (f"No gradient reaches layer {which} (0-based), while later layers get theirs: "
                "something between the layers makes new Values from numbers (such as "
                "Value(o.data)), which cuts the graph.")
    wrong = [k for k in role if not _near(got[k], want[k])]
    if wrong and all(role[k][2] == "b" for k in wrong):
        return "Only the biases' gradients are wrong: how does the bias enter each neuron's sum?"
    return None


def _near(got: Optional[float], want: Optional[float]) -> bool:
    return got is not None and want is not None and abs(got - want) <= 1e-6 + 1e-5 * abs(want)


def train_hint(params_reply: Optional[dict], losses: Sequence[float],
               zero_grad_ok: Optional[bool]) -> Optional[str]:
    """Why the loop did not learn, from the initial weights, the curve and zero_grad."""
    if params_reply and params_reply.get("linked") is False:
        return ("Changing the Values that parameters() returns does not change the model: "
                "parameters() returns copies, so the updates never reach the neurons.")
    values = [v for v in (params_reply or {}).get("values", []) if v is not None]
    desc = (params_reply or {}).get("net")
    if desc is not None and values:
        role = roles(desc)
        weights = [desc["values"][k] for k in role if role[k][2] == "w"]
        if weights and len(set(weights)) == 1:
            return (f"Every weight starts at {fmt(weights[0])}: all neurons of a layer stay "
                    "identical and cannot learn different features. Initialise the weights "
                    "randomly, e.g. random.uniform(-1, 1).")
    if len(losses) > 1 and max(losses) - min(losses) <= 1e-12 * max(1.0, abs(losses[0])):
        return "The loss never changed: the updates do not reach the model's Values."
    if zero_grad_ok is False:
        return ("Your zero_grad() does not reset every gradient, so gradients pile up from "
                "step to step (see mlp.zero_grad).")
    return None


def error_text(error: dict) -> str:
    return f"{error.get('type', 'Error')}: {error.get('message', '')}"


WHERE = {
    "build": "building {net}",
    "parameters": "model.{params}()",
    "set": "setting p.{data} on the parameters",
    "forward": "model(x)",
    "output": "using the output of model(x)",
    "loss": "building the loss from the outputs",
    "backward": "loss.{backward}()",
    "zero_grad": "model.{zero_grad}()",
    "update": "p.{data} -= lr * p.{grad}",
    "neuron": "calling a single neuron",
    "chain": "chaining the layers by hand",
    "engine": "setting up the engine",
    "probe": "probing the network",
}


def where_text(error: dict, net: str, found: dict, api: EngineAPI) -> str:
    template = WHERE.get(error.get("where", ""), error.get("where", "the check"))
    return template.format(net=net, params=found.get("parameters") or "parameters",
                           data=api.data_attr, grad=api.grad_attr, backward=api.backward,
                           zero_grad=found.get("zero_grad") or "zero_grad")


def join(names: Any) -> str:
    items = sorted(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
