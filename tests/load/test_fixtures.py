"""The loader on real and hand-made student notebooks and files (tests/load/fixtures)."""

from __future__ import annotations

import importlib.util

import pytest

from grader.load import LoadError, load_submission, stubs
from tests.load.helpers import FIXTURES, line_of, lines_of, run


def test_seed_sigmoid_bce_defines_the_model_and_does_not_train(capsys):
    submission = load_submission(FIXTURES / "notebook_value_sigmoid_bce.ipynb")
    capsys.readouterr()
    namespace = run(submission)

    assert capsys.readouterr().out == ""  # the training loop prints its losses
    for name in ("Value", "Module", "Neuron", "Layer", "MLP"):
        assert isinstance(namespace[name], type), name
    assert namespace["Neuron"].__mro__[1] is namespace["Module"]
    for name in ("n", "loss", "criterion", "xs_t"):
        assert name not in namespace, name
    # Literal data is kept; training would have turned ypred into a list of Values.
    assert namespace["ypred"] == [0.6543, -0.111, 0.222, 0.9999]
    assert namespace["xs"][0] == [2.0, 3.0, -1.0] and namespace["steps"] == 1000
    assert callable(namespace["binary_cross_entropy_loss"])

    value = namespace["Value"]
    a = value(2.0)
    b = a * a + a
    b.backward()
    assert a.grad == 5.0
    mlp = namespace["MLP"](3, [4, 1])
    assert len(mlp.parameters()) == 4 * 4 + 5


def test_seed_sigmoid_bce_keeps_definitions_and_drops_the_rest():
    submission = load_submission(FIXTURES / "notebook_value_sigmoid_bce.ipynb")
    source = submission.source
    for dropped in ("random.seed(", "n = MLP(", "for _ in range(steps)", "print(", "criterion"):
        assert dropped not in source, dropped
    for kept in ("class Value:", "class MLP(Module):", "binary_cross_entropy_loss = lambda"):
        assert kept in source, kept
    assert submission.locate(line_of(submission, "class Value:")) == "cell 1, line 5"
    assert submission.locate(line_of(submission, "class Neuron(Module):")) == "cell 1, line 144"
    assert submission.locate(line_of(submission, "xs = [")) == "cell 2, line 1"
    assert submission.locate(line_of(submission, "ypred = [")) == "cell 4, line 1"
    # `import torch` comes from cell 6, the first code cell after a markdown cell is cell 8.
    assert submission.locate(line_of(submission, "    import torch")) == "cell 6, line 1"
    summary = next(note for note in submission.notes if note.startswith("Only definitions"))
    assert "1 loop" in summary and "cells 1, 3, 4, 5, 6, 8" in summary


def test_seed_numpy_mlp_loads_without_an_engine(capsys):
    submission = load_submission(FIXTURES / "notebook_numpy_mlp.ipynb")
    namespace = run(submission)
    assert capsys.readouterr().out == ""  # train(...) in cell 8 printed every 100 epochs
    for name in ("relu", "sigmoid_backward", "bce_loss", "LinearLayer", "MLP", "train"):
        assert callable(namespace[name]), name
    for name in ("X", "Y", "model", "_"):
        assert name not in namespace, name
    assert any(note.startswith("Found no engine class") for note in submission.notes)


def test_magic_notebook_strips_ipython_and_keeps_definitions():
    submission = load_submission(FIXTURES / "magic_training.ipynb")
    source = submission.source
    assert "%matplotlib" not in source and "!pip" not in source
    assert "for k in range(1000)" not in source and "plt.plot" not in source
    assert "n = MLP(" not in source and "random.seed" not in source
    ignored = next(note for note in submission.notes if note.startswith("Ignored"))
    assert (
        "`%matplotlib inline` (cell 2)" in ignored and "`!pip install graphviz` (cell 2)" in ignored
    )
    assert "`Value` is defined 2 times (cell 3, cell 5); the last one, cell 5" in " ".join(
        submission.notes
    )
    # Line numbers survive the removed magics: `import math` is the cell's third line.
    assert submission.locate(line_of(submission, "    import math")) == "cell 2, line 3"
    first, second = lines_of(submission, "class Value:")
    assert submission.locate(first) == "cell 3, line 1"
    assert submission.locate(second) == "cell 5, line 1"
    assert submission.locate(line_of(submission, "losses = []")) == "cell 7, line 5"


