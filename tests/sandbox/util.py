"""Helpers for the sandbox tests: hostile sources, sandboxes with test methods."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox import Limits, Sandbox

HOSTILE = Path(__file__).parent / "hostile"
TEST_METHODS = ["tests.sandbox.child_methods"]
ROOT = Path(__file__).resolve().parents[2]

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="uid separation needs root")


def hostile(name: str) -> str:
    return (HOSTILE / f"{name}.py").read_text()


def make(source: str, **limits: float) -> Sandbox:
    """A sandbox with the test methods and short limits (override any Limits field)."""
    settings: dict = {"call_seconds": 2.0, "total_seconds": 30.0, **limits}
    return Sandbox(source, limits=Limits(**settings), method_modules=TEST_METHODS)


def live_processes(uid: int) -> list[int]:
    """Pids of live (not zombie) processes running as ``uid``, without signalling them."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and fields["State"].split()[0] not in "ZX":
            found.append(int(name))
    return found
