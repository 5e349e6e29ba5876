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


def fmt(x: Optional[float]) -> str:
    return "None" if x is None else f"{x:.10g}"


def fmt_values(values: Sequence[Optional[float]]) -> str:
    """One number alone, several as a list."""
    if len(values) == 1:
        return fmt(values[0])
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def loss_code(inputs: list[list[float]], coefs: list[list[float]], api: EngineAPI,
              forward: str = "__call__") -> list[str]:
    """Lines that build the grader's loss and call backward()."""
    batch, _, forward = forward.rpartition(":")
    x, first = ("[x]", "[0]") if batch else ("x", "")
    run = (f"model({x}){first}" if forward == "__call__" else f"model.{forward}({x}){first}")
    return [
        f"xs = {inputs!r}",
        f"coefs = {coefs!r}",
        "loss = None",
        "for x, cs in zip(xs, coefs):",
        f"    outs = {run}",
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


Layout = list[list[tuple[list[int], int]]]


def roles(layout: Optional[Layout]) -> dict[int, tuple[int, int, str]]:
    """Walked Value -> (layer, neuron, "w" or "b")."""
    found: dict[int, tuple[int, int, str]] = {}
    for lay, layer in enumerate(layout or []):
        for j, (ws, b) in enumerate(layer):
            for k in ws:
                found.setdefault(k, (lay, j, "w"))
            if b >= 0:
                found.setdefault(b, (lay, j, "b"))
    return found


def params_hint(shape: Shape, count: int, layout: Optional[Layout], items: list[int]
                ) -> Optional[str]:
    """Why parameters() has the wrong count, when the layout tells."""
    if count == shape.weights_only:
        return ("That is nin * nout per layer: the biases are missing. Neuron.parameters() "
                "should return self.w + [self.b].")
    if layout is None:
        return None
    listed = set(items)
    role = roles(layout)
    left_out = [k for k in role if k not in listed]
    if left_out and all(role[k][2] == "b" for k in left_out):
        return "The biases are missing: Neuron.parameters() should return self.w + [self.b]."
    whole = [lay for lay in range(len(layout))
             if all(k in left_out for k in role if role[k][0] == lay)]
    if left_out and {role[k][0] for k in left_out} == set(whole):
        which = ", ".join(str(lay) for lay in whole)
        return (f"The parameters of layer {which} (0-based) are missing: MLP.parameters() "
                "should collect the parameters of every layer.")
    return None


def zero_grad_hint(reply: dict, owned: list[int], bad: list[int], layout: Optional[Layout]
                   ) -> Optional[str]:
    """What the parameters that kept a gradient have in common."""
    if any(reply["raw"][owned[n]] == "NoneType" for n in bad):
        return "Set each gradient to 0, not None: backward() adds to it."
    if len(bad) == len(owned):
        return ("zero_grad() changed no gradient. Write p.grad = 0 (p.grad == 0 only compares), "
                "for every p in self.parameters().")
    role = roles(layout)
    kept = {owned[n] for n in bad}
    kinds = {role.get(k, (0, 0, "?"))[2] for k in kept}
    biases = {k for k in owned if role.get(k, (0, 0, ""))[2] == "b"}
    if kinds == {"b"} and kept == biases:
        return ("zero_grad() misses the biases: loop over self.parameters(), which includes "
                "them, rather than over the weights.")
    if kinds == {"w"}:
        return "zero_grad() misses weights: loop over self.parameters()."
    return None


def grad_hint(layout: Layout, got: Sequence[Optional[float]], want: Sequence[Optional[float]]
              ) -> Optional[str]:
    """A pattern in the wrong gradients: none at all, or none before the last layer(s)."""
    role = roles(layout)
    n_layers = len(layout)
    wanted = {k: abs(want[k] or 0.0) > 1e-12 for k in role}
    if all(got[k] == 0 for k in role) and any(wanted.values()):
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


def train_hint(items: Optional[list[int]]) -> Optional[str]:
    """Why the loop did not learn, when the numbers say so."""
    if items is not None and -1 in items:
        return ("parameters() returns Values the network does not use (see mlp.params); the "
                "training here updates the network's own Values, and still did not learn.")
    return None


def error_text(error: dict) -> str:
    return f"{error.get('type', 'Error')}: {error.get('message', '')}"


WHERE = {
    "build": "building {net}",
    "parameters": "model.{params}",
    "parameters_again": "A second call of model.{params}",
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
    return template.format(net=net, params=found.get("parameters_call") or "parameters()",
                           data=api.data_attr, grad=api.grad_attr, backward=api.backward,
                           zero_grad=found.get("zero_grad") or "zero_grad")


def join(names: Any) -> str:
    items = sorted(names)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
