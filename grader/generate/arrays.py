"""Hypothesis strategies for numpy mode: the arrays each check feeds the student's parts.

Every array is in the canonical layout (examples in rows, ``W`` of shape (in, out)); values
have two decimals, so a counterexample reads well. Layers are never square (a missing
transpose cannot hide), batches start at one example, pre-activations stay away from relu's
kink, upstream gradients are random (never all ones), and the output's pre-activation stays
within about +-6, where a sigmoid is far from saturating.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

Case = dict[str, Any]


def _matrix(draw: Any, rows: int, cols: int, low: int = -300, high: int = 300,
            away_from_zero: bool = False) -> np.ndarray:
    cells = st.integers(low, high)
    if away_from_zero:
        cells = cells.filter(lambda v: abs(v) >= 5)
    values = draw(st.lists(cells, min_size=rows * cols, max_size=rows * cols))
    return np.array(values, dtype=np.float64).reshape(rows, cols) / 100


@st.composite
def activation_cases(draw: Any) -> Case:
    """Z and an upstream gradient dA of the same shape."""
    n, k = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    return {"Z": _matrix(draw, n, k, away_from_zero=True), "dA": _matrix(draw, n, k)}


@st.composite
def loss_cases(draw: Any) -> Case:
    """Predictions strictly inside (0, 1) and 0/1 labels, one output column."""
    n = draw(st.integers(1, 6))
    a = _matrix(draw, n, 1, 5, 95)
    y = np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)))
    return {"A": a, "Y": y.reshape(n, 1)}


def _sizes(draw: Any) -> tuple[int, int, int]:
    n, nin = draw(st.integers(1, 5)), draw(st.integers(2, 4))
    nout = draw(st.integers(2, 5).filter(lambda k: k != nin))
    return n, nin, nout


@st.composite
def linear_cases(draw: Any) -> Case:
    """X, W, b and an upstream gradient dZ for one non-square layer."""
    n, nin, nout = _sizes(draw)
    return {
        "X": _matrix(draw, n, nin), "W": _matrix(draw, nin, nout, -100, 100),
        "b": _matrix(draw, 1, nout, -100, 100).reshape(nout), "dZ": _matrix(draw, n, nout),
    }  # fmt: skip


@st.composite
def update_cases(draw: Any) -> Case:
    """W, b, their gradients and a learning rate."""
    _, nin, nout = _sizes(draw)
    return {
        "W": _matrix(draw, nin, nout), "b": _matrix(draw, 1, nout).reshape(nout),
        "dW": _matrix(draw, nin, nout), "db": _matrix(draw, 1, nout).reshape(nout),
        "lr": draw(st.sampled_from([0.1, 0.05, 0.5, 1.0])),
    }  # fmt: skip


def _kinked(ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray) -> bool:
    z = x @ ws[0] + bs[0]
    return bool(np.min(np.abs(z)) < 1e-3)


@st.composite
def model_cases(draw: Any) -> Case:
    """Weights of an in -> hidden -> 1 network, a batch X and 0/1 labels Y."""
    n, nin, hidden = _sizes(draw)
    ws = [_matrix(draw, nin, hidden, -100, 100), _matrix(draw, hidden, 1, -100, 100)]
    bs = [_matrix(draw, 1, hidden, -50, 50).reshape(hidden), _matrix(draw, 1, 1, -50, 50)[0]]
    x = _matrix(draw, n, nin, -200, 200)
    ys = draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n))
    case: Case = {"W": ws, "b": bs, "X": x, "Y": np.array(ys).reshape(n, 1)}
    assume(not _kinked(ws, bs, x))
    return case


STRATEGIES = {
    "relu": activation_cases, "relu_backward": activation_cases,
    "sigmoid": activation_cases, "sigmoid_backward": activation_cases,
    "loss": loss_cases, "loss_backward": loss_cases,
    "linear_forward": linear_cases, "linear_backward": linear_cases, "update": update_cases,
    "model_forward": model_cases, "model_backward": model_cases,
}  # fmt: skip


def size(case: Case) -> int:
    """How big a case is, to show the smallest failing one."""
    return sum(np.size(v) for v in _arrays(case))


def _arrays(case: Case) -> list[Any]:
    out: list[Any] = []
    for value in case.values():
        out += value if isinstance(value, list) else [value]
    return out


def training_set() -> tuple[np.ndarray, np.ndarray]:
    """Twelve points in two clusters, labelled 0 and 1, for the training check."""
    rng = np.random.default_rng(7)
    centres = np.array([[1.0, -1.0, 0.5], [-1.0, 1.0, -0.5]])
    x = np.concatenate([c + 0.4 * rng.standard_normal((6, 3)) for c in centres])
    y = np.array([0.0] * 6 + [1.0] * 6).reshape(12, 1)
    return np.round(x, 2), y
