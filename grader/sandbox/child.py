"""The sandbox's child process: runs the submission and answers requests on a private pipe.

Started by host.py as ``python -I -u -B -c BOOTSTRAP ROOT CONFIG``. As root it first joins its
cgroup, lowers its rlimits, leaves the network and drops to an unprivileged uid; then it sends a
hello, runs the source and serves requests. Everything the protocol needs (the pipe fds,
os.read/os.write, the JSON codec, a few builtins) is saved before the submission runs, so a
submission that replaces sys.stdout, json, os or builtins only breaks itself.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import resource
import sys
import time
import types
from _json import encode_basestring_ascii, make_encoder, make_scanner

from grader.sandbox import methods

TYPE_CHECKING = False  # typing, json, traceback and re are left out to start faster
if TYPE_CHECKING:
    from typing import Any

EXIT_SETUP = 70  # isolation could not be set up: the grader's fault, not the student's
EXIT_MEMORY = 71  # out of memory even for reporting it
EXIT_PROTOCOL = 72  # the channel broke: not a request from the parent, or answers cannot go

CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS = 0x40000000, 0x08000000, 0x04000000, 0x20000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 4096, 16384, 1 << 18
)
O_PATH = 0o10000000
MESSAGE_CHARS = 20_000  # of an exception message sent to the parent
PR_SET_NO_NEW_PRIVS = 38
IMPORT_MACHINERY = frozenset(
    {"importlib", "importlib._bootstrap", "importlib._bootstrap_external", "importlib.util",
     "_frozen_importlib", "_frozen_importlib_external"}
)

# Saved before the submission can replace them.
_read, _write, _set_blocking, _exit = os.read, os.write, os.set_blocking, os._exit
_getframe, _modules = sys._getframe, sys.modules
_len, _isinstance, _str, _dict, _type = len, isinstance, str, dict, type
_any, _getattr, _hasattr, _memoryview, _list = any, getattr, hasattr, memoryview, list
_import_module = importlib.import_module
_builtins = vars(sys.modules["builtins"])
_pristine_builtins = dict(_builtins)
_loaded_builtins: dict = {}  # the builtins as the submission left them after loading


def restore_builtins() -> None:
    """Undo what the submission's ops did to builtins since it was loaded: a handler calls this
    before each independent piece of work, so a patch made in one op stays with that op."""
    if _loaded_builtins:
        _builtins.clear()
        _builtins.update(_loaded_builtins)


def _setup(config: dict) -> list[str]:
    """Confine this process (cgroup, rlimits, namespaces, uid, seccomp); return what could not
    be done."""
    missing = []
    if config["cgroup_procs"]:
        with open(config["cgroup_procs"], "w") as f:
            f.write("0")  # this process (its pid may be another in a PID namespace)
    limits = [
        (resource.RLIMIT_AS, config["memory_bytes"]),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, config["file_bytes"]),
        (resource.RLIMIT_NOFILE, 256),
        (resource.RLIMIT_CPU, config["cpu_seconds"]),
    ]
    if config["uid"] is not None:
        limits.append((resource.RLIMIT_NPROC, config["max_processes"]))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if config["namespaces"]:
        missing += _namespaces(libc, config)
    if config["uid"] is not None:
        uid, gid = config["uid"], config["gid"]
        os.setgroups([gid])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
            raise OSError("could not drop privileges")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        missing.append("no_new_privs")
    elif config["seccomp"]:
        from grader.sandbox import seccomp

        if not seccomp.install():
            missing.append("seccomp")
    os.umask(0o077)
    return missing


def _namespaces(libc: Any, config: dict) -> list[str]:
    """As root: new network, IPC, UTS and mount namespaces. In the last, a fresh tmpfs over
    each world-writable folder (``private``) with the paths to ``keep`` bound back into it, an
    empty read-only folder over each path to ``hide``, and a /proc that shows only the
    processes of the child's own uid."""
    missing = []
    for flag, name in ((CLONE_NEWNET, "network"), (CLONE_NEWIPC, "ipc"), (CLONE_NEWUTS, "uts")):
        if libc.unshare(flag) != 0:
            missing.append(name)
    if libc.unshare(CLONE_NEWNS) != 0 or libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE,
                                                    None) != 0:
        return [*missing, "mount"]
    kept = [(path, os.open(path, O_PATH)) for path in config["keep"]]
    size = f"size={config['file_bytes']},mode=1777".encode()
    for folder in config["private"]:
        if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, size) != 0:
            missing.append(f"private {folder}")
    for path, fd in kept:
        if not os.path.isdir(path):  # under a fresh tmpfs now: bind the original back
            os.makedirs(path, 0o755)
            if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC,
                          None) != 0:
                raise OSError(f"could not keep {path} in the sandbox")
        os.close(fd)
    for path in config["hide"]:
        if not _hide(libc, path):
            missing.append(f"hide {path}")
    if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  b"hidepid=2") != 0:
        missing.append("proc")
    os.chdir(config["workdir"])
    return missing


