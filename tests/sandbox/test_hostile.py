"""Hostile submissions (tests/sandbox/hostile/): the parent returns in time with the right kind."""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time

import pytest

from grader.sandbox import Limits, Sandbox, SandboxError, isolation
from tests.sandbox.util import ROOT, as_root, hostile, live_processes, make


def failure(box, method: str = "call", **params) -> SandboxError:
    with pytest.raises(SandboxError) as caught:
        box.call(method, params)
    return caught.value


# -- time ---------------------------------------------------------------------------------


def test_infinite_loop_times_out_and_restart_recovers() -> None:
    with make(hostile("loop_in_method"), call_seconds=0.5) as box:
        box.start()
        error = failure(box, name="run")
        assert error.kind == "timeout" and "0.5 s" in error.message
        assert not box.running
        box.start()
        assert box.call("ping", {}) == "pong"


def test_total_budget() -> None:
    with make(hostile("sleep_in_method"), call_seconds=1.0, total_seconds=1.6) as box:
        box.start()
        assert box.call("call", {"name": "run", "args": [0.3]}) == {"value": 0.3}
        assert failure(box, name="run", args=[5]).kind == "timeout"  # per call: 1 s
        try:  # only ~0.3 s of budget left: a slow start on a busy machine may use it all
            box.start()
            error = failure(box, name="run", args=[5])
        except SandboxError as caught:
            error = caught
        assert error.kind == "timeout" and "total time budget" in error.message
        with pytest.raises(SandboxError, match="total time budget"):
            box.start()


def test_loop_at_import_times_out_in_start() -> None:
    with make(hostile("loop_at_import"), call_seconds=0.5) as box:
        with pytest.raises(SandboxError) as caught:
            box.start()
        assert caught.value.kind == "timeout" and "loading the submission" in caught.value.message


def test_signal_handlers_do_not_stop_the_kill() -> None:
    with make(hostile("ignore_signals"), call_seconds=0.5) as box:
        box.start()
        assert failure(box, name="run").kind == "timeout"


# -- crashes and exits ----------------------------------------------------------------------


def test_deep_recursion_is_data() -> None:
    with make(hostile("recursion")) as box:
        box.start()
        assert box.call("call", {"name": "run"})["error"] == "RecursionError"
        assert box.call("ping", {}) == "pong"


def test_c_stack_overflow_is_a_crash() -> None:
    with make(hostile("stack_overflow"), call_seconds=10) as box:
        box.start()
        if sys.version_info >= (3, 12):  # Python 3.12 guards the C stack: RecursionError
            assert box.call("call", {"name": "run"})["error"] == "RecursionError"
            return
        error = failure(box, name="run")
        assert error.kind == "crashed" and "segmentation fault" in error.message


def test_ctypes_segfault_is_a_crash() -> None:
    with make(hostile("ctypes_segfault")) as box:
        box.start()
        error = failure(box, name="run")
        assert error.kind == "crashed" and "segmentation fault" in error.message


def test_exit_at_import_is_data() -> None:
    with make(hostile("exit_at_import")) as box:
        error = box.start()["error"]
        assert (error["type"], error["message"], error["line"]) == ("SystemExit", "3", 4)
        assert box.call("ping", {}) == "pong"


def test_os_exit_in_method() -> None:
    with make(hostile("os_exit_in_method")) as box:
        box.start()
        error = failure(box, name="run")
        assert error.kind == "exited" and "exit status 7" in error.message


def test_sys_exit_in_method_is_exited_but_child_survives() -> None:
    with make(hostile("sys_exit_in_method")) as box:
        box.start()
        error = failure(box, name="run")
        assert error.kind == "exited" and "SystemExit: bye" in error.message
        assert box.call("ping", {}) == "pong"


def test_keyboard_interrupt_escapes_as_crash() -> None:
    with make(hostile("keyboard_interrupt")) as box:
        box.start()
        assert failure(box, name="run").kind == "crashed"
        assert box.call("ping", {}) == "pong"


