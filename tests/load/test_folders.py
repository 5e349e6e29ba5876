"""Choosing the file that holds the engine in a submitted folder."""

from __future__ import annotations

import shutil

import pytest

from grader.load import LoadError, load_submission
from tests.load.helpers import ENGINE, FIXTURES, write_notebook

RICHER = ENGINE.replace(
    "    def backward(self):",
    "    def __mul__(self, other):\n        return Value(self.data * other.data)\n\n"
    "    def backward(self):",
)


def test_py_file_wins_a_tie_with_a_notebook(tmp_path):
    (tmp_path / "engine.py").write_text(ENGINE + "\n")
    write_notebook(tmp_path / "homework.ipynb", [ENGINE])
    submission = load_submission(tmp_path)
    assert submission.path == tmp_path / "engine.py"
    assert submission.notes[0] == (
        "Graded engine.py: it defines the engine class `Value`. Other files that also define an "
        "engine: homework.ipynb (`Value`); engine.py won because a .py file is preferred over a "
        "notebook when both define the engine equally."
    )


def test_the_fuller_engine_wins_over_file_type(tmp_path):
    (tmp_path / "engine.py").write_text(ENGINE + "\n")
    write_notebook(tmp_path / "homework.ipynb", [RICHER])
    submission = load_submission(tmp_path)
    assert submission.path == tmp_path / "homework.ipynb"
    assert "more operations (3 against 2)" in submission.notes[0]


def test_a_class_named_value_wins_over_a_lookalike(tmp_path):
    (tmp_path / "a_scalar.py").write_text(RICHER.replace("Value", "Scalar") + "\n")
    sub = tmp_path / "src"
    sub.mkdir()
    (sub / "value.py").write_text(ENGINE + "\n")
    submission = load_submission(tmp_path)
    assert submission.path == sub / "value.py"
    assert submission.notes[0].startswith(
        "Graded src/value.py: it defines the engine class `Value`."
    )
    assert "matches better" in submission.notes[0]


def test_engine_hint_picks_the_named_class(tmp_path):
    (tmp_path / "engine.py").write_text(RICHER + "\n")
    (tmp_path / "tensor.py").write_text(ENGINE.replace("Value", "Scalar") + "\n")
    assert load_submission(tmp_path, engine_hint="Scalar").path == tmp_path / "tensor.py"
    assert load_submission(tmp_path).path == tmp_path / "engine.py"


def test_lookalike_class_is_found_without_the_name(tmp_path):
    (tmp_path / "helpers.py").write_text("def plot(x):\n    return x\n")
    (tmp_path / "node.py").write_text(
        ENGINE.replace("Value", "Node").replace("def backward", "def backprop") + "\n"
    )
    assert load_submission(tmp_path).path == tmp_path / "node.py"


def test_skips_hidden_folders_venvs_and_checkpoints(tmp_path):
    shutil.copytree(FIXTURES / "helper_and_notebook", tmp_path / "sub")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "engine.py").write_text(RICHER + "\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "engine.py").write_text(RICHER + "\n")
    assert load_submission(tmp_path).path == tmp_path / "sub" / "homework.ipynb"


def test_folder_without_an_engine(tmp_path):
    shutil.copy(FIXTURES / "notebook_numpy_mlp.ipynb", tmp_path)
    (tmp_path / "helpers.py").write_text("def plot(x):\n    return x\n")
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(LoadError) as caught:
        load_submission(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"Found no autograd engine in the folder {tmp_path.name}:")
    assert "broken.ipynb, helpers.py, notebook_numpy_mlp.ipynb" in message
    assert "a class named `Value`, or a class with an `__add__` method and a `backward`" in message
    assert "Could not read broken.ipynb." in message


def test_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(LoadError, match="has no .py files or .ipynb notebooks"):
        load_submission(tmp_path)


def test_engine_with_a_syntax_error_is_still_chosen_and_reported(tmp_path):
    (tmp_path / "helpers.py").write_text("def plot(x):\n    return x\n")
    (tmp_path / "engine.py").write_text(ENGINE.replace("def backward(self):", "def backward(self)"))
    with pytest.raises(LoadError) as caught:
        load_submission(tmp_path)
    assert str(caught.value).startswith("engine.py, line 18: SyntaxError:")


def test_links_out_of_the_folder_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(ENGINE.replace("Value", "Secret") + "\n")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "engine.py").symlink_to(outside / "secret.py")
    with pytest.raises(LoadError, match="has no .py files or .ipynb notebooks"):
        load_submission(folder)
