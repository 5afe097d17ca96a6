"""What runs in a forked child of the harness: limits, then the program (Python in-process, or an exec'd binary).

After ``child_main`` or ``serve_child`` starts, everything in the process is the program's; it may do anything
to this code and its memory, which is why the host trusts nothing the child says beyond its output bytes.
Stdlib only (runs under the system python inside the sandbox).
"""

import builtins
import io
import math
import os
import resource
import signal
import sys
import time
import traceback

import wire

CHILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


class State:
    sweep = False  # True only in our own pid namespace: then every pid but 1 and ours is the program's
    scratch = "/work"
    code = None  # compiled Python code object, or None for a binary
    binary = None
    server = None  # (pid, pidfd, req_w, res_r) of the assert-fallback child


def apply_limits(req):
    cpu = max(1, math.ceil(req["time_limit"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu + 1, cpu + 2))
    resource.setrlimit(resource.RLIMIT_FSIZE, (req["fsize"], req["fsize"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def setup_python_stdio():
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), "utf-8")
    out = io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(out, "utf-8", "backslashreplace")
    err = io.BufferedWriter(io.FileIO(2, "w", closefd=False))
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(err, "utf-8", "backslashreplace", line_buffering=True)
    sys.argv = ["main.py"]
    os.environ.clear()
    os.environ.update(CHILD_ENV)


def exit_status(exc):
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def finish_python(status):
    """What the interpreter does at exit (join threads, atexit, flush), then leave without touching the harness."""
    for step in (lambda: sys.modules["threading"]._shutdown() if "threading" in sys.modules else None,
                 lambda: sys.modules["atexit"]._run_exitfuncs() if "atexit" in sys.modules else None,
                 lambda: sys.stdout.flush(), lambda: sys.stderr.flush()):  # fmt: skip
        try:
            step()
        except BaseException:
            status = status or 1
    os._exit(status)


def find_function(env, name):
    fn = env.get(name)
    if not callable(fn) and isinstance(env.get("Solution"), type):
        fn = getattr(env["Solution"](), name, None)  # LeetCode style: class Solution with a method
    if not callable(fn):
        raise NameError(f"the program defines no function {name!r}")
    return fn


def run_calls(fn, calls):
    """Several call cases in one child, one result frame each (the assert-converted tests of one submission)."""
    for i, args in enumerate(calls):
        start = time.process_time()
        try:
            value = wire.encode_value(fn(*wire.decode_value(args)))
            meta = {"i": i, "ok": True}
        except BaseException as e:  # SystemExit included: it fails this case, not the remaining ones
            value, meta = b"", {"i": i, "ok": False, "error": f"{type(e).__name__}: {e}"[:1000]}
        meta["cpu"] = time.process_time() - start
        sys.stdout.flush()
        wire.send(3, meta, value)


def python_child(req):
    setup_python_stdio()
    env = {"__name__": "__main__" if req["kind"] == "stdio" else "__solution__", "__builtins__": builtins}
    status = 0
    try:
        exec(State.code, env)
        if req["kind"] == "call":
            value = find_function(env, req["fn_name"])(*wire.decode_value(req["args"]))
            sys.stdout.flush()
            wire.write_all(3, wire.encode_value(value))
        elif req["kind"] == "calls":
            run_calls(find_function(env, req["fn_name"]), req["calls"])
    except SystemExit as e:
        status = exit_status(e)
    except BaseException:
        traceback.print_exc()
        status = 1
    finish_python(status)


def child_main(req, fds):
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(len(fds), 1 << 16)
        apply_limits(req)
        os.chdir(State.scratch)
        if State.binary is not None:
            for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGXCPU):
                signal.signal(sig, signal.SIG_DFL)
            os.execve(State.binary, [State.binary], CHILD_ENV)
        python_child(req)
    except BaseException:
        traceback.print_exc()
    os._exit(127)


def serve_child(req, req_r, res_w):
    """The assert-fallback child: load the program once, then answer call frames until the pipe closes."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.setsid()
    for target, fd in enumerate((devnull, devnull, devnull, req_r, res_w)):
        os.dup2(fd, target)
    os.closerange(5, 1 << 16)
    apply_limits(req)
    os.chdir(State.scratch)
    setup_python_stdio()
    env = {"__name__": "__solution__", "__builtins__": builtins}
    try:
        exec(State.code, env)
        fn = find_function(env, req["fn_name"])
        wire.send(4, {"ok": True})
    except BaseException as e:
        wire.send(4, {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]})
        os._exit(1)
    while True:
        try:
            call, _ = wire.recv(3)
        except BaseException:
            os._exit(0)
        try:
            value = wire.encode_value(fn(*wire.decode_value(call["args"])))
            wire.send(4, {"ok": True}, value)
        except BaseException as e:
            wire.send(4, {"ok": False, "status": "exception", "error": f"{type(e).__name__}: {e}"[:2000]})
