"""The names under which a submission exposes the engine (found by discovery, or configured)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

UNARY_METHODS = ("exp", "log", "tanh", "sigmoid", "relu")


@dataclass
class EngineAPI:
    """How to drive one student's Value class: its name and its attribute/method names."""

    class_name: str = "Value"
    data_attr: str = "data"
    grad_attr: str = "grad"
    backward: str = "backward"
    methods: dict[str, str] = field(default_factory=lambda: {m: m for m in UNARY_METHODS})
    static: list[str] = field(default_factory=list)  # ops called as Value.relu(x), not x.relu()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EngineAPI:
        return cls(**data)

    def describe(self) -> dict[str, str]:
        """What was detected, as the report shows it."""
        found = {
            "engine class": self.class_name,
            "data attribute": self.data_attr,
            "gradient attribute": self.grad_attr,
            "backward method": self.backward,
        }
        for op, name in self.methods.items():
            if op in self.static:
                found[op] = f"{self.class_name}.{name}(x)"
            elif name != op:
                found[op] = name
        return found

    def call(self, op: str, operand: str) -> str:
        """How the engine's unary ``op`` is written: ``a.tanh()``, or ``Value.tanh(a)``."""
        name = self.methods.get(op, op)
        if op in self.static:
            return f"{self.class_name}.{name}({operand})"
        return f"{operand}.{name}()"
