"""student_template: imports cleanly, mirrors the reference API, and nothing is pre-solved."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

import reference.engine
import reference.nn

TEMPLATE = Path(__file__).resolve().parents[2] / "student_template"


def template(name: str) -> ModuleType:
    return importlib.import_module(f"student_template.{name}")


def public_methods(cls: type) -> set[str]:
    """Methods defined on cls itself, without private helpers (dunders are kept)."""
    return {
        name
        for name, member in vars(cls).items()
        if callable(member) and (not name.startswith("_") or name.endswith("__"))
    }


def test_template_files_import_side_by_side_as_a_student_runs_them() -> None:
    code = "import engine, nn; v = engine.Value(2.0); print(v.data, v.grad, nn.MLP.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=TEMPLATE, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2.0", "0.0", "MLP"]


def test_readme_names_the_checking_commands() -> None:
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    for command in [
        "grader check engine.py",
        "python -m grader check engine.py",
        "grader check notebook.ipynb",
        "from grader import check",
        "check(Value)",
    ]:
        assert command in readme


def test_value_construction_works() -> None:
    Value = template("engine").Value
    v = Value(3)
    assert v.data == 3.0
    assert isinstance(v.data, float)
    assert v.grad == 0.0


def test_engine_has_every_reference_method_with_the_same_signature() -> None:
    ours, theirs = reference.engine.Value, template("engine").Value
    assert public_methods(ours) <= public_methods(theirs)
    for name in public_methods(ours):
        got = list(inspect.signature(getattr(theirs, name)).parameters)
        want = list(inspect.signature(getattr(ours, name)).parameters)
        assert got == want, name


ENGINE_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "__add__": lambda a, b: a + b,
    "__add__ number": lambda a, b: a + 1,
    "__radd__": lambda a, b: 1 + a,
    "__mul__": lambda a, b: a * b,
    "__mul__ number": lambda a, b: a * 2,
    "__rmul__": lambda a, b: 2 * a,
    "__neg__": lambda a, b: -a,
    "__sub__": lambda a, b: a - b,
    "__sub__ number": lambda a, b: a - 1,
    "__rsub__": lambda a, b: 1 - a,
    "__truediv__": lambda a, b: a / b,
    "__truediv__ number": lambda a, b: a / 2,
    "__rtruediv__": lambda a, b: 2 / a,
    "__pow__": lambda a, b: a**2,
    "__pow__ negative": lambda a, b: a**-1,
    "__pow__ float": lambda a, b: a**0.5,
    "exp": lambda a, b: a.exp(),
    "log": lambda a, b: a.log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
    "backward": lambda a, b: a.backward(),
}


ENGINE_METHODS = sorted(public_methods(reference.engine.Value) - {"__init__", "__repr__"})


def test_every_reference_op_is_exercised_here() -> None:
    assert {name.split()[0] for name in ENGINE_OPS} == set(ENGINE_METHODS)


@pytest.mark.parametrize("op", list(ENGINE_OPS))
def test_every_engine_op_raises_not_implemented(op: str) -> None:
    Value = template("engine").Value
    with pytest.raises(NotImplementedError):
        ENGINE_OPS[op](Value(2.0), Value(3.0))


@pytest.mark.parametrize("name", ENGINE_METHODS)
def test_every_engine_method_documents_its_rule(name: str) -> None:
    doc = inspect.getdoc(getattr(template("engine").Value, name)) or ""
    assert len(doc) > 20, name


NN_CLASSES = ["Module", "Neuron", "Layer", "MLP"]
CONSTRUCT: dict[str, Callable[[Any], Any]] = {
    "Neuron": lambda cls: cls(3),
    "Layer": lambda cls: cls(3, 2),
    "MLP": lambda cls: cls(3, [4, 1]),
}


@pytest.mark.parametrize("cls", NN_CLASSES)
def test_nn_class_mirrors_the_reference(cls: str) -> None:
    ours, theirs = getattr(reference.nn, cls), getattr(template("nn"), cls)
    assert issubclass(theirs, template("nn").Module)
    for name in public_methods(ours) - {"__repr__"}:
        assert name in vars(theirs), f"{cls}.{name}"
        got = list(inspect.signature(getattr(theirs, name)).parameters)
        assert got == list(inspect.signature(getattr(ours, name)).parameters), f"{cls}.{name}"


@pytest.mark.parametrize("cls", NN_CLASSES)
def test_every_nn_method_raises_not_implemented(cls: str) -> None:
    nn = template("nn")
    klass = getattr(nn, cls)
    if cls in CONSTRUCT:
        with pytest.raises(NotImplementedError):
            CONSTRUCT[cls](klass)
    blank = object.__new__(klass)  # skip __init__ to reach the other methods
    for name in sorted(vars(klass)):
        method = vars(klass)[name]
        if not callable(method) or name == "__init__":
            continue
        assert inspect.getdoc(method), f"{cls}.{name} has no docstring"
        args = [[1.0, 2.0, 3.0]] if name == "__call__" else []
        with pytest.raises(NotImplementedError):
            getattr(blank, name)(*args)
    if cls == "Module":
        with pytest.raises(NotImplementedError):
            nn.Module().zero_grad()