def test_magic_notebook_last_value_wins_and_missing_imports_are_stubs(capsys):
    namespace = run(load_submission(FIXTURES / "magic_training.ipynb"))
    assert capsys.readouterr().out == ""
    value = namespace["Value"]
    assert value.version == 2
    a, b = value(3.0), value(4.0)
    (a * b).backward()
    assert (a.grad, b.grad) == (4.0, 3.0)  # the first Value got this wrong
    assert namespace["losses"] == [] and namespace["ys"] == [1.0, -1.0, -1.0, 1.0]
    assert "viz" in stubs.MISSING
    draw_dot = namespace["draw_dot"]
    assert stubs.is_missing(draw_dot)
    with pytest.raises(ImportError, match="your code uses viz, which is not available"):
        draw_dot(a)
    if importlib.util.find_spec("matplotlib") is None:
        assert "matplotlib.pyplot" in stubs.MISSING
        with pytest.raises(ImportError, match="matplotlib.pyplot"):
            namespace["plt"].plot([1, 2])
    mlp = namespace["MLP"](3, [4, 4, 1])  # the model still builds, with the last Value
    assert isinstance(mlp([1.0, 2.0, 3.0]), value)


def test_execute_all_keeps_the_training_loop():
    submission = load_submission(FIXTURES / "magic_training.ipynb", execute_all=True)
    source = submission.source
    assert "%matplotlib" not in source and "!pip" not in source
    loop = line_of(submission, "for k in range(1000):")
    assert submission.locate(loop) == "cell 8, line 1"
    assert (
        submission.locate(line_of(submission, "        print(k, loss.data)")) == "cell 8, line 10"
    )
    assert submission.locate(line_of(submission, "n = MLP(3, [4, 4, 1])")) == "cell 7, line 4"
    assert submission.locate(line_of(submission, "plt.plot(losses)")) == "cell 9, line 1"
    assert "random.seed(1337)" in source
    assert any("execute_all" in note for note in submission.notes)
    compile(source, "magic_training", "exec")


def test_indentation_error_names_cell_and_line():
    with pytest.raises(LoadError) as caught:
        load_submission(FIXTURES / "indentation_error.ipynb")
    message = str(caught.value)
    assert message.startswith("indentation_error.ipynb, cell 3, line 5: IndentationError:")
    assert "\n    def __add__(self, other):\n" in message
    assert "Fix cell 3 and run it again" in message


def test_main_guard_block_is_dropped(capsys):
    submission = load_submission(FIXTURES / "main_guard.py")
    assert "__main__" not in submission.source
    assert 'print("grad"' not in submission.source
    namespace = run(submission)
    assert capsys.readouterr().out == ""
    assert namespace["LEARNING_RATE"] == 0.05 and namespace["TAU"] > 6.28
    assert namespace["demo"](steps=3).data < 0.5
    assert submission.locate(line_of(submission, "def demo(")) == "line 100"
    assert submission.locate(line_of(submission, "class Value:")) == "line 10"
    assert submission.locate(line_of(submission, "TAU = ")) == "line 7"
    summary = next(note for note in submission.notes if note.startswith("Only definitions"))
    assert '1 `if __name__ == "__main__":` block' in summary and "at line 110" in summary


def test_main_guard_runs_with_execute_all():
    submission = load_submission(FIXTURES / "main_guard.py", execute_all=True)
    guard = line_of(submission, 'if __name__ == "__main__":')
    assert submission.locate(guard) == "line 110"


def test_folder_with_helper_and_notebook_grades_the_notebook():
    folder = FIXTURES / "helper_and_notebook"
    submission = load_submission(folder)
    assert submission.path == folder / "homework.ipynb"
    assert submission.notes[0] == "Graded homework.ipynb: it defines the engine class `Value`."
    # The stale checkpoint and the virtual environment (both with more methods) were skipped.
    assert "def exp(self)" not in submission.source
    namespace = run(submission)  # helpers is not on the path here: a stub stands in
    assert "helpers" in stubs.MISSING
    assert namespace["Value"].version == 2
