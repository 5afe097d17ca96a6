"""The checker process: trusted test code that must not share a process with the untrusted program.

Runs on the host as ``python -I sandbox/checker.py`` and talks ``wire`` frames on stdin/stdout with the judge:

- ``{"mode": "assert", "test_code", "prompt", "entry_point"}``: runs ``check(candidate)`` where ``candidate`` is a
  stub; each call is sent to the judge as ``{"call": <tagged JSON args>}``, which runs it in the sandbox and
  answers ``{"ok": true}`` + the tagged return value (decoded here into plain builtin data) or ``{"ok": false,
  "status", "error"}``. The prompt is executed first (when it is valid Python) so helpers the tests use, such as
  HumanEval's ``encode_cyclic``, are the reference ones, not the program's. Ends with ``{"done", "passed", ...}``.
- ``{"mode": "checker", "source"}``: ``source`` defines ``check(input, output, expected) -> bool``; then each
  ``{"input", "output", "expected"}`` frame is answered with ``{"ok": bool}`` (a per-problem stdio checker).

With ``--server`` it is a warm fork server: each session (one frame above, then its exchanges, ended by ``done``
or by an ``{"end": true}`` frame) runs in a forked child on the same pipes, so a session costs a fork, not an
interpreter start. Stdlib only besides ``wire`` (loaded from this directory).
"""

import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wire  # noqa: E402


class CandidateFailed(Exception):
    """The program's side of a call failed; carries the verdict status (runtime_error, timeout, ...)."""

    def __init__(self, status, error):
        super().__init__(error)
        self.status = status


FATAL = []  # a timeout or a dead program stays a failure even if the test code catches the exception


def make_candidate():
    def candidate(*args):
        wire.send(1, {"call": wire.encode_value(list(args)).decode()})
        reply, blob = wire.recv(0)
        if not reply.get("ok"):
            status = reply.get("status", "exception")
            failure = CandidateFailed("runtime_error" if status == "exception" else status, reply.get("error", ""))
            if status != "exception":
                FATAL.append(failure)
            raise failure
        return wire.decode_value(blob)

    return candidate


def run_assert(req):
    env = {"__name__": "__checker__"}
    try:
        exec(compile(req.get("prompt") or "", "prompt.py", "exec"), env)
    except BaseException:
        env = {"__name__": "__checker__"}  # a prompt that is not code defines no helpers
    candidate = make_candidate()
    try:
        exec(compile(req["test_code"], "test_code.py", "exec"), env)
        env[req["entry_point"]] = candidate
        env["check"](candidate)
        if FATAL:
            raise FATAL[0]
        return {"done": True, "passed": True}
    except CandidateFailed as e:
        e = FATAL[0] if FATAL else e
        return {"done": True, "passed": False, "status": e.status, "error": str(e)[-2000:]}
    except AssertionError:
        frame = traceback.extract_tb(sys.exc_info()[2])[-1]
        return {"done": True, "passed": False, "status": "failed", "error": f"assert failed: {frame.line}"}
    except BaseException as e:
        error = "".join(traceback.format_exception_only(type(e), e))[-2000:]
        return {"done": True, "passed": False, "status": "failed", "error": error}


def run_checker(req):
    env = {"__name__": "__checker__"}
    exec(compile(req["source"], "checker.py", "exec"), env)
    wire.send(1, {"ready": True})
    while True:
        try:
            case, _ = wire.recv(0)
        except wire.WireClosed:
            return
        if case.get("end"):
            return
        try:
            ok = env["check"](case["input"], case["output"], case["expected"]) is True
            wire.send(1, {"ok": ok})
        except BaseException as e:
            wire.send(1, {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]})


def session(req):
    if req["mode"] == "assert":
        wire.send(1, run_assert(req))
    else:
        run_checker(req)


def main(argv):
    sys.stdout = open(os.devnull, "w")  # test code that prints must not corrupt the frames on fd 1
    if "--server" not in argv:
        session(wire.recv(0)[0])
        return
    import collections  # noqa: F401  (warm imports for the forked sessions)
    import math  # noqa: F401
    import random  # noqa: F401
    import typing  # noqa: F401

    while True:
        try:
            req, _ = wire.recv(0)
        except wire.WireClosed:
            return
        pid = os.fork()
        if pid == 0:
            try:
                session(req)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main(sys.argv[1:])
