# Expect: RLIMIT_NPROC (and pids.max) caps it; the call times out; after close() no process
# of the sandbox uid is left.
import contextlib
import os


def run():
    while True:
        with contextlib.suppress(OSError):
            os.fork()
