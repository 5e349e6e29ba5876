"""Train reference MLPs on two tiny datasets: ``python -m reference.demo``.

1. The four-point regression from micrograd's README, with tanh units and MSE.
2. Two interleaved half-moons (made with numpy), with relu units and BCE-with-logits.

Seeds are fixed, so every run prints the same numbers.
"""

from __future__ import annotations

import math
import random
from typing import Callable

import numpy as np

from reference.engine import Value
from reference.losses import accuracy, bce_with_logits, mse, sgd_step
from reference.nn import MLP

FOUR_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
FOUR_YS = [1.0, -1.0, -1.0, 1.0]

Report = Callable[[str], None]


def _quiet(line: str) -> None:
    """A report that prints nothing."""


def train_four_points(
    steps: int = 60, lr: float = 0.2, seed: int = 0, every: int = 10, report: Report = _quiet
) -> tuple[MLP, float]:
    """Fit MLP(3, [4, 4, 1]) (tanh throughout) to the four points; return it and its last loss."""
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", rng=random.Random(seed))
    loss = math.inf
    for step in range(1, steps + 1):
        preds = [_single(model(x)) for x in FOUR_XS]
        total = mse(preds, FOUR_YS)
        model.zero_grad()
        total.backward()
        sgd_step(model.parameters(), lr)
        loss = total.data
        if step % every == 0 or step == steps:
            report(f"  step {step:3d}  loss {loss:.6f}")
    return model, loss


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[int]]:
    """Two half-circles, n points in all, labels 0 (upper moon) and 1 (lower moon)."""
    rng = np.random.RandomState(seed)  # legacy generator: its stream never changes
    n_upper = n // 2
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n - n_upper)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    points = np.vstack([upper, lower]) + rng.normal(scale=noise, size=(n, 2))
    labels = [0] * n_upper + [1] * (n - n_upper)
    return points.tolist(), labels


def train_moons(
    steps: int = 40,
    n: int = 100,
    lr: float = 1.0,
    seed: int = 0,
    every: int = 10,
    report: Report = _quiet,
) -> tuple[MLP, float, float]:
    """Fit MLP(2, [8, 8, 1]) (relu hidden, linear output) with BCE; return model, loss, accuracy."""
    xs, ys = make_moons(n, seed=seed)
    model = MLP(2, [8, 8, 1], activation="relu", rng=random.Random(seed))
    loss, acc = math.inf, 0.0
    for step in range(1, steps + 1):
        logits = [_single(model(x)) for x in xs]
        total = bce_with_logits(logits, ys)
        model.zero_grad()
        total.backward()
        sgd_step(model.parameters(), lr)
        loss, acc = total.data, accuracy(logits, ys)
        if step % every == 0 or step == steps:
            report(f"  step {step:3d}  loss {loss:.4f}  accuracy {acc:.0%}")
    return model, loss, acc


def _single(out: Value | list[Value]) -> Value:
    assert isinstance(out, Value), "the demo models have one output"
    return out


def main() -> None:
    print("Four points, MLP(3, [4, 4, 1]), tanh, MSE")
    _, loss = train_four_points(report=print)
    print(f"final loss {loss:.6f}\n")
    print("Two moons, 100 points, MLP(2, [8, 8, 1]), relu, BCE with logits")
    _, loss, acc = train_moons(report=print)
    print(f"final loss {loss:.4f}, accuracy {acc:.0%}")


if __name__ == "__main__":
    main()
