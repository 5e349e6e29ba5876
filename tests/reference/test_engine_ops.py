"""Every op of the reference Value, in every form, against torch float64 (value and gradient)."""

from __future__ import annotations

import operator
from typing import Callable

import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from reference.engine import Value
from tests.reference.helpers import FAST, assert_close, grad_of, leaf


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


@pytest.mark.parametrize("form", ["Value op Value", "Value op number", "number op Value"])
@pytest.mark.parametrize("symbol", list(BINARY))
@FAST
@given(a=floats(-10, 10), b=floats(-10, 10))
def test_binary_op_matches_torch(symbol: str, form: str, a: float, b: float) -> None:
    if symbol == "/":
        assume(abs(b) > 1e-3)
    op = BINARY[symbol]
    x, y = Value(a), Value(b)
    ta, tb = leaf(a), leaf(b)
    if form == "Value op Value":
        out, want = op(x, y), op(ta, tb)
    elif form == "Value op number":
        out, want = op(x, b), op(ta, b)
    else:
        out, want = op(a, y), op(a, tb)
    assert isinstance(out, Value)
    out.backward()
    want.backward()
    assert_close(out.data, want, f"{a} {symbol} {b} ({form})")
    if form != "number op Value":
        assert_close(x.grad, grad_of(ta), f"d/da of a {symbol} b ({form})")
    if form != "Value op number":
        assert_close(y.grad, grad_of(tb), f"d/db of a {symbol} b ({form})")


@FAST
@given(a=floats(-1e6, 1e6))
def test_negation_matches_torch(a: float) -> None:
    x, ta = Value(a), leaf(a)
    out, want = -x, -ta
    out.backward()
    want.backward()
    assert_close(out.data, want, "-a")
    assert_close(x.grad, grad_of(ta), "d/da of -a")


def nonzero(lo: float, hi: float) -> st.SearchStrategy[float]:
    return floats(lo, hi).filter(lambda v: abs(v) > 1e-2)


@FAST
@given(a=nonzero(-5, 5), exponent=st.integers(-4, 5))
def test_int_power_matches_torch(a: float, exponent: int) -> None:
    check_power(a, exponent)


@FAST
@given(a=nonzero(-5, 5), exponent=st.integers(-4, -1))
def test_negative_int_power_matches_torch(a: float, exponent: int) -> None:
    check_power(a, exponent)


@FAST
@given(a=floats(1e-2, 10), exponent=floats(-3, 3))
def test_float_power_matches_torch(a: float, exponent: float) -> None:
    check_power(a, exponent)


@pytest.mark.parametrize("exponent", [1, 2, 3, 2.0, 1.5])
def test_power_at_zero_matches_torch(exponent: float) -> None:
    check_power(0.0, exponent)


def check_power(a: float, exponent: float) -> None:
    x, ta = Value(a), leaf(a)
    out, want = x**exponent, ta**exponent
    out.backward()
    want.backward()
    assert_close(out.data, want, f"{a} ** {exponent}")
    assert_close(x.grad, grad_of(ta), f"d/da of {a} ** {exponent}")


TORCH_UNARY: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "exp": torch.exp,
    "log": torch.log,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
}

DOMAINS = {
    "exp": floats(-50, 50),
    "log": floats(1e-6, 1e6),
    "tanh": floats(-20, 20),
    "sigmoid": floats(-50, 50),
    "relu": floats(-10, 10),
}


@pytest.mark.parametrize("name", list(TORCH_UNARY))
@FAST
@given(data=st.data())
def test_unary_op_matches_torch(name: str, data: st.DataObject) -> None:
    a = data.draw(DOMAINS[name], label="a")
    check_unary(name, a)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("a", [0.0, -0.0])
def test_unary_op_at_zero_matches_torch(name: str, a: float) -> None:
    check_unary(name, a)


def check_unary(name: str, a: float) -> None:
    x, ta = Value(a), leaf(a)
    out, want = getattr(x, name)(), TORCH_UNARY[name](ta)
    out.backward()
    want.backward()
    assert out._op == name
    assert_close(out.data, want, f"{name}({a})")
    assert_close(x.grad, grad_of(ta), f"d/da of {name}({a})")


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("a", [-1e3, -750.0, -710.0, -30.0, 30.0, 710.0, 750.0, 1e3])
def test_saturating_ops_do_not_overflow(name: str, a: float) -> None:
    check_unary(name, a)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@FAST
@given(a=floats(-1e3, 1e3))
def test_saturating_ops_match_torch_on_wide_range(name: str, a: float) -> None:
    check_unary(name, a)


@pytest.mark.parametrize("a", [0.0, -0.0, -1.0, -2.5, -1e300])
def test_log_of_non_positive_raises_naming_op_and_value(a: float) -> None:
    with pytest.raises(ValueError) as info:
        Value(a).log()
    message = str(info.value)
    assert "log" in message
    assert repr(a) in message or str(a) in message


@pytest.mark.parametrize("exponent", [-1, -2, -0.5, -3.0])
def test_zero_to_negative_power_raises_naming_op_and_value(exponent: float) -> None:
    with pytest.raises(ZeroDivisionError) as info:
        Value(0.0) ** exponent
    message = str(info.value)
    assert "pow" in message
    assert "0" in message
    assert str(exponent) in message
