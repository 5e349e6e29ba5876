"""Activations written as static (or class) methods, used as ``Value.tanh(x)``: the grader calls
them that way, so a correct engine passes and a real bug in one still fails, alone."""

from __future__ import annotations

from pathlib import Path

from grader import grade
from grader.ops import apply, call_method, takes_value

ROOT = Path(__file__).resolve().parents[2]
HELPER = (ROOT / "tests" / "catalogue" / "correct" / "unary_helper.py").read_text()
NETWORK = (ROOT / "tests" / "load" / "test_folder_programs.py").read_text()
NETWORK = NETWORK.split("NETWORK = '''")[1].split("'''")[0].split("\n", 2)[2]  # no imports


def _static(text: str) -> str:
    """The helper engine with tanh and sigmoid static and relu a class method."""
    for name in ("tanh", "sigmoid"):
        text = text.replace(
            f"    def {name}(self):\n        return self._unary(",
            f"    @staticmethod\n    def {name}(v):\n        return v._unary(",
        )
    text = text.replace(
        "    def relu(self):\n        return self._unary(",
        "    @classmethod\n    def relu(cls, v):\n        return v._unary(",
    )
    assert text.count("@staticmethod") == 2 and "@classmethod" in text
    return text


def test_call_method_calls_a_static_method_with_the_value():
    namespace: dict = {}
    exec(_static(HELPER), namespace)
    value = namespace["Value"]
    assert takes_value(value, "tanh") and takes_value(value, "relu")
    assert not takes_value(value, "exp")
    assert call_method(value(0.0), "tanh").data == 0.0
    assert call_method(value(-1.0), "relu").data == 0.0
    assert apply("sigmoid", value(0.0), method="sigmoid").data == 0.5
    assert apply("exp", value(0.0), method="exp").data == 1.0


def test_static_activations_pass_and_the_network_using_them_too(tmp_path):
    act = "sum((wi * xi for wi, xi in zip(self.w, x)), self.b)"
    network = NETWORK.format(engine="Value").replace(f"{act}.tanh()", f"Value.tanh({act})")
    assert "Value.tanh(sum(" in network
    path = tmp_path / "engine.py"
    path.write_text("import random\n\n" + _static(HELPER) + "\n\n" + network)
    report = grade(path)
    failed = [c.id for c in report.categories if c.status != "pass" and c.max_score > 0]
    assert failed == []
    assert report.detected["tanh"] == "Value.tanh(x)"
    assert report.detected["relu"] == "Value.relu(x)"


def test_a_bug_in_a_static_activation_still_fails_alone(tmp_path):
    buggy = _static(HELPER).replace("lambda x, y: float(x > 0)", "lambda x, y: 1.0")
    path = tmp_path / "engine.py"
    path.write_text(buggy)
    report = grade(path)
    failed = [c.id for c in report.categories if c.status == "fail" and c.max_score > 0]
    assert failed == ["relu"]
    assert "Value.relu(a)" in (report.category("relu").counterexample or "")
