"""``grader check PATH``: grade a submission and print or write the report.

Exit codes: 0 when every weighted category passes, 1 when any fails, 2 when the submission
cannot be graded (or the command itself is wrong).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

from grader import __version__
from grader.config import ConfigError, load_config
from grader.results import Report

FORMATS = ("text", "json", "gradescope", "junit", "markdown")


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
    return parser


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="rubric TOML (or a pyproject.toml)")
    parser.add_argument("--seed", type=int, help="random seed (instructors: keep one secret)")
    parser.add_argument("--budget", type=int, help="Hypothesis examples per check")
    parser.add_argument("--class", dest="class_name", help="the engine class (default: Value)")
    parser.add_argument("--data-attr", help="attribute holding the number (default: found)")
    parser.add_argument("--grad-attr", help="attribute holding the gradient (default: found)")
    parser.add_argument("--backward", help="name of the backward method (default: found)")
    parser.add_argument("--method", action="append", default=[], metavar="OP=NAME",
                        help="method name for an op, e.g. sigmoid=sig (repeatable)")
    parser.add_argument("--execute-all", action="store_true",
                        help="run the whole file or notebook, not only its definitions")


def config_from(args: argparse.Namespace) -> Any:
    """The rubric from --config, with the command-line overrides on top."""
    config = load_config(args.config, seed=args.seed, budget=args.budget)
    names = {"class_name": args.class_name, "data_attr": args.data_attr,
             "grad_attr": args.grad_attr, "backward": args.backward}
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
    from grader.report.text import to_text

    return to_text(report)


def emit(report: Report, fmt: str, output: Optional[Path]) -> None:
    text = render(report, fmt)
    if output is None:
        print(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
