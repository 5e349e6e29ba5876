"""The definitions-only slice follows the data, and no statement refuses a notebook.

Each fixture is an original minimal shape of a pattern seen in real lecture notebooks that ran
top to bottom but were refused: a name first bound to a plain number and later to a Value (or
a torch tensor) in a dropped statement, then used by kept ones; a dropped statement that shadows
a builtin; star imports; a torch comparison in its own cell; a statement that raises.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.api import grade
from grader.load import LoadError, load_submission, stubs
from tests.load.helpers import ENGINE, run, write_notebook


def notebook(tmp_path: Path, *cells: str) -> Path:
    return write_notebook(tmp_path / "lecture.ipynb", [textwrap.dedent(c).strip() for c in cells])


def test_a_dropped_binding_hides_the_stale_number(tmp_path):
    path = notebook(
        tmp_path,
        "k = 1.5\nq = -2.0",
        ENGINE,
        "k = Value(1.5)\nq = Value(-2.0)",
        "m = k + q; m.tag = 'm'",  # on one line, as in the lecture
        "m.grad = 1.0\nk.grad = 1.0",
        "k.data += 0.01 * k.grad\nr = m + k\nr.tag = 'r'",
        "s = q\ns.tag = 's'",
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert stubs.SKIPPED == []
    assert namespace["k"] == 1.5 and namespace["q"] == -2.0  # the kept constants, unchanged
    for name in ("m", "r", "s"):
        assert name not in namespace
    assert "m.tag" not in submission.source and "k.data +=" not in submission.source


def test_a_dropped_torch_tensor_hides_the_stale_number(tmp_path):
    path = notebook(
        tmp_path,
        "b = -3.0",
        ENGINE,
        """
        import torch
        b = torch.Tensor([-3.0]).double()   ; b.requires_grad = True
        dtype = torch.float64
        """,
    )
    submission = load_submission(path)
    assert "requires_grad" not in submission.source and "dtype" not in submission.source
    assert run(submission)["b"] == -3.0


def test_a_dropped_statement_shadowing_a_builtin_hides_the_builtin(tmp_path):
    path = notebook(tmp_path, ENGINE, "max = Value(1.0) + Value(2.0)\nmax.tag = 'x'\ny = max")
    submission = load_submission(path)
    assert "max.tag" not in submission.source and "y = max" not in submission.source
    run(submission)
    assert stubs.SKIPPED == []


def test_a_star_import_that_loads_still_lets_dropped_bindings_hide(tmp_path):
    path = notebook(
        tmp_path,
        "from math import *",
        ENGINE,
        "u = Value(1.0)\nw = u + u\nw.tag = 'w'",
        "top = pi * e",  # names the star import binds are defined
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert "w = u + u" not in submission.source and stubs.SKIPPED == []
    assert namespace["top"] == pytest.approx(8.5397342)


def test_a_star_import_that_cannot_load_binds_nothing(tmp_path):
    path = notebook(
        tmp_path,
        "from lecture_helpers_not_installed import *",
        ENGINE,
        "graph = draw_dot\nz = Value(2.0)",
        "LIMIT = 10",
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert "graph = draw_dot" not in submission.source and namespace["LIMIT"] == 10
    assert stubs.MISSING == ["lecture_helpers_not_installed"]


def test_torch_definitions_are_left_out_with_one_note(tmp_path):
    path = notebook(
        tmp_path,
        ENGINE,
        """
        import torch
        import torch.nn as nn

        class TorchNet(nn.Module):
            def __init__(self):
                super().__init__()

        @torch.no_grad()
        def evaluate(net):
            return net

        def compare(v):
            return torch.tensor([v.data]).item() == v.data
        """,
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert {"TorchNet", "evaluate", "compare"}.isdisjoint(namespace)
    notes = [note for note in submission.notes if "torch is not available" in note]
    assert notes == [
        "Left out `TorchNet`, `evaluate`, `compare` (in cell 2): torch is not available while "
        "grading, which is fine for code that only compares with torch."
    ]


def test_a_kept_statement_that_raises_is_skipped_and_loading_goes_on(tmp_path):
    path = notebook(
        tmp_path,
        "SIZES = [3, 4, 1]\nFIRST = SIZES[5]\nAFTER = 1",
        ENGINE,
        "class Broken:\n    size = SIZES[9]",
    )
    namespace = run(load_submission(path))
    assert namespace["AFTER"] == 1 and "Value" in namespace and "Broken" not in namespace
    assert [words for _, _, words in stubs.SKIPPED] == ["IndexError: list index out of range"] * 2


def test_multi_line_strings_keep_their_text_inside_the_guard(tmp_path):
    path = notebook(
        tmp_path,
        'DOC = """first\nsecond\n    indented"""\n'
        'class Value:\n    """Docs:\n  two spaces\n"""\n    x = f"""{1}\n{2}"""',
    )
    namespace = run(load_submission(path))
    assert namespace["DOC"] == "first\nsecond\n    indented"
    assert namespace["Value"].__doc__ == "Docs:\n  two spaces\n"
    assert namespace["Value"].x == "1\n2"


def test_a_future_import_in_a_cell_holds_for_the_cells_after_it(tmp_path):
    path = notebook(
        tmp_path,
        "import math",
        "from __future__ import annotations",
        "class Value:\n    def __add__(self, other: float | Value) -> Value:\n        return self"
        "\n    def backward(self) -> None:\n        pass",
        "x: Value = None",
    )
    namespace = run(load_submission(path))
    assert namespace["Value"].__add__.__annotations__["other"] == "float | Value"


def test_check_dot_inside_the_submission_folder(tmp_path, monkeypatch):
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "engine.py").write_text(ENGINE + "\n")
    (folder / "nn.py").write_text("from hw.engine import Value\n\nclass MLP:\n    pass\n")
    monkeypatch.chdir(folder)
    submission = load_submission(".")
    assert "from hw.engine" not in submission.source
    assert run(submission)["Value"].__name__ == "Value"


@pytest.mark.parametrize("where", ["statement", "class"])
def test_grading_skips_a_raising_statement_with_one_note(tmp_path, where):
    """End to end: the statement is skipped in the sandbox and the report says where and why;
    when the engine class itself raises, the submission cannot be graded and says which."""
    broken = "RATE = {'lr': 0.1}['momentum']" if where == "statement" else ""
    engine = ENGINE.replace("class Value:", "class Value:\n    rate = {'lr': 0.1}['momentum']")
    path = notebook(tmp_path, broken or "RATE = 1", ENGINE if where == "statement" else engine)
    report = grade(path, budget=1)
    skipped = [note for note in report.notes if note.startswith("Skipped 1 top-level")]
    if where == "statement":
        assert report.gradable and report.category("api").status == "pass"
        assert skipped and "cell 1, line 1 (KeyError: 'momentum')" in skipped[0]
    else:
        assert not report.gradable
        assert "cell 2, line 2, in the class `Value` (KeyError: 'momentum')" in skipped[0]


def test_a_cell_with_a_syntax_error_is_left_out_unless_it_holds_the_only_engine(tmp_path):
    path = notebook(
        tmp_path, ENGINE, "def draw_dot(root):\n    return root.(", "LIMIT = 3", "print(LIMIT"
    )
    submission = load_submission(path)
    assert run(submission)["LIMIT"] == 3
    notes = [note for note in submission.notes if "syntax error" in note]
    assert notes == [
        "2 cells have a syntax error and were left out: cell 2, line 2 (invalid syntax): what it "
        "defines (`draw_dot`) is missing while grading; cell 4, line 1 ('(' was never closed): "
        "it defines nothing the grader needs. Fix them or delete them."
    ]
    broken = notebook(tmp_path, "import math", ENGINE.replace("):\n", ")\n", 1))
    with pytest.raises(LoadError, match=r"^lecture.ipynb, cell 2, line 2: SyntaxError"):
        load_submission(broken)
