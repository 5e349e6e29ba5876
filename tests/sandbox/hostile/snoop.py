# Expect: the unprivileged child cannot read the grader's secrets or write its files.
import os
import socket


def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__


def run(project_root):
    ppid = os.getppid()
    return {
        "parent_environ": attempt(lambda: open(f"/proc/{ppid}/environ").read()),
        "root_home": attempt(lambda: os.listdir("/root")),
        "shadow": attempt(lambda: open("/etc/shadow").read()),
        "write_project": attempt(lambda: open(os.path.join(project_root, "pwned"), "w")),
        "network": attempt(lambda: socket.create_connection(("1.1.1.1", 80), timeout=2)),
    }
