"""The MLP categories on the catalogue, in process (the probes run as the sandbox would)."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.config import ENGINE_WEIGHTS, load_config
from grader.discover.api import EngineAPI
from grader.evaluate.calls import probe_shape
from grader.evaluate.runner import RunnerError, discovery_result
from grader.mlp import MLP_CATEGORIES, MLP_WEIGHTS
from grader.mlp import check as mlp_check
from grader.mlp import corrected as corrected_module
from grader.mlp.checks import Checks, Correction
from grader.mlp.corrected import corrected_engine
from grader.mlp.probe import in_process
from grader.ops import OP_CATEGORIES
from grader.results import CategoryResult
from tests.catalogue.bugs import BASE, FLOAT32, mutate
from tests.mlp.catalogue import BUGGY, CATEGORIES, CORRECT, ENTRIES, NN, Entry, source

CORRECT_ENGINES = Path(__file__).resolve().parents[1] / "catalogue" / "correct"


def load(text: str) -> tuple[dict[str, Any], EngineAPI]:
    namespace: dict[str, Any] = {"__name__": "submission"}
    exec(compile(text, "submission.py", "exec"), namespace)
    found = discovery_result(namespace, {})
    assert found["ok"], found
    return namespace, EngineAPI.from_dict(found["api"])


def engine_results(fails: frozenset[str] = frozenset()) -> dict[str, CategoryResult]:
    return {c: CategoryResult(c, "fail" if c in fails else "pass", 0.0, 5.0, "")
            for c in ENGINE_WEIGHTS}


@functools.cache
def graded(name: str) -> dict[str, CategoryResult]:
    return grade_entry(next(e for e in ENTRIES if e.name == name))


def grade_entry(entry: Entry, **names: Any) -> dict[str, CategoryResult]:
    namespace, api = load(source(entry))
    config = load_config(names={**entry.overrides, **names})
    results = mlp_check.grade_mlp(in_process(namespace), api, engine_results(entry.engine_fails),
                                  config)
    return {r.id: r for r in results}


def test_catalogue_is_well_formed() -> None:
    assert len(BUGGY) >= 10 and len(CORRECT) >= 14
    assert len({e.name for e in ENTRIES}) == len(ENTRIES)
    for entry in ENTRIES:
        assert set(entry.verdicts) == set(CATEGORIES), entry.name
        assert set(entry.hints) <= set(CATEGORIES), entry.name
        assert entry.description.strip(), entry.name
        compile(source(entry), entry.name, "exec")  # every mutation applies exactly once
    assert tuple(CATEGORIES) == MLP_CATEGORIES == tuple(MLP_WEIGHTS)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_entry_gets_its_verdicts(entry: Entry) -> None:
    results = graded(entry.name)
    got = {c: r.status for c, r in results.items()}
    wrong = {c: results[c].message for c in got if got[c] != entry.verdicts[c]}
    assert not wrong, wrong
    for category, text in entry.hints.items():
        said = f"{results[category].message} {results[category].hint or ''}"
        assert text in said, f"{category}: {said}"
    for result in results.values():
        assert result.max_score == MLP_WEIGHTS[result.id]
        assert result.score == (result.max_score if result.status == "pass" else 0.0)
        assert result.message
        if result.status == "fail":
            assert result.counterexample or result.got or result.hint, result


def test_reference_gets_full_marks() -> None:
    results = graded("reference")
    assert sum(r.score for r in results.values()) == sum(MLP_WEIGHTS.values()) == 25


def test_counterexample_reproduces_the_wrong_output() -> None:
    entry = next(e for e in ENTRIES if e.name == "add_wx")
    forward = graded(entry.name)["mlp.forward"]
    assert forward.counterexample is not None and forward.got is not None
    namespace, _ = load(source(entry))
    *lines, last = forward.counterexample.splitlines()
    exec("\n".join(lines), namespace)
    out = eval(last, namespace)
    assert f"{out.data:.10g}" == forward.got


def test_without_mlp_every_category_is_missing() -> None:
    namespace, api = load(BASE.read_text())
    results = mlp_check.grade_mlp(in_process(namespace), api, engine_results(), load_config())
    assert [r.status for r in results] == ["missing"] * len(MLP_CATEGORIES)
    assert all("network" in r.message and r.score == 0 for r in results)


def test_the_network_is_found_by_what_it_is() -> None:
    renamed = Entry("renamed", "MLP called Thing.", "tanh_linear", {},
                    (("class MLP(Module):", "class Thing(Module):"),))
    results = grade_entry(renamed)
    assert {r.status for r in results.values()} == {"pass"}
    assert "Thing(3, [4, 4, 1])" in results["mlp.params"].message
    assert {r.status for r in grade_entry(renamed, mlp_class="Nothing").values()} == {"missing"}


def test_the_rubric_gives_the_constructor_call() -> None:
    entry = next(e for e in ENTRIES if e.name == "hidden_nout_act")
    namespace, api = load(source(entry))
    config = load_config(mlp_call="MLP({nin}, {hidden}, {nout}, 'relu')")
    results = {r.id: r for r in mlp_check.grade_mlp(in_process(namespace), api,
                                                    engine_results(), config)}
    assert {r.status for r in results.values()} == {"pass"}
    assert "MLP(3, [4, 4], 1, 'relu')" in results["mlp.params"].message
    assert "relu in the hidden layers" in results["mlp.forward"].message
    broken = load_config(mlp_call="MLP({nin})")
    results = {r.id: r for r in mlp_check.grade_mlp(in_process(namespace), api,
                                                    engine_results(), broken)}
    assert {r.status for r in results.values()} == {"fail"}
    assert "building MLP(3) raised TypeError" in results["mlp.params"].message


def test_a_runner_error_is_an_error_of_that_category() -> None:
    namespace, api = load(source(next(e for e in ENTRIES if e.name == "tanh_linear")))
    inner = in_process(namespace)

    def call(method: str, params: dict) -> Any:
        if method == "mlp.grad":
            raise RunnerError("timeout", "the child took longer than 10 s", "printed")
        return inner(method, params)

    results = {r.id: r for r in mlp_check.grade_mlp(call, api, engine_results(), load_config())}
    assert results["mlp.grad"].status == "error" and results["mlp.grad"].score == 0
    assert "10 s" in results["mlp.grad"].message and results["mlp.grad"].output == "printed"
    assert results["mlp.forward"].status == results["mlp.train"].status == "pass"


def test_a_corrected_engine_that_cannot_run_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine(*args: Any) -> None:
        raise RuntimeError("no engine")

    monkeypatch.setattr(corrected_module, "probe_shape", no_engine)
    results = grade_entry(next(e for e in ENTRIES if e.name == "engine_tanh_grad"))
    grad = results["mlp.grad"]
    assert grad.status == "error" and grad.score == 0
    assert "corrected engine" in grad.message and "tanh" in grad.message
    assert results["mlp.forward"].status == "pass"  # passed cleanly with the student's engine


@pytest.mark.parametrize(
    ("engine", "replacements"),
    [
        ("value_attr.py", ()),
        ("backprop_name.py", ()),
        ("sig_relu_names.py", (("act.relu()", "act.ReLU()"),)),
        ("gradient_attr.py", (("p.grad = 0", "p.gradient = 0"),)),
    ],
)
def test_the_corrected_engine_answers_to_the_students_names(
    engine: str, replacements: tuple[tuple[str, str], ...]
) -> None:
    nn = (NN / "micrograd_relu.py").read_text()
    for old, new in replacements:
        nn = nn.replace(old, new)
    namespace, api = load((CORRECT_ENGINES / engine).read_text() + "\n\n" + nn)
    found = in_process(namespace)("mlp.discover", {"overrides": {}, "api": api.to_dict(),
                                                   "shape": [3, [4, 4, 1]]})
    cls = namespace[api.class_name]
    before = dict(vars(cls))
    checks = Checks(in_process(namespace), api, found, load_config(),
                    Correction(OP_CATEGORIES, traverse=True))
    verdicts, used = mlp_check._run(checks, MLP_CATEGORIES)
    assert {c: v.status for c, v in verdicts.items()} == dict.fromkeys(MLP_CATEGORIES, "pass")
    assert {"add", "mul", "relu", "backward"} <= used["mlp.grad"]
    assert namespace[api.class_name] is cls and dict(vars(cls)) == before  # put back


def test_the_stand_ins_answer_to_the_students_names_and_record() -> None:
    namespace, api = load((CORRECT_ENGINES / "sig_relu_names.py").read_text())
    cls = namespace["Value"]
    before = dict(vars(cls))
    with corrected_engine(cls, api, list(OP_CATEGORIES), True) as used:
        a, b = cls(0.5), cls(-1.5)
        out = (a * b + 2.0).sig() - a.ReLU()
        out.backward()
        assert isinstance(out, cls) and vars(cls)["sig"] is not before["sig"]
    assert used == {"mul", "add", "sigmoid", "relu", "sub", "backward"}
    s = 1 / (1 + math.exp(-1.25))  # sigmoid(0.5 * -1.5 + 2)
    assert abs(a.grad - (s * (1 - s) * -1.5 - 1)) < 1e-12
    assert dict(vars(cls)) == before  # everything put back


@pytest.mark.parametrize("traverse", [False, True])
def test_only_the_failed_parts_are_replaced(traverse: bool) -> None:
    """An engine whose tanh gradient is wrong: with tanh corrected, the student's own mul,
    add and backward() run, and give the right gradient."""
    namespace, api = load(source(next(e for e in ENTRIES if e.name == "engine_tanh_grad")))
    cls = namespace["Value"]
    student_mul = cls.__mul__
    with corrected_engine(cls, api, ["tanh"], traverse) as used:
        assert cls.__mul__.__name__ == ("mul" if traverse else "__mul__")  # stand-in's
        a = cls(0.3)
        out = (a * 2.0).tanh()
        out.backward()
    assert used == {"mul", "tanh", "backward"}
    assert abs(a.grad - 2 * (1 - math.tanh(0.6) ** 2)) < 1e-12
    assert cls.__mul__ is student_mul


def test_nodes_that_cannot_be_probed_get_the_graders_own_attributes() -> None:
    """Leaves without a closure: no node shows where it keeps its closure, so every op and
    backward() are corrected, the links kept under the grader's own names."""
    text = BASE.read_text().replace("self._backward = lambda: None", "self._backward = None")
    text = text.replace("            v._backward()", "            if v._backward:\n"
                                                    "                v._backward()")
    namespace, api = load(text)
    cls = namespace["Value"]
    assert probe_shape(cls, api) is None
    before = dict(vars(cls))
    with corrected_engine(cls, api, ["tanh"], False) as used:
        a, b = cls(0.4), cls(-0.7)
        out = (a * b + 1.0).tanh()
        out.backward()
        assert hasattr(out, "_grader_children") and hasattr(out, "_grader_backward")
    assert used == {"mul", "add", "tanh", "backward"}
    assert abs(a.grad - (1 - math.tanh(0.72) ** 2) * -0.7) < 1e-12
    assert dict(vars(cls)) == before