def test_alarm_kills_the_child_later() -> None:
    with make(hostile("alarm")) as box:
        box.start()
        assert box.call("call", {"name": "run"}) == {"value": "armed"}
        time.sleep(1.3)
        error = failure(box, "ping")
        assert error.kind == "crashed" and "SIGALRM" in error.message


# -- memory ---------------------------------------------------------------------------------


def test_memory_bomb_is_data_under_rlimit() -> None:
    with make(hostile("memory_bomb"), memory_mb=300) as box:
        box.start()
        assert box.call("call", {"name": "run"})["error"] == "MemoryError"
        error = failure(box, "call_unguarded", name="run")
        assert error.kind == "memory"
        assert box.call("ping", {}) == "pong"


def test_memory_bomb_at_import_is_data() -> None:
    with make(hostile("memory_at_import"), memory_mb=300) as box:
        error = box.start()["error"]
        assert (error["type"], error["line"]) == ("MemoryError", 2)


# -- processes ------------------------------------------------------------------------------


@as_root
def test_fork_bomb_is_contained_and_cleaned_up() -> None:
    with make(hostile("fork_bomb"), call_seconds=1.0, max_processes=32) as box:
        box.start()
        uid = box.info["uid"]
        assert failure(box, name="run").kind == "timeout"
        assert live_processes(uid) == []
        assert box.info["leftovers"] is False


@as_root
def test_fork_bomb_does_not_disturb_a_neighbour() -> None:
    """Two sandboxes at once: separate uids, so separate process limits and clean-ups."""
    with make(hostile("fork_bomb"), call_seconds=1.5, max_processes=16) as bomb, make(
        "def run():\n    return 1\n"
    ) as calm:
        bomb.start()
        calm.start()
        assert bomb.info["uid"] != calm.info["uid"]
        errors: list[SandboxError] = []
        thread = threading.Thread(target=lambda: errors.append(failure(bomb, name="run")))
        thread.start()
        answers = 0
        while thread.is_alive():
            assert calm.call("call", {"name": "run"}) == {"value": 1}
            answers += 1
        thread.join()
        assert errors[0].kind == "timeout" and answers > 10
        assert calm.call("call", {"name": "run"}) == {"value": 1}
        assert live_processes(bomb.info["uid"]) == [] and calm.running


def daemon_survives(box, delay: float) -> bool:
    """Start a setsid daemon that writes a file in the child's folder after ``delay``;
    close(); is any process of the sandbox's uid still alive after that delay?"""
    box.call("call", {"name": "run", "args": ["canary", delay]})
    uid = box.info["uid"]
    box.close()
    time.sleep(delay + 0.5)
    return bool(live_processes(uid))


@as_root
def test_setsid_daemon_writes_while_alive() -> None:
    """The control: while the sandbox is open, the daemon does live and write (in the
    child's own folder: the only place it can write that the grader sees)."""
    with make(hostile("setsid_daemon")) as box:
        box.start()
        box.call("call", {"name": "run", "args": ["canary", 0.2]})
        time.sleep(0.8)
        assert os.path.exists(os.path.join(box._workdir, "canary"))


@as_root
def test_setsid_daemon_dies_on_close() -> None:
    box = make(hostile("setsid_daemon"))
    box.start()
    assert not daemon_survives(box, 1.0)


@as_root
def test_setsid_daemon_dies_on_close_without_cgroup(monkeypatch: pytest.MonkeyPatch) -> None:
    """The uid sweep alone finds a daemon that left the process group."""
    monkeypatch.setattr(isolation.CGroup, "create", classmethod(lambda cls, *a: None))
    box = make(hostile("setsid_daemon"))
    box.start()
    assert box.info["cgroup"] is None and box.info["dedicated_uid"]
    assert not daemon_survives(box, 1.0)


@as_root
def test_cannot_signal_the_grader() -> None:
    with make(hostile("signal_parent")) as box:
        box.start()
        outcome = box.call("call", {"name": "run"})["value"]
        assert outcome == {"parent_int": "PermissionError", "parent_kill": "PermissionError",
                           "init": "PermissionError"}
        assert box.call("ping", {}) == "pong"


