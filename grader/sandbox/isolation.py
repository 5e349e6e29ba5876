"""Parent-side isolation: who the child runs as, its cgroup, its interpreter, and killing it all.

When the grader runs as root, every child gets its own uid and gid from a range reserved here
(no /etc/passwd entry is needed or written). That uid is dedicated to one live child, so
RLIMIT_NPROC counts only that child's processes and "kill every process of this uid" is safe.
If that range cannot be used (a user namespace that does not map it), the child runs as
``nobody``: then the uid is shared, so it is never swept, only its process group and cgroup.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import stat
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass

BASE_ID = 1_800_000_000  # uids and gids BASE_ID .. BASE_ID + PID_SPAN * SLOTS are ours
PID_SPAN = 4_194_304  # the largest pid_max Linux allows
SLOTS = 64  # children alive at once in one grader process
NOBODY = 65534
CGROUP_PREFIX = "grader-sandbox-"

_lock = threading.Lock()
_slots_in_use: set[int] = set()
_next_slot = 0
_cgroup_count = 0


@dataclass
class Identity:
    """The uid and gid a child runs as; ``dedicated`` if no other process may use them."""

    uid: int
    gid: int
    dedicated: bool
    slot: int | None = None

    def release(self) -> None:
        """Give the slot back once every process of this uid is gone."""
        if self.slot is not None:
            with _lock:
                _slots_in_use.discard(self.slot)
            self.slot = None


def _mapped(ident: int, map_file: str) -> bool:
    """Whether ``ident`` exists in this (possibly user-namespaced) system."""
    try:
        with open(map_file) as f:
            for line in f:
                inside, _, count = (int(x) for x in line.split())
                if inside <= ident < inside + count:
                    return True
    except (OSError, ValueError):
        return False
    return False


def acquire_identity() -> Identity | None:
    """An unprivileged uid/gid for a new child, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    global _next_slot
    with _lock:
        free = [s for s in range(SLOTS) if s not in _slots_in_use]
        if not free:
            raise RuntimeError(f"more than {SLOTS} sandboxes alive at once")
        # round robin: a uid whose zombies nobody reaped yet (they count for NPROC) rests
        slot = min(free, key=lambda s: (s - _next_slot) % SLOTS)
        _next_slot = slot + 1
        _slots_in_use.add(slot)
    ident = BASE_ID + (os.getpid() % PID_SPAN) * SLOTS + slot
    if _mapped(ident, "/proc/self/uid_map") and _mapped(ident, "/proc/self/gid_map"):
        sweep_uid(ident)  # left over by an earlier grader process with our pid, if any
        return Identity(ident, ident, True, slot)
    with _lock:
        _slots_in_use.discard(slot)
    if _mapped(NOBODY, "/proc/self/uid_map") and _mapped(NOBODY, "/proc/self/gid_map"):
        return Identity(NOBODY, NOBODY, False)
    return None


def make_workdir(identity: Identity | None) -> str:
    """A fresh directory that only the child (and root) can use."""
    path = tempfile.mkdtemp(prefix="grader-sandbox-")
    if identity is not None:
        os.chown(path, identity.uid, identity.gid)
    return path


def remove_workdir(path: str) -> bool:
    """Remove a folder the child wrote, however deep; True if it is gone. Never raises."""
    return remove_tree(path)


def remove_tree(path: str) -> bool:
    """Remove ``path`` and everything below it without following links, without recursion
    and without long paths: each subfolder is first moved up to the top, then emptied.
    Never raises; True if ``path`` is gone."""
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    moved = 0
    try:
        while _empty_one(top, moved):
            moved += 1
    except Exception:  # noqa: BLE001 - a clean-up must never sink a grade
        pass
    finally:
        os.close(top)
    with contextlib.suppress(OSError):
        os.rmdir(path)
    return not os.path.lexists(path)


def _empty_one(top: int, moved: int) -> bool:
    """Remove one entry of ``top`` (a folder's subfolders are moved up into ``top`` first);
    False when ``top`` is empty or nothing more can be removed."""
    with os.scandir(top) as entries:
        entry = next(iter(entries), None)
    if entry is None:
        return False
    if not entry.is_dir(follow_symlinks=False):
        os.unlink(entry.name, dir_fd=top)
        return True
    inner = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
    try:
        with os.scandir(inner) as entries:
            names = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
        for k, (name, folder) in enumerate(names):
            if folder:
                os.rename(name, f".up-{moved}-{k}", src_dir_fd=inner, dst_dir_fd=top)
            else:
                os.unlink(name, dir_fd=inner)
    finally:
        os.close(inner)
    os.rmdir(entry.name, dir_fd=top)
    return True


