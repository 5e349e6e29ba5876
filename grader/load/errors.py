"""The one error the loader raises: a message written for the student."""

from __future__ import annotations


class LoadError(Exception):
    """The submission cannot be loaded; ``str(error)`` says where, what is wrong, what to do."""
