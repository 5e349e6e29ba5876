# Expect: SandboxError("crashed") (SIGSEGV).
import ctypes


def run():
    return ctypes.string_at(0)
