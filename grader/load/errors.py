"""The one error the loader raises: a message written for the student."""

from __future__ import annotations


class LoadError(Exception):
    """The submission could not be loaded; ``str(error)`` says where, what is wrong and what to do."""
