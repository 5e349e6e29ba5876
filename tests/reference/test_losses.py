"""reference.losses against torch.nn's losses, plus sgd_step and accuracy."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from reference.engine import Value
from reference.losses import accuracy, bce_with_logits, mse, sgd_step
from tests.reference.helpers import FAST, assert_close


def check_against_torch(
    ours: Value, theirs: torch.Tensor, xs: list[Value], tx: torch.Tensor
) -> None:
    ours.backward()
    theirs.backward()
    assert_close(ours.data, theirs, "loss")
    assert tx.grad is not None
    for i, (x, g) in enumerate(zip(xs, tx.grad)):
        assert_close(x.grad, g, f"d loss / d input {i}")


def pairs(values: st.SearchStrategy[float], targets: st.SearchStrategy[float]) -> st.SearchStrategy:
    return st.lists(st.tuples(values, targets), min_size=1, max_size=8)


@FAST
@given(pairs(st.floats(-100, 100), st.floats(-100, 100)))
def test_mse_matches_torch(data: list[tuple[float, float]]) -> None:
    preds, targets = [p for p, _ in data], [t for _, t in data]
    xs = [Value(p) for p in preds]
    tx = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    want = torch.nn.MSELoss()(tx, torch.tensor(targets, dtype=torch.float64))
    check_against_torch(mse(xs, targets), want, xs, tx)


@FAST
@given(pairs(st.floats(-60, 60), st.sampled_from([0.0, 1.0]) | st.floats(0, 1)))
def test_bce_with_logits_matches_torch(data: list[tuple[float, float]]) -> None:
    check_bce([z for z, _ in data], [y for _, y in data])


@pytest.mark.parametrize("target", [0.0, 1.0, 0.25])
def test_bce_with_logits_is_stable_for_huge_logits(target: float) -> None:
    logits = [-1000.0, -500.0, -40.0, 0.0, 40.0, 500.0, 1000.0]
    check_bce(logits, [target] * len(logits))


def test_bce_with_logits_gradient_at_zero_is_half_minus_target() -> None:
    for y in (0.0, 1.0):
        z = Value(0.0)
        bce_with_logits([z], [y]).backward()
        assert z.grad == pytest.approx(0.5 - y)


def check_bce(logits: list[float], targets: list[float]) -> None:
    xs = [Value(z) for z in logits]
    tx = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    want = torch.nn.BCEWithLogitsLoss()(tx, torch.tensor(targets, dtype=torch.float64))
    check_against_torch(bce_with_logits(xs, targets), want, xs, tx)


def test_losses_reject_mismatched_or_empty_inputs() -> None:
    with pytest.raises(ValueError):
        mse([Value(1.0)], [1.0, 2.0])
    with pytest.raises(ValueError):
        bce_with_logits([], [])
    with pytest.raises(ValueError):
        accuracy([1.0, 2.0], [1])


def test_sgd_step_moves_against_the_gradient_and_keeps_grads() -> None:
    a, b = Value(1.0), Value(-2.0)
    a.grad, b.grad = 0.5, -4.0
    sgd_step([a, b], lr=0.1)
    assert (a.data, b.data) == (pytest.approx(0.95), pytest.approx(-1.6))
    assert (a.grad, b.grad) == (0.5, -4.0)


def test_accuracy_with_plus_minus_one_labels() -> None:
    preds = [Value(0.9), Value(-0.2), Value(0.1), Value(-3.0)]
    assert accuracy(preds, [1, -1, -1, 1]) == 0.5
    assert accuracy(preds, [1, -1, 1, -1]) == 1.0


def test_accuracy_with_zero_one_labels_and_plain_numbers() -> None:
    assert accuracy([2.0, -1.0, 0.5], [1, 0, 0]) == pytest.approx(2 / 3)
    assert accuracy([-2.0, -1.0, 0.0], [0, 0, 0]) == 1.0
