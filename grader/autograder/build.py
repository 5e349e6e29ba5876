"""Build the zip that an instructor uploads to Gradescope as the autograder.

Gradescope's specification asks for ``setup.sh`` and an executable ``run_autograder`` at the
root of the zip; the whole zip is unpacked into ``/autograder/source``, ``setup.sh`` runs once
while the image is built, and ``run_autograder`` (copied to ``/autograder/run_autograder``)
runs from ``/autograder`` for each submission, which Gradescope puts in
``/autograder/submission``; it must leave ``/autograder/results/results.json``.

The zip holds::

    setup.sh                 installs Python, torch (pinned) and the bundled grader
    run_autograder           python3 -m grader gradescope --submission ... --results ...
    rubric/<name>.toml       the rubric, when one is given, under its own file name
    micrograd-grader/        the grader's source: pyproject.toml, README.md, grader/

The model answer (reference/) is not shipped: nothing in grading needs it.

The zip is deterministic: entries sorted by name, every timestamp 1980-01-01 00:00, fixed
permissions (0755 for the two scripts, 0644 for the rest), so two builds from the same
sources are byte-identical.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from grader.config import load_config

TORCH_PIN = "torch==2.13.0"  # the CPU wheel pinned in constraints.txt and tox.ini
SOURCE_DIR = "micrograd-grader"
RUBRIC_DIR = "rubric"
VENV = "/opt/micrograd-grader/venv"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry

_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = (".pyc", ".pyo")


def build_autograder(
    config_path: Optional[Path],
    out_zip: Path,
    *,
    grader_source: Path,
    torch_index_url: Optional[str] = None,
) -> Path:
    """Write the Gradescope autograder zip to ``out_zip`` and return its path.

    ``grader_source`` is the project root (the folder holding ``pyproject.toml`` and
    ``grader/``). ``config_path`` is the rubric (a TOML file, or a pyproject.toml with a
    ``[tool.micrograd-grader]`` table), bundled as ``rubric/<its name>`` and passed to the
    grader with ``--config``; it is loaded first, so a rubric the grader would refuse raises
    ``grader.config.ConfigError`` here rather than on Gradescope. ``torch_index_url``, when
    given, is the package index ``setup.sh`` installs torch from (PyTorch's CPU wheel index,
    say); without it pip uses its default index.
    """
    entries = _entries(config_path, Path(grader_source), torch_index_url)
    out = Path(out_zip)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name in sorted(entries):
                data, mode = entries[name]
                info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                info.create_system = 3  # Unix, so that unzip honours the permission bits
                info.external_attr = (stat.S_IFREG | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=9)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def setup_script(torch_index_url: Optional[str] = None) -> str:
    """The text of ``setup.sh``."""
    index = f" --index-url {shlex.quote(torch_index_url)}" if torch_index_url else ""
    return f"""#!/usr/bin/env bash
# micrograd-grader: Gradescope runs this once, as root, while it builds the autograder image.
# It installs Python 3, then torch and the grader bundled in this zip into a virtualenv.
set -euo pipefail

SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
VENV={VENV}

export DEBIAN_FRONTEND=noninteractive
apt-get update
# bubblewrap: the sandbox's preferred isolation (the grader falls back without it)
apt-get install -y --no-install-recommends python3 python3-venv bubblewrap

python3 - <<'PY'
import sys
if sys.version_info < (3, 9):
    sys.exit("micrograd-grader needs Python >= 3.9; this image has "
             + sys.version.split()[0] + ": choose a newer base image")
PY

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip

# torch, pinned. The grader needs only the CPU build of torch. On Linux pip's default index
# serves the much larger CUDA build: if your image lacks it or cannot afford it, point pip at
# PyTorch's CPU wheel index for this one command (pip's --index-url option), or rebuild this
# zip with: grader autograder --config RUBRIC --torch-index-url INDEX
"$VENV/bin/python" -m pip install "{TORCH_PIN}"{index}

