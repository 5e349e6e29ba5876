"""Folder submissions are copied into a private folder: regular files inside, capped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox import staging
from grader.sandbox.isolation import remove_tree


def test_regular_files_are_copied_and_links_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "carol.v2"
    (folder / "pkg").mkdir(parents=True)
    (folder / "engine.py").write_text("class Value: pass\n")
    (folder / "pkg" / "nn.py").write_text("class MLP: pass\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("root only")
    secret.chmod(0o600)
    (folder / "zero.py").symlink_to("/dev/zero")
    (folder / "nn.py").symlink_to(secret)
    (folder / "out").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe.py")
    with staging.staged(folder) as copy:
        assert copy.path.name == "carol.v2"
        names = sorted(str(p.relative_to(copy.path)) for p in copy.path.rglob("*"))
        assert names == ["engine.py", "pkg", "pkg/nn.py"]
        assert (copy.path / "pkg" / "nn.py").read_text() == "class MLP: pass\n"
        notes = copy.notes()
        assert any("links are not followed" in n and "zero.py" in n and "nn.py" in n
                   for n in notes), notes
        assert any("not a regular file" in n and "pipe.py" in n for n in notes), notes
        assert all(str(tmp_path) not in n for n in notes)
        staged_at = copy.path
    assert not staged_at.exists()


def test_caps_leave_files_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "FILE_BYTES", 100)
    monkeypatch.setattr(staging, "MAX_DEPTH", 2)
    folder = tmp_path / "sub"
    (folder / "a" / "b" / "c").mkdir(parents=True)
    (folder / "big.py").write_text("x" * 101)
    (folder / "small.py").write_text("x" * 100)
    with staging.staged(folder) as copy:
        assert (copy.path / "small.py").exists() and not (copy.path / "big.py").exists()
        assert (copy.path / "a" / "b").is_dir() and not (copy.path / "a" / "b" / "c").exists()
        assert len(copy.notes()) == 2


def test_remove_tree_handles_any_depth_and_links(tmp_path: Path) -> None:
    top = tmp_path / "work"  # 1,500 levels: deeper than recursion or PATH_MAX allow
    fd = os.open(tmp_path, os.O_RDONLY)
    os.mkdir("work", dir_fd=fd)
    current = os.open("work", os.O_RDONLY, dir_fd=fd)
    for _ in range(1500):
        os.mkdir("d", dir_fd=current)
        nxt = os.open("d", os.O_RDONLY, dir_fd=current)
        os.close(current)
        current = nxt
    os.close(current)
    os.close(fd)
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "file").write_text("kept")
    (top / "link").symlink_to(keep)
    assert remove_tree(str(top)) is True
    assert not top.exists() and (keep / "file").read_text() == "kept"
    assert remove_tree(str(tmp_path / "absent")) is True
