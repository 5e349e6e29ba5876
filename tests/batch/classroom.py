"""A generated class of lecture notebooks: half correct, half with one bug of the catalogue.

Each notebook is what a student typing along with the lecture hands in: the engine
(``tests/catalogue/engines/base_student.py``, or a buggy mutation of it), the MLP of the
video (``tests/catalogue/mlp/lecture_video.py``: no ``zero_grad``), then a training loop,
prints and a plot that the grader leaves out. ``expected_statuses`` says what the grader
must find, from the catalogue's proven claims.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import nbformat

from tests.catalogue.bugs import BASE, BUGS, Bug, mutate

MLP = Path(__file__).resolve().parents[1] / "catalogue" / "mlp" / "lecture_video.py"
ENGINE_LEVEL = frozenset({"reuse", "graph"})
# Op-level bugs: each one's verdict is fixed by the catalogue (the charged categories fail,
# every other category passes), whatever order the engine's sets iterate in.
OP_BUGS: tuple[Bug, ...] = tuple(b for b in BUGS if not b.charged & ENGINE_LEVEL)
ENGINE_CATEGORIES = ("api", "add", "radd", "sub", "rsub", "mul", "rmul", "neg", "truediv",
                     "rtruediv", "pow", "exp", "log", "tanh", "sigmoid", "relu", "reuse",
                     "graph", "deep")  # fmt: skip
MLP_STATUSES = {"mlp.params": "pass", "mlp.forward": "pass", "mlp.grad": "pass",
                "mlp.zero_grad": "missing", "mlp.train": "pass"}  # fmt: skip

_TRAINING = """xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
n = MLP(3, [4, 4, 1])
for k in range({steps}):
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()
    for p in n.parameters():
        p.data += -0.05 * p.grad
    print(k, loss.data)
"""


def write_class(folder: Path, size: int) -> dict[str, Optional[Bug]]:
    """``size`` notebooks in ``folder``: even-numbered ones correct, odd-numbered ones with
    the next op-level bug in turn. Returns each file's name and its bug (None: correct)."""
    folder.mkdir(parents=True, exist_ok=True)
    base, mlp = BASE.read_text(), MLP.read_text()
    written: dict[str, Optional[Bug]] = {}
    for k in range(size):
        bug = OP_BUGS[(k // 2) % len(OP_BUGS)] if k % 2 else None
        engine = base if bug is None else mutate(bug, base)
        name = f"student{k:03d}.ipynb"
        engine = f"# {name}: my engine, after the lecture\n{engine}"
        _notebook(folder / name, engine, mlp, steps=20 + k % 7)
        written[name] = bug
    return written


def expected_statuses(bug: Optional[Bug]) -> dict[str, str]:
    """Every category's status for the notebook with this bug (None: the correct one)."""
    charged = bug.charged if bug is not None else frozenset()
    missing = bug.missing if bug is not None else frozenset()
    statuses = {c: "fail" if c in charged else "pass" for c in ENGINE_CATEGORIES}
    statuses.update({c: "missing" for c in missing})
    statuses["deep"] = "fail"  # the lecture's recursive topological sort
    return {**statuses, **MLP_STATUSES}


def _notebook(path: Path, engine: str, mlp: str, steps: int) -> None:
    cells = [
        nbformat.v4.new_markdown_cell("# micrograd, typed along with the lecture"),
        nbformat.v4.new_code_cell("import math\nimport random\nimport matplotlib.pyplot as plt"),
        nbformat.v4.new_code_cell(engine),
        nbformat.v4.new_code_cell("a = Value(2.0)\nb = Value(-3.0)\nd = a * b + a\nd.backward()"),
        nbformat.v4.new_code_cell(mlp),
        nbformat.v4.new_code_cell(_TRAINING.format(steps=steps)),
        nbformat.v4.new_code_cell("plt.plot([1, 2, 3])\nplt.show()"),
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, str(path))
