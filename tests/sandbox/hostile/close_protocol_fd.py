# Expect: SandboxError("protocol"): the child cannot answer once its pipes are closed.
import os


def run():
    os.closerange(3, 1024)
    return "closed"
