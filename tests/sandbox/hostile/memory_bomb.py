# Expect: MemoryError under RLIMIT_AS: data through "call", SandboxError("memory") when it
# escapes ("call_unguarded"); either way the child survives.
def run():
    hoard = []
    while True:
        hoard.append(bytearray(50 * 2**20))
