# Expect: every way of reaching a blocked package fails; math and other stdlib still work.
import importlib
import math
import sys


def attempt(name, how):
    try:
        how()
        return "imported"
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"


def run():
    return {
        "import_module": attempt("torch", lambda: importlib.import_module("torch")),
        "__import__": attempt("jax", lambda: __import__("jax.numpy")),
        "exec": attempt("hypothesis", lambda: exec("import hypothesis")),
        "grader": attempt("grader", lambda: __import__("grader.sandbox.methods")),
        "reference": attempt("reference", lambda: importlib.import_module("reference.engine")),
        "micrograd": attempt("micrograd", lambda: __import__("micrograd.engine")),
        "in_sys_modules": sorted(n for n in sys.modules if n.split(".")[0] == "grader"),
        "math": math.tanh(0.5),
    }
