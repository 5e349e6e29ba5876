"""The correct engines in ``correct/``: one style each, and the names to drive them with."""

from __future__ import annotations

from pathlib import Path

from tests.catalogue.oracle_check import Names

DIRECTORY = Path(__file__).parent / "correct"

CORRECT_ENGINES: dict[str, Names] = {
    "value_attr.py": Names(data="value"),
    "gradient_attr.py": Names(grad="gradient"),
    "sig_relu_names.py": Names(methods=(("sigmoid", "sig"), ("relu", "ReLU"))),
    "slots.py": Names(),
    "kahn.py": Names(),
    "unary_helper.py": Names(),
    "direct_rules.py": Names(),
    "int_grads.py": Names(),
    "numpy_data.py": Names(),
    "tanh_via_exp.py": Names(),
    "scalar_class.py": Names(cls="Scalar"),
    "backprop_name.py": Names(backward="backprop"),
}
