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
from sandbox.cgroups import Cgroup, owner_tag
from sandbox.isolation import Isolation

MAX_PROCS = 64
MAX_USES = 200
MEMORY_SLACK = 48 << 20  # the harness and the shared pages of the forked interpreter
LOAD_STRETCH = 3  # the harness adds the program's run-queue wait to its wall limit, up to this many wall limits
_names = itertools.count()


class HarnessGone(RuntimeError):
    """The harness died, closed its pipe or did not answer in time; ``timed_out`` tells which.

    ``judge_fault`` is True when nothing inside the sandbox can have caused it (see ``Worker.request``): the
    verdict is then ``sandbox_error``, never the program's failure.
    """

    def __init__(self, message: str, timed_out: bool = False, judge_fault: bool = False):
        super().__init__(message)
        self.timed_out = timed_out
        self.judge_fault = judge_fault


class Worker:
    def __init__(self, iso: Isolation, root: str, use_cgroups: bool = True):
        self.iso = iso
        self.dir = os.path.join(root, f"w{next(_names)}")
        self.job_dir = os.path.join(self.dir, "job")
        self.scratch_dir = os.path.join(self.dir, "scratch")
        self.use_cgroups = use_cgroups
        self.proc: subprocess.Popen | None = None
        self.harness_pid: int | None = None  # the harness's pid as the host sees it (inside bwrap's two processes)
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
            self.cgroup = Cgroup.create(f"coderl-{owner_tag()}-{next(_names)}", MAX_PROCS)
        self.log = open(os.path.join(self.dir, "harness.log"), "ab")
        argv = self.iso.harness_argv(self.job_dir, self.scratch_dir)
        files = self.cgroup.procs_files if self.cgroup else []
        self.proc = self.iso.spawn(argv, files, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.memory = 0
        self.uses = 0
        hello, _ = self._recv(time.monotonic() + 30)
        if not hello.get("ready"):
            raise HarnessGone(f"harness did not start: {hello}", judge_fault=True)
        self.harness_pid = find_harness(self.proc.pid, self.iso.python)

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
            self.proc = self.harness_pid = None
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
                raise HarnessGone("could not set the cgroup memory limit", judge_fault=True)
            self.memory = limit

    def oom_kills(self) -> int:
        return self.cgroup.oom_kills() if self.cgroup else 0

    def request(
        self, meta: dict, blob: bytes = b"", timeout: float = 30.0, patience: float = 0.0
    ) -> tuple[dict, bytes]:
        """One request/reply with the harness; raises ``HarnessGone`` if it dies or does not answer.

        Who is to blame is decided here. Past ``timeout`` a *stopped* harness (SIGSTOP from the program) is the
        program's doing; a harness that is merely slow (a loaded host) gets ``patience`` more seconds, then the
        judge takes the blame. A harness that exits is the program's doing (it can kill its parent), except when
        the sandbox's outer process was killed by a signal: nothing inside bubblewrap's pid namespace can signal
        it, so that came from outside (the host, an external kill, a dead spawning thread) and is the judge's.
        """
        if self.proc is None:
            raise HarnessGone("the sandbox is not running", judge_fault=True)
        try:
            wire.write_all(self.proc.stdin.fileno(), _frame(meta, blob))
        except OSError as e:
            raise self._gone(f"harness pipe closed: {e}") from None
        self._await_reply(time.monotonic() + timeout, patience)
        return self._recv(time.monotonic() + 30)

    def _await_reply(self, deadline: float, patience: float) -> None:
        fd, give_up = self.proc.stdout.fileno(), deadline + patience
        while not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            if self.harness_stopped():
                raise HarnessGone("the harness was stopped while the program ran", timed_out=True)
            if time.monotonic() >= give_up:
                raise HarnessGone("the harness did not answer in time", timed_out=True, judge_fault=True)
            deadline = min(time.monotonic() + 0.5, give_up)

    def harness_stopped(self) -> bool:
        """True if the harness is stopped (the program can SIGSTOP it) or cannot be looked at (then the program is
        blamed, as it could be the cause)."""
        return self.harness_pid is None or _state(self.harness_pid) in ("T", "t", "")

    def _recv(self, deadline: float) -> tuple[dict, bytes]:
        try:
            return recv_frame(self.proc.stdout.fileno(), deadline)
        except TimeoutError:
            raise HarnessGone("the harness did not answer in time", timed_out=True, judge_fault=True) from None
        except EOFError:
            raise self._gone("") from None

    def _gone(self, detail: str) -> HarnessGone:
        try:
            code = self.proc.wait(timeout=2)  # the harness is gone: its outer process follows at once
        except subprocess.TimeoutExpired:
            code = None
        external = self.iso.level == "bwrap" and code is not None and code < 0
        return HarnessGone(detail or f"the harness exited ({code})", judge_fault=external)


def patience(wall: float) -> float:
    """How long the host waits, past a run's wall limit and grace, on a harness that is slow but not stopped."""
    return LOAD_STRETCH * wall + 30.0


def find_harness(pid: int, python: str) -> int | None:
    """The harness's host pid: ``pid`` itself at level none, else the descendant of bubblewrap running ``python``."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                children.setdefault(int(f.read().rsplit(b")", 1)[1].split()[1]), []).append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if f.read().split(b"\0")[0] == python.encode():  # bwrap's own argv names harness.py too
                    return p
        except OSError:
            pass
        todo += children.get(p, [])
    return None


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return ""


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
