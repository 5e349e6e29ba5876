# Expect: SandboxError("timeout"): per call, then for the total budget.
import time


def run(seconds):
    time.sleep(seconds)
    return seconds
