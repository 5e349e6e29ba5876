"""The ``grader`` command: check, gradescope, batch, autograder and demo.

Exit codes: 0 when every weighted category passes, 1 when any fails, 2 when the submission
cannot be graded or the command itself cannot be used as given (one line says why).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, Optional

from grader import __version__
from grader.config import Config, ConfigError, load_config
from grader.results import Report

FORMATS = ("text", "json", "gradescope", "junit", "markdown", "html")
PUBLIC_SEED = 0  # the default seed: anyone can draw the graphs it draws
RUBRIC_VARIABLE = "MICROGRAD_GRADER_RUBRIC"  # the autograder's rubric, off the command line

EXIT_CODES = """exit codes:
  0  every weighted category passed (batch, autograder, demo: the command did its work)
  1  a weighted category did not pass
  2  the submission cannot be graded, or the command itself cannot be used as given"""


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on standard error, and exit code 2 (never a traceback)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class UsageError(Exception):
    """An argument that names something unusable (a missing folder, an existing file)."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except (ConfigError, UsageError) as error:
        print(f"grader {args.command}: error: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="grader",
        description="Grade micrograd-style autograd engines (a Value class, Neuron, Layer, MLP) "
        "against torch, with feedback a student can act on.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"micrograd-grader {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    check = _command(
        commands, "check", "grade a .py file, a notebook or a folder",
        "  grader check engine.py\n  grader check homework.ipynb --format markdown\n"
        "  grader check my_folder/ --method sigmoid=sig --output report.txt",
    )  # fmt: skip
    check.add_argument(
        "path",
        type=Path,
        help="the submission: a .py file, a .ipynb notebook "
        "or a folder (engine.py, plus nn.py with Neuron/Layer/MLP)",
    )
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how the report is written (default: text)",
    )
    check.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of printing it",
    )
    _grading_options(check)
    check.set_defaults(run=_check)

    gradescope = _command(
        commands,
        "gradescope",
        "run inside Gradescope's autograder (run_autograder calls it)",
        "  grader gradescope --config rubric.toml",
    )
    gradescope.add_argument(
        "--submission",
        type=Path,
        default=Path("/autograder/submission"),
        help="the submission folder (default: /autograder/submission)",
    )
    gradescope.add_argument(
        "--results",
        type=Path,
        default=Path("/autograder/results/results.json"),
        help="where results.json goes (default: /autograder/results/results.json)",
    )
    _grading_options(gradescope)
    gradescope.set_defaults(run=_gradescope)

    batch = _command(
        commands,
        "batch",
        "grade every submission in a folder (a class), in parallel",
        "  grader batch submissions/ --output reports/ --config rubric.toml\n"
        "  grader batch submissions/ --output reports/ -j 4 --time-limit 120\n"
        "  grader batch submissions/ --output reports/ --format gradescope --overwrite",
    )
    batch.add_argument(
        "folder", type=Path, help="the class: one .py, .ipynb or sub-folder per student"
    )
    batch.add_argument(
        "--output",
        type=Path,
        required=True,
        metavar="FOLDER",
        help="an empty or new folder, outside the class folder, for a report per "
        "student, summary.csv and class_report.json/.html",
    )
    batch.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="format of each student's report (default: json)",
    )
    batch.add_argument(
        "-j",
        "--jobs",
        type=_count("--jobs"),
        default=_cores(),
        help=f"submissions graded at once (default: the core count, {_cores()})",
    )
    batch.add_argument(
        "--time-limit",
        type=_seconds,
        default=300.0,
        metavar="SECONDS",
        help="wall time allowed per submission; one that takes longer gets a "
        "report saying so and the batch goes on (default: 300)",
    )
    batch.add_argument(
        "--overwrite",
        action="store_true",
        help="write into an output folder that already holds files, replacing "
        "reports of the same names",
    )
    _grading_options(batch)
    batch.set_defaults(run=_batch)

    zip_ = _command(
        commands,
        "autograder",
        "build the Gradescope autograder zip",
        "  grader autograder --config rubric.toml --output autograder.zip\n"
        "  grader autograder --config rubric.toml "
        "--torch-index-url https://download.pytorch.org/whl/cpu",
    )
    zip_.add_argument(
        "--config", type=Path, metavar="TOML", help="the rubric to bundle (set a secret seed in it)"
    )
    zip_.add_argument(
        "--output",
        type=Path,
        default=Path("autograder.zip"),
        metavar="FILE",
        help="the zip to write (default: autograder.zip)",
    )
    zip_.add_argument(
        "--torch-index-url",
        metavar="URL",
        help="the package index setup.sh installs torch from (PyTorch's CPU "
        "wheel index keeps the image small); default: pip's own",
    )
    zip_.set_defaults(run=_autograder)

    demo = _command(
        commands,
        "demo",
        "grade the reference and a buggy engine side by side",
        "  grader demo",
    )
    demo.set_defaults(run=_demo)
    return parser


