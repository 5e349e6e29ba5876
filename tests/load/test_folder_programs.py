"""A folder of .py files is loaded as one program: the student's own package names, files that
import each other in a chain, one function per file (numpy), and what is not the submission."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.api import grade
from grader.config import MLP_WEIGHTS
from grader.load import load_submission, stubs
from tests.load.helpers import ENGINE, line_of, run

ROOT = Path(__file__).parents[2]
REFERENCE_ENGINE = (ROOT / "reference" / "engine.py").read_text(encoding="utf-8")
COURSE = ROOT / "tests" / "numpy_mode" / "correct" / "course_functions.py"

NETWORK = '''import random
from {source} import {engine}


class Neuron:
    def __init__(self, nin):
        self.w = [{engine}(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = {engine}(0.0)

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0
'''


def _package(folder: Path, source: str = "micrograd.engine") -> Path:
    """engine.py and nn.py in ``folder``, nn.py importing the engine as ``source``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "engine.py").write_text(REFERENCE_ENGINE, encoding="utf-8")
    (folder / "nn.py").write_text(NETWORK.format(source=source, engine="Value"), encoding="utf-8")
    return folder


def _forward(namespace: dict) -> object:
    model = namespace["MLP"](3, [4, 1])
    return model([1.0, -2.0, 0.5])


@pytest.mark.parametrize("graded", ["micrograd", "."])
def test_a_package_named_micrograd_loads_its_own_engine(tmp_path: Path, graded: str) -> None:
    _package(tmp_path / "micrograd")
    (tmp_path / "README.md").write_text("my micrograd\n")
    submission = load_submission(tmp_path / graded)
    assert submission.path == tmp_path / "micrograd" / "engine.py"
    assert "from micrograd.engine import" not in submission.source
    namespace = run(submission)
    assert isinstance(_forward(namespace), namespace["Value"])
    assert stubs.MISSING == []


@pytest.mark.parametrize("source", ["minigrad.engine", "micrograd_myattempt.engine", ".engine",
                                    "engine"])
def test_flat_files_with_any_package_name_load(tmp_path: Path, source: str) -> None:
    submission = load_submission(_package(tmp_path / "upload", source))
    namespace = run(submission)
    assert isinstance(_forward(namespace), namespace["Value"])
    assert stubs.MISSING == []


def test_a_module_imported_by_name_is_the_shared_namespace(tmp_path: Path) -> None:
    folder = _package(tmp_path / "upload")
    network = NETWORK.format(source="micrograd", engine="engine")
    network = network.replace("engine(", "engine.Value(").replace(
        "from micrograd import engine", "from micrograd import engine\nimport nn as network")
    (folder / "nn.py").write_text(network + "\nDEPTH = network.MLP\n", encoding="utf-8")
    namespace = run(load_submission(folder))
    assert isinstance(_forward(namespace), namespace["Value"])
    assert namespace["DEPTH"] is namespace["MLP"]
    assert stubs.MISSING == []


def test_the_real_micrograd_stays_blocked_without_a_file_of_that_name(tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "value.py").write_text(REFERENCE_ENGINE, encoding="utf-8")
    (folder / "nn.py").write_text(NETWORK.format(source="micrograd.engine", engine="Value"))
    submission = load_submission(folder)
    assert "    from micrograd.engine import Value" in submission.source  # a guarded import
    namespace = run(submission)
    assert stubs.MISSING == ["micrograd.engine"]
    assert stubs.is_missing(namespace["Value"])


def _chain(folder: Path) -> Path:
    """An engine with another name, a layer library, and a model file that only names the
    library; `random` is imported by the library only."""
    folder.mkdir()
    (folder / "scalar_engine.py").write_text(REFERENCE_ENGINE.replace("Value", "Scalar"))
    library = NETWORK.format(source="scalar_engine", engine="Scalar").split("class MLP:")[0]
    (folder / "layer_library.py").write_text(
        library + "\n\nclass Module:\n    def zero_grad(self):\n"
        "        for p in self.parameters():\n            p.grad = 0.0\n"
    )
    model = "class MLP" + NETWORK.split("class MLP")[1].split("    def zero_grad")[0]
    model = model.replace("class MLP:", "class MLP(Module):")
    (folder / "a_model.py").write_text(
        "from layer_library import Layer, Module\n\n\n" + model
        + "\n    def noise(self):\n        return random.random()\n"
    )
    return folder


def test_three_files_load_in_import_order_into_one_namespace(tmp_path: Path) -> None:
    submission = load_submission(_chain(tmp_path / "upload"))
    assert submission.notes[1] == (
        "Loaded 3 files as one program, each after the files it imports: "
        "scalar_engine.py, layer_library.py, a_model.py."
    )
    namespace = run(submission)
    model = namespace["MLP"](3, [4, 1])
    assert isinstance(model([1.0, 2.0, 3.0]), namespace["Scalar"])
    assert 0 <= model.noise() < 1  # `random`, imported by another of the student's files
    line = line_of(submission, "class MLP(Module):")
    assert submission.locate(line) == "a_model.py, line 4"


