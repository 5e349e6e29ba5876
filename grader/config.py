"""The rubric: weights per category, the search budget, the seed and name overrides.

Read from a TOML file (top-level keys) or from ``[tool.micrograd-grader]`` in a pyproject.toml.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Optional

ENGINE_WEIGHTS: dict[str, float] = {
    "api": 3, "add": 4, "radd": 2, "sub": 3, "rsub": 2, "mul": 4, "rmul": 2, "neg": 2,
    "truediv": 3, "rtruediv": 2, "pow": 4, "exp": 3, "log": 3, "tanh": 4, "sigmoid": 3,
    "relu": 3, "reuse": 14, "graph": 14, "deep": 0,
}  # fmt: skip
MLP_WEIGHTS: dict[str, float] = {
    "mlp.params": 4, "mlp.forward": 6, "mlp.grad": 8, "mlp.zero_grad": 2, "mlp.train": 5,
}  # fmt: skip
DEFAULT_WEIGHTS = {**ENGINE_WEIGHTS, **MLP_WEIGHTS}  # 75 + 25 = 100
NUMPY_WEIGHTS: dict[str, float] = {
    "np.relu": 4, "np.relu_backward": 8, "np.sigmoid": 4, "np.sigmoid_backward": 8,
    "np.loss": 6, "np.loss_backward": 8, "np.linear_forward": 8, "np.linear_backward": 14,
    "np.update": 6, "np.model_forward": 8, "np.model_backward": 12, "np.train": 8,
    "np.inputs_unchanged": 6,
}  # fmt: skip  # numpy mode: 100
MODES = ("auto", "scalar", "numpy")


PRECISIONS = ("auto", "float64")


class ConfigError(Exception):
    """The rubric file is unreadable or names something unknown."""


@dataclass
class Config:
    """Everything that decides a grade besides the submission itself."""

    seed: int = 0
    budget: int = 10  # Hypothesis examples per check; each carries `lanes` input sets
    lanes: int = 16
    deep_steps: int = 5000
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    names: dict[str, Any] = field(default_factory=dict)  # class_name, data_attr, methods, ...
    call_seconds: float = 5.0
    total_seconds: float = 300.0
    memory_mb: int = 2048
    execute_all: bool = False
    mode: str = "auto"  # "scalar" (a Value engine), "numpy" (a numpy network) or "auto"
    mlp_call: str = ""  # how to build the network, e.g. "Net({nin}, {nouts}, act='relu')"
    precision: str = "auto"  # "float64": an engine computing in float32 is charged to api

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            known = ", ".join(repr(p) for p in PRECISIONS)
            raise ConfigError(f"Unknown precision {self.precision!r}: use one of {known}.")

    def weight(self, category: str) -> float:
        return float(self.weights.get(category, NUMPY_WEIGHTS.get(category, 0.0)))


def load_config(path: Optional[Path] = None, **overrides: Any) -> Config:
    """A Config from a TOML rubric (or pyproject.toml), then keyword overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        values = _read_toml(Path(path))
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"Unknown rubric settings: {', '.join(unknown)}.")
    weights = dict(values.get("weights", {}))
    typos = sorted(set(weights) - set(DEFAULT_WEIGHTS) - set(NUMPY_WEIGHTS))
    if typos:
        ids = ", ".join([*DEFAULT_WEIGHTS, *NUMPY_WEIGHTS])
        raise ConfigError(f"Unknown categories in [weights]: {', '.join(typos)}. Known: {ids}.")
    if values.get("mode", "auto") not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}, not {values['mode']!r}.")
    config = Config(**{k: v for k, v in values.items() if k != "weights"})
    config.weights.update(weights)
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Cannot read the rubric {path}: {error}") from None
    if path.name == "pyproject.toml":
        return dict(data.get("tool", {}).get("micrograd-grader", {}))
    return dict(data)
