"""The syscall filter every sandboxed process runs under, exported once as a BPF program for ``bwrap --seccomp``.

Default allow, with a deny list: tracing and reading other processes (ptrace, process_vm_*), network sockets
(any family but AF_UNIX), new namespaces, mounts, kernel keyrings, BPF, perf, userfaultfd, io_uring, modules,
clocks, reboot, and System V IPC / message queues (they would outlive a run). Syscalls of a foreign
architecture (32-bit ``int 0x80`` on x86-64) kill the process (libseccomp's default bad-arch action). Denied
calls fail with EPERM so programs see an ordinary error.
"""

from __future__ import annotations

import errno
import os
import tempfile

DENIED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "perf_event_open", "bpf", "userfaultfd",
    "keyctl", "add_key", "request_key", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
    "syslog", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "open_by_handle_at",
    "name_to_handle_at", "io_uring_setup", "io_uring_enter", "io_uring_register", "fanotify_init", "quotactl",
    "vhangup", "move_mount", "open_tree", "fsopen", "fsmount", "fspick", "mount_setattr", "lookup_dcookie",
    # System V IPC and POSIX message queues outlive the process in the sandbox's IPC namespace: no carry-over.
    "shmget", "semget", "msgget", "mq_open",
)  # fmt: skip
AF_UNIX = 1
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080)

_program: bytes | None = None


def build_filter():
    import pyseccomp as sc

    f = sc.SyscallFilter(defaction=sc.ALLOW)
    for name in DENIED:
        try:
            f.add_rule(sc.ERRNO(errno.EPERM), name)
        except (OSError, ValueError, RuntimeError):
            pass  # a syscall this kernel/libseccomp does not know cannot be called either
    f.add_rule(sc.ERRNO(errno.EPERM), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    for flag in NAMESPACE_FLAGS:
        f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory a filter cannot read: refuse it, libc then falls back to clone.
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    return f


def program() -> bytes:
    """The BPF program (built once per process)."""
    global _program
    if _program is None:
        with tempfile.TemporaryFile() as out:
            build_filter().export_bpf(out)
            out.seek(0)
            _program = out.read()
    return _program


def open_bpf() -> int:
    """A fresh fd at offset 0 holding the program (bwrap reads to EOF, so one fd cannot serve two sandboxes)."""
    fd = os.memfd_create("coderl-seccomp", os.MFD_CLOEXEC)
    os.write(fd, program())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
