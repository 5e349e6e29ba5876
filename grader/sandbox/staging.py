"""Folder submissions are read from a private copy: regular files only, inside the folder,
within size caps; links and special files are left out with a note.

``staged(folder)`` copies the folder into a fresh 0700 folder of the grader (same last name,
so every message names the student's own files) and removes it afterwards. Every file and
folder is opened relative to its parent's descriptor without following links, and checked
after opening, so a link swapped in during the copy is refused too. Nothing in the original
is written or followed out of the folder.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox.isolation import remove_tree

FILE_BYTES = 5_000_000  # a notebook with its outputs fits
TOTAL_BYTES = 50_000_000
MAX_ENTRIES = 2_000
MAX_DEPTH = 16
NOTED = 5  # left-out files named in notes, per reason
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY


@dataclass
class Staging:
    """A private copy of a folder submission, and what was left out of it."""

    path: Path
    left_out: dict[str, list[str]] = field(default_factory=dict)  # reason: relative names

    def notes(self) -> list[str]:
        """One note per reason, naming the first few files."""
        notes = []
        for reason, names in self.left_out.items():
            shown = ", ".join(names[:NOTED]) + (f" and {len(names) - NOTED} more"
                                                if len(names) > NOTED else "")
            notes.append(f"Left out of your folder ({reason}): {shown}.")
        return notes


@contextmanager
def staged(folder: Path) -> Iterator[Staging]:
    """A private copy of ``folder``, removed when the block ends."""
    top = tempfile.mkdtemp(prefix="grader-staging-")
    copy = Staging(Path(top) / (folder.name or "submission"))
    try:
        _copy_tree(folder, copy)
        yield copy
    finally:
        remove_tree(top)


def _copy_tree(folder: Path, copy: Staging) -> None:
    os.mkdir(copy.path, 0o700)
    budget = [TOTAL_BYTES, MAX_ENTRIES]
    source = os.open(folder, _OPEN_DIR)
    stack = [(source, "", 0)]  # (open folder, its path inside the submission, depth)
    try:
        while stack:
            fd, inside, depth = stack.pop()
            try:
                for name in sorted(os.listdir(fd)):
                    child = _copy_entry(fd, name, inside, depth, copy, budget)
                    if child is not None:
                        stack.append(child)
            finally:
                os.close(fd)
    except BaseException:
        for fd, _, _ in stack:
            os.close(fd)
        raise


def _copy_entry(
    parent: int, name: str, inside: str, depth: int, copy: Staging, budget: list[int]
) -> tuple[int, str, int] | None:
    """Copy one entry of an open folder; a subfolder to walk is returned, open."""
    shown = f"{inside}{name}"
    if budget[1] <= 0:
        return _leave(copy, "too many files", shown)
    budget[1] -= 1
    try:
        info = os.lstat(name, dir_fd=parent)
    except OSError:
        return _leave(copy, "unreadable", shown)
    if stat.S_ISLNK(info.st_mode):
        return _leave(copy, "links are not followed: submit the file itself", shown)
    if stat.S_ISDIR(info.st_mode):
        if depth >= MAX_DEPTH:
            return _leave(copy, "folders nested too deep", shown + "/")
        try:
            fd = os.open(name, _OPEN_DIR, dir_fd=parent)
        except OSError:
            return _leave(copy, "unreadable", shown + "/")
        os.mkdir(copy.path / shown, 0o700)
        return fd, shown + "/", depth + 1
    if not stat.S_ISREG(info.st_mode):
        return _leave(copy, "not a regular file", shown)
    data = _read(parent, name, min(FILE_BYTES, budget[0]))
    if data is None:
        return _leave(copy, "not a regular file, or unreadable", shown)
    if len(data) > min(FILE_BYTES, budget[0]):
        return _leave(copy, f"larger than {FILE_BYTES // 1_000_000} MB, or over the folder's "
                      f"{TOTAL_BYTES // 1_000_000} MB", shown)
    budget[0] -= len(data)
    target = os.open(copy.path / shown, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(target, "wb") as f:
        f.write(data)
    return None


def _read(parent: int, name: str, cap: int) -> bytes | None:
    """At most ``cap + 1`` bytes of a regular file (checked after opening), else None."""
    try:
        fd = os.open(name, _OPEN_FILE, dir_fd=parent)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, left = [], cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _leave(copy: Staging, reason: str, shown: str) -> tuple[int, str, int] | None:
    """Note ``shown`` as left out; nothing to walk."""
    copy.left_out.setdefault(reason, []).append(shown)
    return None