def test_what_is_not_the_submission_is_not_loaded(tmp_path: Path) -> None:
    folder = _package(tmp_path / "upload", "engine")
    broken = ENGINE.replace("self.grad += out.grad", "self.grad = 0")
    for name in (".ipynb_checkpoints/engine-checkpoint.py", "__pycache__/nn.py", ".git/x.py",
                 "test_engine.py", "engine_test.py", "setup.py", "conftest.py"):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(broken + "\nclass MLP:\n    pass\n")
    (folder / "old_engine.py").write_text(broken)  # another engine that nothing imports
    (folder / "plots.py").write_text("def plot(:\n    pass\n")  # broken, and not needed
    (folder / "script.py").write_text("def f():\n    nonlocal Value\n")  # Python refuses it
    submission = load_submission(folder)
    assert submission.notes[1] == (
        "Loaded 2 files as one program, each after the files it imports: engine.py, nn.py."
    )
    left_out = "Left out old_engine.py: another engine, which no loaded file imports."
    assert left_out in submission.notes
    assert any(n.startswith("plots.py has a syntax error on line 1") for n in submission.notes)
    refused = "Left out script.py: script.py, line 2: SyntaxError: no binding for nonlocal 'Value'"
    assert any(n.startswith(refused) for n in submission.notes)
    namespace = run(submission)
    assert isinstance(_forward(namespace), namespace["Value"])


def _one_function_per_file(folder: Path) -> Path:
    """The course's functions, each in its own file importing the functions it calls."""
    folder.mkdir()
    source = COURSE.read_text(encoding="utf-8")
    functions = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    names = {function.name for function in functions}
    for function in functions:
        calls = sorted({node.id for node in ast.walk(function)
                        if isinstance(node, ast.Name) and node.id in names} - {function.name})
        imports = "".join(f"from {name} import {name}\n" for name in calls)
        code = ast.get_source_segment(source, function)
        (folder / f"{function.name}.py").write_text(f"import numpy as np\n{imports}\n\n{code}\n")
    return folder


def test_one_function_per_file_loads_in_import_order(tmp_path: Path) -> None:
    submission = load_submission(_one_function_per_file(tmp_path / "course"))
    order = submission.notes[1].split(": ", 1)[1].rstrip(".").split(", ")
    assert sorted(order) == sorted(p.name for p in (tmp_path / "course").glob("*.py"))
    assert order.index("relu.py") < order.index("linear_activation_forward.py")
    assert order.index("linear_activation_forward.py") < order.index("L_model_forward.py")
    assert order.index("L_model_forward.py") < order.index("L_layer_model.py")
    assert submission.notes[0].startswith("Found no engine class in the folder course")


@pytest.mark.parametrize("mode", ["numpy", "auto"])
def test_a_numpy_course_folder_grades_full_marks(tmp_path: Path, mode: str) -> None:
    report = grade(_one_function_per_file(tmp_path / "course"), mode=mode, budget=5)
    assert report.gradable
    assert report.detected["mode"] == "numpy network"
    assert report.score == report.max_score == 100, report.failed()
    assert not any(note.startswith("Found no engine class") for note in report.notes)


def test_a_micrograd_package_is_graded(tmp_path: Path) -> None:
    report = grade(_package(tmp_path / "micrograd"), budget=5)
    assert report.gradable
    assert report.failed() == []
    assert all(report.category(c).status == "pass" for c in MLP_WEIGHTS)


def test_a_three_file_chain_is_graded(tmp_path: Path) -> None:
    report = grade(_chain(tmp_path / "upload"), budget=5)
    assert report.gradable
    assert report.failed() == []
    assert all(report.category(c).status == "pass" for c in MLP_WEIGHTS)


def test_a_class_above_its_base_class_is_left_out_with_the_true_reason(tmp_path: Path) -> None:
    path = tmp_path / "nn.py"
    path.write_text("class MLP(Module):\n    pass\n\n\nclass Module:\n    pass\n")
    submission = load_submission(path)
    assert "Line 1: left out the class `MLP`: it uses `Module` (line 5), defined only further " \
           "down, so running the code top to bottom stops here with a NameError. " \
           "Define it first." in submission.notes
    assert not any("only code that the grader does not run" in n for n in submission.notes)
    assert "MLP" not in run(submission) and "Module" in run(submission)


def test_files_in_other_folders_load_when_an_import_links_them(tmp_path: Path) -> None:
    folder = _package(tmp_path / "upload", "engine")
    (folder / "experiments").mkdir()
    (folder / "experiments" / "sweep.py").write_text(
        "from engine import Value\n\n\nclass MLP:\n    pass\n"
    )
    (folder / "plots").mkdir()
    (folder / "plots" / "draw.py").write_text("def draw(model):\n    return model\n")
    submission = load_submission(folder)
    assert submission.notes[1:4] == [
        "Loaded 3 files as one program, each after the files it imports: engine.py, "
        "experiments/sweep.py, nn.py.",
        "`MLP` is defined in 2 files (experiments/sweep.py, nn.py); the one in nn.py, loaded "
        "last, is graded.",
        "Left out plots/draw.py: outside the folder of engine.py, with no import between them "
        "and the loaded files.",
    ]
    namespace = run(submission)
    assert isinstance(_forward(namespace), namespace["Value"])
    assert "draw" not in namespace