# The grader itself, from the source tree bundled in this zip (torch stays at the pin).
"$VENV/bin/python" -m pip install "$SOURCE/{SOURCE_DIR}" "{TORCH_PIN}"
"$VENV/bin/python" -c "import grader"
"""


def run_script(rubric: Optional[str] = None) -> str:
    """The text of ``run_autograder``; ``rubric`` is the rubric's path inside the zip.

    ``AUTOGRADER_ROOT`` and ``MICROGRAD_GRADER_PYTHON`` override ``/autograder`` and the
    virtualenv's Python, to try the script outside Gradescope.
    """
    config = (f'\nexport MICROGRAD_GRADER_RUBRIC="$ROOT/source/"{shlex.quote(rubric)}'
              "  # not on the command line, where /proc shows it") if rubric else ""
    return f"""#!/usr/bin/env bash
# micrograd-grader: Gradescope runs this for each submission, from /autograder. It grades
# /autograder/submission and writes /autograder/results/results.json.
set -euo pipefail

ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{MICROGRAD_GRADER_PYTHON:-{VENV}/bin/python3}}"

mkdir -p "$ROOT/results"
args=(gradescope --submission "$ROOT/submission" --results "$ROOT/results/results.json"){config}
exec "$PYTHON" -m grader "${{args[@]}}"
"""


def _entries(
    config_path: Optional[Path], grader_source: Path, torch_index_url: Optional[str]
) -> dict[str, tuple[bytes, int]]:
    """Every file of the zip: its name, bytes and permission bits."""
    package = grader_source / "grader"
    pyproject = grader_source / "pyproject.toml"
    if not (package / "__init__.py").is_file():
        raise ValueError(f"{grader_source} holds no grader/ package")
    project = pyproject.read_bytes() if pyproject.is_file() else installed_pyproject().encode()

    rubric: Optional[str] = None
    entries: dict[str, tuple[bytes, int]] = {}
    if config_path is not None:
        load_config(Path(config_path))  # refuse here what the grader would refuse there
        rubric = f"{RUBRIC_DIR}/{Path(config_path).name}"
        entries[rubric] = (Path(config_path).read_bytes(), 0o644)
    entries["setup.sh"] = (setup_script(torch_index_url).encode(), 0o755)
    entries["run_autograder"] = (run_script(rubric).encode(), 0o755)
    entries[f"{SOURCE_DIR}/pyproject.toml"] = (project, 0o644)

    readme = grader_source / "README.md"
    entries[f"{SOURCE_DIR}/README.md"] = (
        readme.read_bytes()
        if readme.is_file()
        # pyproject.toml names README.md, and pip cannot build the package without it.
        else b"# micrograd-grader\n\nProperty-based grader for micrograd-style engines.\n",
        0o644,
    )
    for path in _package_files(package):
        name = f"{SOURCE_DIR}/{path.relative_to(grader_source).as_posix()}"
        entries[name] = (path.read_bytes(), 0o644)
    return entries


def installed_pyproject() -> str:
    """A pyproject.toml for a grader installed from a wheel (no source tree beside it), from
    the installed distribution's own metadata: name, version and dependencies."""
    from importlib import metadata

    requires = [r for r in metadata.requires("micrograd-grader") or [] if "extra ==" not in r]
    dependencies = ", ".join(json.dumps(r) for r in requires)
    return f"""[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "micrograd-grader"
version = {json.dumps(metadata.version("micrograd-grader"))}
readme = "README.md"
requires-python = ">=3.9"
dependencies = [{dependencies}]

[project.scripts]
grader = "grader.cli:main"

[tool.setuptools.packages.find]
include = ["grader*"]
"""


def _package_files(package: Path) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.endswith(_SKIP_SUFFIXES):
                continue
            path = Path(folder) / name
            if path.is_file():
                files.append(path)
    return files
