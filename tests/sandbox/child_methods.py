"""Test-only child methods: call a function of the submission and return plain data.

Loaded in the child through ``Sandbox(..., method_modules=[__name__])``, so the sandbox tests
do not depend on the grader's own discover/evaluate methods.
"""

from __future__ import annotations

import os
import resource
import sys
from typing import Any

from grader.sandbox.methods import register


def _as(value: Any, mode: str) -> Any:
    if mode == "float":
        return float(value)
    if mode == "str":
        return str(value)
    if mode == "repr":
        return repr(value)
    return value


@register("call")
def call(namespace: dict, params: dict) -> Any:
    """``namespace[name](*args)``; an Exception is returned as data, anything else escapes."""
    function = namespace[params["name"]]
    try:
        return {"value": _as(function(*params.get("args", [])), params.get("as", "raw"))}
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


@register("call_unguarded")
def call_unguarded(namespace: dict, params: dict) -> Any:
    """Like ``call`` but lets every exception escape to the dispatcher."""
    function = namespace[params["name"]]
    return _as(function(*params.get("args", [])), params.get("as", "raw"))


@register("echo")
def echo(namespace: dict, params: dict) -> Any:
    return params["payload"]


@register("blob")
def blob(namespace: dict, params: dict) -> Any:
    """A response of about ``size`` bytes: a string, or a list of floats."""
    if params.get("floats"):
        return [0.1234567890123] * (params["size"] // 16)
    return "x" * params["size"]


@register("whoami")
def whoami(namespace: dict, params: dict) -> dict:
    """What the child is allowed and has loaded."""
    return {
        "pid": os.getpid(),
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "cwd": os.getcwd(),
        "modules": sorted(sys.modules),
        "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
        "address_space": resource.getrlimit(resource.RLIMIT_AS)[0],
        "env": sorted(os.environ),
    }


def stub(name: str) -> str:
    """What the tests inject into the submission's globals."""
    return f"stub for {name}"
