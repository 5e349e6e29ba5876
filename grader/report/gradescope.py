"""The verdict as Gradescope's ``results.json``.

Follows Gradescope's autograder specification ("Output format"): a top-level ``score``,
``execution_time`` (seconds), ``output`` and ``tests``, and for each test ``name``,
``number``, ``score``, ``max_score``, ``status``, ``output``, ``output_format`` and
``visibility``.

Formats. Each test's output is Markdown (``"md"``): the counterexample is a fenced Python
block that keeps its lines and indentation, expected and got are code spans, the labels are
bold. ``"simple_format"`` only turns newlines into line breaks, so code would lose its
monospace and layout. The top-level output is a few lines of prose and uses
``"simple_format"``, the format the spec shows at the top level; its text is HTML-escaped, so
that a load error such as ``File "<string>"`` is not swallowed as a tag.

``tags`` holds the misconceptions a failing test confirmed (each hint's first sentence), so
Gradescope can count them across the class.

``status`` is set on every test, so that a failing category of weight 0 (``deep``) still
shows as failed: without it Gradescope infers pass/fail from the score alone.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Union

from grader.config import ENGINE_WEIGHTS
from grader.ops import OP_CATEGORIES, OPS, forms_of
from grader.report.misconceptions import misconceptions, tag
from grader.results import CategoryResult, Report

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")

TEST_OUTPUT_FORMAT = "md"
TOP_OUTPUT_FORMAT = "simple_format"

MAX_FIELD_CHARS = 8000  # one text field (message, output, counterexample) before truncation

_TITLES = {
    "api": "engine API: a Value holds its number, grad starts at 0, backward seeds 1",
    "reuse": "reused nodes: gradients accumulate",
    "graph": "random mixed graphs: values and gradients",
    "deep": "deep graphs: backward through a long chain",
    "mlp": "MLP: forward, backward and training",
}

_STATUS_WORD = {"pass": "Passed", "fail": "Failed", "missing": "Missing", "error": "Error"}

# C0 controls other than tab and newline, DEL, and lone surrogates: invalid in XML, noise in
# Markdown (ANSI colour codes from a student's prints), unencodable in UTF-8.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")

PathLike = Union[str, "os.PathLike[str]"]


def to_gradescope(report: Report, *, visibility: str = "visible") -> dict[str, Any]:
    """The ``results.json`` document for one report.

    ``visibility`` (one of ``VISIBILITIES``) is set on every test. An ungradable report
    scores 0 overall and on every test, and its output is the reason it could not be loaded.
    """
    _check_visibility(visibility)
    numbers = category_numbers(report.categories)
    tests = [
        _test(result, numbers[result.id], visibility, gradable=report.gradable)
        for result in report.categories
    ]
    return {
        "score": _number(report.score) if report.gradable else 0.0,
        "execution_time": _seconds(report.execution_time),
        "output": _top_output(report),
        "output_format": TOP_OUTPUT_FORMAT,
        "tests": tests,
        "extra_data": {
            "gradable": report.gradable,
            "max_score": _number(report.max_score),
            "seed": report.seed,
            "submission": report.submission,
            "detected": dict(report.detected),
        },
    }


def write_results(report: Report, path: PathLike, *, visibility: str = "visible") -> Path:
    """Write ``results.json`` atomically (a temporary file in the same folder, then a rename).

    The file written is always valid JSON: should turning the report into JSON fail, a
    document with score 0 that says the grader itself failed is written instead, and the
    traceback goes to standard error (which Gradescope shows to instructors only).
    """
    _check_visibility(visibility)
    target = Path(path)
    try:
        document = to_gradescope(report, visibility=visibility)
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    except Exception as exc:  # any failure must still leave valid JSON behind
        text = _fallback(exc)
    _atomic_write(target, text + "\n")
    return target


def category_numbers(categories: list[CategoryResult]) -> dict[str, str]:
    """Stable test numbers: ``1.k`` for the k-th engine category of the rubric
    (``ENGINE_WEIGHTS``: ``api`` is 1.1, ``tanh`` 1.14), ``2.k`` for any other category, in
    report order.

    An engine category's number depends only on the order of ``ENGINE_WEIGHTS`` (add new
    categories at its end to keep the others), not on which categories a report holds.
    """
    engine = list(ENGINE_WEIGHTS)
    numbers: dict[str, str] = {}
    others = 0
    for result in categories:
        if result.id in engine:
            numbers[result.id] = f"1.{engine.index(result.id) + 1}"
        else:
            others += 1
            numbers[result.id] = f"2.{others}"
    return numbers


def category_title(category_id: str) -> str:
    """A readable test name, e.g. ``"mul (a * b, a * 2): values and gradients"``."""
    if category_id in OP_CATEGORIES:
        forms = ", ".join(_form_example(op_id) for op_id in forms_of(category_id))
        return f"{category_id} ({forms}): values and gradients"
    if category_id in _TITLES:
        return _TITLES[category_id]
    return category_id.replace("_", " ").replace(".", ": ")


def clean_text(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    """Text safe for JSON, XML and Markdown: no control characters, at most ``limit`` chars."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", _ANSI.sub("", text))
    if len(text) > limit:
        dropped = len(text) - limit
        text = f"{text[:limit]}\n... ({dropped} more characters cut)"
    return text


