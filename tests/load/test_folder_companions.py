"""A folder holding engine.py and nn.py (the template's layout) is loaded as one submission."""

from __future__ import annotations

from pathlib import Path

from grader.load import load_submission
from tests.load.helpers import line_of

ENGINE = "class Value:\n    def __init__(self, data):\n        self.data = data\n"
NETWORK = '''from __future__ import annotations

try:
    from .engine import Value
except ImportError:
    from engine import Value

SIZES = (Value, 3)


class MLP:
    def parameters(self) -> list[Value]:
        return []
'''


def test_network_file_runs_after_the_engine_in_one_namespace(tmp_path: Path) -> None:
    (tmp_path / "engine.py").write_text(ENGINE)
    (tmp_path / "nn.py").write_text(NETWORK)
    (tmp_path / "test_engine.py").write_text("class MLP: pass\n")  # a test file: not loaded
    submission = load_submission(tmp_path)
    assert submission.source.startswith("from __future__ import annotations")
    namespace: dict = {}
    exec(compile(submission.source, "submission", "exec"), namespace)
    assert namespace["SIZES"] == (namespace["Value"], 3)  # kept: Value counts as defined
    assert "MLP" in namespace
    assert "each after the files it imports: engine.py, nn.py." in submission.notes[1]
    line = line_of(submission, "class MLP:")
    assert submission.locate(line) == "nn.py, line 11"
