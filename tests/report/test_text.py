"""The text a student reads: information is not PASS/FAIL 0/0, feedback shared by several
categories is said once, the table never cuts a sentence, and a Report's repr is short."""

from __future__ import annotations

import re

from grader.report.text import WIDTH, first_sentence, to_markdown, to_text
from grader.results import CategoryResult, Report

NO_MLP = (
    "No MLP class found (looked for a class named MLP, Mlp, MultiLayerPerceptron, "
    "MultilayerPerceptron). Nothing of the MLP could be graded."
)
LONG = (
    "The gradient of a is wrong (expected 5.436563657, got 2.718281828). a is used by "
    "t1 = a.exp() and out = t1 * a; the backward of one of those ops is the likely culprit."
)
DEEP = (
    "A long chain of operations fails (by default this costs no points: micrograd's own "
    "recursive topological sort fails it too; an iterative sort with an explicit stack fixes "
    "it). out.backward() raised RecursionError: maximum recursion depth exceeded"
)


def _engine_only() -> Report:
    mlp = [
        CategoryResult(f"mlp.{c}", "missing", 0.0, w, NO_MLP)
        for c, w in (("params", 4), ("forward", 6), ("grad", 8), ("zero_grad", 2), ("train", 5))
    ]
    categories = [
        CategoryResult("exp", "fail", 0.0, 3.0, LONG, "a = Value(1.0)", "x", "y", "hint"),
        CategoryResult("graph", "pass", 14.0, 14.0, "Random mixed graphs match torch."),
        CategoryResult("deep", "fail", 0.0, 0.0, DEEP),
        CategoryResult("api", "pass", 0.0, 0.0, "fine"),
        *mlp,
    ]
    notes = ["Graded engine.py.", "Your code imports numpy.", "Graded engine.py."]
    return Report(14.0, 42.0, categories, notes=notes, submission="engine.py")


def _table(text: str) -> list[str]:
    start = text.index("Score:")
    return text[start:].split("\n\n")[1].splitlines()


def test_zero_weight_categories_are_information_not_pass_or_fail() -> None:
    text = to_text(_engine_only())
    assert "0/0" not in text
    rows = {
        line.split()[1]: line
        for line in _table(text)
        if line.startswith("  ") and not line.startswith("   ")
    }
    assert rows["deep"].split()[0] == "info" and rows["api"].split()[0] == "info"
    assert "passes (for information: no points)" in rows["api"]
    assert "--- deep (for information: no points)" in text
    assert rows["exp"].split()[:3] == ["FAIL", "exp", "0/3"]


def test_feedback_shared_by_several_categories_is_said_once() -> None:
    text = to_text(_engine_only())
    assert text.count("No MLP class found") == 2  # once in the table, once explained
    assert "--- mlp.params, mlp.forward, mlp.grad, mlp.zero_grad, mlp.train (missing, 0/25)" in text
    assert text.count("(as mlp.params)") == 4
    assert text.count("Graded engine.py.") == 1
    markdown = to_markdown(_engine_only())
    assert markdown.count("No MLP class found") == 1 and markdown.count("Graded engine.py.") == 1


def test_the_table_never_cuts_a_sentence() -> None:
    text = to_text(_engine_only())
    table = _table(text)
    assert all(len(line) <= WIDTH for line in table)
    joined = re.sub(r"\s+", " ", " ".join(table))
    for sentence in (first_sentence(LONG), first_sentence(DEEP), first_sentence(NO_MLP)):
        assert sentence in joined
    assert first_sentence(LONG) == (
        "The gradient of a is wrong (expected 5.436563657, got 2.718281828)."
    )
    assert first_sentence("Use e.g. a loop. Then more.") == "Use e.g. a loop."


def test_a_report_has_a_short_repr() -> None:
    report = _engine_only()
    assert repr(report) == (
        "<Report engine.py: 14/42, not passed: exp, mlp.params, mlp.forward, mlp.grad, "
        "mlp.zero_grad, mlp.train>"
    )
    ungradable = Report(0.0, 100.0, [], notes=["SyntaxError"], gradable=False)
    assert repr(ungradable) == "<Report engine: not gradable>"


def test_the_html_of_a_report_is_its_notebook_display() -> None:
    html = _engine_only()._repr_html_()
    assert html.count("No MLP class found") == 2  # the table, and the one explanation
    assert 'class="mg-status mg-info"' in html and "0/0" not in html