# -- output ---------------------------------------------------------------------------------


def test_output_flood_is_capped_and_fast() -> None:
    with make(hostile("print_flood"), output_bytes=10_000) as box:
        assert box.start()["ok"]
        assert box.call("call", {"name": "run", "args": [20]}) == {"value": 20}
        text = box.output()
        assert box.output_truncated and len(text) < 10_200
        assert text.startswith("FIRST LINE\n") and text.endswith("LAST LINE\n")
        assert "bytes of output cut" in text


def test_background_flood_between_calls() -> None:
    with make(hostile("background_flood"), output_bytes=1000) as box:
        box.start()
        time.sleep(0.3)  # the pipe fills up while nobody reads
        for _ in range(20):
            assert box.call("call", {"name": "run"}) == {"value": "still here"}
        assert len(box.output()) < 1100
    # close() was quick although the thread never stops


# -- data -----------------------------------------------------------------------------------


def test_nan_values() -> None:
    with make(hostile("nan_values")) as box:
        box.start()
        values = box.call("call", {"name": "run"})["value"]
        assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf, math.inf]


def test_lying_objects_stay_in_the_child() -> None:
    with make(hostile("lying_objects"), call_seconds=0.5) as box:
        box.start()
        assert box.call("call", {"name": "liar", "as": "float"}) == {"value": 1.5}
        assert box.call("call", {"name": "liar"}) == {"value": 1.5}  # float subclass -> its value
        assert box.call("call", {"name": "bad_string", "as": "str"})["error"] == "RuntimeError"
        for name in ("bad_string", "hostile_dict", "cyclic"):
            error = failure(box, name=name)
            assert error.kind == "protocol" and "could not be sent" in error.message
            assert box.call("ping", {}) == "pong"
        assert failure(box, name="spinner", **{"as": "float"}).kind == "timeout"


def test_huge_exception_message_is_clipped() -> None:
    with make("def run():\n    raise ValueError('v' * 10_000_000)\n") as box:
        box.start()
        error = failure(box, "call_unguarded", name="run")
        assert len(error.message) < 3000 and "characters cut" in error.message


def test_absurd_integer_is_refused() -> None:
    source = (
        "import sys\ngetattr(sys, 'set_int_max_str_digits', print)(0)\n"
        "def run():\n    return 7 ** 100_000\n"
    )
    with make(source) as box:
        box.start()
        assert failure(box, name="run").kind == "protocol"


def test_huge_answer_is_refused() -> None:
    with make(hostile("huge_answer"), response_bytes=1_000_000) as box:
        box.start()
        assert box.call("call", {"name": "run", "args": [900_000]})["value"] == "a" * 900_000
        assert failure(box, name="run", args=[3_000_000]).kind == "protocol"


# -- the channel ----------------------------------------------------------------------------


def test_closing_the_channel() -> None:
    with make(hostile("close_protocol_fd")) as box:
        box.start()
        assert failure(box, name="run").kind == "protocol"


@pytest.mark.parametrize("name", ["garbage", "forged"])
def test_forged_answers_are_rejected(name: str) -> None:
    with make(hostile("hijack_protocol_fd")) as box:
        box.start()
        error = failure(box, name=name)
        assert error.kind == "protocol"
        assert not box.running


def test_redirected_channel_times_out() -> None:
    with make(hostile("hijack_protocol_fd"), call_seconds=0.5) as box:
        box.start()
        assert failure(box, name="redirect").kind in ("timeout", "protocol")


def test_monkeypatching_stays_in_the_child() -> None:
    with make(hostile("monkeypatch")) as box:
        assert box.start()["ok"]
        assert box.call("ping", {}) == "pong"
        assert box.call("call", {"name": "run"}) == {"value": 42.0}
        assert math.exp(0.0) == 1.0 and json.loads("[1]") == [1] and len("ab") == 2


# -- imports and files -------------------------------------------------------------------------


