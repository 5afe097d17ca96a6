"""The host's handle on one warm sandbox: a harness process in bubblewrap, its cgroups and its job dir.

A worker judges one submission at a time; between submissions the harness kills leftovers and wipes its
scratch space, and any doubt (a dead or wedged harness, a failed wipe, 200 uses) replaces the whole sandbox.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import time

from sandbox import wire
from sandbox.cgroups import Cgroup
from sandbox.isolation import Isolation

MAX_PROCS = 64
MAX_USES = 200
MEMORY_SLACK = 48 << 20  # the harness and the shared pages of the forked interpreter
_names = itertools.count()


class HarnessGone(RuntimeError):
    """The harness died, closed its pipe or did not answer in time; ``timed_out`` tells which."""

    def __init__(self, message: str, timed_out: bool = False):
        super().__init__(message)
        self.timed_out = timed_out


class Worker:
    def __init__(self, iso: Isolation, root: str, use_cgroups: bool = True):
        self.iso = iso
        self.dir = os.path.join(root, f"w{next(_names)}")
        self.job_dir = os.path.join(self.dir, "job")
        self.scratch_dir = os.path.join(self.dir, "scratch")
        self.use_cgroups = use_cgroups
        self.proc: subprocess.Popen | None = None
        self.cgroup: Cgroup | None = None
        self.uses = 0
        self.memory = 0
        self.checker = None  # the host-side checker fork server (sandbox/checking.py), started on first use

    @property
    def level(self) -> str:
        """The isolation actually in force, e.g. ``bwrap+seccomp+cgroup`` or ``none+rss-poll``."""
        base = "bwrap+seccomp" if self.iso.level == "bwrap" else "none"
        return base + ("+cgroup" if self.cgroup else "+rss-poll")

    def start(self) -> None:
        self.stop()
        os.makedirs(self.job_dir, exist_ok=True)
        os.makedirs(self.scratch_dir, exist_ok=True)
        if self.use_cgroups:
            self.cgroup = Cgroup.create(f"coderl-{os.getpid()}-{next(_names)}", MAX_PROCS)
        self.log = open(os.path.join(self.dir, "harness.log"), "ab")
        argv = self.iso.harness_argv(self.job_dir, self.scratch_dir)
        files = self.cgroup.procs_files if self.cgroup else []
        self.proc = self.iso.spawn(argv, files, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.memory = 0
        self.uses = 0
        hello, _ = self._recv(time.monotonic() + 30)
        if not hello.get("ready"):
            raise HarnessGone(f"harness did not start: {hello}")

    def stop(self) -> None:
        if self.proc is not None:
            if self.cgroup:
                self.cgroup.kill()
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                f.close()
            self.log.close()
            self.proc = None
        if self.cgroup:
            self.cgroup.remove()
            self.cgroup = None

    def close(self) -> None:
        self.stop()
        if self.checker is not None:
            self.checker.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            with open(os.path.join(self.dir, "harness.log"), "rb") as f:
                return f.read()[-1500:].decode("utf-8", "replace")
        except OSError:
            return ""

    def set_memory(self, memory_mb: int) -> None:
        limit = (memory_mb << 20) + MEMORY_SLACK
        if self.cgroup and limit != self.memory:
            if not self.cgroup.set_memory(limit):
                raise HarnessGone("could not set the cgroup memory limit")
            self.memory = limit

    def oom_kills(self) -> int:
        return self.cgroup.oom_kills() if self.cgroup else 0

    def request(self, meta: dict, blob: bytes = b"", timeout: float = 30.0) -> tuple[dict, bytes]:
        """One request/reply with the harness; raises ``HarnessGone`` if it dies or exceeds ``timeout``."""
        if self.proc is None:
            raise HarnessGone("the sandbox is not running")
        try:
            wire.write_all(self.proc.stdin.fileno(), _frame(meta, blob))
        except OSError as e:
            raise HarnessGone(f"harness pipe closed: {e}") from None
        return self._recv(time.monotonic() + timeout)

    def _recv(self, deadline: float) -> tuple[dict, bytes]:
        try:
            return recv_frame(self.proc.stdout.fileno(), deadline)
        except TimeoutError:
            raise HarnessGone("the harness did not answer in time", timed_out=True) from None
        except EOFError:
            raise HarnessGone(f"the harness exited ({self.proc.poll()})") from None


def recv_frame(fd: int, deadline: float, max_bytes: int = 1 << 30) -> tuple[dict, bytes]:
    """Read one frame from ``fd``; ``TimeoutError`` past ``deadline``, ``EOFError`` if the writer is gone."""
    head_len, blob_len = wire.HEADER.unpack(_read(fd, wire.HEADER.size, deadline))
    if head_len > 1 << 26 or blob_len > max_bytes:
        raise EOFError("oversized frame")
    meta = json.loads(_read(fd, head_len, deadline))
    return meta, _read(fd, blob_len, deadline)


def send_frame(fd: int, meta: dict, blob: bytes = b"") -> None:
    wire.write_all(fd, _frame(meta, blob))


def _read(fd: int, n: int, deadline: float) -> bytes:
    chunks = []
    while n:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _frame(meta: dict, blob: bytes) -> bytes:
    head = json.dumps(meta).encode()
    return wire.HEADER.pack(len(head), len(blob)) + head + blob