def _hide(libc: Any, path: str) -> bool:
    """Cover ``path`` (a folder: an empty read-only tmpfs; a file: /dev/null)."""
    if os.path.isdir(path):
        flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY
        return libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=4k,mode=0555") == 0
    if os.path.exists(path):
        return libc.mount(b"/dev/null", path.encode(), None, MS_BIND, None) == 0
    return True


class Channel:
    """JSON lines in from ``rfd``, out to ``wfd``, through references saved at start-up."""

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd
        self.pending = bytearray()
        self.encode = _make_encoder()
        self.scan = _make_scanner()

    def receive(self) -> Any:
        """The next request, or None when the parent has gone."""
        searched = 0
        while True:
            end = self.pending.find(b"\n", searched)
            if end >= 0:
                line = self.pending[:end].decode()
                del self.pending[: end + 1]
                return self.scan(line, 0)[0]
            searched = _len(self.pending)
            try:
                chunk = _read(self.rfd, 1 << 20)
            except BlockingIOError:
                _set_blocking(self.rfd, True)
                continue
            if not chunk:
                return None
            self.pending += chunk

    def send(self, message: dict) -> None:
        data = _memoryview(("".join(self.encode(message, 0)) + "\n").encode())
        while data:
            try:
                data = data[_write(self.wfd, data) :]
            except BlockingIOError:
                _set_blocking(self.wfd, True)


def _no_default(value: Any) -> Any:
    raise TypeError(f"{_type(value).__name__} is not plain data")


def _make_encoder() -> Any:
    """json's C encoder, built once: later changes to the json module do not reach it."""
    separators = (":", ",")
    return make_encoder(
        None, _no_default, encode_basestring_ascii, None, *separators, False, False, True
    )


class _ScanOptions:
    """What json.JSONDecoder would give the C scanner: NaN and Infinity become floats."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float


def _make_scanner() -> Any:
    """json's C scanner, built once for the same reason."""
    return make_scanner(_ScanOptions())  # type: ignore[arg-type]


