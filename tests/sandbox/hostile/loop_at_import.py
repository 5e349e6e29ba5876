# Expect: start() raises SandboxError("timeout").
while True:
    pass
