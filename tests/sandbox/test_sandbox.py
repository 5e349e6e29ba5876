"""The sandbox API on well-behaved submissions: start, call, names, errors as data, restart."""

from __future__ import annotations

import math
import os

import pytest

from grader.sandbox import Limits, Sandbox, SandboxError
from grader.sandbox.host import Capture
from tests.sandbox.util import TEST_METHODS, as_root, make

GOOD = '''
import math

class Value:
    def __init__(self, data):
        self.data = data

def double(x):
    return 2 * x

def tanh(x):
    return math.tanh(x)

print("loaded")
'''


def test_start_ping_names() -> None:
    with make(GOOD) as box:
        report = box.start()
        assert report == {"ok": True, "error": None, "notes": []}
        assert box.call("ping", {}) == "pong"
        names = {item["name"]: item["kind"] for item in box.call("names", {})}
        functions = {"double": "function", "tanh": "function"}
        assert names == {"math": "module", "Value": "class", **functions}
        assert box.call("call", {"name": "double", "args": [21]}) == {"value": 42}
        assert box.output() == "loaded\n"


def test_exception_at_import_is_data_with_line() -> None:
    with make("x = 1\n\ny = undefined_name\n") as box:
        report = box.start()
        assert not report["ok"]
        error = report["error"]
        assert (error["type"], error["line"]) == ("NameError", 3)
        assert "undefined_name" in error["message"]
        assert "submission.py" in error["traceback"] and "child.py" not in error["traceback"]
        assert box.call("ping", {}) == "pong"  # the child still answers


def test_syntax_error_is_data_with_line() -> None:
    with make("a = 1\ndef f(:\n") as box:
        error = box.start()["error"]
        assert (error["type"], error["line"]) == ("SyntaxError", 2)


def test_filename_and_module_name() -> None:
    source = "import sys\nNAME = __name__\nMOD = sys.modules[__name__] is not None\nx = 1 / 0\n"
    with Sandbox(source, filename="engine.py", method_modules=TEST_METHODS) as box:
        error = box.start()["error"]
        assert (error["type"], error["line"]) == ("ZeroDivisionError", 4)
        assert 'File "engine.py", line 4' in error["traceback"]
        assert "x = 1 / 0" in error["traceback"]  # the source line is shown
        names = box.call("names", {})
        assert {"name": "NAME", "kind": "value", "type": "str"} in names
        assert {"name": "MOD", "kind": "value", "type": "bool"} in names


def test_dataclass_with_postponed_annotations() -> None:
    source = (
        "from __future__ import annotations\nfrom dataclasses import dataclass\n\n"
        "@dataclass\nclass Point:\n    x: float\n    y: float = 0.0\n\n"
        "def norm():\n    return Point(3.0, 4.0).x\n"
    )
    with make(source) as box:
        assert box.start()["ok"]
        assert box.call("call", {"name": "norm"}) == {"value": 3.0}


def test_inject() -> None:
    source = "MESSAGE = __grader_missing__('sigmoid')\n"
    inject = {"__grader_missing__": "tests.sandbox.child_methods:stub"}
    with Sandbox(source, inject=inject, method_modules=TEST_METHODS) as box:
        assert box.start()["ok"]
        names = {item["name"] for item in box.call("names", {})}
        assert names == {"MESSAGE"}


def test_nan_and_infinity_travel_both_ways() -> None:
    with make(GOOD) as box:
        box.start()
        back = box.call("echo", {"payload": [math.nan, math.inf, -math.inf, 1.5]})
        assert math.isnan(back[0]) and back[1:] == [math.inf, -math.inf, 1.5]


def test_big_request_and_answer() -> None:
    payload = ["v" * 1000, 0.5] * 10_000  # about 10 MB each way
    with make(GOOD, response_bytes=32_000_000) as box:
        box.start()
        assert box.call("echo", {"payload": payload}) == payload
        with pytest.raises(SandboxError) as caught:  # the caller's cap on this answer
            box.call("echo", {"payload": payload}, max_bytes=1_000_000)
        assert caught.value.kind == "protocol"


