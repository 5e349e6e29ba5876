"""mlp.train: the usual loop, judged by losses the parent recomputes.

The child runs the loop (MSE towards targets the output can reach, gradients set to 0,
backward, v.data -= lr * v.grad on the network's own Values) and answers the weights at the
start and at the end; the parent computes both losses itself. A run passes when the loss falls
to 10% of min(its start, the loss of always predicting the mean), or as low as a correct
network of the same shape and activations gets from the same start (torch, same loop). Runs
start from the student's own initialisation (several seeds) and from starts the grader
chooses; a pass from the grader's start alone is refused when the student's own start is
degenerate (the neurons of a layer identical), which is then the hint.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from grader.mlp import feedback as fb
from grader.mlp import layouts as lay
from grader.mlp import schema
from grader.mlp.checks import UNLOCATED, Look, all_close, net_of
from grader.mlp.find import FOUR_XS, FOUR_YS
from grader.mlp.models import Net, predict, torch_train
from grader.results import Verdict

if TYPE_CHECKING:
    from grader.mlp.checks import Checks

LEARNING_RATES = (0.1, 0.05, 0.2, 0.5)
INITS = 3  # the student's own initialisation, from seeds seed, seed + 1, ...
STARTS = 2  # starts the grader chooses
TRAIN_STEPS = 200
TRAIN_TARGET = 0.1  # the loss must fall to 10% of min(its start, the baseline)
TRAIN_SECONDS = 15.0  # for all the training runs of one engine together
PATIENCE = 30  # steps without a 1% improvement before a run stops
FLOOR_SLACK = 0.05  # how far above a correct network's loss from the same start still passes


class Trainer:
    """The training runs of one Checks."""

    def __init__(self, checks: Checks):
        self.checks = checks

    def verdict(self) -> Verdict:
        """The loop must bring the loss to 10% of min(first loss, loss of predicting the mean),
        from the student's own start (several seeds) or, when that start is not degenerate,
        from a start the grader chooses; the parent recomputes both losses."""
        look = self.checks.look(0)
        acts = look.model.match.acts if look.model is not None else None
        acts = self._output_act(acts)
        ys = targets(acts)
        baseline = _mean_loss(ys)
        count = self.checks.count(0)
        owned = lay.roles(look.layout) if look.layout is not None else list(range(count))
        loop = (f"The usual loop (MSE towards {ys} on the four points, zero grads, backward, "
                "p.data -= lr * p.grad)")
        deadline = time.perf_counter() + TRAIN_SECONDS
        best: Optional[tuple[float, float, float]] = None
        starts: list[list[Optional[float]]] = []
        own: list[tuple[int, Optional[list[float]]]] = [
            (self.checks.config.seed + i, None) for i in range(INITS)]
        chosen: list[tuple[int, Optional[list[float]]]] = [
            (self.checks.config.seed, start) for g in range(STARTS)
            if (start := self.grader_start(look.layout, g)) is not None]
        runs = [*own[:1], *chosen[:1], *own[1:], *chosen[1:]]  # the likeliest to pass first
        for seed, start in runs:
            if start is None and len(starts) > 1 and starts[-1] == starts[-2]:
                continue  # the same start at every seed: no point in another
            for n, lr in enumerate(LEARNING_RATES):
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                reply = self.checks.ask(
                    "mlp.train", 0, {"count": count, "steps": TRAIN_STEPS}, xs=FOUR_XS, ys=ys,
                    lr=lr, steps=TRAIN_STEPS, goal=TRAIN_TARGET, baseline=baseline,
                    seconds=min(5.0, left), seed=seed, roles=owned, weights=start,
                    patience=PATIENCE)
                if "error" in reply:
                    failure = self.checks.crash(0, reply, self.checks.setup(0, weights=False))
                    failure.message = f"{loop} could not run: {failure.message}"
                    return failure
                if start is None and n == 0:
                    starts.append(reply["start"])
                first, last = self._losses(look, acts, reply, ys)
                if first is None or last is None:
                    continue
                if last <= TRAIN_TARGET * min(first, baseline):
                    return self._trained(loop, first, last, lr, seed, start, starts, look)
                floor = self._floor(look, acts, start, ys, lr, baseline)
                if floor is not None and last <= floor * (1 + FLOOR_SLACK) + 1e-9:
                    return self._trained(loop, first, last, lr, seed, start, starts, look,
                                         floor=floor)
                if best is None or last < best[0]:
                    best = (last, first, lr)
        return self._untrained(loop, best, baseline, starts, look)

    def _floor(self, look: Look, acts: Optional[tuple[str, ...]], start: Optional[list[float]],
               ys: list[float], lr: float, baseline: float) -> Optional[float]:
        """The loss a correct network of this shape and these activations reaches from the
        grader's start with the same loop (torch); None from the student's own start."""
        if start is None or acts is None or look.layout is None or look.model is None \
                or look.model.match.bug is not None:
            return None
        net = net_of(look.layout, start)
        return torch_train(net, acts, FOUR_XS, ys, lr, TRAIN_STEPS, TRAIN_TARGET, baseline,
                           PATIENCE)

    def _output_act(self, acts: Optional[tuple[str, ...]]) -> Optional[tuple[str, ...]]:
        """The activations, with a linear output that could as well be relu (every output
        seen was positive) taken as relu: its targets must not be negative."""
        look = self.checks.look(0)
        if acts is None or acts[-1] != "linear" or look.layout is None:
            return acts
        relu = (*acts[:-1], "relu")
        plan, reply = self.checks.plan(0), self.checks.forward_reply(0)
        net = net_of(look.layout, plan.weights)
        got = [fb.output_values(d) for d in reply["outputs"]]
        same = all(all_close(g, predict(net, x, relu)) for x, g in zip(plan.inputs, got))
        return relu if same else acts

    def _losses(self, look: Look, acts: Optional[tuple[str, ...]], reply: dict, ys: list[float]
                ) -> tuple[Optional[float], Optional[float]]:
        """The MSE of the run's start and of its end, computed here."""
        if not (schema.finite(reply["start"]) and schema.finite(reply["final"])):
            return None, None
        if acts is not None and look.model is not None and look.model.match.bug is None \
                and look.layout is not None:
            return tuple(_mse(net_of(look.layout, w), acts, ys)  # type: ignore[return-value]
                         for w in (reply["start"], reply["final"]))
        answer = self.checks.ask("mlp.outputs", 0, {"vectors": 2, "inputs": len(FOUR_XS)},
                          inputs=FOUR_XS, vectors=[reply["start"], reply["final"]])
        if "error" in answer:
            return None, None
        found = []
        for row in answer["rows"]:
            if any(len(v) < 1 or v[0] is None for v in row):
                return None, None
            found.append(sum((float(v[0] or 0.0) - y) ** 2 for v, y in zip(row, ys)) / len(ys))
        return found[0], found[1]

    def grader_start(self, layout: Optional[lay.Layout], g: int) -> Optional[list[float]]:
        """Weights the grader chooses: scaled to each neuron's inputs, small positive biases
        (no relu starts dead); Values outside the layout keep the student's."""
        if layout is None:
            return None
        rng = random.Random(f"mlp-start-{self.checks.config.seed}-{g}")
        start: list[Optional[float]] = [None] * self.checks.count(0)
        for layer in layout:
            for ws, b in layer:
                for obj in ws:
                    start[obj] = rng.uniform(-1, 1) * 1.5 / math.sqrt(len(ws))
                if b >= 0:
                    start[b] = rng.uniform(0.05, 0.25)
        return start  # type: ignore[return-value]

    def _trained(self, loop: str, first: float, last: float, lr: float, seed: int,
                 start: Optional[list[float]], starts: list[list[Optional[float]]],
                 look: Look, floor: Optional[float] = None) -> Verdict:
        said = (f"{loop} lowered the loss from {fb.fmt(first)} to {fb.fmt(last)} with "
                f"lr = {lr}")
        if floor is not None:
            said += (f", as low as a correct network of this shape gets from the same start "
                     f"({fb.fmt(floor)})")
        if start is None:
            init = "" if seed == self.checks.config.seed else f", after random.seed({seed})"
            return Verdict("pass", f"{said}{init}.")
        symmetric = _symmetric(look.layout, starts)
        if symmetric is not None:
            return Verdict(
                "fail", f"{loop} did not lower the loss enough from your network's own "
                "initialisation; from a start the grader chose, it did, so the fault is the "
                "initialisation.", hint=symmetric)
        return Verdict("pass", f"{said}, from a start the grader chose (your own "
                               "initialisation did not get there: relu units can start dead, "
                               "sigmoid units saturated).")

    def _untrained(self, loop: str, best: Optional[tuple[float, float, float]],
                   baseline: float, starts: list[list[Optional[float]]], look: Look) -> Verdict:
        if best is None:
            return Verdict("fail", f"{loop}: the loss was NaN or infinite, or could not be "
                                   f"computed, in every run within {TRAIN_SECONDS:.0f} s.")
        last, first, lr = best
        goal = TRAIN_TARGET * min(first, baseline)
        st = self.checks.structure(0)
        items = st["parameters"].get("items") if "error" not in st else None
        hint = fb.train_hint(items)
        # targets suited to the activations need the weights located (else see mlp.forward)
        crash = UNLOCATED if look.layout is None else None
        return Verdict(
            "fail",
            f"{loop} did not lower the loss to 10% of where it started (or of "
            f"{fb.fmt(baseline)}, the loss of always predicting the mean) within {TRAIN_STEPS} "
            f"steps, at any learning rate in {list(LEARNING_RATES)}, from your initialisation "
            "or from a start the grader chose.",
            expected=f"a loss of at most {fb.fmt(goal)}",
            got=f"at best {fb.fmt(last)} (lr = {lr}, from {fb.fmt(first)})", hint=hint,
            crash=crash)