def _command(commands: Any, name: str, summary: str, examples: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=f"examples:\n{examples}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        help="the rubric: a TOML file, or a pyproject.toml with "
        "[tool.micrograd-grader] (weights, budget, seed)",
    )
    parser.add_argument(
        "--seed",
        type=_count("--seed", least=0, most=2**63 - 1),
        help="random seed of the drawn graphs (instructors: keep one secret)",
    )
    parser.add_argument(
        "--budget",
        type=_count("--budget"),
        help="Hypothesis examples per check, at least 1 (default: 10)",
    )
    parser.add_argument(
        "--mode",
        choices=("auto", "scalar", "numpy"),
        help="what is graded: a Value engine (scalar), a numpy network with hand-written "
        "backward passes (numpy), or whichever the submission holds (auto, the default)",
    )
    parser.add_argument(
        "--class",
        dest="class_name",
        type=_identifier("--class"),
        metavar="NAME",
        help="the engine class (default: found, e.g. Value)",
    )
    parser.add_argument(
        "--data-attr",
        type=_identifier("--data-attr"),
        metavar="NAME",
        help="attribute holding the number (default: found, e.g. data)",
    )
    parser.add_argument(
        "--grad-attr",
        type=_identifier("--grad-attr"),
        metavar="NAME",
        help="attribute holding the gradient (default: found, e.g. grad)",
    )
    parser.add_argument(
        "--backward",
        type=_identifier("--backward"),
        metavar="NAME",
        help="name of the backward method (default: found, e.g. backward)",
    )
    parser.add_argument(
        "--method",
        action="append",
        default=[],
        type=_method,
        metavar="OP=NAME",
        help="method name for an op, e.g. sigmoid=sig (repeatable)",
    )
    parser.add_argument(
        "--execute-all",
        action="store_true",
        help="run the whole file or notebook, not only its definitions (training too)",
    )


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _count(option: str, least: int = 1, most: int = 1_000_000) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"between {least} and {most:,}, not {value}")
        return value

    parse.__name__ = option
    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of seconds, not {text!r}") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"more than 0 seconds, not {text}")
    return value


def _identifier(option: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.isidentifier():
            raise argparse.ArgumentTypeError(f"a Python name, not {text!r}")
        return text

    return parse


def _method(text: str) -> tuple[str, str]:
    from grader.discover.finder import METHOD_NAMES

    op, _, name = (part.strip() for part in text.partition("="))
    if not name or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"OP=NAME, e.g. sigmoid=sig, not {text!r}")
    if op not in METHOD_NAMES:
        ops = ", ".join(METHOD_NAMES)
        raise argparse.ArgumentTypeError(f"{op!r} is not an op called as a method ({ops})")
    return op, name


def config_from(args: argparse.Namespace) -> Any:
    """The rubric from --config, with the command-line overrides on top, checked."""
    if args.config is not None and not args.config.is_file():
        raise ConfigError(f"--config {args.config}: no such file.")  # gradescope reports it
    config = load_config(args.config, seed=args.seed, budget=args.budget, mode=args.mode)
    names = {
        "class_name": args.class_name,
        "data_attr": args.data_attr,
        "grad_attr": args.grad_attr,
        "backward": args.backward,
    }
    config.names.update({k: v for k, v in names.items() if v})
    methods = dict(config.names.get("methods", {}))
    methods.update(dict(args.method))
    if methods:
        config.names["methods"] = methods
    config.execute_all = config.execute_all or args.execute_all
    check_config(config)
    return config


def check_config(config: Config) -> None:
    """Refuse rubric values the grader cannot use; note a total other than 100 points."""
    whole = {"seed": 0, "budget": 1, "lanes": 1, "deep_steps": 1, "memory_mb": 64}
    for name, least in whole.items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{name} must be a whole number of at least {least}, not {value!r}.")
    for name in ("call_seconds", "total_seconds"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ConfigError(f"{name} must be a number of seconds above 0, not {value!r}.")
    for category, weight in config.weights.items():
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not (0 <= weight < math.inf)
        ):
            raise ConfigError(f"the weight of {category} must be a number >= 0, not {weight!r}.")
    total = sum(config.weights.values())
    if total != 100:
        print(
            f"grader: note: the rubric's weights add up to {total:g} points, not 100.",
            file=sys.stderr,
        )


