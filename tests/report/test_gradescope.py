"""results.json: Gradescope's field names and types, scores, statuses, and always valid JSON."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from grader.config import ENGINE_WEIGHTS
from grader.report import gradescope
from grader.report.gradescope import VISIBILITIES, to_gradescope, write_results
from grader.results import CategoryResult, Report
from tests.report.conftest import COUNTEREXAMPLE, LOAD_ERROR

# The spec's fields that we emit, with their JSON types.
TOP_FIELDS = {
    "score": float,
    "execution_time": int,
    "output": str,
    "output_format": str,
    "tests": list,
    "extra_data": dict,
}
TEST_FIELDS = {
    "name": str,
    "number": str,
    "score": float,
    "max_score": float,
    "status": str,
    "output": str,
    "output_format": str,
    "visibility": str,
    "tags": list,
}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def _strict_load(text: str) -> Any:
    """json.loads that refuses NaN and Infinity, as strict JSON parsers do."""

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _check_shape(doc: dict[str, Any]) -> None:
    assert set(doc) == set(TOP_FIELDS)
    for key, kind in TOP_FIELDS.items():
        assert type(doc[key]) is kind, key
    assert doc["output_format"] in FORMATS
    for test in doc["tests"]:
        assert set(test) == set(TEST_FIELDS)
        for key, kind in TEST_FIELDS.items():
            assert type(test[key]) is kind, (test["name"], key)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITIES
        assert test["output_format"] in FORMATS
        assert re.fullmatch(r"\d+\.\d+", test["number"])
        assert 0.0 <= test["score"] <= test["max_score"]


def test_every_report_has_the_spec_shape(any_report: Report) -> None:
    doc = to_gradescope(any_report)
    _check_shape(doc)
    # and survives a strict JSON round trip unchanged
    assert _strict_load(json.dumps(doc, allow_nan=False)) == doc


def test_scores_add_up(any_report: Report) -> None:
    doc = to_gradescope(any_report)
    assert math.isclose(sum(t["score"] for t in doc["tests"]), doc["score"], abs_tol=1e-9)
    assert doc["score"] == (any_report.score if any_report.gradable else 0.0)


def test_one_test_per_category_with_stable_unique_numbers(failing: Report) -> None:
    doc = to_gradescope(failing)
    assert len(doc["tests"]) == len(failing.categories)
    numbers = [t["number"] for t in doc["tests"]]
    assert len(set(numbers)) == len(numbers)
    # an op's number does not depend on what else the report holds
    alone = Report(1.0, 2.0, [failing.category("tanh")])
    assert to_gradescope(alone)["tests"][0]["number"] == doc["tests"][1]["number"]


def test_names_are_readable(failing: Report) -> None:
    names = {t["name"] for t in to_gradescope(failing)["tests"]}
    assert "tanh (a.tanh()): values and gradients" in names
    assert "mul (a * b, a * 2): values and gradients" in names


def test_statuses(passing: Report, failing: Report, missing: Report) -> None:
    assert {t["status"] for t in to_gradescope(passing)["tests"]} == {"passed"}
    by_name = {t["name"].split(" ")[0]: t for t in to_gradescope(failing)["tests"]}
    assert by_name["add"]["status"] == "passed"
    assert by_name["tanh"]["status"] == "failed"
    assert by_name["mul"]["status"] == "failed"  # partial credit is still a failure
    assert by_name["mul"]["score"] == 0.5
    statuses = [t["status"] for t in to_gradescope(missing)["tests"]]
    assert statuses == ["passed", "failed", "failed"]  # missing and error both fail


def test_weight_zero_category_still_appears(failing: Report) -> None:
    deep = next(t for t in to_gradescope(failing)["tests"] if t["name"].startswith("deep"))
    assert deep["max_score"] == 0.0
    assert deep["score"] == 0.0
    assert deep["status"] == "failed"


def test_failure_output_is_markdown_with_the_counterexample(failing: Report) -> None:
    tanh = to_gradescope(failing)["tests"][1]
    out = tanh["output"]
    assert tanh["output_format"] == "md"
    assert out.startswith("**Failed**")
    assert f"```python\n{COUNTEREXAMPLE}\n```" in out
    assert "`0.7864477329659274`" in out
    assert "`1.0`" in out
    assert "**Hint:**" in out
    # Markdown in the message is escaped; ANSI colour codes are dropped
    assert r"\_\_mul\_\_" in out
    assert r"\<module\>" in out
    assert "\x1b" not in out
    assert "[31m" not in out


def test_a_counterexample_with_backticks_gets_a_longer_fence() -> None:
    code = 'a = Value(1.0)\ns = """```"""'
    result = CategoryResult("add", "fail", 0.0, 1.0, "wrong", counterexample=code)
    out = to_gradescope(Report(0.0, 1.0, [result]))["tests"][0]["output"]
    assert f"````python\n{code}\n````" in out


def test_missing_and_error_say_so(missing: Report) -> None:
    outputs = [t["output"] for t in to_gradescope(missing)["tests"]]
    assert outputs[1].startswith("**Missing**")
    assert outputs[2].startswith("**Error**")


def test_top_level_output_summarises_and_carries_notes(failing: Report) -> None:
    doc = to_gradescope(failing)
    out = html.unescape(doc["output"])
    assert doc["output_format"] == "simple_format"
    assert "2.5 / 6" in out
    assert "tanh" in out and "mul" in out
    assert "tanh was found as Value.tanh_" in out


def test_execution_time_is_whole_seconds(passing: Report) -> None:
    assert to_gradescope(passing)["execution_time"] == 41
    passing.execution_time = float("nan")
    assert to_gradescope(passing)["execution_time"] == 0


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_visibility_is_set_on_every_test(passing: Report, visibility: str) -> None:
    doc = to_gradescope(passing, visibility=visibility)
    assert {t["visibility"] for t in doc["tests"]} == {visibility}


def test_unknown_visibility_is_refused(passing: Report, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        to_gradescope(passing, visibility="public")
    with pytest.raises(ValueError):
        write_results(passing, tmp_path / "results.json", visibility="public")


def test_ungradable_submission_scores_zero_with_the_message(
    ungradable: Report, tmp_path: Path
) -> None:
    path = write_results(ungradable, tmp_path / "results" / "results.json")
    doc = _strict_load(path.read_text(encoding="utf-8"))
    _check_shape(doc)
    assert doc["score"] == 0.0
    assert doc["tests"] == []
    assert LOAD_ERROR in html.unescape(doc["output"])
    assert "<string>" not in doc["output"]  # escaped, not taken for an HTML tag
    assert doc["extra_data"]["gradable"] is False


def test_ungradable_with_categories_zeroes_every_test(failing: Report) -> None:
    failing.gradable = False
    failing.notes = ["ImportError: no module named numpy"]
    doc = to_gradescope(failing)
    assert doc["score"] == 0.0
    assert all(t["score"] == 0.0 for t in doc["tests"])
    assert "ImportError" in doc["output"]


def test_write_results_round_trips_and_leaves_no_temporary_file(
    failing: Report, tmp_path: Path
) -> None:
    target = tmp_path / "results.json"
    target.write_text("stale", encoding="utf-8")
    assert write_results(failing, target) == target
    assert _strict_load(target.read_text(encoding="utf-8")) == to_gradescope(failing)
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_non_finite_scores_still_give_valid_json(failing: Report, tmp_path: Path) -> None:
    failing.score = float("nan")
    failing.categories[0].max_score = float("inf")
    doc = _strict_load(write_results(failing, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["score"] == 0.0


def test_a_crash_while_converting_still_writes_valid_json(
    failing: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(report: Report, *, visibility: str = "visible") -> dict[str, Any]:
        raise RuntimeError("bug in the report")

    monkeypatch.setattr(gradescope, "to_gradescope", boom)
    doc = _strict_load(write_results(failing, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["score"] == 0.0
    assert "grader failed" in doc["output"]
    assert "bug in the report" in doc["output"]


def test_control_characters_and_surrogates_are_dropped(tmp_path: Path) -> None:
    result = CategoryResult("add", "fail", 0.0, 1.0, "bad\x00 byte \ud800 here")
    path = write_results(Report(0.0, 1.0, [result]), tmp_path / "r.json")
    out = _strict_load(path.read_bytes().decode("utf-8"))["tests"][0]["output"]
    assert out == "**Failed**: bad byte  here"


def test_long_output_is_cut() -> None:
    result = CategoryResult("add", "fail", 0.0, 1.0, "wrong", output="x" * 100_000)
    out = to_gradescope(Report(0.0, 1.0, [result]))["tests"][0]["output"]
    assert len(out) < 10_000
    assert "more characters cut" in out


def test_numbers_follow_the_rubric_order() -> None:
    ids = ["api", "tanh", "deep", "mlp"]
    report = Report(0.0, 0.0, [CategoryResult(i, "pass", 0.0, 0.0, "ok") for i in ids])
    numbers = [t["number"] for t in to_gradescope(report)["tests"]]
    assert numbers[:2] == ["1.1", "1.14"]
    assert numbers[3] == "2.1"


def test_every_engine_category_has_a_title() -> None:
    for category in ENGINE_WEIGHTS:
        title = gradescope.category_title(category)
        assert title != category and ":" in title


def test_a_confirmed_misconception_is_a_tag(failing: Report, passing: Report) -> None:
    tests = {t["name"].split(" ")[0]: t for t in to_gradescope(failing)["tests"]}
    assert tests["tanh"]["tags"] == ["d/dx tanh(x) = 1 - tanh(x)**2"]
    assert tests["add"]["tags"] == []  # passed: no misconception
    assert all(t["tags"] == [] for t in to_gradescope(passing)["tests"])


def test_a_long_hint_is_tagged_by_its_first_sentence() -> None:
    hint = (
        "In __add__'s _backward, did you write `self.grad += out.grad` twice? The second "
        "line must be `other.grad += out.grad`."
    )
    result = CategoryResult("radd", "fail", 0.0, 2.0, "wrong", hint=hint)
    report = Report(0.0, 2.0, [result])
    (test,) = to_gradescope(report)["tests"]
    assert test["tags"] == ["In __add__'s _backward, did you write `self.grad += out.grad` twice?"]
    result.hint = "x" * 200
    (test,) = to_gradescope(report)["tests"]
    assert len(test["tags"][0]) == 80 and test["tags"][0].endswith("...")
