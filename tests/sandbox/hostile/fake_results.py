# Expect: writing into its own working directory works (and is thrown away); writing into
# the grader's results directory fails with PermissionError.
import os


def run(path):
    outcomes = {}
    for target in ("results.json", path):
        try:
            with open(target, "w") as f:
                f.write('{"score": 100}')
            outcomes[target] = "written"
        except OSError as exc:
            outcomes[target] = type(exc).__name__
    outcomes["cwd"] = os.getcwd()
    return outcomes