def _check(args: argparse.Namespace) -> int:
    from grader.api import grade

    if not args.path.exists():
        raise UsageError(f"{args.path}: no such file or folder.")
    _writable_file(args.output, "--output")
    report = grade(args.path, config_from(args))
    emit(report, args.format, args.output)
    return exit_code(report)


def _gradescope(args: argparse.Namespace) -> int:
    """Always writes results.json: a load error or a crash of ours still gives a valid file."""
    from grader.api import grade, ungradable
    from grader.report.gradescope import write_results

    if args.config is None and os.environ.get(RUBRIC_VARIABLE):
        args.config = Path(os.environ[RUBRIC_VARIABLE])  # kept off the command line
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
    """A report per student, summary.csv and the class report; exit 0 once all are written."""
    from grader.batch import grade_class, submissions
    from grader.batch.outputs import write_class_report, write_report, write_summary

    folder, output = args.folder, args.output
    if not folder.exists():
        raise UsageError(f"{folder}: no such folder.")
    if not folder.is_dir():
        raise UsageError(
            f"{folder} is a file; batch grades a folder with one submission per student "
            "(grade one file with: grader check FILE)."
        )
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file; give a folder for the reports.")
    if output.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            f"--output {output} is inside the class folder {folder}; put the reports elsewhere "
            "(they would be graded as a submission next time)."
        )
    if output.is_dir() and any(output.iterdir()) and not args.overwrite:
        raise UsageError(
            f"--output {output} already holds files; choose an empty or new folder, or pass "
            "--overwrite to write over reports of the same names."
        )
    config = config_from(args)
    try:
        entries = submissions(folder)
        if entries:  # private: grades are personal, and no submission may read another's
            output.mkdir(mode=0o700, parents=True, exist_ok=True)
            output.chmod(0o700)
    except OSError as error:
        raise UsageError(f"{error.filename}: {error.strerror}.") from None
    if not entries:
        print(
            f"grader batch: warning: {folder} holds no submissions; nothing was graded.",
            file=sys.stderr,
        )
        return 2
    progress = _Progress(len(entries))
    with progress:
        class_ = grade_class(
            entries,
            config,
            jobs=args.jobs,
            time_limit=args.time_limit,
            on_done=lambda graded: progress.done(
                graded, write_report(graded, args.format, output, config)
            ),
        )
    write_summary(class_, output)
    title = f"Class report: {folder.resolve().name}"
    written = write_class_report(class_, output, title, args.format)
    graded = sum(g.report.gradable for g in class_)
    print(
        f"graded {graded} of {len(class_)} submissions; wrote a report each, "
        f"{output / 'summary.csv'} and {written[1]}"
    )
    return 0


class _Progress:
    """A progress bar on a terminal (rich); elsewhere a line per submission."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=self.console, disable=not self.console.is_terminal,
        )  # fmt: skip
        self.task = self.bar.add_task("grading", total=total)

    def __enter__(self) -> _Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def done(self, graded: Any, path: Path) -> None:
        report = graded.report
        score = f"{report.score:g}/{report.max_score:g}" if report.gradable else "not graded"
        line = f"{graded.entry.name}: {score}"
        if self.console.is_terminal:
            self.bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, flush=True)
        self.bar.advance(self.task)


def _autograder(args: argparse.Namespace) -> int:
    from grader.autograder import build_autograder

    if args.config is not None and not args.config.is_file():
        raise UsageError(f"--config {args.config}: no such file.")
    _writable_file(args.output, "--output")
    config = load_config(args.config)
    check_config(config)
    if config.seed == PUBLIC_SEED:
        print(
            f"grader autograder: warning: the rubric uses the public default seed "
            f"{PUBLIC_SEED}, so students can see the exact graphs it draws; set seed = "
            "<a secret number> in the rubric.",
            file=sys.stderr,
        )
    source = Path(__file__).resolve().parent.parent
    built = build_autograder(
        args.config, args.output, grader_source=source, torch_index_url=args.torch_index_url
    )
    print(f"wrote {built}: upload it as the autograder of a Gradescope programming assignment")
    return 0


def _writable_file(path: Optional[Path], option: str) -> None:
    """Refuse an output file that is a folder, or whose nearest existing parent is a file."""
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name.")
    parent = path.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: {parent} is a file, not a folder.")


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
