"""Losses, an SGD step and accuracy for training ``reference.nn`` models.

Both losses average over the examples (torch's default ``reduction="mean"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Union

from reference.engine import Number, Value


def mse(predictions: Sequence[Value], targets: Sequence[Number]) -> Value:
    """Mean of (prediction - target)^2, like ``torch.nn.MSELoss()``."""
    _check_lengths(predictions, targets)
    return _mean([(p - t) ** 2 for p, t in zip(predictions, targets)])


def bce_with_logits(logits: Sequence[Value], targets: Sequence[Number]) -> Value:
    """Mean binary cross-entropy of sigmoid(logit) against 0/1 targets.

    Like ``torch.nn.BCEWithLogitsLoss()``, and stable for any logit size.
    """
    _check_lengths(logits, targets)
    return _mean([_bce_one(z, y) for z, y in zip(logits, targets)])


def _bce_one(z: Value, y: Number) -> Value:
    """max(z, 0) - z*y + log(1 + exp(-|z|)), with max and |z| picked by the sign of z.

    exp only ever sees -|z| <= 0, so it cannot overflow. Choosing the branch from
    z.data (rather than building |z| from relu) keeps the gradient exact at z = 0:
    sigmoid(0) - y = 0.5 - y.
    """
    if z.data >= 0:
        return z - z * y + (1 + (-z).exp()).log()
    return -z * y + (1 + z.exp()).log()


def sgd_step(parameters: Iterable[Value], lr: float) -> None:
    """p.data -= lr * p.grad for every parameter (grads are left as they are)."""
    for p in parameters:
        p.data -= lr * p.grad


def accuracy(predictions: Sequence[Union[Value, Number]], targets: Sequence[Number]) -> float:
    """Fraction of examples whose score has the target's side of 0.

    A score > 0 predicts the positive class; a target > 0 (1 with 0/1 or +-1 labels)
    is positive. Pass logits or tanh outputs; for probabilities, pass p - 0.5.
    """
    _check_lengths(predictions, targets)
    scores = [p.data if isinstance(p, Value) else p for p in predictions]
    return sum((s > 0) == (t > 0) for s, t in zip(scores, targets)) / len(targets)


def _mean(terms: list[Value]) -> Value:
    return sum(terms, Value(0.0)) / len(terms)


def _check_lengths(predictions: Sequence[object], targets: Sequence[Number]) -> None:
    if len(predictions) != len(targets) or not targets:
        raise ValueError(
            f"need as many predictions as targets, at least one: got {len(predictions)} "
            f"and {len(targets)}"
        )