def test_a_float32_engine_is_corrected_with_the_value_basics() -> None:
    """An engine storing float32 fails api under precision = "float64": the network is
    re-checked with every op, backward() and the Value basics corrected, in float64."""
    engine = mutate(FLOAT32, BASE.read_text())
    namespace, api = load(engine + "\n\n" + (NN / "tanh_linear.py").read_text())
    call = in_process(namespace)
    alone = {r.id: r for r in mlp_check.grade_mlp(call, api, engine_results(), load_config())}
    results = {r.id: r for r in mlp_check.grade_mlp(call, api, engine_results(frozenset({"api"})),
                                                    load_config())}
    assert alone["mlp.grad"].status == "fail"  # float32 gradients, at float64's tolerance
    assert {c: r.status for c, r in results.items()} == dict.fromkeys(MLP_CATEGORIES, "pass")
    assert "because your api failed" in results["mlp.grad"].message


def test_a_missing_op_is_corrected_under_its_own_name() -> None:
    namespace, api = load(BASE.read_text().replace("    def relu(self):", "    def _relu(self):"))
    assert "relu" not in api.methods
    cls = namespace["Value"]
    with corrected_engine(cls, api, ["relu"], False):
        a = cls(-0.5)
        out = (a * -2.0).relu()
        out.backward()
    assert (out.data, a.grad) == (1.0, -2.0) and not hasattr(cls, "relu")


def test_a_request_the_child_does_not_understand_is_refused() -> None:
    namespace, api = load(BASE.read_text())
    for categories, traverse in ((["tanh", "import os"], False), ("tanh", False),
                                 (["tanh"], "yes")):
        with pytest.raises(ValueError), corrected_engine(namespace["Value"], api, categories,
                                                         traverse):
            pass


def test_probes_import_nothing_heavy() -> None:
    code = ("import sys, grader.mlp.probe; "
            "print(sorted(m for m in ('torch', 'numpy', 'hypothesis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
