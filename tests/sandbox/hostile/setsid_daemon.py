# Expect: a double-forked, setsid daemon that writes a file later is dead after close().
import os
import time


def run(path, delay):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(delay)
            with open(path, "w") as f:
                f.write("I survived")
        os._exit(0)
    return "daemon started"
