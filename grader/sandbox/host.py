"""Stage 3, parent side: run a submission in a child process and talk to it with plain data.

The parent never unpickles or imports anything from the child: requests and answers are JSON
lines on two private pipes; the child's stdout and stderr go to a third pipe that is read only
while a request is pending, keeping its first and last bytes up to a cap.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import math
import os
import select
import signal
import subprocess
import sysconfig
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader.sandbox import child, isolation

DEFAULT_BLOCKED = (
    "torch", "jax", "tensorflow", "autograd", "micrograd", "grader", "reference", "hypothesis"
)
KINDS = ("timeout", "crashed", "exited", "memory", "protocol")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from grader.sandbox.child import main; main(sys.argv[2])"
)
HIDDEN = (os.path.join(ROOT, "reference"),)  # the model answer, beside the grader
STARTUP_SECONDS = 15.0  # for the interpreter to come up; not charged to the submission
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, missing before Python 3.10
PIPE_BYTES = 1 << 20
READ_CHUNK = 1 << 20
MESSAGE_CHARS = 2_000  # of an exception message from the submission
TRACEBACK_CHARS = 20_000
NOTES, NOTE_CHARS = 20, 300  # notes the child may add to its start report

_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@dataclass
class Limits:
    """What one submission may use. Times are wall-clock seconds."""

    call_seconds: float = 10.0  # per request (and for running the source)
    total_seconds: float = 120.0  # all requests of this Sandbox together, across restarts
    memory_mb: int = 1024  # RLIMIT_AS of each child process (and memory.max of its cgroup)
    max_processes: int = 64  # RLIMIT_NPROC of the sandbox uid (and pids.max of its cgroup)
    output_bytes: int = 64_000  # stdout+stderr kept: the first 3/4 and the last 1/4
    response_bytes: int = 8_000_000  # largest answer accepted from the child (see call())
    file_mb: int = 256  # RLIMIT_FSIZE: largest file the child may write


class SandboxError(Exception):
    """The submission's process failed: ``kind`` says how, ``message`` says it to a student."""

    def __init__(self, kind: str, message: str, output: str = "", details: dict | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.output = output
        self.details = details or {}

    def __repr__(self) -> str:
        return f"SandboxError({self.kind!r}, {self.message!r})"


class Capture:
    """The child's stdout and stderr: first and last bytes up to a cap, the rest only counted."""

    def __init__(self, cap: int):
        self.head_cap = cap * 3 // 4
        self.tail_cap = cap - self.head_cap
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, chunk: bytes | memoryview) -> None:
        self.total += len(chunk)
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if len(chunk) >= self.tail_cap:
            self.tail = bytearray(chunk[len(chunk) - self.tail_cap :])
        elif chunk:
            self.tail += chunk
            del self.tail[: max(0, len(self.tail) - self.tail_cap)]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        cut = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {cut} bytes of output cut ...]\n" if cut else ""
        return (bytes(self.head) + middle.encode() + bytes(self.tail)).decode("utf-8", "replace")


