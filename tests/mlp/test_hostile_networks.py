"""Hostile networks: a submission that swaps the grader's network handlers for its own answers
gains nothing, and a malformed answer never raises in the parent.

The fixtures (``tests/catalogue/mlp/hostile/``) find the handler table through the call stack
while discovery builds them, in-process as in the sandboxed child; the in-process runs put the
table back afterwards. One fixture is also graded end to end through the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.config import load_config
from grader.mlp import check as mlp_check
from grader.mlp.probe import PROBES, in_process
from grader.sandbox.methods import METHODS
from tests.catalogue.bugs import BASE
from tests.mlp.test_mlp import engine_results, load

HOSTILE = Path(__file__).resolve().parents[1] / "catalogue" / "mlp" / "hostile"


@pytest.fixture
def tables() -> Iterator[None]:
    """The handler tables as they were, after the test."""
    probes, methods = dict(PROBES), dict(METHODS)
    yield
    PROBES.clear()
    PROBES.update(probes)
    METHODS.clear()
    METHODS.update(methods)


def source(name: str) -> str:
    return BASE.read_text() + "\n\n" + (HOSTILE / f"{name}.py").read_text()


def graded(name: str) -> dict[str, tuple[str, str]]:
    namespace, api = load(source(name))
    results = mlp_check.grade_mlp(in_process(namespace), api, engine_results(), load_config())
    return {r.id: (r.status, r.message) for r in results}


@pytest.mark.usefixtures("tables")
def test_forged_answers_pass_nothing() -> None:
    results = graded("forged_answers")
    assert PROBES["mlp.forward"].__module__ == "submission"  # the forgery did take hold
    assert {c: s for c, (s, _) in results.items() if s == "pass"} == {}
    assert results["mlp.forward"][0] == "fail"
    assert "does not depend on its Values" in results["mlp.params"][1]


@pytest.mark.usefixtures("tables")
def test_malformed_answers_are_errors_not_exceptions() -> None:
    results = graded("malformed_answers")
    assert {s for s, _ in results.values()} == {"error"}, results
    assert all("cannot use" in m for _, m in results.values())


@pytest.mark.usefixtures("tables")
def test_a_lying_trainer_does_not_pass_training() -> None:
    results = graded("lying_trainer")
    assert {c: s for c, (s, _) in results.items()} == {
        "mlp.params": "pass", "mlp.forward": "pass", "mlp.grad": "pass",
        "mlp.zero_grad": "missing", "mlp.train": "fail"}


def test_forged_answers_through_the_sandbox(tmp_path: Path) -> None:
    from grader.api import grade

    path = tmp_path / "forged.py"
    path.write_text(source("forged_answers"))
    report = grade(path, budget=1, call_seconds=2.0)
    statuses = {r.id: r.status for r in report.categories if r.id.startswith("mlp.")}
    assert len(statuses) == 5 and "pass" not in statuses.values(), statuses


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10 ** 12) | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["count", "outputs", "values", "kind", "grads", "error", "items",
                         "present", "rows", "start", "final", "steps", "layout", "paths"]),
        inner, max_size=4),
    max_leaves=12)


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["mlp.discover", "mlp.structure", "mlp.forward", "mlp.grad",
                               "mlp.outputs", "mlp.train", "mlp.neurons"]), junk=JUNK)
def test_any_malformed_answer_is_an_error_never_an_exception(method: str, junk: Any) -> None:
    namespace, api = load(BASE.read_text() + "\n\n" +
                          (HOSTILE.parent / "tanh_linear.py").read_text())
    inner = in_process(namespace)

    def call(name: str, params: dict) -> Any:
        return junk if name == method else inner(name, params)

    results = mlp_check.grade_mlp(call, api, engine_results(), load_config())
    assert len(results) == 5
    for result in results:
        assert result.message and (result.status != "error" or "cannot use" in result.message
                                   or "could not" in result.message), result
