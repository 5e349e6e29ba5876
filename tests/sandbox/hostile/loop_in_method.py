# Expect: SandboxError("timeout") after call_seconds; a restarted sandbox works again.
def run():
    while True:
        pass
