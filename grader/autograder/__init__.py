"""The Gradescope autograder zip: setup.sh, run_autograder, the rubric and the grader."""

from __future__ import annotations

from grader.autograder.build import TORCH_PIN, build_autograder, run_script, setup_script

__all__ = ["TORCH_PIN", "build_autograder", "run_script", "setup_script"]