def _open_to_others(path: str, bits: int) -> bool:
    """Whether a user with no special rights can reach ``path`` and has ``bits`` on it."""
    real = os.path.realpath(path)
    try:
        parent = os.path.dirname(real)
        while True:
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
            if parent == os.path.dirname(parent):
                break
            parent = os.path.dirname(parent)
        return os.stat(real).st_mode & bits == bits
    except OSError:
        return False


READ_DIR = stat.S_IROTH | stat.S_IXOTH
SHARED_PACKAGES = ("numpy",)  # third-party packages a submission may use (np.float64 data)
PRIVATE_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")  # world-writable: a fresh
# tmpfs each in the child's mount namespace
HIDDEN_FOLDERS = ("/autograder",)  # Gradescope's: the rubric, the submission, the results
_copies: dict[str, str] = {}


def under(path: str, folders: list[str]) -> bool:
    """Whether ``path`` is one of ``folders`` or inside one."""
    real = os.path.realpath(path)
    return any(real == f or real.startswith(f.rstrip("/") + "/") for f in folders)


def grader_copy(root: str, modules: list[str] = []) -> str:  # noqa: B006
    """The folder holding the child's copy of the ``grader`` package: made fresh once per
    grader process under an unguessable name, owned by root, readable by all, never reused
    across processes, and removed at exit. Only the package (and the files of ``modules``,
    extra method modules): not reference/, tests/ or a rubric beside it."""
    if "grader" not in _copies:
        top = _private_folder("micrograd-grader-")
        shutil.copytree(os.path.join(root, "grader"), os.path.join(top, "grader"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "README.md"))
        _copies["grader"] = top
    top = _copies["grader"]
    for module in modules:
        _copy_module(module, top)
    _open_up(top)
    return top


def _copy_module(module: str, top: str) -> None:
    """Copy one module (and its packages' __init__ files) into ``top``, once."""
    import importlib.util

    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        spec = importlib.util.find_spec(".".join(parts[:end]))
        if spec is None or not spec.origin or not os.path.isfile(spec.origin):
            continue
        name = "__init__.py" if end < len(parts) else os.path.basename(spec.origin)
        target = os.path.join(top, *parts[: end if end < len(parts) else end - 1], name)
        if not os.path.exists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(spec.origin, target)


def shared_packages_mirror(site_dirs: list[str], readable: list[str]) -> list[str]:
    """A readable copy of SHARED_PACKAGES when the child cannot see them in ``readable``
    (a venv under a 0700 or hidden folder): made like ``grader_copy``; else nothing."""
    wanted = [
        os.path.join(site, name)
        for name in SHARED_PACKAGES
        if not any(os.path.isdir(os.path.join(d, name)) for d in readable)
        for site in dict.fromkeys(site_dirs)
        if os.path.isdir(os.path.join(site, name))
    ]
    if not wanted:
        return []
    if "site" not in _copies:
        top = _private_folder("micrograd-grader-site-")
        for path in wanted:
            for folder in (path, path + ".libs"):  # numpy.libs: the wheel's shared libraries
                if os.path.isdir(folder):
                    target = os.path.join(top, os.path.basename(folder))
                    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("tests"))
        _open_up(top)
        _copies["site"] = top
    return [_copies["site"]]


def copies() -> list[str]:
    """The folders made by ``grader_copy`` and ``shared_packages_mirror`` in this process."""
    return list(_copies.values())


def _private_folder(prefix: str) -> str:
    folder = tempfile.mkdtemp(prefix=prefix)  # a random name, 0700 until filled
    if not _copies:
        atexit.register(_remove_copies)
    return folder


def _remove_copies() -> None:
    for folder in _copies.values():
        remove_tree(folder)
    _copies.clear()


def _open_up(top: str) -> None:
    """Make a copied tree readable (and its folders and programs usable) by everyone."""
    for folder, _dirs, files in os.walk(top):
        os.chmod(folder, 0o755)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, 0o755 if os.stat(path).st_mode & stat.S_IXUSR else 0o644)


