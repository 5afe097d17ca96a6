"""The in-sandbox fork server: a warm ``python3 -I -S`` that runs one submission's tests in forked children.

Started by ``sandbox/worker.py`` inside bubblewrap (or as a plain process at isolation level ``none``); it speaks
``wire`` frames on its stdin/stdout. It never sees expected outputs: it runs the program on a test's input (stdio)
or arguments (call) and sends back what came out, truncated to caps; the host compares. Everything the untrusted
child does is therefore at most "printing something", which the host judges like any other output.

Ops: ``load`` (compile the Python source once, or note a binary), ``run`` (one test, or a list of call cases, in a
fresh child: ``child.py``), ``serve`` / ``call`` / ``unserve`` (a long-lived child answering calls for the assert
fallback), ``reset`` (kill leftovers, wipe scratch, /tmp and /dev/shm), ``exit``.
``--exec-limited CPU AS FSIZE -- argv`` sets rlimits and execs (the compiler).

Stdlib only: this file runs under the system python without the project's virtualenv.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import resource  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

import wire  # noqa: E402
from child import State, child_main, serve_child  # noqa: E402

# Modules most programs import: loading them once here makes each forked test cheaper.
PRELOAD = ("typing", "collections", "itertools", "functools", "heapq", "bisect", "string", "re", "operator", "copy")


def set_nondumpable():
    # A non-dumpable harness cannot be opened through /proc/<pid>/{mem,fd} by the (same-uid) program.
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def other_pids():
    me = os.getpid()
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in (1, me):
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    if f.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        pids.append(int(name))
            except (OSError, IndexError):
                pass
    return pids


def kill_all(pid):
    """Kill the child and everything it started (its session; in sweep mode every other pid of the namespace)."""
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    if not State.sweep:
        return
    for _ in range(200):
        pids = other_pids()
        if not pids:
            return
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)


def rss_and_procs(pid):
    pids = other_pids() if State.sweep else [pid]
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm", "rb") as f:
                total += int(f.read().split()[1]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            pass
    return total, len(pids)


class Drain:
    """Reads a pipe into a buffer up to ``cap`` bytes; ``over`` says whether more came."""

    def __init__(self, fd, cap):
        self.fd, self.cap, self.buf, self.over, self.open = fd, cap, bytearray(), False, True

    def read(self):
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.open = False
            os.close(self.fd)
            return
        room = self.cap - len(self.buf)
        self.buf += chunk[:room]
        self.over = self.over or len(chunk) > room


def run_test(req, stdin):
    """Run one test in a fresh child; return the result header and stdout + stderr + return-value bytes."""
    pipes = [os.pipe() for _ in range(3 if req["kind"] == "stdio" else 4)]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        for r, w in pipes:
            os.close(w if r == pipes[0][0] else r)
        child_main(req, [pipes[0][0]] + [w for _, w in pipes[1:]])
    for i, (r, w) in enumerate(pipes):
        os.close(r if i == 0 else w)
    in_w = pipes[0][1]
    os.set_blocking(in_w, False)
    drains = {r: Drain(r, cap) for (r, _), cap in zip(pipes[1:], (req["out_cap"], req["err_cap"], req["out_cap"]))}
    info = watch(pid, in_w, stdin, drains, req, start)
    out, err = drains[pipes[1][0]], drains[pipes[2][0]]
    res = drains[pipes[3][0]] if len(pipes) == 4 else None
    info.update(out_len=len(out.buf), err_len=len(err.buf), res_len=len(res.buf) if res else -1)
    info["output_limit"] = info.get("output_limit", False) or out.over or bool(res and res.over)
    return info, bytes(out.buf) + bytes(err.buf) + (bytes(res.buf) if res else b"")


def run_queue_wait(pid):
    """Seconds the program's main thread was runnable but waiting for a CPU (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def wall_deadline(pid, start, req):
    """The wall limit plus the time a busy host kept the program off the CPU (capped): load alone never times a
    program out, while a sleeping or blocked program, which does not wait for a CPU, gets no extension."""
    wall = req["wall_limit"]
    return start + wall + min(run_queue_wait(pid), req.get("load_stretch", 0) * wall)


def watch(pid, in_w, stdin, drains, req, start):
    """Feed stdin, drain outputs, enforce wall time, output, memory (rss mode) and process caps; reap."""
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    for fd in drains:
        poller.register(fd, select.POLLIN)
    if stdin:
        poller.register(in_w, select.POLLOUT)
    else:
        os.close(in_w)
        in_w = None
    view, info, exited_at = memoryview(stdin), {"timed_out": False}, None
    err_fd = list(drains)[1]  # stderr beyond its cap is dropped; stdout or a return value beyond it is a verdict
    deadline = start + req["wall_limit"]
    rss_limit, max_procs = req.get("rss_limit", 0), req.get("max_procs", 0)
    while any(d.open for d in drains.values()) or exited_at is None:
        now = time.monotonic()
        if exited_at is None and now >= deadline:
            deadline = wall_deadline(pid, start, req)
        if now >= deadline or (exited_at is not None and now > exited_at + 0.5):
            info["timed_out"] = exited_at is None
            kill_all(pid)
            deadline = now + 1.0  # leftovers are dead now; finish draining
            exited_at = exited_at or now
        step = 10 if rss_limit or max_procs else 1000
        for fd, _ in poller.poll(max(0, min(step, (deadline - now) * 1000))):
            if fd == pidfd:
                poller.unregister(pidfd)
                exited_at = time.monotonic()
                kill_all(pid)  # whatever the program left running would otherwise hold the pipes open
            elif fd == in_w:
                try:
                    view = view[os.write(in_w, view[: 1 << 16]) :]
                except OSError:
                    view = view[:0]
                if not view:
                    poller.unregister(in_w)
                    os.close(in_w)
                    in_w = None
            elif fd in drains:
                drains[fd].read()
                if not drains[fd].open:
                    poller.unregister(fd)
                elif drains[fd].over and fd != err_fd:
                    info["output_limit"] = True
                    kill_all(pid)
        if (rss_limit or max_procs) and exited_at is None:
            rss, procs = rss_and_procs(pid)
            if rss_limit and rss > rss_limit:
                info["memory_limit"] = True
                kill_all(pid)
            if max_procs and procs > max_procs:
                info["procs_limit"] = True
                kill_all(pid)
    if in_w is not None:
        os.close(in_w)
    os.close(pidfd)
    _, status, usage = os.wait4(pid, 0)
    info["wall"] = time.monotonic() - start
    info["cpu"] = usage.ru_utime + usage.ru_stime
    info["maxrss_kb"] = usage.ru_maxrss
    info["exit"] = os.waitstatus_to_exitcode(status)
    return info