def test_unknown_method_is_protocol_error_and_child_survives() -> None:
    with make(GOOD) as box:
        box.start()
        with pytest.raises(SandboxError) as caught:
            box.call("no_such_method", {})
        assert caught.value.kind == "protocol" and "no_such_method" in caught.value.message
        assert box.running and box.call("ping", {}) == "pong"


def test_escaped_exception_becomes_sandbox_error() -> None:
    with make("def boom():\n    raise ValueError('bad value')\n") as box:
        box.start()
        with pytest.raises(SandboxError) as caught:
            box.call("call_unguarded", {"name": "boom"})
        error = caught.value
        assert error.kind == "crashed"
        assert error.message == "ValueError: bad value (line 2 of submission.py)"
        assert error.details["line"] == 2
        assert box.call("call", {"name": "boom"}) == {"error": "ValueError", "message": "bad value"}


def test_child_is_lean_and_confined() -> None:
    with make(GOOD, memory_mb=512, max_processes=16) as box:
        box.start()
        me = box.call("whoami", {})
        heavy = {"torch", "numpy", "hypothesis", "subprocess"}
        assert heavy.isdisjoint(me["modules"]), heavy & set(me["modules"])
        assert me["address_space"] == 512 << 20
        assert os.path.basename(me["cwd"]).startswith("grader-sandbox-")
        if os.geteuid() == 0:
            assert me["uid"] != 0 and me["gid"] != 0 and me["groups"] == [me["gid"]]
            assert me["nproc"] == 16
            assert box.info["uid"] == me["uid"]


@as_root
def test_workdir_removed_and_uid_released_on_close() -> None:
    box = make(GOOD)
    box.start()
    workdir = box.call("whoami", {})["cwd"]
    assert os.path.isdir(workdir)
    box.close()
    assert not os.path.exists(workdir)
    assert box.info["leftovers"] is False
    box.close()  # twice is fine


def test_restart_gives_a_fresh_child() -> None:
    with make("counter = [0]\ndef bump():\n    counter[0] += 1\n    return counter[0]\n") as box:
        box.start()
        first = box.info["pid"]  # the process the grader started (bwrap, or the child)
        assert box.call("call", {"name": "bump"})["value"] == 1
        assert box.call("call", {"name": "bump"})["value"] == 2
        box.start()
        assert box.info["pid"] != first
        assert box.call("call", {"name": "bump"})["value"] == 1
        with pytest.raises(ProcessLookupError):
            os.kill(first, 0)


def test_call_before_start_is_a_programming_error() -> None:
    box = make(GOOD)
    with pytest.raises(RuntimeError):
        box.call("ping", {})


def test_failure_is_remembered_until_restart() -> None:
    with make("import os\ndef die():\n    os._exit(3)\n") as box:
        box.start()
        with pytest.raises(SandboxError) as first:
            box.call("call", {"name": "die"})
        assert not box.running
        with pytest.raises(SandboxError) as again:
            box.call("ping", {})
        assert (again.value.kind, again.value.message) == (first.value.kind, first.value.message)
        box.start()
        assert box.call("ping", {}) == "pong"


def test_capture_keeps_head_and_tail() -> None:
    capture = Capture(100)
    capture.feed(b"A" * 50)
    capture.feed(b"B" * 1000)
    capture.feed(b"C" * 10)
    text = capture.text()
    assert text.startswith("A" * 50 + "B" * 25) and text.endswith("B" * 15 + "C" * 10)
    assert "[... 960 bytes of output cut ...]" in text and capture.truncated


def test_limits_defaults() -> None:
    limits = Limits()
    assert (limits.call_seconds, limits.total_seconds, limits.memory_mb) == (10.0, 120.0, 1024)
    assert (limits.max_processes, limits.output_bytes) == (64, 64_000)


def test_many_calls_in_a_row() -> None:
    """Speed is measured in bench_sandbox.py, not asserted here: the call limit (2 s in these
    tests) is what fails a call that hangs."""
    with make(GOOD) as box:
        box.start()
        assert box.info["startup_ms"] > 0
        assert all(box.call("ping", {}) == "pong" for _ in range(200))
        for _ in range(10):
            assert len(box.call("blob", {"size": 100_000})) == 100_000