def child_interpreter(unprivileged: bool, hidden: list[str] = []) -> tuple[str, list[str]]:  # noqa: B006
    """The Python to run the child with, and site directories to add to its ``sys.path``.

    An unprivileged child needs an interpreter and standard library it can read (and that
    is not ``hidden`` from it): the grader's own may live in a private home (pyenv under
    /root). Then a system Python of the same version is used, given the grader's
    site-packages (or a copy of numpy from them) for lazily needed packages.
    """
    site_dirs = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if not unprivileged:
        return sys.executable, []

    def usable(path: str, bits: int) -> bool:
        return _open_to_others(path, bits) and not under(path, hidden)

    extra = [d for d in dict.fromkeys(site_dirs) if usable(d, READ_DIR)]
    extra += shared_packages_mirror(site_dirs, extra)
    stdlib = sysconfig.get_paths()["stdlib"]
    own = os.path.realpath(sys.executable)
    if usable(own, stat.S_IXOTH) and usable(stdlib, READ_DIR):
        return own, extra
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for folder in ("/usr/bin", "/usr/local/bin", "/bin"):
        exe = os.path.realpath(os.path.join(folder, version))
        prefix = os.path.dirname(os.path.dirname(exe))
        lib = os.path.join(prefix, "lib", version)
        if usable(exe, stat.S_IXOTH) and usable(lib, READ_DIR):
            return exe, extra
    raise RuntimeError(f"no {version} interpreter that an unprivileged user can run")


def _proc_ids(pid: str) -> tuple[set[int], str] | None:
    """The real, effective and saved uids of a process and its state letter."""
    try:
        with open(f"/proc/{pid}/status") as f:
            uids: set[int] = set()
            state = "?"
            for line in f:
                if line.startswith("State:"):
                    state = line.split()[1]
                elif line.startswith("Uid:"):
                    uids = {int(x) for x in line.split()[1:4]}
                    break
            return uids, state
    except (OSError, ValueError, IndexError):
        return None


def sweep_uid(uid: int) -> int:
    """SIGKILL every live process running as ``uid``; return how many were found."""
    found = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        ids = _proc_ids(name)
        if ids is None or uid not in ids[0] or ids[1] in ("Z", "X"):
            continue
        found += 1
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(name), signal.SIGKILL)
    return found