def test_import_torch_is_blocked() -> None:
    with make(hostile("import_torch")) as box:
        report = box.start()
        error = report["error"]
        assert (error["type"], error["line"]) == ("ModuleNotFoundError", 4)
        assert error["message"] == (
            "torch is not available while grading: "
            "your engine must compute with plain Python floats"
        )
        assert report["notes"] == ["the submission tried to import torch, which is blocked"]


def test_import_tricks_are_blocked() -> None:
    with make(hostile("import_tricks")) as box:
        box.start()
        outcome = box.call("call", {"name": "run"})["value"]
        assert outcome.pop("math") == pytest.approx(math.tanh(0.5))
        assert outcome.pop("in_sys_modules") == []
        for how, result in outcome.items():
            assert result.startswith("ModuleNotFoundError") and "not available" in result, how
        assert box.call("ping", {}) == "pong"  # grader code still loads what it needs


@as_root
def test_fake_results_cannot_reach_the_grader() -> None:
    results = tempfile.mkdtemp()  # the grader's results folder: root's, 0700
    try:
        target = os.path.join(results, "results.json")
        with make(hostile("fake_results")) as box:
            box.start()
            outcome = box.call("call", {"name": "run", "args": [target]})["value"]
        assert outcome.pop(target) in ("PermissionError", "FileNotFoundError")  # hidden
        assert outcome == {"results.json": "written", "cwd": outcome["cwd"]}
        assert not os.path.exists(target)
        assert not os.path.exists(outcome["cwd"])  # the child's own folder is gone
        assert not os.path.exists("results.json") or os.getcwd() == outcome["cwd"]
    finally:
        shutil.rmtree(results)


def test_parent_environment_does_not_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    """A results path or token in the grader's environment is not the child's to see."""
    monkeypatch.setenv("GRADER_RESULTS_PATH", "/autograder/results/results.json")
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    with make(hostile("fake_results")) as box:
        box.start()
        env = box.call("whoami", {})["env"]
    assert "GRADER_RESULTS_PATH" not in env and "SECRET_TOKEN" not in env
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_CTYPE", "OMP_NUM_THREADS", "PWD",
                        "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}


@as_root
def test_snooping_is_denied() -> None:
    with make(hostile("snoop")) as box:
        box.start()
        outcome = box.call("call", {"name": "run", "args": [str(ROOT)]})["value"]
        network = outcome.pop("network")
        assert set(outcome.values()) <= {"PermissionError", "FileNotFoundError"}, outcome
        if box.info["network_isolated"]:
            assert network != "allowed"
        assert not (ROOT / "pwned").exists()


@as_root
def test_hidden_folders_and_the_graders_command_line_are_out_of_sight(tmp_path) -> None:
    """A classmate's folder given to ``hide`` and the grader's /proc entries are not there."""
    classmates = tmp_path / "submissions"
    classmates.mkdir()
    (classmates / "carol.py").write_text("SECRET = 1\n")
    classmates.chmod(0o755)
    tmp_path.chmod(0o755)
    source = (
        "import os\n"
        "def run(folder, pid):\n"
        "    found = {}\n"
        "    for name, path in (('folder', folder), ('cmdline', f'/proc/{pid}/cmdline')):\n"
        "        try:\n"
        "            found[name] = sorted(os.listdir(path)) if name == 'folder' else 'read'\n"
        "            if name == 'cmdline':\n"
        "                open(path).read()\n"
        "        except OSError as exc:\n"
        "            found[name] = type(exc).__name__\n"
        "    return found\n"
    )
    box = Sandbox(source, limits=Limits(call_seconds=5), hide=[str(classmates)],
                  method_modules=["tests.sandbox.child_methods"])
    with box:
        box.start()
        outcome = box.call("call", {"name": "run", "args": [str(classmates), os.getpid()]})
    assert outcome["value"]["folder"] in ([], "FileNotFoundError"), outcome
    assert outcome["value"]["cmdline"] in ("FileNotFoundError", "PermissionError"), outcome
