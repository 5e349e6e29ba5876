"""IPython syntax is removed line for line; cells of other languages are dropped."""

from __future__ import annotations

from grader.load import load_submission
from grader.load.magics import clean
from tests.load.helpers import ENGINE, line_of, run, write_notebook


def test_line_magics_shell_and_help_are_removed_in_place():
    text = "\n".join(
        [
            "%matplotlib inline",
            "!pip install graphviz",
            "files = !ls",
            "pip install torch",
            "Value?",
            "??Value",
            "for i in range(2):",
            "    !echo hi",
            "%time x = 5",
            "%timeit y = 6",
            "%load_ext autoreload",
            "!git clone \\",
            "  https://example.invalid/repo",
            "z = 1",
        ]
    )
    cleaned = clean(text)
    lines = cleaned.text.split("\n")
    assert len(lines) == 14
    assert lines[:6] == [""] * 6
    assert lines[6:9] == ["for i in range(2):", "    pass", "x = 5"]
    assert lines[9:13] == ["", "", "", ""]
    assert lines[13] == "z = 1"
    assert cleaned.removed[0] == "%matplotlib inline" and len(cleaned.removed) == 11


def test_percent_and_bang_inside_code_are_left_alone():
    text = 's = """\n%not a magic\n!nor this\n"""\nt = (10\n% 3)\nu = 5 if s != t else 4'
    assert clean(text).text == text


def test_cell_magics():
    assert clean("%%bash\necho hi").cell_magic == "bash"
    assert clean("%%timeit\nx = 1").cell_magic == "timeit"  # names die with the cell
    timed = clean("\n%%time\nx = 1")
    assert timed.cell_magic is None and timed.text == "\n\nx = 1"
    written = clean("%%writefile -a engine.py\nclass Value: pass")
    assert written.module == "engine" and written.text == "\nclass Value: pass"


def test_notebook_with_magics_keeps_line_numbers(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            ("md", "# intro"),
            "%matplotlib inline\n%load_ext autoreload\nimport math\n" + ENGINE,
            "%%bash\nls -la",
            "%%time\n" + ENGINE.replace("class Value:", "class Value:\n    timed = True"),
        ],
    )
    submission = load_submission(path)
    first, second = [
        number
        for number, line in enumerate(submission.source.split("\n"), start=1)
        if line.strip() == "class Value:"
    ]
    assert submission.locate(first) == "cell 2, line 4"
    assert submission.locate(second) == "cell 4, line 2"
    assert run(submission)["Value"].timed
    notes = " ".join(submission.notes)
    assert "Cell 3 starts with %%bash" in notes
    assert "`%matplotlib inline` (cell 2)" in notes and "`%%time` (cell 4)" in notes


def test_writefile_cell_is_loaded_and_its_import_dropped(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            "%%writefile engine.py\nimport math\n" + ENGINE,
            "from engine import Value\na = Value(1.0)",
        ],
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert not namespace["Value"].__module__.startswith("engine")
    assert "from engine import" not in submission.source
    assert submission.locate(line_of(submission, "class Value:")) == "cell 1, line 3"
    assert any("%%writefile" in note for note in submission.notes)


def test_continued_shell_command_inside_a_block():
    text = "for i in range(2):\n    !pip install \\\n        graphviz\n    y = i"
    cleaned = clean(text)
    assert cleaned.text == "for i in range(2):\n    pass\n\n    y = i"
    compile(cleaned.text, "cell", "exec")
