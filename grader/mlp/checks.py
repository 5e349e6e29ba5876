"""The five MLP checks, run against one engine (the student's, or it with parts corrected).

Two networks are built: 3 inputs with layers of 4, 4 and 1 neurons, and 2 inputs with 3 and
2. The parent decides every verdict from its own computations: it picks every number the
child sets (weights, inputs, the loss's coefficients, gradients before zero_grad, the start
of a training run), reads back only numbers (checked by ``schema``), and compares them with
what it predicts: outputs from the layout and activations that explain them, gradients from
torch, the effect of zero_grad on a fresh backward pass, the loss of the trained weights.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from grader.compare.tolerance import ATOL, RTOL, close
from grader.config import Config
from grader.discover.api import EngineAPI
from grader.mlp import feedback as fb
from grader.mlp import layouts as lay
from grader.mlp import schema
from grader.mlp.feedback import Shape
from grader.mlp.find import ZERO_GRAD_NAMES, call_args, expression
from grader.mlp.models import (
    BUGS,
    Match,
    Net,
    describe_acts,
    explain,
    pre_activations,
    predict,
    torch_grads,
)
from grader.results import Verdict

Call = Callable[[str, dict], Any]

SHAPES = (Shape(3, (4, 4, 1)), Shape(2, (3, 2)))
N_INPUTS = 5
FD_RTOL, FD_ATOL = 1e-5, 1e-6
UNLOCATED = "layout/unlocated"  # the network's Values are not the layers' weights and biases
AGAIN = " The first call ran, but every training loop calls it again, once per step."
FD_MAX = 200  # parameters checked by finite differences at most
PROBE_ZS = (-1.7, -0.6, 0.35, 1.2, 2.4)
PATH = re.compile(r"model(\.\w+|\[-?\d+\]|\['[\w .-]{0,40}'\]|\[\"[\w .-]{0,40}\"\])*")


@dataclass
class Plan:
    """The numbers the parent sends for one network: one weight per walked Value."""

    weights: list[float]
    inputs: list[list[float]]
    coefs: list[list[float]]


@dataclass
class Model:
    """What explains the outputs: where the weights sit, the activations, maybe a bug."""

    name: str
    layout: lay.Layout
    match: Match


@dataclass
class Look:
    """What the forward check learnt about one network."""

    failure: Optional[Verdict]
    model: Optional[Model]  # correct with known activations, or a bug model
    layout: Optional[lay.Layout]  # the matched layout, else the first that fits
    note: str = ""  # e.g. an activation we do not know, accepted by the generic check
    runs: bool = False  # the forward pass ran and returned Values of the right shape


@dataclass(frozen=True)
class Correction:
    """The parts of the engine a re-check replaces by the grader's stand-ins: the ops of
    ``categories``, and backward() with every op when ``traverse``."""

    categories: tuple[str, ...]
    traverse: bool = False


class Checks:
    """The checks of one run: on the student's engine, or with a ``correction`` of it."""

    def __init__(self, call: Call, api: EngineAPI, found: dict, config: Config,
                 correction: Optional[Correction] = None):
        self.call, self.api, self.found, self.config = call, api, found, config
        self.correction = correction
        self.used: set[str] = set()
        self._cache: dict[tuple[str, int], Any] = {}
        self.zero_grad_ok: Optional[bool] = None

    # -- talking to the child -------------------------------------------------------------

    def ask(self, method: str, k: int, sizes: Optional[dict[str, int]] = None,
            **extra: Any) -> dict:
        """The child's answer, checked against the schema (``schema.Malformed`` if not)."""
        shape = SHAPES[k]
        params = {"api": self.api.to_dict(), "found": self.found, "seed": self.config.seed,
                  "shape": [shape.nin, list(shape.nouts)], **extra}
        if self.correction is not None:
            params["corrected"] = list(self.correction.categories)
            params["traverse"] = self.correction.traverse
        reply = schema.clean(method, self.call(method, params), **(sizes or {}))
        self.used.update(reply.get("used", []))
        return reply

    def _cached(self, key: str, k: int, make: Callable[[], Any]) -> Any:
        if (key, k) not in self._cache:
            self._cache[key, k] = make()
        return self._cache[key, k]

    def structure(self, k: int) -> dict:
        return self._cached("structure", k, lambda: self.ask("mlp.structure", k))

    def count(self, k: int) -> int:
        return 0 if "error" in self.structure(k) else int(self.structure(k)["count"])

    def layouts(self, k: int) -> list[tuple[str, lay.Layout]]:
        def make() -> list[tuple[str, lay.Layout]]:
            st = self.structure(k)
            if "error" in st:
                return []
            params = st["parameters"]
            order = params.get("items") if params.get("present") else None
            return lay.candidates(SHAPES[k], st["count"], st["layout"], order)

        return self._cached("layouts", k, make)

    def plan(self, k: int) -> Plan:
        return self._cached("plan", k, lambda: make_plan(
            SHAPES[k], self.config.seed, k, self.count(k), [c for _, c in self.layouts(k)]))

    def forward_reply(self, k: int) -> dict:
        plan = self.plan(k)
        return self._cached("forward", k, lambda: self.ask(
            "mlp.forward", k, {"inputs": len(plan.inputs)}, weights=plan.weights,
            inputs=plan.inputs, as_values=True))

    def grad_reply(self, k: int) -> dict:
        plan = self.plan(k)
        return self._cached("grad", k, lambda: self.ask(
            "mlp.grad", k, {"count": self.count(k)}, weights=plan.weights, inputs=plan.inputs,
            coefs=plan.coefs))

    # -- helpers --------------------------------------------------------------------------

    def net_text(self, k: int, full: bool = False) -> str:
        """The constructor call that built the network (the extra arguments cut short unless
        ``full``, for code)."""
        shape = SHAPES[k]
        name = self.found.get("mlp") or "MLP"
        call = self.found.get("call") or "nin_nouts"
        args = call_args(call, shape.nin, list(shape.nouts))
        if args is None:
            return expression(call, shape.nin, list(shape.nouts))
        extra = self.found.get("extra") or ""
        if len(extra) > 60 and not full:
            extra = extra[:50] + " ..."
        parts = [repr(a) for a in args] + ([extra] if extra else [])
        return f"{name}({', '.join(parts)})"

    def run_text(self, x: Any) -> str:
        batch, _, forward = (self.found.get("forward") or "__call__").rpartition(":")
        x = [x] if batch else x
        return f"model({x!r})" if forward == "__call__" else f"model.{forward}({x!r})"

    def crash(self, k: int, reply: dict, code: Optional[list[str]] = None) -> Verdict:
        error = reply["error"]
        where = fb.where_text(error, self.net_text(k), self.found, self.api)
        text = fb.error_text(error)
        if error.get("where") == "engine":
            which = ("The corrected engine" if self.correction
                     else f"Your {self.api.class_name} class")
            return Verdict("error", f"{which} could not be set up: {text}", crash="engine")
        message = (error.get("message", "") if error.get("where") == "output"
                   else f"{where} raised {text}")
        if error.get("type") == "NotImplementedError":  # a template's stub: not written yet
            return Verdict("missing", f"Not implemented yet: {message}", got=text,
                           crash=f"{error.get('where')}/{error.get('type')}")
        return Verdict("fail", message, got=text,
                       counterexample="\n".join(code) if code else None,
                       crash=f"{error.get('where')}/{error.get('type')}")

    def setup(self, k: int, weights: bool = True) -> list[str]:
        """Code that builds the network and gives its Values the grader's numbers."""
        lines = ["import random", f"random.seed({self.config.seed})",
                 f"model = {self.net_text(k, full=True)}"]
        st = self.structure(k)
        if not weights or "error" in st:
            return lines
        spots = [(p, w) for p, w in zip(st["paths"], self.plan(k).weights)
                 if PATH.fullmatch(p)]
        if not spots:
            return lines
        return lines + [
            "spots = [" + ", ".join(p for p, _ in spots) + "]",
            f"values = {[w for _, w in spots]!r}",
            "for p, v in zip(spots, values):",
            f"    p.{self.api.data_attr} = v",
        ]

    # -- mlp.params -----------------------------------------------------------------------

    def pcall(self) -> str:
        """How parameters are asked for: parameters(), or parameters for a property."""
        return self.found.get("parameters_call") or "parameters()"

    def params(self) -> Verdict:
        counts: list[str] = []
        name = self.pcall()
        for k in range(len(SHAPES)):
            st = self.structure(k)
            net = self.net_text(k)
            if "error" in st:
                return self.crash(k, st, self.setup(k, weights=False))
            params = st["parameters"]
            if not params["present"]:
                near = self.found.get("near_parameters") or ""
                said = f" (there is a {near}() method: check its spelling)" if near else ""
                return Verdict("missing", f"{net} has no parameters() method{said}.",
                               hint=f"Rename {near}() to parameters()." if near else None)
            if "error" in params:
                again = params["error"].get("where") == "parameters_again"
                crashed = self.crash(k, params, self.setup(k, weights=False) + [
                    f"model.{name}"] * (2 if again else 1))
                crashed.message += f".{AGAIN}" if again else ""
                return crashed
            failure = self._params_shape(k, params["items"], params["foreign"])
            if failure is not None:
                return failure
            if not params["again"]:  # checked once the first call's own Values are right
                return Verdict("fail", f"A second call of {net}.{name} does not return the "
                               f"same Values as the first.{AGAIN}",
                               counterexample="\n".join(self.setup(k, weights=False) + [
                                   f"model.{name} == model.{name}"]))
            counts.append(f"{len(params['items'])} for {net}")
        return Verdict("pass", f"model.{name} returns the network's own Values, each once: "
                               f"{' and '.join(counts)}.")

    def _params_shape(self, k: int, items: list[int], foreign: list[str]) -> Optional[Verdict]:
        shape, net = SHAPES[k], self.net_text(k)
        name = self.pcall()
        code = "\n".join(self.setup(k, weights=False) + [f"len(model.{name})"])
        look = self.look(k)
        owned = lay.roles(look.layout) if look.layout is not None else list(range(self.count(k)))
        n = len(items)
        if -2 in items:
            bad = items.index(-2)
            return Verdict(
                "fail", f"{net}.{name} returned {items.count(-2)} item(s) that are not "
                f"{self.api.class_name}s: item {bad} is a {(foreign or ['?'])[0]}.",
                expected=f"{shape.count} {self.api.class_name} objects",
                got=f"{n} items, {items.count(-2)} of them not Values",
                hint="Return the Value objects themselves (self.w + [self.b]), not numbers.",
                counterexample=code)
        if -1 in items:
            return Verdict(
                "fail", f"{net}.{name} returns Values the network does not compute with "
                f"(item {items.index(-1)} first): changing them does not change the network.",
                hint="Return the neurons' own Values (self.w + [self.b]), not copies.",
                counterexample=code)
        firsts: dict[int, int] = {}
        for j, obj in enumerate(items):
            if obj in firsts:
                return Verdict(
                    "fail", f"{net}.{name} lists the same Value more than once: item {j} is "
                    f"item {firsts[obj]} again.", expected=f"{shape.count} different Values",
                    got=f"{len(set(items))} different Values among {n} items",
                    hint=("Collect each neuron's parameters exactly once (a neuron repeated "
                          "with [Neuron(nin)] * nout is one object: build them with "
                          "[Neuron(nin) for _ in range(nout)])."),
                    counterexample=code)
            firsts[obj] = j
        if set(items) != set(owned) or n != shape.count:
            per_layer = " + ".join(f"({a} + 1) * {b}" for a, b in zip(shape.sizes, shape.nouts))
            return Verdict(
                "fail", f"{net} has {n} parameters; it should have {per_layer} = "
                f"{shape.count}.", expected=f"len(model.{name}) == {shape.count}",
                got=f"len(model.{name}) == {n}",
                hint=fb.params_hint(shape, n, look.layout, items), counterexample=code,
                crash="layout/count")
        return self._params_effect(k, items)

    def _params_effect(self, k: int, items: list[int]) -> Optional[Verdict]:
        """Other weights B, set through parameters() over the plan's A set into the network,
        must give the outputs of B set into the network directly, which differ from A's.
        (When the forward pass crashes, parameters() is judged by what it returns alone.)"""
        plan = self.plan(k)
        direct = self.forward_reply(k)
        if "error" in direct:
            return None
        rng = random.Random(f"mlp-b-{self.config.seed}-{k}")
        other = [_draw(rng, 0.1, 1.0) for _ in plan.weights]
        sizes = {"inputs": len(plan.inputs)}
        moved = self.ask("mlp.forward", k, sizes, weights=other, inputs=plan.inputs)
        through = self.ask("mlp.forward", k, sizes, weights=plan.weights, inputs=plan.inputs,
                           through=[other[obj] for obj in items])
        for reply in (moved, through):
            if "error" in reply:
                return self.crash(k, reply, self.setup(k))
        if _same_outputs(moved, direct):
            return Verdict("fail", f"{self.net_text(k)} gives the same outputs whatever its "
                                   "weights: its output does not depend on its Values.")
        if _same_outputs(through, moved):
            return None
        return Verdict("fail", f"Setting the Values that {self.net_text(k)}.{self.pcall()} returns "
                               "does not set the network's weights the way they sit in it.",
                       hint="Return the neurons' own Values (self.w + [self.b]).")

    # -- mlp.forward ----------------------------------------------------------------------

    def look(self, k: int) -> Look:
        return self._cached("look", k, lambda: self._look(k))

    def _look(self, k: int) -> Look:
        shape, plan = SHAPES[k], self.plan(k)
        st = self.structure(k)
        if "error" in st:
            return Look(self.crash(k, st, self.setup(k, weights=False)), None, None)
        reply = self.forward_reply(k)
        net_text = self.net_text(k)
        cands = self.layouts(k)
        first = cands[0][1] if cands else None
        if "error" in reply:
            x = plan.inputs[0] if reply["error"].get("where") == "forward" else None
            lines = self.setup(k) + ([self.run_text(x)] if x is not None else [])
            return Look(self.crash(k, reply, lines), None, first)
        for x, desc in zip(plan.inputs, reply["outputs"]):
            hint = fb.shape_problem(shape, desc)
            if hint is not None:
                return Look(Verdict(
                    "fail", f"{net_text} returned {fb.output_text(desc)} for one input.",
                    expected=fb.expected_output(shape.nouts[-1]), got=fb.output_text(desc),
                    hint=hint or None,
                    counterexample="\n".join(self.setup(k) + [self.run_text(x)])), None, first)
        if not cands:
            return Look(Verdict(
                "fail", f"{net_text} could not be checked: it holds {st['count']} Values, "
                f"which cannot be laid out as the weights and biases of layers of "
                f"{list(shape.nouts)} neurons on {shape.nin} inputs ({shape.count} Values).",
                hint="Fix mlp.params first.", crash=UNLOCATED), None, None)
        look = self._judge(k, cands, reply)
        look.runs = True
        return look

    def _judge(self, k: int, cands: list[tuple[str, lay.Layout]], reply: dict) -> Look:
        """The layout, activations and maybe bug that explain well-shaped outputs."""
        shape, plan, net_text = SHAPES[k], self.plan(k), self.net_text(k)
        first = cands[0][1]
        got = [fb.output_values(d) for d in reply["outputs"]]
        model = self._explain(k, cands, got)
        if model is not None and model.match.bug is None:
            return Look(None, model, model.layout, self._values_note(reply))
        layout = model.layout if model is not None else first
        assert layout is not None
        net = net_of(layout, plan.weights)
        expected_acts = model.match.acts if model else _guess_acts(len(shape.nouts))
        want = [predict(net, x, expected_acts) for x in plan.inputs]
        bad = next((n for n in range(len(got)) if not all_close(got[n], want[n])), 0)
        code = "\n".join(self.setup(k) + [self.run_text(plan.inputs[bad])])
        if model is not None:
            assert model.match.bug is not None
            acts = describe_acts(model.match.acts)
            return Look(Verdict(
                "fail", f"{net_text} computes a wrong output.",
                expected=f"{fb.fmt_values(want[bad])} (act(w · x + b) with {acts})",
                got=fb.fmt_values(got[bad]), hint=f"{BUGS[model.match.bug]} (act: {acts})",
                counterexample=code), model, layout)
        note = self._generic(k, cands, net, plan, reply) if cands[0][0] == "objects" else ""
        if note:
            return Look(None, None, layout, note)
        return Look(Verdict(
            "fail",
            f"{net_text}'s output is not act(w · x + b) in every neuron for any of tanh, relu, "
            "sigmoid or linear per layer, nor one function of w · x + b per layer.",
            expected=f"{fb.fmt_values(want[bad])} (with {describe_acts(expected_acts)})",
            got=fb.fmt_values(got[bad]), counterexample=code), None, layout)

    def _explain(self, k: int, cands: list[tuple[str, lay.Layout]],
                 got: list[list[Optional[float]]]) -> Optional[Model]:
        plan = self.plan(k)
        for bug in (None, *BUGS):
            for name, layout in cands:
                match = explain(net_of(layout, plan.weights), plan.inputs, got, [bug])
                if match is not None:
                    return Model(name, layout, match)
        return None

    def _values_note(self, reply: dict) -> str:
        as_values = reply.get("as_values")
        if isinstance(as_values, list) and all(
                all_close(fb.output_values(a), fb.output_values(b))
                for a, b in zip(as_values, reply["outputs"])):
            return ""
        return (" (Given Values instead of floats as inputs, it fails or answers differently; "
                "that is fine as long as you pass floats.)")

    def _generic(self, k: int, cands: list[tuple[str, lay.Layout]], net: Net, plan: Plan,
                 reply: dict) -> str:
        """Each layer applies one function to w · x + b, and the layers chain: a note, or ''."""
        rng = random.Random(f"mlp-neurons-{self.config.seed}-{k}")
        requests, keys = [], []
        for layer, (ws, bs) in enumerate(zip(net.w, net.b)):
            for j in sorted({0, len(ws) - 1}):
                w, b = ws[j], bs[j]
                big = max(range(len(w)), key=lambda i: abs(w[i]))
                for z in PROBE_ZS:
                    for _ in range(2):
                        x = [round(rng.uniform(-1, 1), 3) for _ in w]
                        rest = sum(wi * xi for i, (wi, xi) in enumerate(zip(w, x)) if i != big)
                        x[big] = (z - b - rest) / w[big]
                        requests.append([layer, j, x])
                        keys.append((layer, z))
        answer = self.ask("mlp.neurons", k, {"requests": len(requests),
                                             "inputs": len(plan.inputs)},
                          weights=plan.weights, inputs=plan.inputs, requests=requests)
        if "error" in answer or answer.get("outputs") is None:
            return ""
        by: dict[tuple[int, float], list[Optional[float]]] = {}
        for key, desc in zip(keys, answer["outputs"]):
            values = desc.get("values") or [None]
            number = values[0] if desc["kind"] in ("value", "number") else None
            by.setdefault(key, []).append(number)
        for layer in range(len(net.w)):
            firsts = [by[layer, z][0] for z in PROBE_ZS]
            if not all(all_close(by[layer, z], [by[layer, z][0]] * len(by[layer, z]))
                       for z in PROBE_ZS):
                return ""
            if all_close(firsts, [firsts[0]] * len(firsts)):
                return ""
        chained = [d.get("values") for d in answer["chain"]]
        if any(not all_close(c or [], fb.output_values(o))
               for c, o in zip(chained, reply["outputs"])):
            return ""
        return (" The activations are not all among tanh, relu, sigmoid and linear; checked "
                "instead that each layer's neurons apply one function to w · x + b and that "
                "the layers are chained.")

    def forward(self) -> Verdict:
        notes, acts = [], []
        for k in range(len(SHAPES)):
            look = self.look(k)
            if look.failure is not None:
                return look.failure
            notes.append(look.note)
            net = self.net_text(k)
            acts.append((net, describe_acts(look.model.match.acts) if look.model
                         else "activations checked generically"))
        note = "".join(dict.fromkeys(notes))
        if len({a for _, a in acts}) == 1:
            acts = [(" and ".join(n for n, _ in acts), acts[0][1])]
        listed = any(d.get("kind") == "list" for d in self.forward_reply(0)["outputs"])
        shape = " (a list of one Value for one output: accepted)" if listed else ""
        detected = "; ".join(f"{n}: {a}" for n, a in acts)
        return Verdict("pass", f"Every neuron computes act(w · x + b) and the layers chain "
                               f"({detected}); outputs are shaped as documented{shape}."
                       + note, clean=not any(n.startswith(" The act") for n in notes))

    # -- mlp.grad -------------------------------------------------------------------------

    def grad(self) -> Verdict:
        hows: dict[str, list[str]] = {}
        for k in range(len(SHAPES)):
            outcome = self._grad(k)
            if isinstance(outcome, Verdict):
                return outcome
            hows.setdefault(outcome, []).append(self.net_text(k))
        said = "; ".join(f"{how} for {' and '.join(nets)}" for how, nets in hows.items())
        return Verdict("pass", f"After loss.{self.api.backward}(), every parameter's gradient "
                               f"matches {said}.")

    def loss_code(self, k: int) -> list[str]:
        plan = self.plan(k)
        return self.setup(k) + fb.loss_code(plan.inputs, plan.coefs, self.api,
                                            self.found.get("forward") or "__call__")

    def _grad(self, k: int) -> Verdict | str:
        """A failure, or how the gradients were checked."""
        look = self.look(k)
        reply = self.grad_reply(k)
        code = self.loss_code(k)
        if "error" in reply:
            failure = self.crash(k, reply, code)
            if reply["error"].get("where") in ("forward", "output", "build"):
                failure.message += " (see mlp.forward), so no gradient could be checked."
            return failure
        if look.layout is None:
            return Verdict("fail", f"The gradients of {self.net_text(k)} could not be checked: "
                                   "its weights could not be located (see mlp.forward).",
                           crash=UNLOCATED)
        want = self.fresh(k)
        if want is None:
            return Verdict("fail", "The gradients could not be checked: no weight changes the "
                                   "loss built from your network's outputs (or its outputs are "
                                   "not numbers).", counterexample="\n".join(code))
        how, tol, want_of = want
        owned = lay.roles(look.layout)
        got = reply["grads"]
        for obj in owned:
            g, w = got[obj], want_of[obj]
            if w is None or close(g, w, *tol):
                continue
            return Verdict(
                "fail",
                f"Wrong gradient of {self._place(k, obj)} in {self.net_text(k)} after "
                f"loss.{self.api.backward}() (compared with {how}).",
                expected=f"{self.api.grad_attr} == {fb.fmt(w)}",
                got=f"{self.api.grad_attr} == {fb.fmt(g)}",
                hint=fb.grad_hint(look.layout, got, want_of),
                counterexample="\n".join(code))
        return how

    def _place(self, k: int, obj: int) -> str:
        path = self.structure(k)["paths"][obj]
        return path if PATH.fullmatch(path) else f"Value {obj} of the network"

    def fresh(self, k: int) -> Optional[tuple[str, tuple[float, float], list[Optional[float]]]]:
        """The gradient each walked Value should get: torch's when the forward pass is
        explained, else finite differences of the student's own outputs."""
        return self._cached("fresh", k, lambda: self._fresh(k))

    def _fresh(self, k: int) -> Optional[tuple[str, tuple[float, float], list[Optional[float]]]]:
        look, plan = self.look(k), self.plan(k)
        assert look.layout is not None
        want: list[Optional[float]] = [None] * self.count(k)
        if look.model is not None and look.model.match.bug is None:
            net = net_of(look.layout, plan.weights)
            _, wg, bg = torch_grads(net, look.model.match.acts, plan.inputs, plan.coefs)
            for obj in lay.roles(look.layout):
                want[obj] = 0.0
            for i, layer in enumerate(look.layout):  # a Value in two places gets both parts
                for j, (ws, b) in enumerate(layer):
                    for m, obj in enumerate(ws):
                        want[obj] = (want[obj] or 0.0) + wg[i][j][m]
                    if b >= 0:
                        want[b] = (want[b] or 0.0) + bg[i][j]
            return "torch float64", (RTOL, ATOL), want
        owned = lay.roles(look.layout)[:FD_MAX]
        h = 1e-5
        vectors = []
        for obj in owned:
            for sign in (1, -1):
                v = list(plan.weights)
                v[obj] += sign * h
                vectors.append(v)
        reply = self.ask("mlp.outputs", k, {"vectors": len(vectors), "inputs": len(plan.inputs)},
                         weights=plan.weights, inputs=plan.inputs, vectors=vectors)
        if "error" in reply:
            return None
        losses = [_linear_loss(row, plan.coefs) for row in reply["rows"]]
        for n, obj in enumerate(owned):
            up, down = losses[2 * n], losses[2 * n + 1]
            want[obj] = None if up is None or down is None else (up - down) / (2 * h)
        if all(w is None or abs(w) < FD_ATOL for w in want):
            return None  # no weight moves the loss: nothing a gradient could be checked by
        return "finite differences of your own forward pass", (FD_RTOL, FD_ATOL), want

    # -- mlp.zero_grad --------------------------------------------------------------------

    def zero_grad(self) -> Verdict:
        k, plan = 0, self.plan(0)
        look = self.look(0)
        owned = lay.roles(look.layout) if look.layout is not None else list(range(self.count(0)))
        rng = random.Random(f"mlp-zero-{self.config.seed}")
        preset = [round(rng.uniform(0.5, 2.0), 2) for _ in range(self.count(0))]
        fresh = look.runs  # a backward pass after zero_grad needs a forward one that runs
        reply = self.ask("mlp.grad", k, {"count": self.count(0), "zero": 1, "fresh": fresh},
                         weights=plan.weights, inputs=plan.inputs, coefs=plan.coefs, zero=True,
                         preset=preset, roles=owned, fresh=fresh)
        net = self.net_text(0)
        name = self.found.get("zero_grad") or "zero_grad"
        if "error" in reply:
            self.zero_grad_ok = False
            return self.crash(0, reply, self.setup(0))
        if not reply["present"]:
            return Verdict("missing", f"{net} has no zero_grad method (looked for "
                                      f"{', '.join(ZERO_GRAD_NAMES)}).")
        code = "\n".join(self.setup(0) + [
            f"for p in model.{self.pcall()}:",
            f"    p.{self.api.grad_attr} = 1.0", f"model.{name}()"])
        if any(reply["data"][obj] != plan.weights[obj] for obj in owned):
            self.zero_grad_ok = False
            return Verdict("fail", f"{name}() changed the parameters' values, not only their "
                                   "gradients.", hint="Reset p.grad only; leave p.data alone.",
                           counterexample=code)
        bad = [n for n, obj in enumerate(owned) if reply["after_zero"][obj] != 0]
        self.zero_grad_ok = not bad
        if bad:
            first = owned[bad[0]]
            return Verdict(
                "fail",
                f"After model.{name}(), {len(bad)} of {len(owned)} parameters still "
                f"have a gradient ({self._place(0, first)} first).",
                expected=f"p.{self.api.grad_attr} == 0 for every parameter",
                got=f"p.{self.api.grad_attr} == {fb.fmt(reply['after_zero'][first])} for "
                    f"{self._place(0, first)}",
                hint=fb.zero_grad_hint(reply, owned, bad, look.layout), counterexample=code)
        if "fresh_error" in reply:
            self.zero_grad_ok = False
            failure = self.crash(0, {"error": reply["fresh_error"]}, code.splitlines())
            failure.message = f"After model.{name}(), {failure.message}"
            return failure
        mismatch = self._after_zero(owned, reply["grads"]) if fresh else None
        if mismatch == -1:
            return Verdict("fail", f"After model.{name}(), the gradients could not be checked: "
                                   "no weight changes the loss built from your network's "
                                   "outputs.", counterexample=code)
        if mismatch is not None:
            self.zero_grad_ok = False
            return Verdict(
                "fail", f"After model.{name}() and a backward pass, the gradient of "
                f"{self._place(0, mismatch)} is not the fresh one.",
                hint="zero_grad() must leave every gradient at 0 and nothing else changed.",
                counterexample=code)
        unlocated = look.failure is not None and look.failure.crash == UNLOCATED
        why = ("your network's Values cannot be laid out as the layers' weights and biases"
               if unlocated else "the forward pass does not run")
        after = ("the next backward pass gives the fresh gradients" if fresh else
                 f"the backward pass after it was not checked, since {why} (see mlp.forward)")
        return Verdict("pass", f"{name}() sets all {len(owned)} gradients of {net} to 0 and "
                               f"leaves the values alone; {after}.")

    def _after_zero(self, owned: list[int], grads: list[Optional[float]]) -> Optional[int]:
        """The first Value whose gradient after zero_grad and backward is not the fresh one,
        computed here (torch, or finite differences); -1 when there is nothing to compare."""
        student = self.grad_reply(0)
        expected = self.fresh(0) if self.look(0).layout is not None else None
        if expected is None:
            return -1
        _, tol, want = expected
        if "error" not in student and not all(
                (w := want[o]) is None or close(student["grads"][o], w, *tol) for o in owned):
            want, tol = student["grads"], (FD_RTOL, FD_ATOL)  # wrong gradients are mlp.grad's
        for obj in owned:
            w = want[obj]
            if w is not None and not close(grads[obj], w, *tol):
                return obj
        return None

    # -- mlp.train ------------------------------------------------------------------------

    def train(self) -> Verdict:
        from grader.mlp.train import Trainer

        return Trainer(self).verdict()


