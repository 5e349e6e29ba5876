# Expect: the alarm kills the child later; the next call reports SandboxError("crashed").
import signal


def run():
    signal.alarm(1)
    return "armed"
