"""Whole expressions (values used many times), gradient accumulation and deep graphs."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reference.engine import Value
from tests.reference.helpers import FAST, assert_close, grad_of, leaf


def sanity_check(x: Any) -> Any:
    """micrograd's test_sanity_check expression; works on Value and on torch tensors."""
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def test_micrograd_sanity_check() -> None:
    x, tx = Value(-4.0), leaf(-4.0)
    y, ty = sanity_check(x), sanity_check(tx)
    y.backward()
    ty.backward()
    assert_close(y.data, ty, "y")
    assert_close(x.grad, grad_of(tx), "dy/dx")
    assert y.data == -20.0
    assert x.grad == 46.0


def more_ops(a: Any, b: Any) -> Any:
    """micrograd's test_more_ops expression; works on Value and on torch tensors."""
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return g


def test_micrograd_more_ops() -> None:
    a, b = Value(-4.0), Value(2.0)
    ta, tb = leaf(-4.0), leaf(2.0)
    g, tg = more_ops(a, b), more_ops(ta, tb)
    g.backward()
    tg.backward()
    assert_close(g.data, tg, "g")
    assert_close(a.grad, grad_of(ta), "dg/da")
    assert_close(b.grad, grad_of(tb), "dg/db")
    assert abs(g.data - 24.70408163265306) < 1e-9


def every_op(a: Any, b: Any) -> Any:
    """A graph where a and b are each used many times, through every op."""
    s = a * b + a / (b * b + 1) - 3 / (a * a + 2)
    t = (a - b).tanh() * s.sigmoid() + (b * b + 0.5).log() - (-a).relu() * b
    u = (t * 0.3).exp() + t**2 - s ** (-1) * 0.1 + (a * a + 1) ** 0.5
    return u * s + 2 - u / (1 + t * t)


@FAST
@given(a=st.floats(-2, 2), b=st.floats(-2, 2))
def test_multi_use_expression_matches_torch(a: float, b: float) -> None:
    x, y, ta, tb = Value(a), Value(b), leaf(a), leaf(b)
    s = x * y + x / (y * y + 1) - 3 / (x * x + 2)
    assume(abs(s.data) > 1e-3)  # s ** -1 is ill-conditioned near 0
    out, want = every_op(x, y), every_op(ta, tb)
    out.backward()
    want.backward()
    assert_close(out.data, want, "value")
    assert_close(x.grad, grad_of(ta), "d/da")
    assert_close(y.grad, grad_of(tb), "d/db")


def test_same_value_on_both_sides() -> None:
    a = Value(3.0)
    for out, want in [(a + a, 2.0), (a * a, 6.0), (a - a, 0.0), (a / a, 0.0)]:
        a.grad = 0.0
        out.backward()
        assert_close(a.grad, want, f"{out._op} of a with itself")


def test_backward_on_new_graphs_accumulates_into_leaves() -> None:
    a, b = Value(2.0), Value(3.0)
    ta, tb = leaf(2.0), leaf(3.0)
    (a * b).backward()
    (a * b + a).backward()
    (ta * tb).backward()
    (ta * tb + ta).backward()
    assert (a.grad, b.grad) == (7.0, 4.0)
    assert_close(a.grad, grad_of(ta), "accumulated d/da")
    assert_close(b.grad, grad_of(tb), "accumulated d/db")


def test_second_backward_on_same_graph_adds_once() -> None:
    a, b = Value(2.0), Value(3.0)
    ta, tb = leaf(2.0), leaf(3.0)
    f, tf = a * b + a, ta * tb + ta
    f.backward()
    f.backward()
    tf.backward(retain_graph=True)
    tf.backward()
    assert_close(a.grad, grad_of(ta), "d/da after two passes")
    assert_close(b.grad, grad_of(tb), "d/db after two passes")


def test_zero_power_at_zero_has_zero_gradient() -> None:
    x = Value(0.0)
    out = x**0
    out.backward()
    assert out.data == 1.0
    assert x.grad == 0.0


def test_clear_errors_for_values_outside_the_real_domain() -> None:
    with pytest.raises(ValueError, match="pow: -2.0"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="exp"):
        Value(800.0).exp()
    with pytest.raises(TypeError, match="pow"):
        Value(2.0) ** Value(2.0)  # type: ignore[operator]


def test_hundred_thousand_op_chain_needs_no_recursion() -> None:
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert y.data == 100_001.0
    assert x.grad == 100_001.0
    assert sys.getrecursionlimit() == limit
    assert limit < 100_000
