"""Stage 3: run an untrusted submission in a confined child process that only computes.

The parent side (``Sandbox``, ``Limits``, ``SandboxError``) lives in host.py and is imported
on first use, so that the child, which imports ``grader.sandbox.child``, starts without it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # keeps typing out of the child's start-up
if TYPE_CHECKING:
    from typing import Any

    from grader.sandbox.host import DEFAULT_BLOCKED, Limits, Sandbox, SandboxError

__all__ = ["DEFAULT_BLOCKED", "Limits", "Sandbox", "SandboxError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from grader.sandbox import host

        return getattr(host, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