def _linear_loss(row: list[list[Optional[float]]], coefs: list[list[float]]) -> Optional[float]:
    total = 0.0
    for values, cs in zip(row, coefs):
        if len(values) != len(cs) or any(v is None for v in values):
            return None
        total += sum(float(v or 0.0) * c for v, c in zip(values, cs))
    return total


def _same_outputs(a: dict, b: dict) -> bool:
    return all(all_close(fb.output_values(x), fb.output_values(y))
               for x, y in zip(a["outputs"], b["outputs"]))


def _guess_acts(layers: int) -> tuple[str, ...]:
    return ("tanh",) * (layers - 1) + ("linear",)


def all_close(got: Sequence[Optional[float]], want: Sequence[Optional[float]]) -> bool:
    return len(got) == len(want) and all(w is not None and close(g, w) for g, w in zip(got, want))


def net_of(layout: lay.Layout, weights: Sequence[Optional[float]]) -> Net:
    """The plain-float network of a layout, with the given weight for every walked Value."""
    w = [[[float(weights[o] or 0.0) for o in ws] for ws, _ in layer] for layer in layout]
    b = [[0.0 if bias < 0 else float(weights[bias] or 0.0) for _, bias in layer]
         for layer in layout]
    return Net(w, b)


def make_plan(shape: Shape, seed: int, k: int, count: int, candidates: list[lay.Layout]) -> Plan:
    """One weight per walked Value, inputs and coefficients, with every pre-activation away
    from 0 in every candidate layout."""
    rng = random.Random(f"mlp-{seed}-{k}")
    inputs = [[_draw(rng, 0.1, 2.0) for _ in range(shape.nin)] for _ in range(N_INPUTS)]
    coefs = [[_draw(rng, 0.2, 1.0) for _ in range(shape.nouts[-1])] for _ in inputs]
    weights: list[float] = []
    for _ in range(50):
        weights = [_draw(rng, 0.1, 1.0) for _ in range(min(count, schema.MAX_VALUES))]
        if all(_spread(net_of(c, weights), inputs) for c in candidates):
            break
    return Plan(weights, inputs, coefs)


def _draw(rng: random.Random, low: float, high: float) -> float:
    return round(rng.choice((-1, 1)) * rng.uniform(low, high), 2)


def _spread(net: Net, inputs: list[list[float]]) -> bool:
    for act in ("tanh", "relu", "sigmoid", "linear"):
        acts = (act,) * len(net.w)
        for x in inputs:
            if any(abs(z) < 1e-3 for z in pre_activations(net, x, acts)):
                return False
    return True