def targets(acts: Optional[Sequence[str]]) -> list[float]:
    """±1 for a tanh or linear output; 0 and 1 for sigmoid or relu, which cannot go below 0."""
    if acts is not None and acts[-1] in ("sigmoid", "relu"):
        return [(y + 1) / 2 for y in FOUR_YS]
    return list(FOUR_YS)


def _mean_loss(ys: list[float]) -> float:
    mean = sum(ys) / len(ys)
    return sum((y - mean) ** 2 for y in ys) / len(ys)


def _mse(net: Net, acts: Sequence[str], ys: list[float]) -> Optional[float]:
    try:
        total = sum((predict(net, x, acts)[0] - y) ** 2 for x, y in zip(FOUR_XS, ys))
    except (OverflowError, ValueError):
        return None
    return total / len(ys) if math.isfinite(total) else None


def _symmetric(layout: Optional[lay.Layout], starts: list[list[Optional[float]]]
               ) -> Optional[str]:
    """A hint when, in the student's own start, the neurons of some layer are identical."""
    if layout is None or not starts:
        return None
    values = starts[0]
    for layer in layout[:-1] if len(layout) > 1 else layout:
        rows = [[values[o] for o in ws] + ([values[b]] if b >= 0 else []) for ws, b in layer]
        if len(rows) > 1 and all(r == rows[0] for r in rows):
            same = sorted({float(values[o] or 0.0) for ws, _ in layer for o in ws})
            said = f" (every weight starts at {fb.fmt(same[0])})" if len(same) == 1 else ""
            return ("Every neuron of a layer starts with the same weights"
                    f"{said}: they get the same gradients and stay identical, so the network "
                    "cannot learn different features. Initialise the weights randomly, e.g. "
                    "random.uniform(-1, 1).")
    return None


