# Expect: ignoring SIGTERM/SIGINT/SIGHUP changes nothing: the timeout and close() use SIGKILL.
import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, lambda *a: None)
signal.signal(signal.SIGHUP, signal.SIG_IGN)


def run():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        time.sleep(0.01)
