"""A catalogue of hostile submissions, graded end to end by ``test_hostile_grading.py``.

Every entry is a textual mutation of ``tests/catalogue/engines/base_student.py`` (a correct
Karpathy-style engine) that puts hostile code into ONE op, or at import time. Code "at import"
goes into the class body: the loader keeps only definitions of a .py file by default, so a
top-level ``sys.exit()`` would never run, but a class body always does.

``hit`` is the set of categories whose forms reach the hostile code, given how the base
composes its ops (see ``tests/catalogue/bugs.py``: ``-a`` is ``a * -1``, ``a - b`` is
``a + (-b)``, ``a / b`` is ``a * b**-1``, ``2 / a`` is ``a**-1 * 2``). Every other op
category, ``api``, ``reuse`` and ``graph`` are honest and must pass: reuse and graph are built
only from the ops that passed. ``expect`` is the status of the hit categories:

* ``error``: the child hangs, dies or is killed (timeout, exit, crash): the grader could not
  get an answer at all;
* ``fail``: the child answers, and the answer is wrong (an exception the op raises, NaN, a
  number that is not the right one, something that is not a number);
* ``pass``: the hostility does not touch the math (a flood of prints): nothing it does counts
  for or against it;
* ``ungradable``: the whole file cannot be run (it exits or hangs while being loaded).

Placeholders filled in by ``materialize``: ``@DROP@`` is a world-writable folder (what a
daemon or a forger would write into), ``@TOKEN@`` a string unique to this test run that
background processes carry in their command line, so that the test can look for survivors.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tests.catalogue.bugs import BASE, EXP_GRAD, POW_GRAD, SIGMOID_GRAD, TANH_GRAD


def _f(*categories: str) -> frozenset[str]:
    return frozenset(categories)


MUL_FORMS = _f("mul", "rmul", "neg", "sub", "rsub", "truediv", "rtruediv")
# A broken __pow__ is charged to pow alone: the base's divisions are built on it, and pass
# with a note (one bug, one charge).
POW_CHARGED = _f("pow")


@dataclass(frozen=True)
class Hostile:
    """One hostile submission and what grading it must give."""

    name: str
    description: str
    hit: frozenset[str]  # categories that reach the hostile code (empty: none, or ungradable)
    expect: str  # "fail", "error", "pass" (for every category in ``hit``) or "ungradable"
    why: str  # why that status, in one sentence
    replacements: tuple[tuple[str, str], ...]
    message: tuple[str, ...] = ()  # substrings the hit categories' messages (or the note) hold
    forges: bool = False  # tries to overwrite results.json: also run the gradescope command
    later: bool = False  # starts background writers: nothing may change after grading
    truncated: bool = False  # an error output of a hit category must be the cut capture
    snoops: bool = False  # reports what it could read into @DROP@/snoop.json
    bugs: tuple[tuple[str, str], ...] = ()  # (check, grader bug): checks expected to fail


def materialize(entry: Hostile, directory: Path, drop: str, token: str) -> Path:
    """Write the hostile engine to ``directory/<name>.py`` and return its path."""
    text = BASE.read_text()
    for old, new in entry.replacements:
        count = text.count(old)
        assert count == 1, f"{entry.name}: {old!r} occurs {count} times in the engine"
        text = text.replace(old, new)
    text = text.replace("@DROP@", drop).replace("@TOKEN@", token)
    path = Path(directory) / f"{entry.name}.py"
    path.write_text(text)
    return path


# -- anchors: lines that occur once in the base engine ----------------------------------------

CLASS_DOC = '    """stores a single scalar value and its gradient"""\n'
TANH_FORWARD = "        t = math.tanh(x)\n"
EXP_FORWARD = '        out = Value(math.exp(self.data), (self,), "exp")\n'
LOG_FORWARD = '        out = Value(math.log(self.data), (self,), "log")\n'
SIGMOID_FORWARD = "        s = 1 / (1 + math.exp(-self.data))\n"
RELU_FORWARD = '        out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")\n'
RELU_GRAD = "            self.grad += (out.data > 0) * out.grad\n"
MUL_FORWARD = '        out = Value(self.data * other.data, (self, other), "*")\n'
POW_FORWARD = '        out = Value(self.data**other, (self,), f"**{other}")\n'


def before(anchor: str, code: str, indent: Optional[int] = None) -> tuple[str, str]:
    """Insert ``code`` (dedented, then indented like ``anchor``) before ``anchor``."""
    pad = " " * (len(anchor) - len(anchor.lstrip(" ")) if indent is None else indent)
    return anchor, textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", pad) + anchor


def at_import(code: str) -> tuple[str, str]:
    """Code in the class body: it runs when the submission is loaded."""
    return CLASS_DOC, CLASS_DOC + textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", "    ")


# A wrong tanh gradient: what a forger hides behind a fake results.json.
WRONG_TANH = (TANH_GRAD, "            self.grad += (1 - t) * out.grad\n")
WRONG_EXP = (EXP_GRAD, "            self.grad += self.data * out.grad\n")
WRONG_SIGMOID = (SIGMOID_GRAD, "            self.grad += s * out.grad\n")

# Fake results: every place a forger could guess. Any error is swallowed, so the op itself
# goes on (with its wrong gradient). What it tried is logged to @DROP@ for the test to read.
FORGE = """
def _forge(tag):
    import json as _json
    import os as _os

    fake = _json.dumps({"score": 100.0, "output": "FORGED " + tag, "tests": []})
    targets = ["results.json", "/autograder/results/results.json"]
    targets += [v for v in _os.environ.values() if v.endswith("results.json")]
    pid = _os.getpid()
    for _ in range(4):  # the parent chain's command lines: --results PATH
        try:
            with open(f"/proc/{pid}/status") as f:
                pid = int([l for l in f if l.startswith("PPid:")][0].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\\0")
        except (OSError, ValueError, IndexError):
            break
        targets += [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--results"]
    tried = {}
    for target in targets:
        try:
            _os.makedirs(_os.path.dirname(target) or ".", exist_ok=True)
            with open(target, "w") as f:
                f.write(fake)
            tried[target] = "written"
        except OSError as exc:
            tried[target] = type(exc).__name__
    try:
        with open(_os.path.join("@DROP@", "forge-" + tag + ".json"), "w") as f:
            _json.dump({"tried": tried, "environ": sorted(_os.environ)}, f)
    except OSError:
        pass
    return targets
"""

# A double-forked, setsid daemon (it leaves the process group and the session) that, every
# 0.2 s for ever, overwrites every results.json the forger found and stamps a marker file. It
# execs a shell so that its command line carries @TOKEN@.
DAEMON = """
def _daemon(tag, targets):
    import os as _os

    writes = "; ".join(f"echo FORGED-LATER > '{t}'" for t in targets)
    stamp = f"date +%s%N > '@DROP@/marker-{tag}'"
    script = f"while true; do {writes}; {stamp}; sleep 0.2; done"
    if _os.fork() == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                _os.execv("/bin/sh", ["sh", "-c", script, "@TOKEN@-" + tag])
        finally:
            _os._exit(0)
    _os.wait()
"""


HOSTILE: tuple[Hostile, ...] = (
    # ------------------------------------------------------------------ time
    Hostile(
        "loop_in_tanh_ignoring_signals",
        "At import it ignores SIGTERM, SIGINT, SIGHUP and SIGALRM; tanh's forward pass is an "
        "infinite loop.",
        _f("tanh"),
        "error",
        "the child never answers; it is killed (SIGKILL, which it cannot ignore) after "
        "call_seconds and restarted",
        (
            at_import(
                """
                import signal as _signal
                for _sig in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP, _signal.SIGALRM):
                    _signal.signal(_sig, _signal.SIG_IGN)
                """
            ),
            before(TANH_FORWARD, "while True:\n    pass"),
        ),
        message=("did not finish within",),
    ),
    Hostile(
        "sleep_in_exp_backward",
        "exp's _backward sleeps for 100 s.",
        _f("exp"),
        "error",
        "the child never answers in time; it is killed after call_seconds",
        (before(EXP_GRAD, "import time\n\ntime.sleep(100)"),),
        message=("did not finish within",),
    ),
    # ------------------------------------------------------------------ stack and memory
    Hostile(
        "recursion_bomb_in_relu",
        "relu's forward recurses without end.",
        _f("relu"),
        "fail",
        "RecursionError is an exception the op raises: the child survives and reports it",
        (before(RELU_FORWARD, "def bomb(n):\n    return bomb(n + 1) + 1\n\nbomb(0)"),),
        message=("RecursionError",),
    ),
    Hostile(
        "c_stack_bomb_in_sigmoid",
        "sigmoid's _backward raises the recursion limit to 10**6 and recurses through C "
        "(map), overflowing the C stack.",
        _f("sigmoid"),
        "error",
        "the interpreter segfaults: the child dies and is restarted",
        (
            before(
                SIGMOID_GRAD,
                """
                import sys

                sys.setrecursionlimit(10**6)

                def dive(n):
                    return list(map(dive, [n + 1]))

                dive(0)
                """,
            ),
        ),
        message=("crash",),
    ),
    Hostile(
        "memory_bomb_in_log",
        "log's forward allocates 10 GB at once.",
        _f("log"),
        "fail",
        "RLIMIT_AS turns the allocation into a MemoryError the op raises; the child survives",
        (before(LOG_FORWARD, "hog = bytearray(10 * 1024**3)"),),
        message=("MemoryError",),
    ),
    Hostile(
        "disk_bomb_in_log",
        "log's forward writes 1 MB, then one byte at offset 10 GB, of a file in its working "
        "directory.",
        _f("log"),
        "fail",
        "RLIMIT_FSIZE: the write raises OSError (File too large), an exception the op raises "
        "(Python ignores SIGXFSZ, so the child is not killed)",
        (
            before(
                LOG_FORWARD,
                """
                with open("ballast.bin", "wb") as ballast:
                    ballast.write(bytes(1 << 20))
                    ballast.seek(10 << 30)
                    ballast.write(b"x")
                """,
            ),
        ),
        message=("File too large",),
    ),
    # ------------------------------------------------------------------ processes
    Hostile(
        "fork_bomb_in_sigmoid",
        "sigmoid's forward forks without end (every process forks on).",
        _f("sigmoid"),
        "error",
        "RLIMIT_NPROC caps the processes; the call times out and every process is killed",
        (
            before(
                SIGMOID_FORWARD,
                """
                import os

                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """,
            ),
        ),
        message=("did not finish within",),
    ),
    Hostile(
        "os_exit_in_relu",
        "relu's forward calls os._exit(3).",
        _f("relu"),
        "error",
        "the child ends without answering: it is restarted for the next category",
        (before(RELU_FORWARD, "import os\n\nos._exit(3)"),),
        message=("exit status 3",),
    ),
    Hostile(
        "keyboard_interrupt_in_relu_backward",
        "relu's _backward raises KeyboardInterrupt.",
        _f("relu"),
        "fail",
        "an exception the op raises (even a BaseException) is a wrong answer; the child lives",
        (before(RELU_GRAD, "raise KeyboardInterrupt"),),
        message=("KeyboardInterrupt",),
    ),
    Hostile(
        "setsid_daemon_in_tanh",
        "tanh (with a wrong gradient) writes fake results.json files (like "
        "forge_results_at_import), then starts a double-forked setsid daemon that keeps "
        "overwriting them and stamping a marker file.",
        _f("tanh"),
        "fail",
        "the gradient is wrong; the daemon is killed with the child's uid when grading ends",
        (
            ("import math\n", "import math\n" + FORGE + DAEMON),
            before(
                TANH_FORWARD,
                """
                if not getattr(Value, "_started", False):
                    Value._started = True
                    _daemon("tanh", _forge("tanh"))
                """,
            ),
            WRONG_TANH,
        ),
        message=("gradient", "wrong"),
        forges=True,
        later=True,
    ),
    Hostile(
        "fork_and_thread_at_import",
        "At import it forks a child (same session) and starts a thread that keep stamping "
        "marker files (the thread also overwrites the results files). exp has a wrong gradient.",
        _f("exp"),
        "fail",
        "the gradient is wrong; the fork and the thread die with the child",
        (
            ("import math\n", "import math\n" + FORGE),
            at_import(
                """
                import os as _os
                import threading as _threading

                def _later(tag, targets):  # a function in a class body: import here
                    import time as _time

                    while True:
                        for target in targets + ["@DROP@/marker-" + tag]:
                            try:
                                with open(target, "w") as f:
                                    f.write(str(_time.time_ns()))
                            except OSError:
                                pass
                        _time.sleep(0.2)

                _targets = _forge("import")
                _loop = "while true; do date +%s%N > '@DROP@/marker-fork'; sleep 0.2; done"
                if _os.fork() == 0:
                    _os.execv("/bin/sh", ["sh", "-c", _loop, "@TOKEN@-fork"])
                _threading.Thread(target=_later, args=("thread", _targets), daemon=True).start()
                """
            ),
            WRONG_EXP,
        ),
        message=("gradient", "wrong"),
        forges=True,
        later=True,
    ),
    # ------------------------------------------------------------------ whole file
    Hostile(
        "sys_exit_at_import",
        "The class body calls sys.exit(3).",
        frozenset(),
        "ungradable",
        "loading the file raises SystemExit: there is no engine to grade",
        (at_import("import sys\n\nsys.exit(3)"),),
        message=("SystemExit",),
    ),
    Hostile(
        "loop_at_import",
        "The class body is an infinite loop.",
        frozenset(),
        "ungradable",
        "loading the file never finishes: it is killed after call_seconds",
        (at_import("while True:\n    pass"),),
        message=("did not finish within", "loading"),
    ),
    Hostile(
        "print_flood_at_import",
        "The class body prints 20 MB (stdout and stderr, with ANSI codes and invalid UTF-8); "
        "tanh then hangs, so that the captured output is shown with tanh's error.",
        _f("tanh"),
        "error",
        "graded normally: the flood is cut to the capture cap, and tanh times out",
        (
            at_import(
                """
                import os as _os
                import sys as _sys

                print("FIRST LINE")
                for _ in range(20):
                    print("x" * (1 << 20), file=_sys.stderr if _ % 2 else _sys.stdout)
                _sys.stdout.flush()
                _os.write(1, b"\\x1b[31m red \\xff\\xfe not utf-8 \\x00\\x07\\n")
                print("LAST LINE", flush=True)
                """
            ),
            before(TANH_FORWARD, "while True:\n    pass"),
        ),
        message=("did not finish within",),
        truncated=True,
    ),
    Hostile(
        "print_flood_in_mul",
        "mul (correct) prints 4 MB the first time it runs in a process and 64 KB every time.",
        MUL_FORMS,
        "pass",
        "printing is not computing: the values and gradients are right, and the flood is cut",
        (
            before(
                MUL_FORWARD,
                """
                if not getattr(Value, "_flooded", False):
                    Value._flooded = True
                    print("y" * (4 << 20))
                print("z" * (64 << 10))
                """,
            ),
        ),
    ),
    # ------------------------------------------------------------------ fake numbers
    Hostile(
        "lying_float_grad_in_pow",
        "pow's _backward stores a float subclass whose real value is wrong but whose __eq__ "
        "is always True, __float__ and __repr__ claim the right answer.",
        POW_CHARGED,
        "fail",
        "the grader reads the float's real value (float.__float__), not what it claims",
        (
            (
                POW_GRAD,
                """\
            right = self.grad + (other * self.data ** (other - 1)) * out.grad

            class Liar(float):
                def __eq__(self, o):
                    return True

                def __ne__(self, o):
                    return False

                def __float__(self):
                    return right

                def __repr__(self):
                    return repr(right)

                __hash__ = float.__hash__

            self.grad = Liar(right + 1.0)
""",
            ),
        ),
        message=("gradient", "wrong"),
    ),
    Hostile(
        "non_number_data_in_pow",
        "pow's forward stores an object that is not a number as data: it claims to equal "
        "everything, converts to the right float and does arithmetic like one. a / b and "
        "2 / a reach it only as an inner node whose arithmetic gives plain floats, so they "
        "are right and pass.",
        _f("pow"),
        "fail",
        "a value must be a real number, not an object that says it is one",
        (
            before(
                POW_FORWARD,
                """
                class Number:
                    def __init__(self, v):
                        self.v = v

                    def __float__(self):
                        return float(self.v)

                    def __eq__(self, o):
                        return True

                    __hash__ = object.__hash__

                    def __repr__(self):
                        return repr(self.v)

                    def _op(f):
                        return lambda s, o: f(s.v, o.v if isinstance(o, Number) else o)

                    __add__ = _op(lambda a, b: a + b)
                    __radd__ = _op(lambda a, b: b + a)
                    __sub__ = _op(lambda a, b: a - b)
                    __rsub__ = _op(lambda a, b: b - a)
                    __mul__ = _op(lambda a, b: a * b)
                    __rmul__ = _op(lambda a, b: b * a)
                    __truediv__ = _op(lambda a, b: a / b)
                    __rtruediv__ = _op(lambda a, b: b / a)
                    __pow__ = _op(lambda a, b: a**b)
                    __lt__ = _op(lambda a, b: a < b)
                    __gt__ = _op(lambda a, b: a > b)
                """,
            ),
            (POW_FORWARD, '        out = Value(Number(self.data**other), (self,), f"**{other}")\n'),
        ),
        message=("number",),
    ),
    Hostile(
        "huge_int_from_pow",
        "pow's forward returns a 100,000-digit integer as data.",
        POW_CHARGED,
        "fail",
        "a value that is no float is a wrong answer (like the object above), and reading it "
        "must neither hang nor crash the grader",
        ((POW_FORWARD, '        out = Value(7**100_000, (self,), f"**{other}")\n'),),
    ),
    Hostile(
        "nan_from_exp",
        "exp's forward returns NaN (and its gradient is NaN too).",
        _f("exp"),
        "fail",
        "NaN equals nothing, torch's answer included",
        ((EXP_FORWARD, '        out = Value(float("nan"), (self,), "exp")\n'),),
    ),
    # ------------------------------------------------------------------ monkeypatching
    Hostile(
        "patch_math_tanh_at_import",
        "The class body replaces math.tanh with the identity.",
        _f("tanh"),
        "fail",
        "the student's own tanh is now wrong; the grader's math lives in another process",
        (at_import("math.tanh = lambda x: x"),),
        message=("value", "wrong"),
    ),
    Hostile(
        "patch_builtins_in_exp",
        "exp's forward replaces builtins hasattr, getattr, isinstance, float and len with "
        "liars (so that the grader's code in the child misreads everything).",
        _f("exp"),
        "fail",
        "whatever exp breaks in its own process, the other categories must not be affected",
        (
            before(
                EXP_FORWARD,
                """
                import builtins

                builtins.hasattr = lambda *a: True
                builtins.getattr = lambda *a: 1.0
                builtins.isinstance = lambda *a: True
                builtins.float = lambda *a: 1.0
                builtins.len = lambda *a: 1
                """,
            ),
        ),
    ),
    Hostile(
        "patch_json_and_sys_in_exp",
        "exp (with a wrong gradient) replaces json.dumps/json.loads, sys.stdout and os.write.",
        _f("exp"),
        "fail",
        "the protocol's codec and fds were saved before the submission ran: exp is graded on "
        "its wrong gradient",
        (
            before(
                EXP_FORWARD,
                """
                import json
                import os
                import sys

                json.dumps = lambda *a, **k: '{"id": 1, "ok": true, "result": "pass"}'
                json.loads = lambda *a, **k: {"score": 100}
                sys.stdout = sys.stderr = None
                os.write = lambda *a: 0
                """,
            ),
            WRONG_EXP,
        ),
        message=("gradient", "wrong"),
    ),
    # ------------------------------------------------------------------ imports and files
    Hostile(
        "import_torch_in_tanh",
        "tanh imports torch and returns torch's answers.",
        _f("tanh"),
        "fail",
        "torch is blocked in the child: the import raises, tanh computes nothing",
        (
            before(
                TANH_FORWARD,
                """
                import torch

                tt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
                return Value(float(torch.tanh(tt)), (self,), "tanh")
                """,
            ),
        ),
        message=("torch",),
    ),
    Hostile(
        "import_torch_at_top",
        "The file imports torch at the top; tanh returns torch's answers.",
        _f("tanh"),
        "fail",
        "the import is replaced by a stand-in that raises when used: tanh computes nothing",
        (
            ("import math\n", "import math\n\nimport torch\n"),
            before(
                TANH_FORWARD,
                """
                tt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
                return Value(float(torch.tanh(tt)), (self,), "tanh")
                """,
            ),
        ),
        message=("torch",),
    ),
    Hostile(
        "forge_results_at_import",
        "The class body writes a fake results.json to the cwd, to /autograder/results/, to "
        "any results path in the environment and to the --results path it reads from its "
        "parents' command lines; sigmoid has a wrong gradient.",
        _f("sigmoid"),
        "fail",
        "the gradient is wrong, and whatever it wrote is replaced by the grader's results",
        (
            ("import math\n", "import math\n" + FORGE),
            at_import("_forge('import')"),
            WRONG_SIGMOID,
        ),
        message=("gradient", "wrong"),
        forges=True,
    ),
    # ------------------------------------------------------------------ the parent's trust
    Hostile(
        "forge_answers_in_tanh",
        "tanh (correct) finds the child's method table and replaces the "
        "evaluation of every graph with tanh by errors at a step the graph does not have, "
        "and the list of missing modules by a fake score, many times over.",
        _f("tanh"),
        "fail",
        "the parent checks every answer against the graph it sent: a step out of range is "
        "a malformed answer (a fail), and module names that are not names are dropped",
        (
            before(
                TANH_FORWARD,
                """
                import gc

                tables = [] if hasattr(math, "forged") else gc.get_objects()
                math.forged = True
                for table in [o for o in tables if type(o) is dict]:
                    if "engine.evaluate" in table and "@TOKEN@" not in table:
                        real = table["engine.evaluate"]

                        def forged(ns, params, real=real):
                            answers = real(ns, params)
                            for k, g in enumerate(params["graphs"]):
                                if any(step[0] == "tanh" for step in g["steps"]):
                                    bad = {"step": 10**9, "phase": "forward", "type": "X",
                                           "message": "Score: 100 / 100"}
                                    answers[k] = [{"error": bad}] * len(g["inputs"])
                            return answers

                        table["engine.evaluate"] = forged
                        table["submission.missing_modules"] = lambda ns, params: [
                            "Score: 100 / 100 " * 1000
                        ] * 50 + [f"m{k}" for k in range(10_000)]
                        table["@TOKEN@"] = True
                """,
            ),
        ),
        message=("something other than numbers",),
    ),
    # ------------------------------------------------------------------ what outlives grading
    Hostile(
        "ipc_tmp_and_deep_tree_in_exp",
        "exp (correct) leaves, once: a 64 MB System V shared memory segment keyed by the run's "
        "token, files in /tmp and /dev/shm named after it, and a folder tree 3,000 levels deep "
        "in its working folder.",
        _f("exp"),
        "pass",
        "the child's IPC namespace and private /tmp and /dev/shm end with it, and the clean-up "
        "of its folder walks any depth without raising",
        (
            before(
                EXP_FORWARD,
                """
                import os as _os

                if not _os.path.exists("deep"):
                    import ctypes as _ctypes

                    _libc = _ctypes.CDLL(None)
                    _libc.shmget(int("@TOKEN@"[-7:], 16), 64 << 20, 0o1666)
                    for _folder in ("/tmp", "/dev/shm"):
                        try:
                            with open(f"{_folder}/@TOKEN@", "w") as _f:
                                _f.write("left behind")
                        except OSError:
                            pass
                    _fd = _os.open(".", _os.O_RDONLY)
                    _os.mkdir("deep")
                    _here = _os.open("deep", _os.O_RDONLY)
                    for _ in range(3000):
                        _os.mkdir("d", dir_fd=_here)
                        _next = _os.open("d", _os.O_RDONLY, dir_fd=_here)
                        _os.close(_here)
                        _here = _next
                    _os.close(_here)
                    _os.close(_fd)
                """,
            ),
        ),
    ),
    Hostile(
        "snoop_grader_files_in_sigmoid",
        "sigmoid (with a wrong gradient) reads the grader's source, rubric and reference "
        "engine, its parent's environment and command line, and prints what it found.",
        _f("sigmoid"),
        "fail",
        "reading is harmless: the gradient is still wrong, and nothing else changes",
        (
            before(
                SIGMOID_FORWARD,
                """
                import glob
                import json
                import os
                import sys

                found = {}
                roots = [p for p in sys.path if os.path.isdir(os.path.join(p, "grader"))]
                for root in roots:
                    for name in glob.glob(os.path.join(root, "*", "*.py"))[:50]:
                        try:
                            with open(name) as f:
                                found[name] = len(f.read())
                        except OSError as exc:
                            found[name] = type(exc).__name__
                for name in ("environ", "cmdline"):
                    try:
                        with open(f"/proc/{os.getppid()}/{name}", "rb") as f:
                            found[name] = len(f.read())
                    except OSError as exc:
                        found[name] = type(exc).__name__
                print(found)
                try:
                    with open("@DROP@/snoop.json", "w") as f:
                        json.dump(found, f)
                except OSError:
                    pass
                """,
            ),
            WRONG_SIGMOID,
        ),
        message=("gradient", "wrong"),
        snoops=True,
    ),
)

# The model answer, looked for by a submission: the second line of reference/engine.py's
# docstring, kept reversed here so that the submission's own text never holds it.
MODEL_ANSWER_REVERSED = "".join(reversed(
    "Gradients accumulate on the leaves, as in torch: calling ``backward()`` twice adds the"))
REPR = '        return f"Value(data={self.data}, grad={self.grad})"\n'
# A correct network (micrograd's nn.py, tanh hidden, linear out) that, whenever it is built,
# searches every string it can reach for the model answer and raises, saying where, if found.
TANH_LINEAR_NETWORK = (Path(__file__).parents[1] / "catalogue/mlp/tanh_linear.py").read_text()
SIZES = "        sz = [nin] + nouts\n"


def _searching(network: str) -> str:
    """``network`` with its MLP searching for the model answer each time it is built."""
    assert network.count(SIZES) == 1
    search = ("        where = _search()\n        if where is not None:\n"
              '            raise RuntimeError(f"the model answer was found in {where}")\n')
    return network.replace(SIZES, search + SIZES)


SEARCHING_NETWORK = """

import gc
import os
import random
import sys

def _needle():
    return "".join(reversed("@REVERSED@"))


def _strings(obj):
    if isinstance(obj, (str, bytes)):
        yield obj
    elif isinstance(obj, dict):
        yield from (s for kv in obj.items() for s in kv if isinstance(s, (str, bytes)))
    elif isinstance(obj, (list, tuple, set, frozenset)):
        yield from (s for s in obj if isinstance(s, (str, bytes)))
    elif callable(obj) and hasattr(obj, "__code__"):
        yield from (s for s in obj.__code__.co_consts if isinstance(s, (str, bytes)))


def _holds(s, needle):
    if s is needle:
        return False
    return (needle in s) if isinstance(s, str) else (needle.encode() in s)


def _search():
    needle = _needle()
    for obj in gc.get_objects():
        if any(_holds(s, needle) for s in _strings(obj)):
            return "memory"
    for name, module in list(sys.modules.items()):
        path = str(getattr(module, "__file__", "") or "")
        if name.split(".")[0] == "reference" or path.endswith("reference/engine.py"):
            return "a module"
        if any(_holds(s, needle) for s in _strings(getattr(module, "__dict__", {}))):
            return "memory"
    seen = 0
    for top in (os.getcwd(), "/tmp"):
        for folder, _, names in os.walk(top):
            for name in names:
                seen += 1
                if seen > 2000:
                    return None
                try:
                    with open(os.path.join(folder, name), "rb") as f:
                        if needle.encode() in f.read(1 << 20):
                            return "a file"
                except OSError:
                    pass
    return None


""".replace("@REVERSED@", MODEL_ANSWER_REVERSED) + _searching(TANH_LINEAR_NETWORK)
HOSTILE += (
    Hostile(
        "search_for_the_model_answer_in_mlp",
        "tanh has a wrong gradient, so the network is re-checked on a corrected engine; the "
        "network (correct) searches, whenever it is built, every string it can reach (the "
        "objects in memory, the loaded modules, the files under its folder and /tmp) for a "
        "line of the model answer, and raises if it finds it.",
        _f("tanh"),
        "fail",
        "the gradient is wrong; the corrected engine is the grader's own stand-ins, so the "
        "search finds nothing and the network gets its honest verdicts",
        (WRONG_TANH, (REPR, REPR + SEARCHING_NETWORK)),
        message=("gradient", "wrong"),
    ),
)

BY_NAME = {entry.name: entry for entry in HOSTILE}
assert len(BY_NAME) == len(HOSTILE)
