"""reference.demo: the dataset and the training functions (kept short here)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from reference import demo


def test_make_moons_is_seeded_balanced_and_two_dimensional() -> None:
    xs, ys = demo.make_moons(40, seed=3)
    assert len(xs) == len(ys) == 40
    assert all(len(x) == 2 and all(math.isfinite(v) for v in x) for x in xs)
    assert sorted(set(ys)) == [0, 1]
    assert ys.count(0) == ys.count(1) == 20
    assert demo.make_moons(40, seed=3) == (xs, ys)
    assert demo.make_moons(40, seed=4)[0] != xs
    # the two moons sit around different centres
    points = np.array(xs)
    labels = np.array(ys)
    upper, lower = points[labels == 0].mean(axis=0), points[labels == 1].mean(axis=0)
    assert upper[1] > lower[1]
    assert lower[0] > upper[0]


def test_train_moons_runs_reports_and_improves() -> None:
    lines: list[str] = []
    _, first_loss, _ = demo.train_moons(steps=1, n=20)
    model, loss, acc = demo.train_moons(steps=8, n=20, every=4, report=lines.append)
    assert len(model.parameters()) == 8 * 3 + 8 * 9 + 9
    assert loss < first_loss
    assert 0.0 <= acc <= 1.0
    assert len(lines) == 2
    assert lines[-1].split()[:2] == ["step", "8"]
    assert "accuracy" in lines[-1]


def test_train_four_points_reports_every_few_steps() -> None:
    lines: list[str] = []
    _, loss = demo.train_four_points(steps=12, every=5, report=lines.append)
    assert [line.split()[1] for line in lines] == ["5", "10", "12"]
    assert f"{loss:.6f}" in lines[-1]


def test_main_prints_progress_and_final_numbers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo, "train_moons", functools.partial(demo.train_moons, steps=2, n=10))
    demo.main()
    out = capsys.readouterr().out
    assert "Four points" in out
    assert "Two moons" in out
    assert out.count("final loss") == 2
    assert "accuracy" in out.splitlines()[-1]
