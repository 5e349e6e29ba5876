"""The Markdown a notebook shows: special characters in messages are escaped, code stays code."""

from __future__ import annotations

from grader.report.text import to_markdown
from grader.results import CategoryResult, Report


def _report(message: str, hint: str | None = None, got: str = "a.grad == 2") -> Report:
    failed = CategoryResult("sub", "fail", 0.0, 3.0, message, "a = Value(1.0)\nout = a - a",
                            "a.grad == 0", got, hint)
    return Report(0.0, 3.0, [failed])


def test_dunder_names_and_stars_are_escaped_outside_code():
    text = to_markdown(_report("Your Value has no __rsub__ method; a*b is fine. See `__sub__`.",
                               hint="Write __rsub__ as <other - self>."))
    assert r"no \_\_rsub\_\_ method; a\*b is fine" in text
    assert "`__sub__`" in text  # a code span is left as written
    assert r"Write \_\_rsub\_\_ as \<other - self\>." in text
    assert "```python\na = Value(1.0)\nout = a - a\n```" in text


def test_backticks_inside_values_keep_the_code_span_closed():
    text = to_markdown(_report("An unpaired ` backtick.", got="s == '`'"))
    assert r"An unpaired \` backtick." in text
    assert "got `` s == '`' ``." in text


def test_ungradable_notes_are_escaped():
    report = Report(0.0, 3.0, [], notes=["cell 3: NameError: name '__x__' is not defined"],
                    gradable=False)
    assert r"name '\_\_x\_\_' is not defined" in to_markdown(report)
