"""The five MLP checks, run against one engine (the student's, or the corrected one).

Two networks are built: ``MLP(3, [4, 4, 1])`` and ``MLP(2, [3, 2])``. The parent picks
every weight (two decimals, never 0, drawn again until no pre-activation is near 0), the
inputs and the loss's coefficients, so it knows what every number should be.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from grader.compare.tolerance import ATOL, RTOL, close
from grader.config import Config
from grader.discover.api import EngineAPI
from grader.evaluate.runner import RunnerError
from grader.mlp import feedback as fb
from grader.mlp.feedback import Shape
from grader.mlp.models import (
    BUGS,
    Match,
    Net,
    describe_acts,
    explain,
    net_from,
    pre_activations,
    predict,
    torch_grads,
)
from grader.mlp.probe import FOUR_YS, ZERO_GRAD_NAMES
from grader.results import Status

Call = Callable[[str, dict], Any]

SHAPES = (Shape(3, (4, 4, 1)), Shape(2, (3, 2)))
N_INPUTS = 5
LEARNING_RATES = (0.1, 0.05, 0.2, 0.5)
INITS = 3  # fresh initialisations tried (seeds seed, seed + 1, ...): relu units can start dead
TRAIN_STEPS = 150
TRAIN_TARGET = 0.1  # the loss must fall to 10% of min(its start, BASELINE)
TRAIN_SECONDS = 15.0  # for all the training runs of one engine together
FD_RTOL, FD_ATOL = 1e-5, 1e-6
PROBE_ZS = (-1.7, -0.6, 0.35, 1.2, 2.4)
BASELINE = sum((y - sum(FOUR_YS) / len(FOUR_YS)) ** 2 for y in FOUR_YS) / len(FOUR_YS)  # 1.0:
# the MSE of always predicting the mean, which any network reaches without learning anything


@dataclass
class Verdict:
    """One category's outcome against one engine."""

    status: Status
    message: str
    expected: Optional[str] = None
    got: Optional[str] = None
    hint: Optional[str] = None
    counterexample: Optional[str] = None
    clean: bool = True  # False: passed, but only by a weaker check worth repeating
    crash: Optional[str] = None  # "where/ErrorType" when the student's code raised
    output: str = ""


@dataclass
class Plan:
    """The numbers the parent sends for one network."""

    weights: list[float]
    inputs: list[list[float]]
    coefs: list[list[float]]


@dataclass
class Look:
    """What the forward check learnt about one network."""

    failure: Optional[Verdict]
    match: Optional[Match]  # correct with known activations, or a bug model
    note: str = ""  # e.g. an activation we do not know, accepted by the generic check