class ImportBlocker:
    """Refuses blocked packages to the submission; grader code may still import its own."""

    def __init__(self, blocked: list[str], trusted: set[str]):
        self.blocked = frozenset(blocked)
        self.trusted = frozenset(trusted)
        self.stash: dict[str, types.ModuleType] = {}
        self.specs: dict[str, Any] = {}
        self.attempts: list[str] = []

    def hide(self) -> None:
        """Take blocked modules (ours included) out of sys.modules so imports reach us."""
        if not _any(name in _modules for name in self.blocked):
            return
        for name in [n for n in _list(_modules) if n.partition(".")[0] in self.blocked]:
            module = self.stash[name] = _modules.pop(name)
            self.specs.setdefault(name, _getattr(module, "__spec__", None))

    def _trusted_caller(self) -> bool:
        frame: types.FrameType | None = _getframe(2)  # 0 is us, 1 is find_spec
        while frame is not None:
            name = frame.f_globals.get("__name__", "")
            if name not in IMPORT_MACHINERY:
                return _isinstance(name, _str) and name.partition(".")[0] in self.trusted
            frame = frame.f_back
        return False

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        top = name.partition(".")[0]
        if top not in self.blocked:
            return None
        if self._trusted_caller():
            if name not in self.stash:
                return None
            module = self.stash[name]
            package = _hasattr(module, "__path__")
            return importlib.machinery.ModuleSpec(name, self, is_package=package)  # type: ignore[arg-type]
        self.attempts.append(name)
        raise ModuleNotFoundError(
            f"{top} is not available while grading: "
            "your engine must compute with plain Python floats",
            name=name,
        )

    def create_module(self, spec: Any) -> types.ModuleType:
        return self.stash[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module is back; only undo the spec import set on it."""
        module.__spec__ = self.specs.get(module.__name__)


def _describe(exc: BaseException, filename: str, source_lines: list[str]) -> dict:
    """An exception as data: type, message, line in the submission, trimmed traceback."""
    frames = []
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next  # start at the submission's first frame
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    lines = [f for f in frames if f[0] == filename]
    line = lines[-1][1] if lines else None
    if _isinstance(exc, SyntaxError) and _getattr(exc, "filename", None) == filename:
        line = _getattr(exc, "lineno", None)
    try:
        message = _str(exc)
    except BaseException:
        message = "<the exception's message could not be shown>"
    if _len(message) > MESSAGE_CHARS:  # the parent cuts it further; this keeps answers small
        cut = _len(message) - MESSAGE_CHARS
        half = MESSAGE_CHARS // 2
        message = f"{message[:half]}\n[... {cut} characters cut ...]\n{message[-half:]}"
    name = _type(exc).__name__
    return {
        "type": name,
        "message": message,
        "line": line,
        "traceback": _format(exc, name, message, frames, filename, source_lines),
    }


def _format(
    exc: BaseException, name: str, message: str, frames: list, filename: str, source: list[str]
) -> str:
    """Like Python's traceback, shorter: repeats folded, at most 10 entries at each end."""
    runs: list = []  # [frame, how many times in a row]
    for frame in frames:
        if runs and runs[-1][0] == frame:
            runs[-1][1] += 1
        else:
            runs.append([frame, 1])
    entries: list = []
    for frame, count in runs:
        entries += [frame] * min(count, 3)
        if count > 3:
            entries.append(("repeat", count - 3))
    if _len(entries) > 20:
        entries = [*entries[:10], ("cut", _len(entries) - 20), *entries[-10:]]
    text = ["Traceback (most recent call last):\n"] if frames else []
    for entry in entries:
        if entry[0] == "repeat":
            text.append(f"  [Previous line repeated {entry[1]} more times]\n")
        elif entry[0] == "cut":
            text.append(f"  [... {entry[1]} more entries ...]\n")
        else:
            file, number, function = entry
            text.append(f'  File "{file}", line {number}, in {function}\n')
            if file == filename and 0 < number <= _len(source):
                text.append(f"    {source[number - 1].strip()}\n")
    if _isinstance(exc, SyntaxError) and _getattr(exc, "text", None):
        text.append(f'  File "{exc.filename}", line {exc.lineno}\n')  # type: ignore[attr-defined]
        bad = exc.text.rstrip("\n")  # type: ignore[attr-defined]
        stripped = bad.lstrip()
        offset = (_getattr(exc, "offset", None) or 1) - (_len(bad) - _len(stripped))
        text.append(f"    {stripped}\n    {' ' * max(offset - 1, 0)}^\n")
        message = _getattr(exc, "msg", message)
    text.append(f"{name}: {message}\n" if message else f"{name}\n")
    return "".join(text)


def _kind_of(exc: BaseException) -> str:
    if _isinstance(exc, SystemExit):
        return "exited"
    if _isinstance(exc, MemoryError):
        return "memory"
    return "crashed"


def _trusted_import(name: str) -> Any:
    """Import a grader module with the builtins as they were before the submission ran."""
    current = dict(_builtins)
    _builtins.update(_pristine_builtins)
    try:
        return _import_module(name)
    finally:
        _builtins.clear()
        _builtins.update(current)


class Session:
    """One submission in this process: its namespace, and how to answer requests about it."""

    def __init__(self, channel: Channel, params: dict):
        self.channel = channel
        self.filename = params["filename"]
        self.source = params["source"]
        self.lines = self.source.splitlines()
        self.inject = params["inject"]
        self.extra = params["method_modules"]
        trusted = {"grader"} | {m.partition(".")[0] for m in self.extra}
        self.blocker = ImportBlocker(params["blocked"], trusted)
        self.namespace: dict = {}

    def describe(self, exc: BaseException) -> dict:
        return _describe(exc, self.filename, self.lines)

    def run_source(self) -> dict:
        """Exec the submission in a fresh module; the start report."""
        module = types.ModuleType("submission")
        module.__file__ = os.path.join(os.getcwd(), self.filename)
        self.namespace = module.__dict__
        for name, target in self.inject.items():
            module_name, _, attr = target.partition(":")
            self.namespace[name] = getattr(importlib.import_module(module_name), attr)
        with open(self.filename, "w") as f:  # for inspect.getsource in the submission
            f.write(self.source)
        _modules["submission"] = module
        sys.meta_path.insert(0, self.blocker)
        self.blocker.hide()
        error = None
        try:
            code = compile(self.source, self.filename, "exec", dont_inherit=True)
            exec(code, self.namespace)
        except BaseException as exc:
            error = self.describe(exc)
        _loaded_builtins.clear()
        _loaded_builtins.update(_builtins)
        self.blocker.hide()
        attempts = self.blocker.attempts
        notes = [f"the submission tried to import {n}, which is blocked" for n in attempts]
        return {"ok": error is None, "error": error, "notes": notes}

    def answer(self, request: dict) -> dict:
        rid = request["id"]
        name = request["method"]
        try:
            method = methods.find(name, self.extra, _trusted_import)
            self.blocker.hide()
        except BaseException as exc:
            error = self.describe(exc)
            error["kind"] = "protocol"
            error["message"] = f"the grader could not load method {name!r}: {error['message']}"
            return {"id": rid, "ok": False, "error": error}
        if method is None:
            error = {"kind": "protocol", "type": "KeyError", "message": f"unknown method {name!r}"}
            return {"id": rid, "ok": False, "error": error}
        try:
            return {"id": rid, "ok": True, "result": method(self.namespace, request["params"])}
        except BaseException as exc:
            error = self.describe(exc)
            error["kind"] = _kind_of(exc)
            return {"id": rid, "ok": False, "error": error}

    def send(self, reply: dict) -> None:
        """Send ``reply``; if it is not plain data (or cannot be built), send why instead."""
        try:
            self.channel.send(reply)
            return
        except BaseException as exc:
            error = self.describe(exc)
        error["kind"] = "memory" if error["type"] == "MemoryError" else "protocol"
        error["message"] = f"the answer could not be sent: {error['type']}: {error['message']}"
        try:
            self.channel.send({"id": reply["id"], "ok": False, "error": error})
        except MemoryError:
            _exit(EXIT_MEMORY)
        except BaseException:  # the channel itself is broken (closed or replaced fd)
            _exit(EXIT_PROTOCOL)

    def serve(self) -> None:
        """Answer requests until the parent closes the pipe."""
        while True:
            try:
                request = self.channel.receive()
            except MemoryError:
                _exit(EXIT_MEMORY)
            except ValueError:
                _exit(EXIT_PROTOCOL)
            except BaseException:  # a signal handler of the submission raised: keep listening
                continue
            if request is None:
                _exit(0)  # the parent has gone; skip the submission's atexit handlers
            try:
                reply = self.answer(request)
            except MemoryError:
                error = {"kind": "memory", "type": "MemoryError", "message": "out of memory"}
                reply = {"id": request["id"], "ok": False, "error": error}
            self.send(reply)
            self.blocker.hide()


def main(config_text: str) -> None:
    started = time.perf_counter()
    config = _make_scanner()(config_text, 0)[0]
    try:
        missing = _setup(config)
    except BaseException as exc:
        os.write(2, f"sandbox set-up failed: {exc!r}\n".encode())
        _exit(EXIT_SETUP)
    for path in config["paths"]:
        if path not in sys.path:
            sys.path.append(path)
    channel = Channel(config["request_fd"], config["response_fd"])
    hello = {
        "pid": os.getpid(),
        "uid": os.getuid(),
        "missing": missing,
        "startup_ms": (time.perf_counter() - started) * 1000,
    }
    channel.send({"id": 0, "ok": True, "result": hello})
    request = channel.receive()
    if not _isinstance(request, _dict) or request.get("method") != "__start__":
        _exit(EXIT_PROTOCOL)
    session = Session(channel, request["params"])
    session.send({"id": request["id"], "ok": True, "result": session.run_source()})
    session.serve()