class Sandbox:
    """One submission's source, run in a confined child process that answers requests."""

    def __init__(
        self,
        source: str,
        filename: str = "submission.py",
        limits: Limits | None = None,
        blocked_modules: Sequence[str] = DEFAULT_BLOCKED,
        inject: Mapping[str, str] | None = None,
        method_modules: Sequence[str] = (),
        hide: Sequence[str] = (),
    ):
        self.source = source
        self.filename = filename
        self.limits = limits or Limits()
        self.blocked_modules = list(blocked_modules)
        self.inject = dict(inject or {})
        self.method_modules = list(method_modules)  # besides methods.METHOD_MODULES
        self.hide = [*HIDDEN, *hide]  # paths the child must not see (besides /autograder)
        self.info: dict[str, Any] = {}
        self._proc: subprocess.Popen | None = None
        self._used = 0.0
        self._dead: SandboxError | None = None
        self._capture = Capture(self.limits.output_bytes)
        self._next_id = 1
        self.mode = "none"  # how the last child was confined: bubblewrap, namespaces or none
        self._max_bytes = self.limits.response_bytes
        self._reset_state()

    def _reset_state(self) -> None:
        self._req_w = self._resp_r = self._out_r = self._pidfd = -1
        self._buffer = bytearray()
        self._scratch = bytearray(READ_CHUNK)
        self._identity: isolation.Identity | None = None
        self._group: isolation.CGroup | None = None
        self._workdir: str | None = None

    # -- public API -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._proc is not None

    @property
    def remaining_seconds(self) -> float:
        return max(0.0, self.limits.total_seconds - self._used)

    def start(self) -> dict:
        """(Re)start a fresh child and run the source in it; report whether that raised.

        Returns ``{"ok", "error", "notes"}``: an exception while running the source is data
        (``error`` has type, message, line, traceback). A child that hangs, dies or lies
        raises SandboxError instead.
        """
        self.close()
        if self.remaining_seconds <= 0:
            raise SandboxError("timeout", self._budget_message(), self._capture.text())
        self._dead = None
        self._capture = Capture(self.limits.output_bytes)
        self._spawn()
        params = {
            "source": self.source,
            "filename": self.filename,
            "inject": self.inject,
            "blocked": self.blocked_modules,
            "method_modules": self.method_modules,
        }
        report = self._request("__start__", params, "loading the submission")
        if not _valid_report(report):
            raise self._fail("protocol", "the submission tampered with the grader's start report")
        report["notes"] = [note[:NOTE_CHARS] for note in report["notes"][:NOTES]]
        if report["error"] is not None:
            _clip_error(report["error"])
        return report

    def call(self, method: str, params: dict, max_bytes: int | None = None) -> Any:
        """Run one registered method in the child; its answer, or SandboxError.

        ``max_bytes`` caps the answer's size below ``limits.response_bytes``: the caller
        knows how much data a true answer holds; a longer one is a ``protocol`` error.
        """
        cap = self.limits.response_bytes
        self._max_bytes = cap if max_bytes is None else min(max_bytes, cap)
        try:
            return self._request(method, params, f"answering the grader's {method!r} request")
        finally:
            self._max_bytes = cap

    def output(self) -> str:
        """What the submission printed so far (truncated in the middle past the cap)."""
        if self._proc is not None:
            self._drain_output()
        return self._capture.text()

    @property
    def output_truncated(self) -> bool:
        return self._capture.truncated

    def close(self) -> None:
        """Kill the child and everything it started (setsid daemons included); wait for them."""
        self._shutdown()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- starting and stopping --------------------------------------------------------------

    def _spawn(self) -> None:
        identity = self._identity = isolation.acquire_identity()
        child_ends: list[int] = []
        try:
            confined = identity is not None
            root = isolation.grader_copy(ROOT, self.method_modules) if confined else ROOT
            exe, paths = isolation.child_interpreter(confined, self.hide)
            self._workdir = isolation.make_workdir(identity)
            limits = self.limits
            self._group = isolation.CGroup.create(limits.max_processes, limits.memory_mb << 20)
            bwrap = isolation.bubblewrap() if confined else None
            needed = [exe, sysconfig.get_paths()["stdlib"], root, *paths, self._workdir]
            keep = [root, *paths, self._workdir]
            req_r, self._req_w = os.pipe()
            self._resp_r, resp_w = os.pipe()
            self._out_r, out_w = os.pipe()
            child_ends = [req_r, resp_w, out_w]
            for fd in (self._req_w, resp_w, out_w):
                with contextlib.suppress(OSError):
                    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
            config = {
                "request_fd": req_r,
                "response_fd": resp_w,
                "uid": identity.uid if identity else None,
                "gid": identity.gid if identity else None,
                "cgroup_procs": self._group.procs_file if self._group else None,
                "memory_bytes": limits.memory_mb << 20,
                "file_bytes": limits.file_mb << 20,
                "cpu_seconds": math.ceil(limits.total_seconds) + 10,
                "max_processes": limits.max_processes,
                "paths": paths,
                "namespaces": confined and bwrap is None,
                "seccomp": confined,
                "private": isolation.private_folders(),
                "keep": keep,
                "hide": isolation.hidden_paths(self.hide, needed),
                "workdir": self._workdir,
            }
            env = {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": self._workdir,
                "TMPDIR": self._workdir,
                "LANG": "C.UTF-8",
                "OMP_NUM_THREADS": "1",
                "OPENBLAS_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1",
            }
            command = [exe, "-I", "-u", "-B", "-c", BOOTSTRAP, root, json.dumps(config)]
            if bwrap is not None:
                group = [self._group.path] if self._group else []
                prefix = os.path.dirname(os.path.dirname(exe))
                wrap = isolation.bubblewrap_command(
                    bwrap, [prefix, root, *paths], [self._workdir, *group], self._workdir
                )
                command = wrap + command
            self.mode = "bubblewrap" if bwrap else "namespaces" if confined else "none"
            launched = time.monotonic()
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=(req_r, resp_w),
                cwd=self._workdir,
                env=env,
                start_new_session=True,
            )
            _live.add(self)
        except BaseException:
            self._release()
            raise
        finally:
            for fd in child_ends:
                os.close(fd)
        for fd in (self._req_w, self._resp_r, self._out_r):
            os.set_blocking(fd, False)
        try:
            self._pidfd = os.pidfd_open(self._proc.pid)
        except (AttributeError, OSError):
            self._pidfd = -1
        try:
            message = self._exchange(None, 0, launched + STARTUP_SECONDS, "starting")
        except SandboxError as exc:
            message, problem = None, str(exc)
        else:
            problem = f"no hello within {STARTUP_SECONDS:g} s"
        hello = message["result"] if message and message["ok"] else None
        if not isinstance(hello, dict):
            output = self._capture.text()
            self._shutdown()
            raise RuntimeError(f"the sandbox could not start: {problem}\n{output}")
        self.info = {
            "pid": self._proc.pid,
            "uid": hello.get("uid"),
            "dedicated_uid": bool(identity and identity.dedicated),
            "cgroup": self._group.path if self._group else None,
            "network_isolated": identity is not None and "network" not in hello.get("missing", []),
            "interpreter": exe,
            "isolation": self.mode,
            "missing": list(hello.get("missing", [])),
            "startup_ms": (time.monotonic() - launched) * 1000,
        }

    def _shutdown(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        _live.discard(self)
        isolation.kill_all(proc.pid, self._group, self._identity)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        gone = isolation.wait_all_gone(self._group, self._identity)
        self.info["leftovers"] = not gone
        self._drain_output(final=True)
        self._release(gone)

    def _release(self, gone: bool = True) -> None:
        for fd in (self._req_w, self._resp_r, self._out_r, self._pidfd):
            if fd >= 0:
                os.close(fd)
        if self._group is not None:
            self._group.remove()
        if self._identity is not None and gone:
            self._identity.release()  # a uid with survivors is never handed out again
        if self._workdir is not None:
            isolation.remove_workdir(self._workdir)
        self._reset_state()

    def _fail(self, kind: str, message: str, details: dict | None = None) -> SandboxError:
        """Kill everything, remember why, and return the error to raise."""
        self._shutdown()
        self._dead = SandboxError(kind, message, self._capture.text(), details)
        return self._dead

    # -- one request ------------------------------------------------------------------------

    def _request(self, method: str, params: dict, what: str) -> Any:
        if self._proc is None:
            if self._dead is not None:
                dead = self._dead
                raise SandboxError(dead.kind, dead.message, dead.output, dead.details)
            raise RuntimeError("the sandbox is not running: call start() first")
        remaining = self.limits.total_seconds - self._used
        if remaining <= 0:
            raise self._fail("timeout", self._budget_message())
        rid = self._next_id
        self._next_id += 1
        request = {"id": rid, "method": method, "params": params}
        data = json.dumps(request, allow_nan=True, separators=(",", ":")).encode() + b"\n"
        by_total = remaining < self.limits.call_seconds
        begun = time.monotonic()
        deadline = begun + min(self.limits.call_seconds, remaining)
        try:
            message = self._exchange(data, rid, deadline, what)
        finally:
            self._used += time.monotonic() - begun
        if message is None:
            if by_total:
                raise self._fail("timeout", self._budget_message())
            raise self._fail(
                "timeout",
                f"the submission did not finish within {self.limits.call_seconds:g} s while "
                f"{what}: an infinite loop, or far too slow",
            )
        if message["ok"]:
            return message["result"]
        error = _clip_error(message["error"])
        self._drain_output()
        text = error["message"]
        if error["kind"] != "protocol":
            text = f"{error['type']}: {text}"
        if type(error.get("line")) is int:
            text += f" (line {error['line']} of {self.filename})"
        raise SandboxError(error["kind"], text, self._capture.text(), error)

    def _exchange(self, data: bytes | None, rid: int, deadline: float, what: str) -> dict | None:
        """Send ``data`` (if any) and wait for the answer ``rid``; None once ``deadline`` passes."""
        pending = memoryview(data or b"")
        poller = select.poll()
        for fd in (self._resp_r, self._out_r, self._pidfd):
            if fd >= 0:
                poller.register(fd, select.POLLIN)
        writing = False
        while True:
            if pending:
                try:
                    pending = pending[os.write(self._req_w, pending) :]
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    raise self._died(what) from None
            if bool(pending) != writing:
                writing = bool(pending)
                if writing:
                    poller.register(self._req_w, select.POLLOUT)
                else:
                    poller.unregister(self._req_w)
            line = self._take_line()
            if line is not None:
                return self._parse(line, rid)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            wait = left if self._pidfd >= 0 else min(left, 0.05)
            ready = poller.poll(max(1, math.ceil(wait * 1000)))
            exited = self._pidfd < 0 and not ready and self._exit_status() is not None
            for fd, _ in ready:
                if fd == self._resp_r and not self._read_answers():
                    raise self._died(what)
                if fd == self._out_r:
                    self._drain_output()
                    if self._out_r < 0:
                        poller.unregister(fd)
                exited = exited or fd == self._pidfd
            if exited:
                while self._read_answers(nonblocking=True):
                    pass
                line = self._take_line()
                if line is not None:
                    return self._parse(line, rid)
                raise self._died(what)

    def _read_answers(self, nonblocking: bool = False) -> bool:
        """Read what the child sent; False at end of file (or nothing more, if nonblocking)."""
        try:
            n = os.readv(self._resp_r, [self._scratch])
        except BlockingIOError:
            return not nonblocking
        if n == 0:
            return False
        self._buffer += memoryview(self._scratch)[:n]
        if len(self._buffer) > self._max_bytes:
            raise self._fail("protocol", "the submission sent far more data than asked for")
        return True

    def _take_line(self) -> bytes | None:
        end = self._buffer.find(b"\n")
        if end < 0:
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    def _parse(self, line: bytes, rid: int) -> dict:
        try:
            message = json.loads(line, parse_int=_parse_int)
        except (ValueError, RecursionError):
            raise self._fail(
                "protocol", "the submission wrote garbage to the grader's channel"
            ) from None
        if not _valid_message(message, rid):
            raise self._fail("protocol", "the submission sent an answer the grader did not ask for")
        return message

    def _drain_output(self, final: bool = False) -> None:
        """Move what the child printed into the capture: at most 16 MB (64 MB when ``final``)."""
        for _ in range(64 if final else 16):
            if self._out_r < 0:
                return
            try:
                n = os.readv(self._out_r, [self._scratch])
            except BlockingIOError:
                return
            if n == 0:
                os.close(self._out_r)
                self._out_r = -1
                return
            self._capture.feed(memoryview(self._scratch)[:n])

    # -- what went wrong --------------------------------------------------------------------

    def _exit_status(self) -> tuple[int, int] | None:
        """How the child ended (si_code, si_status), without reaping it; None if alive."""
        assert self._proc is not None
        try:
            info = os.waitid(os.P_PID, self._proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return (os.CLD_EXITED, self._proc.returncode or 0)
        return None if info is None else (info.si_code, info.si_status)

    def _died(self, what: str) -> SandboxError:
        """The child's channel closed: find out how it ended and say so."""
        deadline = time.monotonic() + 1.0
        status = self._exit_status()
        while status is None and time.monotonic() < deadline:
            time.sleep(0.002)
            status = self._exit_status()
        if status is None:
            message = f"the submission closed the grader's channel while {what}"
            return self._fail("protocol", message)
        oom = self._group.oom_kills() if self._group else 0
        code, value = status
        if self.mode == "bubblewrap" and code == os.CLD_EXITED and value > 128:
            status = (os.CLD_KILLED, value - 128)  # bwrap exits with 128 + the child's signal
        kind, message = _ending(status, oom, self.limits)
        if kind == "setup":
            output = self._capture.text()
            self._shutdown()
            raise RuntimeError(f"the sandbox could not confine the submission:\n{output}")
        return self._fail(kind, f"{message} while {what}")

    def _budget_message(self) -> str:
        return f"the submission used up its total time budget of {self.limits.total_seconds:g} s"


SIGNAL_MESSAGES: dict[int, str] = {
    signal.SIGSEGV: "the Python interpreter crashed (segmentation fault): usually recursion "
    "far too deep after sys.setrecursionlimit, or misused ctypes",
    signal.SIGABRT: "the Python interpreter aborted",
    signal.SIGXCPU: "the submission used up its CPU time",
    signal.SIGXFSZ: "the submission wrote a file larger than allowed",
}


def _ending(status: tuple[int, int], oom_kills: int, limits: Limits) -> tuple[str, str]:
    """The SandboxError kind and message for a child that ended with ``status``."""
    code, value = status
    if code == os.CLD_EXITED:
        if value == child.EXIT_SETUP:
            return "setup", ""
        if value == child.EXIT_MEMORY:
            return "memory", f"the submission ran out of memory ({limits.memory_mb} MB)"
        if value == child.EXIT_PROTOCOL:
            return "protocol", "the submission broke the grader's private channel"
        return "exited", f"the submission ended the grading process (exit status {value})"
    if oom_kills or (value == signal.SIGKILL):
        if oom_kills:
            return "memory", f"the submission used more than {limits.memory_mb} MB and was killed"
        return "crashed", "the submission's process was killed (SIGKILL)"
    if value == signal.SIGXCPU:
        return "timeout", SIGNAL_MESSAGES[value]
    try:
        name = signal.Signals(value).name
    except ValueError:
        name = str(value)
    return "crashed", SIGNAL_MESSAGES.get(value, f"the submission's process was killed by {name}")


def _valid_message(message: Any, rid: int) -> bool:
    """An answer has exactly id, ok and result (or error with string kind, type, message)."""
    if type(message) is not dict or type(message.get("id")) is not int or message["id"] != rid:
        return False
    if message.get("ok") is True:
        return message.keys() == {"id", "ok", "result"}
    error = message.get("error")
    return (
        message.get("ok") is False
        and message.keys() == {"id", "ok", "error"}
        and type(error) is dict
        and all(type(error.get(key)) is str for key in ("kind", "type", "message"))
        and error["kind"] in KINDS
    )


def _parse_int(text: str) -> int:
    """JSON integers up to 400 digits (a longer one could take the parent seconds to read)."""
    if len(text) > 400:
        raise ValueError("integer too long")
    return int(text)


def _clip_error(error: dict) -> dict:
    """Keep a student's exception message and traceback to a readable size."""
    for key, size in (("message", MESSAGE_CHARS), ("traceback", TRACEBACK_CHARS)):
        text = error.get(key)
        if isinstance(text, str) and len(text) > size:
            half, cut = size // 2, len(text) - size
            error[key] = f"{text[:half]}\n[... {cut} characters cut ...]\n{text[-half:]}"
    return error


def _valid_report(report: Any) -> bool:
    return (
        type(report) is dict
        and report.keys() == {"ok", "error", "notes"}
        and type(report["ok"]) is bool
        and (report["error"] is None or type(report["error"]) is dict)
        and type(report["notes"]) is list
        and all(type(note) is str for note in report["notes"])
    )


@atexit.register
def _close_all() -> None:
    for sandbox in list(_live):
        sandbox.close()
