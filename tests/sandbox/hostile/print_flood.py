# Expect: megabytes printed at import and in a method; the parent stays fast and keeps only
# the capped head and tail, with the cut marked.
import sys

print("FIRST LINE")
for _ in range(5_000):
    print("x" * 1000)


def run(megabytes):
    line = "y" * 1023
    for _ in range(megabytes * 1024):
        print(line)
    sys.stderr.write("LAST LINE\n")
    return megabytes
