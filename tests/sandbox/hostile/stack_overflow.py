# Expect: SandboxError("crashed"): the recursion goes through C (map), so a raised
# recursion limit overflows the C stack and the interpreter segfaults.
import sys

sys.setrecursionlimit(10**6)


def run(n=0):
    return list(map(run, [n + 1]))
