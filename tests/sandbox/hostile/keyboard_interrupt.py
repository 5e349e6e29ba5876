# Expect: SandboxError("crashed") for the escaped KeyboardInterrupt; the child still answers.
def run():
    raise KeyboardInterrupt
