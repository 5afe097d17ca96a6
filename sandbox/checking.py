"""Host side of the checker process (``sandbox/checker.py``): test code and per-problem checkers run there, in a
process of their own, never in the sandbox with the program and never in the judge's own process.

Each worker keeps one warm checker fork server; a session that misbehaves (hangs, dies) replaces it.
"""

from __future__ import annotations

import os
import subprocess
import time

from data.schema import Problem
from sandbox.verdict import TestResult
from sandbox.worker import HarnessGone, Worker, patience, recv_frame, send_frame

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checker.py")
CHECKER_WALL_S = 60.0  # a checker's own time: test code that hangs is a sandbox error, not the program's fault


class CheckerServer:
    """A warm ``checker.py --server``; ``python`` is the system interpreter (a third of the venv's start time)."""

    def __init__(self, python: str):
        self.python = python
        self.proc: subprocess.Popen | None = None

    def begin(self, first: dict) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self.proc = subprocess.Popen(
                [self.python, "-I", CHECKER, "--server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        self.send(first)

    def recv(self, deadline: float) -> tuple[dict, bytes]:
        try:
            return recv_frame(self.proc.stdout.fileno(), deadline)
        except (TimeoutError, EOFError):
            self.close()  # a session left half-way would desynchronise the next one
            raise

    def send(self, meta: dict, blob: bytes = b"") -> None:
        send_frame(self.proc.stdin.fileno(), meta, blob)

    def close(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
            self.proc.wait()
            self.proc.stdin.close()
            self.proc.stdout.close()
            self.proc = None


def checker_of(worker: Worker) -> CheckerServer:
    if getattr(worker, "checker", None) is None:
        worker.checker = CheckerServer(worker.iso.python)
    return worker.checker


def run_assert_fallback(worker: Worker, problem: Problem, run_req: dict) -> TestResult:
    """``check(candidate)`` in the checker, each candidate call relayed into the sandbox's serving child."""
    start, oom_before = time.monotonic(), worker.oom_kills()
    budget = problem.time_limit_s * max(1, problem.num_tests)
    checker = checker_of(worker)
    first = {"mode": "assert", "test_code": problem.test_code, "prompt": problem.prompt}
    serve = {**run_req, "op": "serve", "fn_name": problem.entry_point, "time_limit": budget}
    try:
        ready, _ = worker.request(serve, timeout=run_req["wall_limit"] + 3, patience=patience(run_req["wall_limit"]))
        if not ready.get("ok"):
            return TestResult("runtime_error", message=f"the program failed to load: {ready.get('error', '')}")
        checker.begin({**first, "entry_point": problem.entry_point})
        result = _relay(worker, checker, run_req, 2 * budget + 1.0)
        worker.request({"op": "unserve"})
    except HarnessGone as e:
        from sandbox.execute import gone_result  # may re-raise: a judge fault is retried by the Judge

        checker.close()
        return gone_result(worker, oom_before, e)
    if result.status in ("runtime_error", "failed") and worker.oom_kills() > oom_before:
        result.status = "memory_limit"
    result.time_s = round(time.monotonic() - start, 4)
    return result


def _relay(worker: Worker, checker: CheckerServer, run_req: dict, program_s: float) -> TestResult:
    """Relay calls until the checker is done. Time inside the program's calls comes out of ``program_s`` (a
    timeout verdict when spent); only time inside the test code counts against the checker (a sandbox_error)."""
    checker_deadline = time.monotonic() + CHECKER_WALL_S
    while True:
        try:
            msg, _ = checker.recv(checker_deadline)
        except (TimeoutError, EOFError) as e:
            return TestResult("sandbox_error", message=f"the checker process failed ({type(e).__name__})")
        if msg.get("done"):
            status = "passed" if msg.get("passed") else msg.get("status", "failed")
            return TestResult(status, message=msg.get("error", ""))
        if program_s <= 0:
            checker.close()
            return TestResult("timeout", message="the program's calls took longer than the time limit in total")
        wall = min(run_req["wall_limit"], program_s)
        call = {"op": "call", "args": msg["call"], "wall_limit": wall, "out_cap": run_req["out_cap"]}
        started = time.monotonic()
        reply, blob = worker.request(call, timeout=wall + 3, patience=patience(wall))
        spent = time.monotonic() - started
        program_s -= spent
        checker_deadline += spent
        checker.send(reply, blob)


class StdioChecker:
    """A problem's ``check(input, output, expected) -> bool`` (``metadata.checker``), one session per submission."""

    def __init__(self, source: str, worker: Worker):
        self.checker = checker_of(worker)
        self.checker.begin({"mode": "checker", "source": source})
        self.ready = False

    def check(self, input: str, output: str, expected: str) -> tuple[str, str]:
        """``("passed" | "failed", message)``, or ``("sandbox_error", ...)`` when the checker itself broke."""
        deadline = time.monotonic() + CHECKER_WALL_S
        try:
            if not self.ready:
                self.ready = bool(self.checker.recv(deadline)[0].get("ready"))
            self.checker.send({"input": input, "output": output, "expected": expected})
            reply, _ = self.checker.recv(deadline)
        except (TimeoutError, EOFError, OSError):
            return "sandbox_error", "the problem's checker failed to run"
        if reply.get("error"):  # checkers raise on output they cannot parse: a rejection, as testlib's would be
            return "failed", f"the problem's checker raised {reply['error']}"
        return ("passed" if reply.get("ok") else "failed"), ""

    def close(self) -> None:
        if self.checker.proc is not None:
            try:
                self.checker.send({"end": True})
            except OSError:
                self.checker.close()