class Checks:
    """The checks of one run; ``trusted`` is the corrected engine's source, if any."""

    def __init__(self, call: Call, api: EngineAPI, found: dict, config: Config,
                 trusted: Optional[str] = None):
        self.call, self.api, self.found, self.config = call, api, found, config
        self.trusted = trusted
        self.used: set[str] = set()
        self._cache: dict[tuple[str, int], Any] = {}
        self.zero_grad_ok: Optional[bool] = None

    # -- talking to the child -------------------------------------------------------------

    def ask(self, method: str, k: int, **extra: Any) -> dict:
        shape = SHAPES[k]
        params = {"api": self.api.to_dict(), "found": self.found, "seed": self.config.seed,
                  "shape": [shape.nin, list(shape.nouts)], **extra}
        if self.trusted is not None:
            params["trusted"] = self.trusted
        reply = self.call(method, params)
        if not isinstance(reply, dict):
            raise RunnerError("protocol", f"{method} answered a {type(reply).__name__}")
        self.used.update(reply.get("used", []))
        return reply

    def _cached(self, key: str, k: int, make: Callable[[], Any]) -> Any:
        if (key, k) not in self._cache:
            self._cache[key, k] = make()
        return self._cache[key, k]

    def params_reply(self, k: int) -> dict:
        return self._cached("params", k, lambda: self.ask("mlp.params", k))

    def plan(self, k: int) -> Plan:
        return self._cached("plan", k, lambda: make_plan(SHAPES[k], self.config.seed, k,
                                                         self.params_reply(k)))

    def forward_reply(self, k: int) -> dict:
        plan = self.plan(k)
        return self._cached("forward", k, lambda: self.ask(
            "mlp.forward", k, weights=plan.weights, inputs=plan.inputs))

    # -- helpers --------------------------------------------------------------------------

    def net_text(self, k: int, reply: Optional[dict] = None) -> str:
        return SHAPES[k].text(self.found, (reply or {}).get("call", ""))

    def crash(self, k: int, reply: dict, code: Optional[list[str]] = None) -> Verdict:
        error = reply["error"]
        where = fb.where_text(error, self.net_text(k, reply), self.found, self.api)
        text = fb.error_text(error)
        if error.get("where") == "engine":
            which = "The corrected engine" if self.trusted else f"Your {self.api.class_name} class"
            return Verdict("error", f"{which} could not be set up: {text}", crash="engine")
        message = (error.get("message", "") if error.get("where") == "output"
                   else f"{where} raised {text}")
        if error.get("type") == "NotImplementedError":  # a template's stub: not written yet
            return Verdict("missing", f"Not implemented yet: {message}", got=text,
                           crash=f"{error.get('where')}/{error.get('type')}")
        return Verdict("fail", message, got=text,
                       counterexample="\n".join(code) if code else None,
                       crash=f"{error.get('where')}/{error.get('type')}")

    def setup(self, k: int, reply: Optional[dict] = None, weights: bool = True) -> list[str]:
        return fb.setup_code(SHAPES[k], self.found, self.api, (reply or {}).get("call", ""),
                             self.config.seed, self.plan(k).weights if weights else None)

    # -- mlp.params -----------------------------------------------------------------------

    def params(self) -> Verdict:
        counts = []
        for k, shape in enumerate(SHAPES):
            reply = self.params_reply(k)
            net = self.net_text(k, reply)
            if "error" in reply:
                return self.crash(k, reply, self.setup(k, reply, weights=False))
            count = reply["count"]
            code = "\n".join(self.setup(k, reply, weights=False) + [
                f"len(model.{self.found.get('parameters') or 'parameters'}())"])
            if reply["foreign"]:
                k0, kind = reply["foreign"][0]
                return Verdict(
                    "fail",
                    f"{net}.parameters() returned {len(reply['foreign'])} item(s) that are not "
                    f"{self.api.class_name}s: item {k0} is a {kind}.",
                    expected=f"{shape.count} {self.api.class_name} objects",
                    got=f"{count} items, {len(reply['foreign'])} of them not Values",
                    hint="Return the Value objects themselves (self.w + [self.b]), not numbers.",
                    counterexample=code)
            if reply["duplicates"]:
                again, first = reply["duplicates"][0]
                shared = (reply.get("net") or {}).get("shared") or []
                hint = ("Some neurons are one and the same object: [Neuron(nin)] * nout repeats "
                        "a single neuron; build them with [Neuron(nin) for _ in range(nout)]."
                        if shared else "Collect each neuron's parameters exactly once.")
                unique = count - len(reply["duplicates"])
                return Verdict(
                    "fail",
                    f"{net}.parameters() lists the same Value more than once: item {again} is "
                    f"item {first} again.",
                    expected=f"{shape.count} different Values", got=f"{unique} different "
                    f"Values among {count} items", hint=hint, counterexample=code)
            if count != shape.count:
                per_layer = " + ".join(f"({a} + 1) * {b}" for a, b in zip(shape.sizes, shape.nouts))
                return Verdict(
                    "fail",
                    f"{net} has {count} parameters; it should have {per_layer} = {shape.count}.",
                    expected=f"len(model.parameters()) == {shape.count}",
                    got=f"len(model.parameters()) == {count}",
                    hint=fb.params_hint(shape, reply), counterexample=code)
            if reply.get("linked") is False:
                return Verdict(
                    "fail",
                    f"Changing the Values that {net}.parameters() returns does not change the "
                    "network: they are not the Values the neurons compute with.",
                    hint="Return the neurons' own Values (self.w + [self.b]), not copies.",
                    counterexample=code)
            counts.append(f"{count} for {net}")
        return Verdict("pass", f"parameters() returns the network's own Values, each once: "
                               f"{' and '.join(counts)}.")

    # -- mlp.forward ----------------------------------------------------------------------

    def look(self, k: int) -> Look:
        return self._cached("look", k, lambda: self._look(k))

    def _look(self, k: int) -> Look:
        shape, plan, reply = SHAPES[k], self.plan(k), self.forward_reply(k)
        net_text = self.net_text(k, reply)
        if "error" in reply:
            x = plan.inputs[0] if reply["error"].get("where") == "forward" else None
            lines = self.setup(k, reply) + ([f"model({x!r})"] if x is not None else [])
            return Look(self.crash(k, reply, lines), None)
        for x, desc in zip(plan.inputs, reply["outputs"]):
            hint = fb.shape_problem(shape, desc)
            if hint is not None:
                return Look(Verdict(
                    "fail", f"{net_text} returned {fb.output_text(desc)} for one input.",
                    expected=fb.expected_output(shape.nouts[-1]), got=fb.output_text(desc),
                    hint=hint or None,
                    counterexample="\n".join(self.setup(k, reply) + [f"model({x!r})"])), None)
        desc = reply.get("net")
        net = net_from(desc) if desc else None
        if net is None or net.sizes != shape.sizes:
            why = ("its weights could not be located (no layers/neurons/w/b attributes, and "
                   "parameters() is not in micrograd's order)" if net is None else
                   f"its layers have sizes {net.sizes}, not {shape.sizes}")
            return Look(Verdict("fail", f"{net_text} could not be checked: {why}.",
                                hint="Fix mlp.params first."), None)
        got = [fb.output_values(d) for d in reply["outputs"]]
        match = explain(net, plan.inputs, got)
        if match is not None and match.bug is None:
            return Look(None, match, self._values_note(reply))
        expected_acts = match.acts if match else _guess_acts(len(shape.nouts))
        want = [predict(net, x, expected_acts) for x in plan.inputs]
        bad = next((n for n in range(len(got)) if not _all_close(got[n], want[n])), 0)
        code = "\n".join(self.setup(k, reply) + [f"model({plan.inputs[bad]!r})"])
        if match is not None:
            assert match.bug is not None
            acts = describe_acts(match.acts)
            return Look(Verdict(
                "fail", f"{net_text} computes a wrong output.",
                expected=f"{fb.fmt_values(want[bad])} (act(w · x + b) with {acts})",
                got=fb.fmt_values(got[bad]), hint=f"{BUGS[match.bug]} (act: {acts})",
                counterexample=code), match)
        note = self._generic(k, net, plan, reply)
        if note:
            return Look(None, None, note)
        return Look(Verdict(
            "fail",
            f"{net_text}'s output is not act(w · x + b) in every neuron for any of tanh, relu, "
            "sigmoid or linear per layer, nor one function of w · x + b per layer.",
            expected=f"{fb.fmt_values(want[bad])} (with {describe_acts(expected_acts)})",
            got=fb.fmt_values(got[bad]), counterexample=code), None)

    def _values_note(self, reply: dict) -> str:
        as_values = reply.get("as_values")
        if isinstance(as_values, list) and as_values == reply["outputs"]:
            return ""
        return (" (Given Values instead of floats as inputs, it fails or answers differently; "
                "that is fine as long as you pass floats.)")

    def _generic(self, k: int, net: Net, plan: Plan, reply: dict) -> str:
        """Each layer applies one function to w · x + b, and the layers chain: a note, or ''."""
        if (reply.get("net") or {}).get("source") != "attributes":
            return ""
        rng = random.Random(f"mlp-neurons-{self.config.seed}-{k}")
        requests, keys = [], []
        for lay, (ws, bs) in enumerate(zip(net.w, net.b)):
            for j in sorted({0, len(ws) - 1}):
                w, b = ws[j], bs[j]
                big = max(range(len(w)), key=lambda i: abs(w[i]))
                for z in PROBE_ZS:
                    for _ in range(2):
                        x = [round(rng.uniform(-1, 1), 3) for _ in w]
                        rest = sum(wi * xi for i, (wi, xi) in enumerate(zip(w, x)) if i != big)
                        x[big] = (z - b - rest) / w[big]
                        requests.append([lay, j, x])
                        keys.append((lay, z))
        answer = self.ask("mlp.neurons", k, weights=plan.weights, inputs=plan.inputs,
                          requests=requests)
        if "error" in answer or answer.get("outputs") is None:
            return ""
        by: dict[tuple[int, float], list[Optional[float]]] = {}
        for key, desc in zip(keys, answer["outputs"]):
            values = desc.get("values") or [None]
            number = values[0] if desc["kind"] in ("value", "number") else None
            by.setdefault(key, []).append(number)
        for lay in range(len(net.w)):
            firsts = [by[lay, z][0] for z in PROBE_ZS]
            if not all(_all_close(by[lay, z], [by[lay, z][0]] * len(by[lay, z]))
                       for z in PROBE_ZS):
                return ""
            if _all_close(firsts, [firsts[0]] * len(firsts)):
                return ""
        chained = [d.get("values") for d in answer["chain"]]
        if any(not _all_close(c or [], fb.output_values(o))
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
            net = self.net_text(k, self.forward_reply(k))
            acts.append((net, describe_acts(look.match.acts) if look.match
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
            hows.setdefault(outcome, []).append(self.net_text(k, self.forward_reply(k)))
        said = "; ".join(f"{how} for {' and '.join(nets)}" for how, nets in hows.items())
        return Verdict("pass", f"After loss.{self.api.backward}(), every parameter's gradient "
                               f"matches {said}.")

    def _grad(self, k: int) -> Verdict | str:
        """A failure, or how the gradients were checked."""
        plan = self.plan(k)
        look = self.look(k)
        reply = self.ask("mlp.grad", k, weights=plan.weights, inputs=plan.inputs,
                         coefs=plan.coefs)
        code = self.setup(k, reply) + fb.loss_code(plan.inputs, plan.coefs, self.api)
        if "error" in reply:
            failure = self.crash(k, reply, code)
            if reply["error"].get("where") in ("forward", "output", "build"):
                failure.message += " (see mlp.forward), so no gradient could be checked."
            return failure
        return self._compare(k, reply, look, plan, code)

    def _compare(self, k: int, reply: dict, look: Look, plan: Plan, code: list[str]
                 ) -> Verdict | str:
        desc = reply.get("net")
        if look.match is not None and look.match.bug is None and desc is not None:
            how, tol = "torch float64", (RTOL, ATOL)
            want: list[Optional[float]] = list(self._torch(desc, look.match, plan))
            got, over_net = desc["grads"], True
        else:
            how, tol = "finite differences of your own forward pass", (FD_RTOL, FD_ATOL)
            fd = self.ask("mlp.fd", k, weights=plan.weights, inputs=plan.inputs,
                          coefs=plan.coefs)
            if "error" in fd:
                return self.crash(k, fd, code)
            want, over_net = fd["slopes"], fd.get("over") == "net" and desc is not None
            got = desc["grads"] if over_net and desc is not None else reply["grads"]
        for obj, (g, w) in enumerate(zip(got, want)):
            if w is None or close(g, w, *tol):
                continue
            where = fb.place(desc, obj) if over_net and desc else f"parameter {obj}"
            hint = fb.grad_hint(desc, got, want) if over_net and desc else None
            return Verdict(
                "fail",
                f"Wrong gradient of {where} in {self.net_text(k, reply)} after "
                f"loss.{self.api.backward}() (compared with {how}).",
                expected=f"{self.api.grad_attr} == {fb.fmt(w)}",
                got=f"{self.api.grad_attr} == {fb.fmt(g)}", hint=hint,
                counterexample="\n".join(code))
        return how

    def _torch(self, desc: dict, match: Match, plan: Plan) -> list[float]:
        """torch's gradient of every Value of the structure (summed where Values repeat)."""
        net = net_from(desc)
        assert net is not None
        _, wg, bg = torch_grads(net, match.acts, plan.inputs, plan.coefs)
        want = [0.0] * len(desc["values"])
        for lay, layer in enumerate(desc["layers"]):
            for j, (ws, b) in enumerate(layer):
                for i, obj in enumerate(ws):
                    want[obj] += wg[lay][j][i]
                if b >= 0:
                    want[b] += bg[lay][j]
        return want

    # -- mlp.zero_grad --------------------------------------------------------------------

    def zero_grad(self) -> Verdict:
        reply = self.ask("mlp.zero_grad", 0)
        net = self.net_text(0, reply)
        if "error" in reply:
            self.zero_grad_ok = False
            return self.crash(0, reply, self.setup(0, reply, weights=False))
        if not reply["present"]:
            return Verdict("missing", f"{net} has no zero_grad method (looked for "
                                      f"{', '.join(ZERO_GRAD_NAMES)}).")
        name = self.found.get("zero_grad") or "zero_grad"
        bad = [k for k, g in enumerate(reply["grads"]) if g != 0]
        code = "\n".join(self.setup(0, reply, weights=False) + [
            f"for p in model.{self.found.get('parameters') or 'parameters'}():",
            f"    p.{self.api.grad_attr} = 1.0", f"model.{name}()"])
        if reply["changed"]:
            self.zero_grad_ok = False
            return Verdict("fail", f"{name}() changed the parameters' values, not only their "
                                   "gradients.", hint="Reset p.grad only; leave p.data alone.",
                           counterexample=code)
        self.zero_grad_ok = not bad
        if bad:
            return Verdict(
                "fail",
                f"After model.{name}(), {len(bad)} of {len(reply['grads'])} parameters still "
                f"have a gradient (parameter {bad[0]} first).",
                expected=f"p.{self.api.grad_attr} == 0 for every parameter",
                got=f"p.{self.api.grad_attr} == {fb.fmt(reply['grads'][bad[0]])} for parameter "
                    f"{bad[0]}",
                hint=fb.zero_grad_hint(reply, bad), counterexample=code)
        return Verdict("pass", f"{name}() sets all {len(reply['grads'])} gradients of {net} "
                               "to 0 and leaves the values alone.")

    # -- mlp.train ------------------------------------------------------------------------

    def train(self) -> Verdict:
        """The loop must bring the loss to 10% of min(first loss, loss of predicting the mean)."""
        deadline = time.perf_counter() + TRAIN_SECONDS
        loop = ("The usual loop (MSE on the four points, zero grads, backward, p.data -= lr * "
                "p.grad)")
        best: Optional[tuple[float, float, list[float], str]] = None
        runs = [(self.config.seed + i, lr) for i in range(INITS) for lr in LEARNING_RATES]
        for seed, lr in runs:
            left = deadline - time.perf_counter()
            if left <= 0:
                break
            reply = self.ask("mlp.train", 0, lr=lr, steps=TRAIN_STEPS, target=TRAIN_TARGET,
                             baseline=BASELINE, seconds=min(5.0, left), seed=seed)
            if "error" in reply:
                failure = self.crash(0, reply, self.setup(0, reply, weights=False))
                failure.message = f"{loop} could not run: {failure.message}"
                return failure
            losses = reply["losses"]
            if reply["stop"] == "target":
                init = "" if seed == self.config.seed else f", after random.seed({seed})"
                return Verdict("pass", f"{loop} lowered the loss from {fb.fmt(losses[0])} to "
                                       f"{fb.fmt(losses[-1])} in {len(losses)} steps with "
                                       f"lr = {lr}{init}.")
            low = min(losses) if losses else math.inf
            if best is None or low < best[0]:
                best = (low, lr, losses, reply["stop"])
        if best is None:
            return Verdict("error", f"{loop} could not run within {TRAIN_SECONDS:.0f} s.")
        low, lr, losses, stop = best
        goal = TRAIN_TARGET * min([BASELINE, *losses[:1]])
        first = fb.fmt(losses[0]) if losses else "?"
        got = (f"at best {fb.fmt(low)} (lr = {lr}, from {first}; "
               f"{STOPS.get(stop, stop)} after {len(losses)} steps)" if losses
               else "the loss was NaN or infinite from the first step")
        return Verdict(
            "fail",
            f"{loop} did not lower the loss to 10% of where it started (or of {fb.fmt(BASELINE)},"
            f" the loss of always predicting the mean) within {TRAIN_STEPS} steps, at any "
            f"learning rate in {list(LEARNING_RATES)}, from {INITS} random initialisations.",
            expected=f"a loss of at most {fb.fmt(goal)}", got=got,
            hint=fb.train_hint(self.params_reply(0), losses, self.zero_grad_ok))


STOPS = {"plateau": "stuck", "diverged": "NaN or infinite", "time": "out of time",
         "steps": "still above"}


def _guess_acts(layers: int) -> tuple[str, ...]:
    return ("tanh",) * (layers - 1) + ("linear",)


def _all_close(got: Sequence[Optional[float]], want: Sequence[Optional[float]]) -> bool:
    return len(got) == len(want) and all(w is not None and close(g, w) for g, w in zip(got, want))


def make_plan(shape: Shape, seed: int, k: int, params_reply: dict) -> Plan:
    """Weights, inputs and coefficients, with every pre-activation away from 0."""
    rng = random.Random(f"mlp-{seed}-{k}")
    inputs = [[_draw(rng, 0.1, 2.0) for _ in range(shape.nin)] for _ in range(N_INPUTS)]
    coefs = [[_draw(rng, 0.2, 1.0) for _ in range(shape.nouts[-1])] for _ in inputs]
    count = params_reply.get("count", 0) if "error" not in params_reply else 0
    weights: list[float] = []
    for _ in range(50):
        weights = [_draw(rng, 0.1, 1.0) for _ in range(count)]
        net = _planned(params_reply.get("net"), weights)
        if net is None or net.sizes != shape.sizes or _spread(net, inputs):
            break
    return Plan(weights, inputs, coefs)


def _draw(rng: random.Random, low: float, high: float) -> float:
    return round(rng.choice((-1, 1)) * rng.uniform(low, high), 2)


def _planned(desc: Optional[dict], weights: list[float]) -> Optional[Net]:
    if desc is None:
        return None
    values = list(desc["values"])
    for k, obj in enumerate(desc["params"]):
        if obj >= 0 and k < len(weights):
            values[obj] = weights[k]
    return net_from({**desc, "values": values})


def _spread(net: Net, inputs: list[list[float]]) -> bool:
    for act in ("tanh", "relu", "sigmoid", "linear"):
        acts = (act,) * len(net.w)
        for x in inputs:
            if any(abs(z) < 1e-3 for z in pre_activations(net, x, acts)):
                return False
    return True
