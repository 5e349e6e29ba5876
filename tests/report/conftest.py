"""Reports built by hand: one passing, one failing with a counterexample, one with a missing
category and an error, and one ungradable."""

from __future__ import annotations

import pytest

from grader.results import CategoryResult, Report

COUNTEREXAMPLE = "a = Value(0.5)\nout = a.tanh()\nout.backward()"
LOAD_ERROR = 'SyntaxError: invalid syntax (File "<string>", line 3)'


def _passing() -> Report:
    return Report(
        score=5.0,
        max_score=5.0,
        categories=[
            CategoryResult("add", "pass", 2.0, 2.0, "all 200 graphs agree with torch"),
            CategoryResult("tanh", "pass", 2.0, 2.0, "all 200 graphs agree with torch"),
            CategoryResult("deep", "pass", 0.0, 0.0, "a chain of 5000 nodes backpropagates"),
            CategoryResult("mlp", "pass", 1.0, 1.0, "the loss falls on two moons"),
        ],
        detected={"engine class": "Value"},
        seed=1234,
        submission="engine.py",
        execution_time=41.4,
    )


def _failing() -> Report:
    return Report(
        score=2.5,
        max_score=6.0,
        categories=[
            CategoryResult("add", "pass", 2.0, 2.0, "all 200 graphs agree with torch"),
            CategoryResult(
                "tanh",
                "fail",
                0.0,
                2.0,
                "a.grad is wrong after out.backward() (see __mul__ and <module>)",
                counterexample=COUNTEREXAMPLE,
                expected="0.7864477329659274",
                got="1.0",
                hint="d/dx tanh(x) = 1 - tanh(x)**2",
                output="debug print from the student\x1b[31m red \x1b[0m",
            ),
            CategoryResult("mul", "fail", 0.5, 1.0, "a * 2.0 is right, a * b is not"),
            CategoryResult("deep", "fail", 0.0, 0.0, "RecursionError on a chain of 5000 nodes"),
        ],
        notes=["tanh was found as Value.tanh_"],
        seed=7,
        execution_time=12.6,
    )


def _missing() -> Report:
    return Report(
        score=2.0,
        max_score=4.0,
        categories=[
            CategoryResult("add", "pass", 2.0, 2.0, "all 200 graphs agree with torch"),
            CategoryResult("sigmoid", "missing", 0.0, 1.0, "Value has no sigmoid method"),
            CategoryResult(
                "relu", "error", 0.0, 1.0, "relu raised ZeroDivisionError: division by zero"
            ),
        ],
        execution_time=3.2,
    )


def _ungradable() -> Report:
    return Report(
        score=0.0,
        max_score=6.0,
        categories=[],
        notes=[LOAD_ERROR],
        gradable=False,
        execution_time=0.4,
    )


@pytest.fixture
def passing() -> Report:
    return _passing()


@pytest.fixture
def failing() -> Report:
    return _failing()


@pytest.fixture
def missing() -> Report:
    return _missing()


@pytest.fixture
def ungradable() -> Report:
    return _ungradable()


@pytest.fixture(params=["passing", "failing", "missing", "ungradable"])
def any_report(request: pytest.FixtureRequest) -> Report:
    factory = {"passing": _passing, "failing": _failing, "missing": _missing}
    return factory.get(request.param, _ungradable)()
