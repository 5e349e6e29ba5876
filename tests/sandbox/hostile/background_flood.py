# Expect: a thread printing forever between requests neither blocks answers nor the parent.
import threading


def flood():
    while True:
        print("z" * 4096)


threading.Thread(target=flood, daemon=True).start()


def run():
    return "still here"
