"""The oracle process survives a network request that fails, and answers it with an error."""

from __future__ import annotations

import math

import pytest

from grader.evaluate.oracle_process import OracleError, OracleProcess, in_oracle, serving
from grader.mlp.models import Net, torch_grads


def test_a_failing_call_is_answered_with_an_error_and_the_process_goes_on() -> None:
    wrong_width = Net([[[0.5, -0.5, 0.25]], [[1.0]]], [[0.1], [0.2]])  # 3 weights, 2 inputs
    good = Net([[[0.5, -0.5]], [[1.0]]], [[0.1], [0.2]])
    process = OracleProcess()
    try:
        with serving(process):
            with pytest.raises(OracleError, match="size"):
                torch_grads(wrong_width, ["tanh", "linear"], [[1.0, 2.0]], [[1.0]])
            loss, _, _ = torch_grads(good, ["tanh", "linear"], [[1.0, 2.0]], [[1.0]])
            assert loss == pytest.approx(math.tanh(0.5 - 1.0 + 0.1) + 0.2)
            with pytest.raises(OracleError, match="ZeroDivisionError"):
                in_oracle("operator:truediv", 1, 0)
    finally:
        process.close()

