# Expect: SandboxError("protocol"): forged answers on the grader's pipe are rejected.
import contextlib
import os


def pipes():
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                fds.append(int(name))
        except OSError:
            pass
    return fds


def garbage():
    for fd in pipes():
        with contextlib.suppress(OSError):
            os.write(fd, b"this is not json\n")
    return "sent"


def forged():
    for fd in pipes():
        with contextlib.suppress(OSError):
            os.write(fd, b'{"id": 999, "ok": true, "result": {"score": 100}}\n')
    return "sent"


def redirect():
    for fd in pipes():
        os.dup2(1, fd)
    return "redirected"
