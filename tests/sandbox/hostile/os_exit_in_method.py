# Expect: SandboxError("exited") naming exit status 7.
import os


def run():
    os._exit(7)
