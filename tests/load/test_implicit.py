"""Names the code reads and nothing binds: a missing standard import is supplied (and recorded,
to be charged once), and in a notebook the names IPython provides are there, uncharged."""

from __future__ import annotations

import textwrap
from pathlib import Path

from grader.load import load_submission
from tests.load.helpers import ENGINE, run, write_notebook

EXP = '''

    def exp(self):
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out
'''
NEURON = """
class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(np.float64(0.5).item())

    def __call__(self, x):
        return self.w[0] + self.b
"""


def _folder(tmp_path: Path) -> Path:
    """engine.py without `import math`, nn.py without `import random` and `import numpy`."""
    (tmp_path / "engine.py").write_text(ENGINE + EXP, encoding="utf-8")
    (tmp_path / "nn.py").write_text("from engine import Value\n" + NEURON, encoding="utf-8")
    return tmp_path


def test_missing_standard_imports_are_supplied_and_recorded_once_each(tmp_path):
    submission = load_submission(_folder(tmp_path))
    namespace = run(submission)
    assert namespace["Value"](0.0).exp().data == 1.0
    assert namespace["Neuron"](3)([1.0, 2.0, 3.0]).data != 0.0
    found = {(o.name, o.statement, o.where, o.file) for o in submission.supplied}
    assert found == {
        ("math", "import math", "engine.py, line 23", "engine.py"),
        ("np", "import numpy as np", "nn.py, line 6", "nn.py"),
        ("random", "import random", "nn.py, line 5", "nn.py"),
    }
    sentence = next(o for o in submission.supplied if o.name == "random").sentence()
    assert "`random` (nn.py, line 5)" in sentence
    assert "Add `import random` to the top of nn.py" in sentence


def test_an_import_in_another_cell_is_no_omission(tmp_path):
    imports = "import math\nimport random\nimport numpy as np"
    cells = [ENGINE + EXP, "a = Value(1.0).exp()", imports, NEURON]
    submission = load_submission(write_notebook(tmp_path / "nb.ipynb", cells))
    assert submission.supplied == []
    assert run(submission)["Value"](0.0).exp().data == 1.0


def test_a_notebook_omission_says_where_and_which_cell(tmp_path):
    submission = load_submission(write_notebook(tmp_path / "nb.ipynb", [ENGINE + EXP]))
    [omission] = submission.supplied
    assert omission.where == "cell 1, line 23"
    assert "Add `import math` to the first cell of your notebook" in omission.sentence()
    assert run(submission)["Value"](0.0).exp().data == 1.0


def test_names_bound_by_the_code_or_not_used_as_modules_are_left_alone(tmp_path):
    code = textwrap.dedent(
        """
        import importlib
        np = importlib.import_module("numpy")  # a call: not run while grading, but it binds np

        def stamp(text):
            return string + text  # a variable called string, never bound: not a module

        def shuffle(items):
            global random
            random = __import__("random")
            return random.sample(items, len(items))

        def now():
            return np.zeros(1), time
        """
    )
    path = tmp_path / "helpers.py"
    path.write_text(ENGINE + "\n" + code, encoding="utf-8")
    submission = load_submission(path)
    assert submission.supplied == []
    assert "import numpy as np" not in submission.source
    assert "import string" not in submission.source and "import time" not in submission.source


def test_a_star_import_may_bind_the_name_so_it_is_supplied_but_not_charged(tmp_path):
    path = tmp_path / "engine.py"
    path.write_text("from math import *\n" + ENGINE + EXP.replace("math.exp", "np.exp"))
    submission = load_submission(path)
    assert submission.supplied == []
    assert run(submission)["Value"](0.0).exp().data == 1.0


def test_names_ipython_provides_are_there_in_a_notebook(tmp_path):
    helpers = textwrap.dedent(
        """
        def total(values, start):
            return __builtin__.sum(values, start)

        def show(value):
            display(value)
            get_ipython().run_line_magic("matplotlib", "inline")
            return len(In), Out

        def count(values):
            return __builtins__.len(values)
        """
    )
    submission = load_submission(write_notebook(tmp_path / "nb.ipynb", [ENGINE, helpers]))
    namespace = run(submission)
    assert submission.supplied == []
    value = namespace["total"]([namespace["Value"](1.0)], namespace["Value"](2.0))
    assert value.data == 3.0
    assert namespace["show"](value) == (1, {})
    assert namespace["count"]([1, 2]) == 2


def test_ipython_names_are_not_supplied_to_a_script(tmp_path):
    path = tmp_path / "engine.py"
    path.write_text(ENGINE + "\n\ndef total(values):\n    return __builtin__.sum(values)\n")
    submission = load_submission(path)
    assert "__builtin__" not in submission.source.split("def total")[0]
    assert submission.supplied == []


# -- graded: one charge, on api ---------------------------------------------------------------

ROOT = Path(__file__).parents[2]
REFERENCE = (ROOT / "reference" / "engine.py").read_text(encoding="utf-8")
NETWORK = (ROOT / "tests" / "load" / "test_folder_programs.py").read_text(encoding="utf-8")
NETWORK = NETWORK.split("NETWORK = '''")[1].split("'''")[0].format(source="engine", engine="Value")


def _statuses(report) -> dict[str, str]:
    return {c.id: c.status for c in report.categories if c.max_score > 0}


def test_a_missing_import_costs_api_alone(tmp_path):
    from grader.api import grade

    (tmp_path / "engine.py").write_text(REFERENCE.replace("import math\n", ""), encoding="utf-8")
    (tmp_path / "nn.py").write_text(NETWORK.replace("import random\n", ""), encoding="utf-8")
    report = grade(tmp_path)
    failed = {c: s for c, s in _statuses(report).items() if s != "pass"}
    assert failed == {"api": "fail"}
    message = report.category("api").message
    assert "`math` (engine.py, line" in message
    assert "Add `import math` to the top of engine.py" in message
    assert "`random` (nn.py, line" in message
    assert "Add `import random` to the top of nn.py" in message
    assert report.score == report.max_score - report.category("api").max_score


def test_ipython_names_in_a_notebook_cost_nothing(tmp_path):
    from grader.api import grade

    network = NETWORK.replace("from engine import Value\n", "").replace(
        "return sum((wi * xi", "return __builtin__.sum((wi * xi")
    assert "__builtin__.sum" in network
    path = write_notebook(tmp_path / "nb.ipynb", [REFERENCE, network])
    report = grade(path)
    assert set(_statuses(report).values()) == {"pass"}
