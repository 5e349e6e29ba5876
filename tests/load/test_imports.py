"""Imports become non-fatal: a failed import binds stand-ins that are recorded and explain."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap

import pytest

from grader.load import load_submission, stubs
from tests.load.helpers import line_of, run, write_notebook


def test_failed_imports_bind_stubs_and_are_recorded(tmp_path):
    path = tmp_path / "engine.py"
    path.write_text(
        textwrap.dedent(
            """
            import os.path
            import missing_alpha
            import missing_beta.sub as mb, json
            from missing_gamma import draw_dot, trace as tr
            from missing_delta import *
            from . import sibling
            from math import sqrt
            """
        )
    )
    submission = load_submission(path)
    namespace = run(submission)
    assert stubs.MISSING == [
        "missing_alpha",
        "missing_beta.sub",
        "missing_gamma",
        "missing_delta",
        ".",
    ]
    for name in ("missing_alpha", "mb", "draw_dot", "tr", "sibling"):
        assert stubs.is_missing(namespace[name]), name
    assert namespace["sqrt"](9) == 3 and namespace["json"].dumps(1) == "1"
    assert namespace["os"].path.join("a", "b") == "a/b"
    with pytest.raises(ImportError) as caught:
        namespace["draw_dot"](1)
    message = str(caught.value)
    assert message.startswith("your code uses missing_gamma, which is not available while grading")
    assert "No module named 'missing_gamma'" in message
    assert caught.value.name == "missing_gamma"
    assert submission.locate(line_of(submission, "    from missing_gamma import")) == "line 5"


def test_import_that_raises_something_else_is_a_stub_too(tmp_path):
    (tmp_path / "broken_helper.py").write_text("raise RuntimeError('no display')\n")
    path = write_notebook(tmp_path / "nb.ipynb", ["from broken_helper import plot"])
    submission = load_submission(path)
    sys.path.insert(0, str(tmp_path))
    try:
        namespace = run(submission)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("broken_helper", None)
    with pytest.raises(ImportError, match=r"broken_helper.*RuntimeError: no display"):
        namespace["plot"]()


def test_stub_behaviour():
    stubs.MISSING.clear()
    stub = stubs.missing_module("scipy", ModuleNotFoundError("No module named 'scipy'"))
    stubs.missing_module("scipy", ModuleNotFoundError("again"))
    assert stubs.MISSING == ["scipy"]
    assert repr(stub) == "<missing module scipy>"
    for use in (lambda: stub.optimize, lambda: stub(), lambda: stub[0], lambda: list(stub)):
        with pytest.raises(ImportError, match=r"scipy.*No module named 'scipy'"):
            use()
    with pytest.raises(ImportError, match="your code uses scipy"):

        class Net(stub):  # type: ignore[misc]
            pass

    assert not hasattr(stub, "__wrapped__")  # probes for dunders stay AttributeErrors
    assert copy.copy(stub) is not None
    assert stubs.is_missing(stub) and not stubs.is_missing(object())


def test_future_imports_move_to_the_top(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            "import math",
            "from __future__ import annotations\n\ndef f(x: Undefined) -> Nope:\n    return x",
        ],
    )
    submission = load_submission(path)
    assert submission.source.startswith("from __future__ import annotations\n")
    assert submission.locate(1) == "cell 2, line 1"
    assert submission.locate(line_of(submission, "def f(")) == "cell 2, line 3"
    assert run(submission)["f"](2) == 2


def test_stubs_and_package_import_nothing_heavy():
    code = (
        "import sys, grader.load.stubs, grader.load\n"
        "heavy = {'nbformat', 'numpy', 'torch', 'hypothesis', 'jsonschema'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
