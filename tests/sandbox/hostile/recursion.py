# Expect: RecursionError returned as data by the method; the child lives on.
def run(n=0):
    return run(n + 1)
