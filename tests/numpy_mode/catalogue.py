"""Numpy networks with one planted bug each: (name, source file, old text, new text, the
categories that must fail). Each mutation is a real bug: its numbers differ from torch's."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference" / "numpy_network" / "network.py"
CORRECT = Path(__file__).parent / "correct"
COURSE = CORRECT / "course_functions.py"
MODULES = CORRECT / "layer_modules.py"
COLUMNS = CORRECT / "columns_network.py"

BUGS: list[tuple[str, Path, str, str, set[str]]] = [
    ("relu_in_place", REFERENCE, "    return np.maximum(0.0, z)",
     "    z[z < 0] = 0.0\n    return z", {"np.inputs_unchanged"}),
    ("relu_backward_no_upstream", REFERENCE, "    return da * (z > 0)",
     "    return (z > 0) * 1.0", {"np.relu_backward"}),
    ("sigmoid_backward_from_output", REFERENCE, "    s = sigmoid(z)\n    return da * s * (1.0 - s)",
     "    return da * z * (1.0 - z)", {"np.sigmoid_backward"}),
    ("sigmoid_sign", REFERENCE, "1.0 / (1.0 + np.exp(-z))", "1.0 / (1.0 + np.exp(z))",
     {"np.sigmoid"}),
    ("loss_gradient_without_mean", REFERENCE, "(1.0 - a)) / a.shape[0]", "(1.0 - a))",
     {"np.loss_backward"}),
    ("loss_summed", REFERENCE, "-np.mean(y * np.log(a)", "-np.sum(y * np.log(a)", {"np.loss"}),
    ("dw_transposed", REFERENCE, "self.dW = self.X.T @ dout", "self.dW = dout.T @ self.X",
     {"np.linear_backward"}),
    ("db_wrong_axis", REFERENCE, "self.db = dout.sum(axis=0)", "self.db = dout.sum(axis=1)",
     {"np.linear_backward"}),
    ("dx_returns_upstream", REFERENCE, "return dout @ self.W.T", "return dout",
     {"np.linear_backward"}),
    ("forward_without_bias", REFERENCE, "return x @ self.W + self.b", "return x @ self.W",
     {"np.linear_forward"}),
    ("update_adds_gradient", REFERENCE, "self.W = self.W - learning_rate * self.dW",
     "self.W = self.W + learning_rate * self.dW", {"np.update"}),
    ("update_forgets_bias", REFERENCE, "self.b = self.b - learning_rate * self.db",
     "self.b = self.b", {"np.update"}),
    ("backward_skips_relu", REFERENCE,
     "dz1 = relu_backward(self.layer2.backward(dz2), self.z1)",
     "dz1 = self.layer2.backward(dz2)", {"np.model_backward"}),
    ("forward_relu_output", REFERENCE, "self.a2 = sigmoid(self.z2)", "self.a2 = relu(self.z2)",
     {"np.model_forward"}),
    ("course_relu_backward_in_place", COURSE, "dZ = np.array(dA, copy=True)", "dZ = dA",
     {"np.inputs_unchanged"}),
    ("course_cost_sign", COURSE, "cost = -1 / m * np.sum", "cost = 1 / m * np.sum", {"np.loss"}),
    ("course_db_not_averaged", COURSE, "db = 1 / m * np.sum(dZ, axis=1, keepdims=True)",
     "db = np.sum(dZ, axis=1, keepdims=True)", {"np.linear_backward"}),
    ("modules_sigmoid_backward", MODULES, "return grad_out * self.out * (1.0 - self.out)",
     "return grad_out * self.out", {"np.sigmoid_backward"}),
    ("columns_update_sign", COLUMNS, "self.W = self.W - lr * self.dW",
     "self.W = self.W + lr * self.dW", {"np.update"}),
]