def load(req, blob):
    State.code = State.binary = None
    if req["lang"] != "python":
        State.binary = req["path"]
        return {"ok": os.access(req["path"], os.X_OK), "error": f"{req['path']} is not executable"}
    try:
        State.code = compile(blob.decode("utf-8", "replace"), "main.py", "exec")
        return {"ok": True}
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as e:
        return {"ok": False, "error": "".join(traceback.format_exception_only(type(e), e))[-2000:]}


def server_reply(wall_limit, cap):
    """Wait for the serving child's next frame; a dead, slow or oversized child is reported, never waited on."""
    pid, pidfd, _, res_r = State.server
    ready, _, _ = select.select([res_r, pidfd], [], [], wall_limit)
    if res_r in ready:
        try:
            return wire.recv(res_r, cap)
        except (wire.WireClosed, ValueError, RecursionError):
            pass
    timed_out = not ready
    status = unserve()
    if timed_out:
        return {"ok": False, "status": "timeout", "error": "the call did not return in time"}, b""
    return {"ok": False, "status": "runtime_error", "exit": os.waitstatus_to_exitcode(status)}, b""


def serve(req):
    unserve()
    (req_r, req_w), (res_r, res_w) = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(req_w)
        os.close(res_r)
        try:
            serve_child(req, req_r, res_w)
        finally:
            os._exit(1)
    os.close(req_r)
    os.close(res_w)
    State.server = (pid, os.pidfd_open(pid), req_w, res_r)
    return server_reply(req["wall_limit"], req["out_cap"])


def call(req):
    if State.server is None:
        return {"ok": False, "status": "runtime_error", "error": "the program is no longer running"}, b""
    try:
        wire.send(State.server[2], {"args": req["args"]})
    except OSError:
        pass  # a dead child shows up in server_reply
    return server_reply(req["wall_limit"], req["out_cap"])


def unserve():
    """Stop the serving child; returns its wait status (0 if there was none)."""
    if State.server is None:
        return 0
    pid, pidfd, req_w, res_r = State.server
    kill_all(pid)
    _, status, _ = os.wait4(pid, 0)
    for fd in (pidfd, req_w, res_r):
        os.close(fd)
    State.server = None
    return status


def wipe(path):
    """Empty a directory the program could write; False if something could not be removed."""
    ok = True
    for name in os.listdir(path):
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                os.chmod(full, 0o700)
                ok = wipe(full) and ok
                os.rmdir(full)
            else:
                os.unlink(full)
        except OSError:
            ok = False
    return ok


def reset():
    unserve()
    if State.sweep:
        kill_all(0)
    ok = wipe(State.scratch) and (not State.sweep or (wipe("/tmp") and wipe("/dev/shm")))
    return {"ok": ok and (not State.sweep or not other_pids())}


def exec_limited(argv):
    """``--exec-limited CPU AS FSIZE -- prog args``: the compiler's limits, then exec (no fork server)."""
    cpu, mem, fsize = (int(x) for x in argv[:3])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))  # a compiler has no 256 MB thread stacks: AS is fine here
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.execve(argv[4], argv[4:], {"PATH": "/usr/bin:/bin", "LANG": "C"})


def main(argv):
    if argv[:1] == ["--exec-limited"]:
        exec_limited(argv[1:])
    State.sweep = "--sweep" in argv and os.getpid() <= 3  # never sweep /proc outside our own pid namespace
    State.scratch = argv[argv.index("--scratch") + 1] if "--scratch" in argv else "/work"
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    set_nondumpable()
    for name in PRELOAD:
        __import__(name)
    ops = {"load": load, "run": run_test, "serve": lambda r, b: serve(r), "call": lambda r, b: call(r),
           "unserve": lambda r, b: (unserve(), {"ok": True})[1], "reset": lambda r, b: reset()}  # fmt: skip
    wire.send(proto_out, {"ok": True, "ready": True, "sweep": State.sweep})
    while True:
        try:
            req, blob = wire.recv(proto_in)
        except wire.WireClosed:
            return
        if req["op"] == "exit":
            return
        reply = ops[req["op"]](req, blob)
        meta, data = reply if isinstance(reply, tuple) else (reply, b"")
        wire.send(proto_out, meta, data)


if __name__ == "__main__":
    main(sys.argv[1:])
