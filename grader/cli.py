"""``grader check PATH``: grade a submission and print or write the report.

Exit codes: 0 when every weighted category passes, 1 when any fails, 2 when the submission
cannot be graded (or the command itself is wrong).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from grader import __version__
from grader.config import ConfigError, load_config
from grader.results import Report

FORMATS = ("text", "json", "gradescope", "junit", "markdown", "html")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except ConfigError as error:
        print(f"grader: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"micrograd-grader {__version__}")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("check", help="grade a .py file, a notebook or a folder")
    check.add_argument("path", type=Path)
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument("--output", type=Path, help="write the report here instead of stdout")
    _grading_options(check)
    check.set_defaults(run=_check)

    gradescope = commands.add_parser("gradescope", help="run inside Gradescope's autograder")
    gradescope.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    gradescope.add_argument(
        "--results", type=Path, default=Path("/autograder/results/results.json")
    )
    _grading_options(gradescope)
    gradescope.set_defaults(run=_gradescope)

    batch = commands.add_parser("batch", help="grade every submission in a folder (a class)")
    batch.add_argument("folder", type=Path, help="one .py, .ipynb or sub-folder per student")
    batch.add_argument("--output", type=Path, required=True, help="folder for the reports")
    _grading_options(batch)
    batch.set_defaults(run=_batch)

    zip_ = commands.add_parser("autograder", help="build the Gradescope autograder zip")
    zip_.add_argument("--config", type=Path, help="the rubric TOML to bundle")
    zip_.add_argument("--output", type=Path, default=Path("autograder.zip"))
    zip_.set_defaults(run=_autograder)

    demo = commands.add_parser("demo", help="grade the reference and a buggy engine side by side")
    demo.set_defaults(run=_demo)
    return parser


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="rubric TOML (or a pyproject.toml)")
    parser.add_argument("--seed", type=int, help="random seed (instructors: keep one secret)")
    parser.add_argument("--budget", type=int, help="Hypothesis examples per check")
    parser.add_argument("--mode", choices=("auto", "scalar", "numpy"),
                        help="what is graded: a Value engine (scalar), a numpy network (numpy), "
                             "or whichever the submission holds (auto, the default)")
    parser.add_argument("--class", dest="class_name", help="the engine class (default: Value)")
    parser.add_argument("--data-attr", help="attribute holding the number (default: found)")
    parser.add_argument("--grad-attr", help="attribute holding the gradient (default: found)")
    parser.add_argument("--backward", help="name of the backward method (default: found)")
    parser.add_argument(
        "--method",
        action="append",
        default=[],
        metavar="OP=NAME",
        help="method name for an op, e.g. sigmoid=sig (repeatable)",
    )
    parser.add_argument(
        "--execute-all",
        action="store_true",
        help="run the whole file or notebook, not only its definitions",
    )


def config_from(args: argparse.Namespace) -> Any:
    """The rubric from --config, with the command-line overrides on top."""
    config = load_config(args.config, seed=args.seed, budget=args.budget, mode=args.mode)
    names = {
        "class_name": args.class_name,
        "data_attr": args.data_attr,
        "grad_attr": args.grad_attr,
        "backward": args.backward,
    }
    config.names.update({k: v for k, v in names.items() if v})
    methods = dict(config.names.get("methods", {}))
    for item in args.method:
        op, _, name = item.partition("=")
        if not name:
            raise ConfigError(f"--method takes OP=NAME, e.g. sigmoid=sig (got {item!r}).")
        methods[op.strip()] = name.strip()
    if methods:
        config.names["methods"] = methods
    config.execute_all = config.execute_all or args.execute_all
    return config


def _check(args: argparse.Namespace) -> int:
    from grader.api import grade

    report = grade(args.path, config_from(args))
    emit(report, args.format, args.output)
    return exit_code(report)


def _gradescope(args: argparse.Namespace) -> int:
    """Always writes results.json: a load error or a crash of ours still gives a valid file."""
    from grader.api import grade, ungradable
    from grader.report.gradescope import write_results

    try:
        config = config_from(args)
    except ConfigError as error:
        write_results(
            ungradable(f"The autograder's rubric is broken: {error}", load_config()), args.results
        )
        return 2
    try:
        report = grade(args.submission, config)
    except Exception as error:  # noqa: BLE001 - a results.json must exist whatever happens
        message = (
            "The grader itself failed on this submission; your instructor has been "
            f"told. ({type(error).__name__})"
        )
        print(f"grader: internal error: {error!r}", file=sys.stderr)
        report = ungradable(message, config)
    write_results(report, args.results)
    print(render(report, "text"))
    return exit_code(report)


def _batch(args: argparse.Namespace) -> int:
    """One JSON report per student and a summary.csv, in a stable (sorted) order."""
    import csv

    from grader.api import grade

    config = config_from(args)
    entries = sorted(p for p in args.folder.iterdir() if not p.name.startswith("."))
    args.output.mkdir(parents=True, exist_ok=True)
    with open(args.output / "summary.csv", "w", newline="", encoding="utf-8") as handle:
        table = csv.writer(handle)
        table.writerow(["submission", "score", "max_score", "gradable", "not_passed"])
        for entry in entries:
            report = grade(entry, config)
            emit(report, "json", args.output / f"{entry.stem}.json")
            table.writerow(
                [
                    entry.name,
                    f"{report.score:g}",
                    f"{report.max_score:g}",
                    report.gradable,
                    " ".join(report.failed()),
                ]
            )
            print(f"{entry.name}: {report.score:g}/{report.max_score:g}")
    return 0


def _autograder(args: argparse.Namespace) -> int:
    from grader.autograder import build_autograder

    source = Path(__file__).resolve().parent.parent
    built = build_autograder(args.config, args.output, grader_source=source)
    print(f"wrote {built}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from grader.api import grade

    root = Path(__file__).resolve().parent.parent
    reference, buggy = root / "reference", root / "examples" / "buggy_student"
    if not buggy.exists():
        print("grader demo runs from a source checkout (it grades examples/buggy_student/).")
        return 2
    good, bad = grade(reference), grade(buggy)
    print(f"{'category':<14} {'reference/':>12} {'examples/buggy_student/':>26}")
    for left, right in zip(good.categories, bad.categories):
        print(f"{left.id:<14} {left.status:>12} {right.status:>26}")
    print(f"{'score':<14} {good.score:>8g}/{good.max_score:g} {bad.score:>22g}/{bad.max_score:g}")
    print("\nWhat a student with the buggy engine is told:\n")
    print(render(bad, "text"))
    return 0


def exit_code(report: Report) -> int:
    if not report.gradable:
        return 2
    return 0 if report.passed else 1


def render(report: Report, fmt: str) -> str:
    """The report in one of FORMATS."""
    if fmt == "json":
        from grader.report.json_report import to_json

        return to_json(report)
    if fmt == "gradescope":
        import json

        from grader.report.gradescope import to_gradescope

        return json.dumps(to_gradescope(report), indent=2)
    if fmt == "junit":
        from grader.report.junit import to_junit

        return to_junit(report)
    if fmt == "markdown":
        from grader.report.text import to_markdown

        return to_markdown(report)
    if fmt == "html":
        from grader.report.html import to_html

        return to_html(report)
    from grader.report.text import to_text

    return to_text(report)


def emit(report: Report, fmt: str, output: Optional[Path]) -> None:
    text = render(report, fmt)
    if fmt == "text" and output is not None:  # the failing graphs' pictures, beside it
        from grader.report.picture import write_pictures
        from grader.report.text import to_text

        pictures = write_pictures(report, output)
        text = to_text(report, {k: str(v) for k, v in pictures.items()})
    if output is None:
        try:
            print(text)
        except BrokenPipeError:  # `grader check x | head`: the reader left, which is fine
            sys.stderr.close()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
