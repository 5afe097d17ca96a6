"""How a sandbox process is started: bubblewrap + seccomp (level ``bwrap``) or a plain process (level ``none``).

``bwrap``: fresh user-invisible namespaces for everything (network, pid, ipc, uts, mount, cgroup), all
capabilities dropped, a new session (no terminal injection), the environment cleared, ``/usr`` read-only and
nothing else of the host but the harness (read-only) and the submission's job dir (read-only); ``/work`` and
``/tmp`` are size-capped tmpfs. The process is placed in its cgroups *before* exec, so nothing escapes them.

``none`` exists for machines without bubblewrap: rlimits, cgroups where writable and a process-group kill, but the
program sees the host's files and network. The level is named in every verdict and logged when chosen.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from sandbox import seccomp

log = logging.getLogger("sandbox")
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
LEVELS = ("auto", "bwrap", "none")
TMPFS_BYTES = 64 << 20
# Put the sandbox in its cgroups, then become it: the pid is in the groups before any child exists.
CGROUP_SH = 'for f in $CODERL_CG; do echo $$ > "$f" || exit 97; done; unset CODERL_CG PWD OLDPWD; exec "$@"'


def system_python() -> str:
    """The interpreter the sandbox runs: Debian's /usr/bin/python3, else the first python3 on PATH."""
    if os.path.exists("/usr/bin/python3"):
        return "/usr/bin/python3"
    found = shutil.which("python3")
    if not found:
        raise RuntimeError("no python3 found for the sandbox: install python3 (apt-get install python3)")
    return os.path.realpath(found)


@dataclass(frozen=True)
class Isolation:
    level: str  # "bwrap" or "none"
    python: str

    def base_argv(self, job_dir: str, writable_job: bool = False, dev: bool = True) -> list[str]:
        if self.level == "none":
            return []
        argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        argv += ["--ro-bind", "/usr", "/usr"]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                argv += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                argv += ["--ro-bind", top, top]
        prefix = os.path.dirname(os.path.dirname(self.python))
        if not prefix.startswith("/usr"):
            argv += ["--ro-bind", prefix, prefix]  # an interpreter outside /usr (e.g. pyenv) needs its prefix
        argv += ["--proc", "/proc"] if dev else []
        argv += ["--dev", "/dev"] if dev else ["--tmpfs", "/dev", "--dev-bind", "/dev/null", "/dev/null"]
        for writable in ("/dev/shm", "/tmp", "/work"):
            argv += ["--size", str(TMPFS_BYTES), "--tmpfs", writable]
        argv += ["--bind" if writable_job else "--ro-bind", job_dir, "/job"]
        argv += ["--ro-bind", PACKAGE_DIR, "/harness", "--chdir", "/work"]
        argv += ["--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/work", "--setenv", "LANG", "C.UTF-8"]
        # The root and /dev are bwrap's own tmpfs mounts: read-only, so only the capped, wiped mounts are writable.
        return argv + ["--remount-ro", "/dev", "--remount-ro", "/"]

    def harness_argv(self, job_dir: str, scratch_dir: str) -> list[str]:
        if self.level == "none":
            return [self.python, "-I", "-S", os.path.join(PACKAGE_DIR, "harness.py"), "--scratch", scratch_dir]
        return self.base_argv(job_dir) + [self.python, "-I", "-S", "/harness/harness.py", "--sweep"]

    def spawn(self, argv: list[str], cgroup_files: list[str], **kwargs) -> subprocess.Popen:
        """Start ``argv`` in the given cgroups; a bwrap command gets the seccomp program on a fresh fd."""
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "CODERL_CG": " ".join(cgroup_files)}
        bpf = seccomp.open_bpf() if argv[:1] == ["bwrap"] else None
        if bpf is not None:
            argv = argv[:1] + ["--seccomp", str(bpf)] + argv[1:]
        try:
            return subprocess.Popen(
                ["/bin/sh", "-c", CGROUP_SH, "sh"] + argv, env=env, pass_fds=(bpf,) if bpf is not None else (),
                start_new_session=True, **{"cwd": "/", **kwargs},
            )  # fmt: skip
        finally:
            if bpf is not None:
                os.close(bpf)


@functools.cache
def bwrap_works() -> str:
    """Empty string when bubblewrap with our seccomp program runs here; otherwise the reason it does not."""
    if not shutil.which("bwrap"):
        return "bwrap not found (apt-get install bubblewrap)"
    try:
        iso = Isolation("bwrap", system_python())
        with tempfile.TemporaryDirectory() as job:
            argv = iso.base_argv(job) + [iso.python, "-I", "-S", "-c", "pass"]
            proc = iso.spawn(argv, [], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            _, err = proc.communicate(timeout=20)
    except Exception as e:  # any failure here means "cannot isolate", reported with its reason
        return f"{type(e).__name__}: {e}"
    return "" if proc.returncode == 0 else f"bwrap exited {proc.returncode}: {err.decode()[-300:]}"


def resolve(requested: str = "auto") -> Isolation:
    """The isolation for a requested level; ``auto`` falls back to ``none`` with a warning, never silently."""
    if requested not in LEVELS:
        raise ValueError(f"unknown isolation {requested!r}; choose one of {', '.join(LEVELS)}")
    python = system_python()
    if requested == "none":
        log.warning("sandbox isolation level 'none': programs run unconfined (no namespaces, no seccomp)")
        return Isolation("none", python)
    reason = bwrap_works()
    if not reason:
        return Isolation("bwrap", python)
    if requested == "bwrap":
        raise RuntimeError(f"isolation 'bwrap' requested but unavailable: {reason}")
    log.warning("sandbox falls back to isolation level 'none' (%s): programs run unconfined", reason)
    return Isolation("none", python)
