"""Every problem is a LoadError whose message names the file, cell and line, and what to do."""

from __future__ import annotations

import json

import pytest

from grader.load import LoadError, load_submission, loader
from tests.load.helpers import ENGINE, run, write_notebook


def message_of(path, **options) -> str:
    with pytest.raises(LoadError) as caught:
        load_submission(path, **options)
    return str(caught.value)


def test_missing_file(tmp_path):
    assert message_of(tmp_path / "nope.ipynb").endswith(
        "nope.ipynb does not exist. Check the file name and folder, then resubmit."
    )


def test_wrong_kind_of_file(tmp_path):
    (tmp_path / "engine.txt").write_text(ENGINE)
    (tmp_path / "homework.zip").write_bytes(b"PK")
    assert "engine.txt is not a Python file or a Jupyter notebook" in message_of(
        tmp_path / "engine.txt"
    )
    assert "Extract the archive" in message_of(tmp_path / "homework.zip")


def test_unreadable_notebooks(tmp_path):
    (tmp_path / "bad.ipynb").write_text('{"cells": [\n  {"cell_type": "code",,}]}')
    message = message_of(tmp_path / "bad.ipynb")
    assert message.startswith("bad.ipynb is not a readable notebook: it is not valid JSON (line 2,")
    assert "save it again" in message
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    assert message_of(tmp_path / "list.ipynb").startswith("list.ipynb is not a readable notebook (")
    (tmp_path / "latin.ipynb").write_bytes(b'{"x": "\xe9"}')
    assert "not UTF-8" in message_of(tmp_path / "latin.ipynb")


def test_empty_notebooks_and_files(tmp_path):
    write_notebook(tmp_path / "empty.ipynb", [])
    assert "empty.ipynb has no cells" in message_of(tmp_path / "empty.ipynb")
    write_notebook(tmp_path / "prose.ipynb", [("md", "# my answer"), "   \n"])
    assert "prose.ipynb has no code in its cells" in message_of(tmp_path / "prose.ipynb")
    (tmp_path / "empty.py").write_text("\n\n")
    assert message_of(tmp_path / "empty.py").startswith("empty.py is empty")


def test_syntax_error_in_a_py_file(tmp_path):
    (tmp_path / "engine.py").write_text("import math\n\nx = = 2\ny = 3\n")
    message = message_of(tmp_path / "engine.py")
    assert message.startswith("engine.py, line 3: SyntaxError:")
    assert "\n    x = = 2\n" in message
    assert "check that `python engine.py` gets past this line" in message


def test_syntax_error_in_a_definition_cell(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [("md", "intro"), "import math", ENGINE.replace("self.grad = 0.0", "self.grad = = 0.0")],
    )
    message = message_of(path)
    assert message.startswith("nb.ipynb, cell 3, line 4: SyntaxError: invalid syntax")
    assert "\n    self.grad = = 0.0\n" in message
    assert "Fix cell 3 and run it again" in message


def test_broken_cell_that_defines_nothing_is_dropped(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [ENGINE, "a = Value(1.0)\nprint(a.data"])
    submission = load_submission(path)
    assert "class Value" in submission.source and "print" not in submission.source
    note = next(note for note in submission.notes if note.startswith("Cell 2"))
    assert note.startswith("Cell 2 has a syntax error on line 2 (")
    assert "it defines nothing the grader needs" in note
    with pytest.raises(LoadError, match=r"^nb.ipynb, cell 2, line 2: SyntaxError"):
        load_submission(path, execute_all=True)  # Run All would stop there


def test_broken_definition_that_a_later_cell_replaces_is_dropped(tmp_path):
    broken = "import math\n" + ENGINE.replace("def backward(self):", "def backward(self)")
    path = write_notebook(tmp_path / "nb.ipynb", [broken, "import math\n" + ENGINE])
    submission = load_submission(path)
    assert run(submission)["Value"](2.0).data == 2.0
    note = next(note for note in submission.notes if note.startswith("Cell 1"))
    assert "everything it defines (`Value`, `math`) is defined again in a later cell" in note


def test_errors_only_the_compiler_finds_are_located(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb", ["import math", "def f():\n    nonlocal x\n    x = 1"]
    )
    message = message_of(path)
    assert message.startswith("nb.ipynb, cell 2, line 2: SyntaxError: no binding for nonlocal 'x'")
    assert "\n    nonlocal x\n" in message


def test_no_traceback_escapes(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(loader, "assemble", broken)
    (tmp_path / "engine.py").write_text(ENGINE)
    message = message_of(tmp_path / "engine.py")
    assert "The grader could not read" in message and "RuntimeError: boom" in message


def test_odd_notebook_shapes_still_load(tmp_path):
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 2,
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": None,
                "outputs": [],
                "source": [line + "\n" for line in ENGINE.split("\n")],
            },
        ],
    }
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook).replace("\\n", "\\r\\n"))
    submission = load_submission(path)
    assert submission.locate(1) == "cell 2, line 1"
    assert run(submission)["Value"](1.0).grad == 0.0


def test_non_utf8_python_file_is_read_as_latin1(tmp_path):
    (tmp_path / "engine.py").write_bytes(("# Gr\xfc\xdfe\n" + ENGINE).encode("latin-1"))
    submission = load_submission(tmp_path / "engine.py")
    assert "read as Latin-1" in submission.notes[0]
    assert submission.locate(1) == "line 2"  # the comment on line 1 is not kept
