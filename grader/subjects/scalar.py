"""The scalar subject: a ``Value`` engine (grader.pipeline), then the network on top of it
(grader.mlp), the network re-checked on a corrected engine where the engine failed."""

from __future__ import annotations

from typing import Any

from grader.compare.tolerance import judged_at
from grader.config import Config
from grader.discover.api import EngineAPI
from grader.evaluate.runner import Runner
from grader.subjects import Graded, Oracle


class ScalarSubject:
    """A micrograd-style engine and its Neuron/Layer/MLP."""

    name = "scalar"

    def find(self, runner: Runner, config: Config) -> dict[str, Any]:
        return runner.discover(config.names)

    def grade(self, runner: Runner, config: Config, oracle: Oracle,
              found: dict[str, Any]) -> Graded:
        from grader.mlp import grade_mlp
        from grader.pipeline import EngineGrader

        api = EngineAPI.from_dict(found["api"])
        engine = EngineGrader(runner, api, found.get("missing", {}), config, oracle)
        results = engine.grade()
        with judged_at(engine.tolerance):  # an MLP on a float32 engine computes in float32 too
            results += grade_mlp(runner.call, api, {r.id: r for r in results}, config)
        return Graded(results, api.describe(), engine.graphs_checked, engine.notes)
