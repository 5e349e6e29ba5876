# Expect: the child cannot signal the grader or anyone outside its own uid.
import contextlib
import os
import signal


def run():
    outcomes = {}
    for name, pid, sig in [
        ("parent_int", os.getppid(), signal.SIGINT),
        ("parent_kill", os.getppid(), signal.SIGKILL),
        ("init", 1, signal.SIGTERM),
    ]:
        try:
            os.kill(pid, sig)
            outcomes[name] = "sent"
        except OSError as exc:
            outcomes[name] = type(exc).__name__
    with contextlib.suppress(ProcessLookupError):  # no one at all in a PID namespace
        os.kill(-1, signal.SIGKILL)  # everyone this uid may signal: only the sandbox itself
    return outcomes
