"""Per-sandbox cgroups: a memory limit on what the program really uses (not address space) and a process cap.

cgroup v1 (``memory`` + ``pids`` hierarchies) or v2 (one unified group) under the cgroup this process is in.
Where neither is writable, ``create`` returns None and the harness falls back to polling RSS and counting
processes (a weaker level, named in every verdict).
"""

from __future__ import annotations

import os
import signal
import time

ROOT = "/sys/fs/cgroup"


def _own_paths() -> dict[str, str]:
    paths = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for c in controllers.split(",") if controllers else ["unified"]:
                    paths[c] = path
    except OSError:
        pass
    return paths


def _write(path: str, value: str | int) -> bool:
    try:
        with open(path, "w") as f:
            f.write(str(value))
        return True
    except OSError:
        return False


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def owner_tag() -> str:
    """``<pid>.<start time>`` of this process: a recycled pid (pids wrap quickly under judging load) names another
    process, so a new judge never adopts a dead judge's group, nor has its own groups taken for stale."""
    return f"{os.getpid()}.{_start_time(os.getpid())}"


def owner_alive(tag: str) -> bool:
    pid, _, start = tag.partition(".")
    return pid.isdigit() and os.path.exists(f"/proc/{pid}") and (not start or _start_time(int(pid)) == start)


def remove_stale() -> None:
    """Remove groups left by judges that were killed (``coderl-<pid>.<start>-<n>`` whose process is gone)."""
    own = _own_paths()
    for c in ("memory", "pids", "unified"):
        parent = (
            f"{ROOT}/{c}{own.get(c, '/')}".rstrip("/") if c != "unified" else f"{ROOT}{own.get(c, '/')}".rstrip("/")
        )
        try:
            names = [n for n in os.listdir(parent) if n.startswith("coderl-")]
        except OSError:
            continue
        for name in names:
            if not owner_alive(name.split("-")[1]):
                Cgroup(1, {c: f"{parent}/{name}"}).remove()


class Cgroup:
    """The group(s) one sandbox lives in. ``procs_files`` are written with the sandbox's pid before it runs."""

    def __init__(self, version: int, dirs: dict[str, str]):
        self.version, self.dirs = version, dirs

    @classmethod
    def create(cls, name: str, max_procs: int) -> Cgroup | None:
        own = _own_paths()
        v1 = {c: f"{ROOT}/{c}{own.get(c, '/')}".rstrip("/") + f"/{name}" for c in ("memory", "pids")}
        if all(os.path.isdir(os.path.dirname(d)) for d in v1.values()):
            group = cls(1, v1)
        elif os.path.exists(f"{ROOT}/cgroup.controllers"):
            group = cls(2, {"unified": f"{ROOT}{own.get('unified', '/')}".rstrip("/") + f"/{name}"})
        else:
            return None
        try:
            for d in group.dirs.values():
                os.makedirs(d, exist_ok=True)
        except OSError:
            group.remove()
            return None
        if not (group._set_pids(max_procs) and group.set_memory(256 << 20)):
            group.remove()
            return None
        return group

    @property
    def procs_files(self) -> list[str]:
        return [f"{d}/cgroup.procs" for d in self.dirs.values()]

    def _file(self, controller: str, v1_name: str, v2_name: str) -> str:
        if self.version == 1:
            return f"{self.dirs[controller]}/{v1_name}"
        return f"{self.dirs['unified']}/{v2_name}"

    def _set_pids(self, n: int) -> bool:
        return _write(self._file("pids", "pids.max", "pids.max"), n)

    def set_memory(self, limit: int) -> bool:
        """Cap memory (RAM + swap) at ``limit`` bytes."""
        if self.version == 2:
            return _write(self._file("", "", "memory.max"), limit) and (
                _write(self._file("", "", "memory.swap.max"), 0) or True
            )
        mem, memsw = (
            self._file("memory", "memory.limit_in_bytes", ""),
            self._file("memory", "memory.memsw.limit_in_bytes", ""),
        )
        # memsw must stay >= limit, so the order of the two writes depends on the direction of the change.
        ok = _write(mem, limit) and (_write(memsw, limit) or not os.path.exists(memsw))
        return ok or (_write(memsw, limit) and _write(mem, limit))

    def oom_kills(self) -> int:
        text = _read(self._file("memory", "memory.oom_control", "memory.events"))
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def peak_memory(self) -> int:
        text = _read(self._file("memory", "memory.max_usage_in_bytes", "memory.peak")).strip()
        return int(text) if text.isdigit() else 0

    def kill(self) -> None:
        """Kill every process in the group (v2: cgroup.kill; v1: signal each listed pid until none is left)."""
        if self.version == 2 and _write(f"{self.dirs['unified']}/cgroup.kill", 1):
            return
        for _ in range(100):
            pids = [int(p) for d in self.dirs.values() for p in _read(f"{d}/cgroup.procs").split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.005)

    def remove(self) -> None:
        self.kill()
        for d in self.dirs.values():
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)
