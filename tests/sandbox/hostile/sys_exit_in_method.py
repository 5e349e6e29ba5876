# Expect: SandboxError("exited"); the child survives the SystemExit and still answers.
import sys


def run():
    sys.exit("bye")