def wait_uid_gone(uid: int, deadline: float) -> bool:
    """Sweep until no live process runs as ``uid`` (a fork bomb needs a few rounds)."""
    while sweep_uid(uid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


class CGroup:
    """A cgroup v2 directory holding one child and everything it starts, even after setsid."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def create(cls, max_processes: int, memory_bytes: int) -> CGroup | None:
        """A new cgroup beside ours, or None where cgroup v2 is missing or read-only."""
        global _cgroup_count
        mount = _cgroup2_mount()
        if mount is None:
            return None
        try:
            with open("/proc/self/cgroup") as f:
                own = next(line[3:].strip() for line in f if line.startswith("0::"))
        except (OSError, StopIteration):
            return None
        base = os.path.join(mount, own.lstrip("/"))
        with _lock:
            _cgroup_count += 1
            name = f"{CGROUP_PREFIX}{os.getpid()}-{_cgroup_count}"
        path = os.path.join(base, name)
        try:
            os.mkdir(path)
        except OSError:
            return None
        group = cls(path)
        controllers = group._read("cgroup.controllers").split()
        if "pids" in controllers:
            group._write("pids.max", str(max_processes))
        if "memory" in controllers:
            group._write("memory.max", str(memory_bytes))
            group._write("memory.swap.max", "0")
            group._write("memory.oom.group", "1")
        return group

    @property
    def procs_file(self) -> str:
        return os.path.join(self.path, "cgroup.procs")

    def _read(self, name: str) -> str:
        try:
            with open(os.path.join(self.path, name)) as f:
                return f.read()
        except OSError:
            return ""

    def _write(self, name: str, value: str) -> bool:
        try:
            with open(os.path.join(self.path, name), "w") as f:
                f.write(value)
            return True
        except OSError:
            return False

    def populated(self) -> bool:
        events = self._read("cgroup.events")
        if "populated" in events:
            return "populated 1" in events
        return bool(self._read("cgroup.procs").split())

    def oom_kills(self) -> int:
        for line in self._read("memory.events").splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def kill(self) -> None:
        """SIGKILL every process in the group (cgroup.kill, or one by one on older kernels)."""
        if self._write("cgroup.kill", "1"):
            return
        self._write("cgroup.freeze", "1")
        for pid in self._read("cgroup.procs").split():
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.kill(int(pid), signal.SIGKILL)

    def wait_empty(self, deadline: float) -> bool:
        while self.populated():
            if time.monotonic() > deadline:
                return False
            self.kill()
            time.sleep(0.002)
        return True

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            os.rmdir(self.path)


def _cgroup2_mount() -> str | None:
    try:
        with open("/proc/self/mounts") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 3 and fields[2] == "cgroup2":
                    if "rw" not in fields[3].split(","):
                        return None
                    return fields[1]
    except OSError:
        return None
    return None


def kill_all(pid: int, group: CGroup | None, identity: Identity | None) -> None:
    """SIGKILL the child's process group, its cgroup and (if dedicated) its uid, at once."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if group is not None:
        group.kill()
    if identity is not None and identity.dedicated:
        sweep_uid(identity.uid)


def wait_all_gone(group: CGroup | None, identity: Identity | None, seconds: float = 5.0) -> bool:
    """Wait until nothing the child started is alive; True if that happened in time."""
    deadline = time.monotonic() + seconds
    gone = True
    if group is not None:
        gone = group.wait_empty(deadline) and gone
    if identity is not None and identity.dedicated:
        gone = wait_uid_gone(identity.uid, deadline) and gone
    return gone


SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")
MODE_VARIABLE = "MICROGRAD_GRADER_SANDBOX"  # "namespaces" turns bubblewrap off


def bubblewrap() -> str | None:
    """bwrap's path when the child should run in it: as root, where it is installed (and
    ``MICROGRAD_GRADER_SANDBOX`` does not ask for the hand-made namespaces instead)."""
    if os.geteuid() != 0 or os.environ.get(MODE_VARIABLE) == "namespaces":
        return None
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin:/usr/sbin")


def bubblewrap_command(
    bwrap: str, readonly: list[str], writable: list[str], workdir: str
) -> list[str]:
    """bwrap's options: new IPC, PID, network, UTS (and cgroup) namespaces; a root holding
    only the system folders and ``readonly`` (read-only), ``writable``, a fresh /proc, /dev and
    a fresh tmpfs for each world-writable folder. Root inside keeps only the right to switch
    to the child's uid, which the child does at once."""
    args = [
        bwrap, "--die-with-parent", "--unshare-ipc", "--unshare-pid", "--unshare-net",
        "--unshare-uts", "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add",
        "CAP_SETGID",
    ]  # fmt: skip
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for folder in PRIVATE_FOLDERS:
        if os.path.isdir(folder):
            args += ["--tmpfs", folder]
    made: set[str] = set()
    for path in dict.fromkeys(readonly):
        if not under(path, list(SYSTEM_FOLDERS)):
            args += [*_ancestors(path, made), "--ro-bind", path, path]
    for path in writable:
        args += [*_ancestors(path, made), "--bind", path, path]
    return [*args, "--chdir", workdir, "--"]


def _ancestors(path: str, made: set[str]) -> list[str]:
    """bwrap options creating the folders above ``path`` open to all (0755): bwrap makes
    them 0700 otherwise, and the child, once it is another uid, could not reach ``path``."""
    args: list[str] = []
    parts = os.path.dirname(os.path.abspath(path)).strip("/").split("/")
    for depth in range(1, len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        if folder in made or folder in PRIVATE_FOLDERS or under(folder, list(SYSTEM_FOLDERS)):
            continue
        made.add(folder)
        args += ["--perms", "0755", "--dir", folder]
    return args


def hidden_paths(extra: list[str], needed: list[str]) -> list[str]:
    """What the hand-made mount namespace covers: Gradescope's folder and ``extra`` (the
    reference, the submission's own folder), except a folder holding something ``needed``."""
    found = []
    for path in [*HIDDEN_FOLDERS, *extra]:
        real = os.path.realpath(path)
        if os.path.exists(real) and not any(under(n, [real]) for n in needed):
            found.append(real)
    return list(dict.fromkeys(found))


def private_folders() -> list[str]:
    """The world-writable folders that get a fresh tmpfs (each once, links resolved)."""
    found = [os.path.realpath(f) for f in PRIVATE_FOLDERS if os.path.isdir(f)]
    return list(dict.fromkeys(found))
