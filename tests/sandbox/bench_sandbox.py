"""Measure the sandbox: start-up, round trip, big answers, an output flood, close.

Run with ``python -m tests.sandbox.bench_sandbox`` from the project root.
"""

from __future__ import annotations

import statistics
import time

from grader.sandbox import Limits, Sandbox
from tests.sandbox.util import TEST_METHODS, hostile

SOURCE = "def f(x):\n    return x\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    starts, hellos = [], []
    for _ in range(10):
        box = Sandbox(SOURCE, method_modules=TEST_METHODS)
        begun = time.perf_counter()
        box.start()
        starts.append(time.perf_counter() - begun)
        hellos.append(box.info["startup_ms"] / 1000)
        box.close()
    print(f"child start-up (spawn to hello), median of 10: {ms(statistics.median(hellos))}")
    print(f"start() with a trivial source, median of 10:    {ms(statistics.median(starts))}")
    print(f"isolation: {box.info}")

    with Sandbox(SOURCE, method_modules=TEST_METHODS) as box:
        box.start()
        box.call("echo", {"payload": 1})  # loads the test methods
        times = []
        for _ in range(5000):
            begun = time.perf_counter()
            box.call("ping", {})
            times.append(time.perf_counter() - begun)
        times.sort()
        print(f"ping round trip: median {ms(times[2500])}, p99 {ms(times[4950])}")
        for label, params in [
            ("100 KB string answer", {"size": 100_000}),
            ("100 KB list-of-floats answer", {"size": 100_000, "floats": True}),
        ]:
            begun = time.perf_counter()
            for _ in range(200):
                box.call("blob", params)
            each = (time.perf_counter() - begun) / 200
            print(f"{label}: {ms(each)} per call, {0.1 / each:.0f} MB/s")
        payload = [0.1234567890123] * 6250
        begun = time.perf_counter()
        for _ in range(200):
            box.call("echo", {"payload": payload})
        each = (time.perf_counter() - begun) / 200
        print(f"100 KB of floats each way (echo): {ms(each)} per call")

    with Sandbox(hostile("print_flood"), limits=Limits(), method_modules=TEST_METHODS) as box:
        box.start()
        cpu, wall = time.process_time(), time.perf_counter()
        box.call("call", {"name": "run", "args": [200]})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"200 MB printed in one call: {wall:.2f} s wall, parent CPU {cpu:.2f} s, "
              f"kept {len(box.output())} chars")

    with Sandbox(hostile("fork_bomb"), limits=Limits(call_seconds=1.0),
                 method_modules=TEST_METHODS) as box:
        box.start()
        begun = time.perf_counter()
        try:
            box.call("call", {"name": "run"})
        except Exception as exc:
            print(f"fork bomb: {type(exc).__name__} {exc.kind} after "  # type: ignore[attr-defined]
                  f"{time.perf_counter() - begun:.2f} s (1 s limit + kill and sweep)")

    box = Sandbox(SOURCE, method_modules=TEST_METHODS)
    box.start()
    begun = time.perf_counter()
    box.close()
    print(f"close(): {ms(time.perf_counter() - begun)}")


if __name__ == "__main__":
    main()