def _check_visibility(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}")


def _test(
    result: CategoryResult, number: str, visibility: str, *, gradable: bool
) -> dict[str, Any]:
    return {
        "name": category_title(result.id),
        "number": number,
        "score": _number(result.score) if gradable else 0.0,
        "max_score": _number(result.max_score),
        "status": "passed" if result.status == "pass" else "failed",
        "output": _test_output(result),
        "output_format": TEST_OUTPUT_FORMAT,
        "visibility": visibility,
        "tags": _tags(result),
    }


def _tags(result: CategoryResult) -> list[str]:
    """The misconceptions the grader confirmed, as tags (Gradescope groups results by tag)."""
    return [tag(hint) for hint in misconceptions(result)]


def _test_output(result: CategoryResult) -> str:
    """Markdown: status and message, expected/got, hint, counterexample, then captured output."""
    word = _STATUS_WORD.get(result.status, result.status.capitalize())
    message = _md_escape(clean_text(result.message)) if result.message else ""
    parts = [f"**{word}**" + (f": {message}" if message else "")]
    if result.expected is not None or result.got is not None:
        lines = []
        if result.expected is not None:
            lines.append(f"**Expected:** {_md_code(clean_text(result.expected))}")
        if result.got is not None:
            lines.append(f"**Got:** {_md_code(clean_text(result.got))}")
        parts.append("  \n".join(lines))
    if result.hint:
        parts.append(f"**Hint:** {_md_escape(clean_text(result.hint))}")
    if result.counterexample:
        parts.append(
            "**Counterexample** (run it against your engine):\n\n"
            + _md_fence(clean_text(result.counterexample), "python")
        )
    if result.output:
        parts.append("**Output:**\n\n" + _md_fence(clean_text(result.output), "text"))
    return "\n\n".join(parts)


def _top_output(report: Report) -> str:
    notes = [clean_text(note) for note in report.notes if note]
    if not report.gradable:
        lines = ["This submission could not be graded, so it scores 0."]
        lines += notes or ["No reason was recorded: please ask your course staff."]
        return html.escape("\n\n".join(lines), quote=False)
    passed = sum(1 for c in report.categories if c.status == "pass")
    lines = [
        f"Score: {_fmt(report.score)} / {_fmt(report.max_score)} "
        f"({passed} of {len(report.categories)} categories passed)."
    ]
    for status, label in (("fail", "Failed"), ("missing", "Missing"), ("error", "Errors")):
        ids = [c.id for c in report.categories if c.status == status]
        if ids:
            lines.append(f"{label}: {', '.join(ids)}.")
    if notes:
        lines.append("")
        lines += [f"Note: {note}" for note in notes]
    return html.escape("\n".join(lines), quote=False)


def _form_example(op_id: str) -> str:
    op = OPS[op_id]
    return op.template.format(a="a", b="b", c="2", method=op.category)


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_code(text: str) -> str:
    """A code span, or a fenced block when the text spans lines."""
    if "\n" in text:
        return "\n\n" + _md_fence(text, "text")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_fence(text: str, language: str) -> str:
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _number(x: float) -> float:
    x = float(x)
    return round(x, 6) if math.isfinite(x) else 0.0


def _seconds(x: float) -> int:
    x = float(x)
    return max(0, int(round(x))) if math.isfinite(x) else 0


def _fmt(x: float) -> str:
    return f"{_number(x):g}"


def _fallback(exc: BaseException) -> str:
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    document = {
        "score": 0.0,
        "output": html.escape(
            "The grader failed while writing its report, so this score (0) is not a grade: "
            f"please tell your course staff. ({type(exc).__name__}: {clean_text(str(exc), 500)})",
            quote=False,
        ),
        "output_format": TOP_OUTPUT_FORMAT,
        "tests": [],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
