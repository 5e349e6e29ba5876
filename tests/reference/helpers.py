"""Shared pieces for the reference tests: Hypothesis settings and torch comparisons."""

from __future__ import annotations

import math

import torch
from hypothesis import settings

# No example database and no deadline: nothing is written to .hypothesis/, and slow CI
# machines do not make tests flaky.
FAST = settings(database=None, deadline=None, max_examples=60)

RTOL = 1e-9
ATOL = 1e-12


def leaf(x: float) -> torch.Tensor:
    """A float64 torch scalar that collects a gradient."""
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def grad_of(t: torch.Tensor) -> float:
    """t.grad as a float (0 when torch never reached t)."""
    return 0.0 if t.grad is None else float(t.grad)


def assert_close(got: float, want: float | torch.Tensor, what: str = "") -> None:
    want = float(want.detach()) if isinstance(want, torch.Tensor) else float(want)
    ok = math.isclose(got, want, rel_tol=RTOL, abs_tol=ATOL) or (
        math.isnan(got) and math.isnan(want)
    )
    assert ok, f"{what}: reference gives {got!r}, torch gives {want!r}"
