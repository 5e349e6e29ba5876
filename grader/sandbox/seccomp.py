"""A seccomp filter for the child: no new namespaces, mounts, keys, BPF or kernel modules.

Installed by child.py after it dropped privileges and set ``no_new_privs``, before the
submission runs; it holds for every process the submission starts. Denied system calls fail
with EPERM (clone3 with ENOSYS, so that the C library falls back to clone, whose namespace
flags can be checked). A system call of another ABI (i386 or x32 on x86_64) is denied too.
Only x86_64 and aarch64 are known: elsewhere ``install`` returns False and nothing is filtered.
Child-side: imports nothing beyond ctypes, struct and platform modules.
"""

from __future__ import annotations

import ctypes
import os
import struct

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
DENIED = {  # name: (x86_64 number, aarch64 number)
    "unshare": (272, 97),
    "setns": (308, 268),
    "mount": (165, 40),
    "umount2": (166, 39),
    "pivot_root": (155, 41),
    "chroot": (161, 51),
    "open_tree": (428, 428),
    "move_mount": (429, 429),
    "fsopen": (430, 430),
    "fsconfig": (431, 431),
    "fsmount": (432, 432),
    "fspick": (433, 433),
    "mount_setattr": (442, 442),
    "add_key": (248, 217),
    "request_key": (249, 218),
    "keyctl": (250, 219),
    "bpf": (321, 280),
    "userfaultfd": (323, 282),
    "perf_event_open": (298, 241),
    "io_uring_setup": (425, 425),
    "kexec_load": (246, 104),
    "init_module": (175, 105),
    "finit_module": (313, 273),
    "delete_module": (176, 106),
    "name_to_handle_at": (303, 264),
    "open_by_handle_at": (304, 265),
}
CLONE = (56, 220)
CLONE3 = (435, 435)
NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME}
X32_BIT = 0x40000000

LOAD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
ALLOW, KILL = 0x7FFF0000, 0x80000000
EPERM, ENOSYS = 0x00050000 | 1, 0x00050000 | 38
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


def program(machine: str) -> list[tuple[int, int, int, int]] | None:
    """The filter for ``machine`` (``os.uname().machine``) as (code, jt, jf, k), or None."""
    if machine not in AUDIT_ARCH:
        return None
    which = 0 if machine == "x86_64" else 1
    denied = sorted({numbers[which] for numbers in DENIED.values()})
    code: list[tuple[int, int, int, int]] = [
        (LOAD, 0, 0, 4),  # seccomp_data.arch
        (JEQ, 1, 0, AUDIT_ARCH[machine]),
        (RET, 0, 0, KILL),
        (LOAD, 0, 0, 0),  # seccomp_data.nr
    ]
    if machine == "x86_64":
        code.append((JGE, 0, 1, X32_BIT))
        code.append((RET, 0, 0, EPERM))
    for number in denied:
        code.append((JEQ, 0, 1, number))
        code.append((RET, 0, 0, EPERM))
    code.append((JEQ, 0, 1, CLONE3[which]))
    code.append((RET, 0, 0, ENOSYS))
    code.append((JEQ, 0, 3, CLONE[which]))
    code.append((LOAD, 0, 0, 16))  # the low half of args[0]: clone's flags
    code.append((JSET, 0, 1, NAMESPACE_FLAGS))
    code.append((RET, 0, 0, EPERM))
    code.append((RET, 0, 0, ALLOW))
    return code


def install() -> bool:
    """Filter this process and its future children; False where that cannot be done."""
    code = program(os.uname().machine)
    if code is None:
        return False
    blob = b"".join(struct.pack("=HBBI", *instruction) for instruction in code)
    buffer = ctypes.create_string_buffer(blob, len(blob))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Program(len(code), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
