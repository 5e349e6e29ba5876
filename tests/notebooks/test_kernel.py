"""``check(Value)`` in a real Jupyter kernel agrees with ``grader check`` on the same notebook.

Runs a generated lecture notebook in an ipykernel through nbclient, errors allowed (the
plotting and graphviz modules are not installed here, as on many students' machines), then
``check(Value)`` in a last cell. About 15 s: a kernel start and two grades at a small budget.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader.api import grade
from tests.notebooks.lecture import BUGS, Lecture, Variation

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

BUDGET = 2
CHECK = f"""
import json, random
random.seed(7)
before = random.getstate()
from grader import check
report = check(Value, budget={BUDGET})
assert random.getstate() == before, "check() changed the global random state"
markdown = report._repr_markdown_()
print(json.dumps({{"score": report.score, "gradable": report.gradable,
                  "statuses": {{c.id: [c.status, c.score] for c in report.categories}},
                  "markdown": markdown}}))
"""


def _lecture() -> Lecture:
    """An engine bug the MLP must not pay for (re-checked on a corrected engine), in a
    notebook with type hints under a `from __future__ import annotations` cell and a network
    called through forward()."""
    variation = Variation(
        attr="data", call="forward", stale=True, star=False, prints=True, magics=True,
        errors=True, hints=True, torch_net=True, comments=("# a", "# b", "# c"),
    )
    bug = next(b for b in BUGS if b.name == "tanh grad not squared")
    return Lecture(7, variation, bug)


def test_check_in_a_kernel_matches_the_command_line(tmp_path):
    path = _lecture().write(tmp_path / "lecture.ipynb")
    cli = grade(path, budget=BUDGET)
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(new_code_cell(CHECK))
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = notebook.cells[-1].outputs
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors[0].get("evalue") if errors else ""
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    kernel = json.loads(text.strip().splitlines()[-1])
    assert cli.gradable and kernel["gradable"]
    assert kernel["statuses"] == {c.id: [c.status, c.score] for c in cli.categories}
    assert kernel["score"] == cli.score
    assert kernel["statuses"]["tanh"][0] == "fail"
    assert all(kernel["statuses"][c][0] == "pass" for c in ("mlp.forward", "mlp.grad"))
    assert kernel["markdown"].startswith(f"**Score: {cli.score:g} / {cli.max_score:g}**")

