"""What "definitions only" keeps and drops, checked by running the produced source."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.load import load_submission
from tests.load.helpers import ENGINE, line_of, run, write_notebook


def load_py(tmp_path: Path, code: str, **options):
    path = tmp_path / "engine.py"
    path.write_text(textwrap.dedent(code))
    return load_submission(path, **options)


def test_definitions_and_simple_constants_are_kept(tmp_path, capsys):
    submission = load_py(
        tmp_path,
        '''
        """My engine."""
        import math
        from typing import TypeVar, Union

        Number = Union[int, float]
        T = TypeVar("T")
        EPS = 1e-8
        NEG = -1
        TWO_PI = 2 * math.pi
        INF = float("inf")
        CONFIG = {"lr": 0.1, "sizes": [3, 4, 1], "name": f"run{NEG}"}
        LR = CONFIG["lr"]
        square = lambda x: x * x
        count = 0
        count += 1

        def helper(x, scale=EPS):
            return x * scale

        class Base:
            pass

        class Value(Base):
            pass

        Value.__radd__ = lambda self, other: other
        Alias = Value
        ''',
    )
    namespace = run(submission)
    assert capsys.readouterr().out == ""
    assert namespace["TWO_PI"] == 2 * namespace["math"].pi and namespace["INF"] == float("inf")
    assert namespace["LR"] == 0.1 and namespace["square"](3) == 9 and namespace["count"] == 1
    assert namespace["CONFIG"]["name"] == "run-1"
    assert namespace["Alias"] is namespace["Value"] and namespace["helper"](2) == 2e-8
    assert namespace["Value"].__radd__(None, 5) == 5
    assert not any(note.startswith("Only definitions") for note in submission.notes)


def test_code_that_runs_is_dropped(tmp_path, capsys):
    submission = load_py(
        tmp_path,
        """
        import random
        random.seed(0)
        print("training")
        n = list(range(10 ** 9))
        ys = [random.random() for _ in range(3)]
        for step in range(1000):
            print(step)
        while True:
            pass
        with open("log.txt", "w") as log:
            log.write("x")
        assert 1 == 2
        n
        if random.random() > 0.5:
            X = 1
        del random
        """,
    )
    assert capsys.readouterr().out == ""
    namespace = run(submission)
    assert capsys.readouterr().out == ""
    for name in ("n", "ys", "step", "log", "X"):
        assert name not in namespace, name
    assert "random" in namespace  # `del random` was dropped as well
    summary = next(note for note in submission.notes if note.startswith("Only definitions"))
    assert "left out 11 top-level statement(s)" in summary
    assert "2 loops" in summary and "1 assert" in summary and "at lines 3, 4, 5" in summary


def test_values_that_need_dropped_code_are_dropped_too(tmp_path):
    submission = load_py(
        tmp_path,
        """
        class MLP:
            pass

        n = MLP()
        model = n
        params = n.parameters

        def train(model=n, steps=100):
            return steps

        def evaluate(steps=100):
            return steps
        """,
    )
    namespace = run(submission)
    for name in ("n", "model", "params", "train"):
        assert name not in namespace, name
    assert namespace["evaluate"]() == 100
    note = next(note for note in submission.notes if "`train`" in note)
    assert note.startswith("Left out the function `train` (line 9, uses `n`): only code that")


def test_statements_sharing_a_line(tmp_path):
    submission = load_py(tmp_path, "import math; x = 2; print(x); y = x * 3\n")
    namespace = run(submission)
    assert (namespace["x"], namespace["y"]) == (2, 6)
    assert "print" not in submission.source
    assert submission.locate(line_of(submission, "y = x * 3")) == "line 1"


def test_try_and_if_blocks(tmp_path, capsys):
    submission = load_py(
        tmp_path,
        """
        try:
            import numpy_that_is_not_installed as np
        except ImportError:
            np = None

        try:
            import another_missing_module
        except ImportError:
            print("please install another_missing_module")
            raise

        USE_FAST = False
        if USE_FAST:
            import yet_another_missing_module
        else:
            SPEED = "slow"

        if __name__ == "__main__":
            SPEED = "main"
        """,
    )
    namespace = run(submission)
    assert capsys.readouterr().out == ""
    assert namespace["np"] is None  # the student's own fallback is respected
    # The handler printed and re-raised: it became `pass`, and the import a guarded stub.
    assert namespace["another_missing_module"].__class__.__name__ == "MissingModule"
    assert namespace["SPEED"] == "slow"
    assert "another_missing_module" in submission.source.split("print(")[0]
    assert 'print("please install' not in submission.source


def test_docstrings_and_decorators_keep_their_lines(tmp_path):
    submission = load_py(
        tmp_path,
        """
        import functools


        @functools.lru_cache(maxsize=None)
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        """,
    )
    namespace = run(submission)
    assert namespace["fib"](20) == 6765
    assert submission.locate(line_of(submission, "@functools")) == "line 5"
    assert submission.locate(line_of(submission, "def fib")) == "line 6"


def test_notebook_redefinition_order_is_kept(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            "import math",
            ENGINE.replace("class Value:", "class Value:\n    version = 1"),
            ("md", "better version:"),
            ENGINE.replace("class Value:", "class Value:\n    version = 2"),
            "def make():\n    return Value(1.0)",
            ENGINE.replace("class Value:", "class Value:\n    version = 3"),
        ],
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert namespace["Value"].version == 3
    assert namespace["make"]().version == 3  # looked up when called, as in the notebook
    assert "(cell 2, cell 4, cell 6); the last one, cell 6" in " ".join(submission.notes)
