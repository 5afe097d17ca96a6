"""Judging one submission on one warm worker: build, run each test, classify, compare on the host.

The harness reports only what happened (exit status, signals, CPU and wall time, the capped outputs); the
status of each test is decided here, and expected values never leave this process.
"""

from __future__ import annotations

import json
import reprlib
import signal
from dataclasses import dataclass
from typing import Any

from data.schema import Problem, Solution
from sandbox import asserts, compare, wire
from sandbox.checking import StdioChecker, run_assert_fallback
from sandbox.languages import RUNNERS, supported
from sandbox.languages.base import CompileError
from sandbox.verdict import TestResult, Verdict, clip, sandbox_error
from sandbox.worker import LOAD_STRETCH, MAX_PROCS, HarnessGone, Worker, patience

OUTPUT_CAP = 32 << 20  # stdout (or a return value) beyond this is output_limit; several MB pass
STDERR_CAP = 64 << 10  # stderr beyond this is dropped, not a verdict
FILE_SIZE = 16 << 20  # largest file a program may write in its scratch space
LOAD_TIMEOUT_S = 20.0  # compiling Python source in the harness
HOST_GRACE_S = 3.0  # beyond the harness's own wall limit, before the host checks on it (a stopped harness)


@dataclass
class Case:
    """One test as the host sees it: what the sandbox gets (input / args) and what stays here (expected)."""

    kind: str  # "stdio" or "call" (assert cases are call cases)
    input: str = ""
    args: list | None = None
    expected: Any = None
    check: asserts.AssertCase | None = None


def plan(problem: Problem) -> list[Case] | None:
    """The problem's tests as cases; None for an assert problem that needs the checker-process fallback."""
    if problem.kind == "stdio":
        return [Case("stdio", input=t.input, expected=t.output) for t in problem.tests]
    if problem.kind == "call":
        return [Case("call", args=t.args, expected=t.expected) for t in problem.tests]
    converted = asserts.convert(problem.test_code or "")
    return None if converted is None else [Case("call", args=c.args, check=c) for c in converted]


def wall_limit(time_limit: float) -> float:
    # CPU time decides a timeout; the wall clock only stops sleepers and blocked programs, with room for a busy host
    # (and the harness adds the time the program waited for a CPU, see ``harness.wall_deadline``).
    return 2 * time_limit + 1.0


def run_request(worker: Worker, problem: Problem, kind: str) -> dict:
    req = {"kind": kind, "time_limit": problem.time_limit_s, "wall_limit": wall_limit(problem.time_limit_s)}
    req.update(load_stretch=LOAD_STRETCH, fsize=FILE_SIZE, out_cap=OUTPUT_CAP, err_cap=STDERR_CAP)
    if worker.cgroup is None:  # no cgroup: the harness polls RSS and counts processes instead
        req.update(rss_limit=problem.memory_mb << 20, max_procs=MAX_PROCS)
    return req


def classify(meta: dict, oom: bool, time_limit: float, stderr: bytes) -> tuple[str, str]:
    """Status of a finished run before any comparison: ``("ok", "")`` when the program exited normally."""
    code = meta.get("exit", 0)
    if meta.get("memory_limit") or oom:
        return "memory_limit", "the program used more memory than allowed"
    if meta.get("timed_out") or meta.get("cpu", 0) > time_limit or code == -signal.SIGXCPU:
        return "timeout", f"time limit {time_limit} s exceeded"
    if meta.get("output_limit") or code == -signal.SIGXFSZ:
        return "output_limit", "the program wrote more output than allowed"
    if meta.get("procs_limit"):
        return "runtime_error", "the program started too many processes"
    if code != 0:
        if b"MemoryError" in stderr[-2000:]:
            return "memory_limit", "MemoryError"
        return "runtime_error", f"exit code {code}" if code > 0 else f"killed by signal {-code}"
    return "ok", ""


def run_case(worker: Worker, problem: Problem, case: Case, checker: StdioChecker | None) -> TestResult:
    req = run_request(worker, problem, case.kind)
    if case.kind == "call":
        req.update(fn_name=problem.fn_name or problem.entry_point, args=wire.encode_value(case.args).decode())
    oom_before = worker.oom_kills()
    try:
        timeout, wait = req["wall_limit"] + HOST_GRACE_S, patience(req["wall_limit"])
        meta, blob = worker.request({"op": "run", **req}, case.input.encode(), timeout=timeout, patience=wait)
    except HarnessGone as e:
        return gone_result(worker, oom_before, e)
    out, err = blob[: meta["out_len"]], blob[meta["out_len"] : meta["out_len"] + meta["err_len"]]
    result = TestResult("passed", round(meta["wall"], 4), round(meta["cpu"], 4), clip(out), clip(err))
    status, message = classify(meta, worker.oom_kills() > oom_before, problem.time_limit_s, err)
    if status == "ok" and case.kind == "call":
        status, message = judge_value(case, blob[meta["out_len"] + meta["err_len"] :], meta["res_len"])
    elif status == "ok":
        status, message = judge_text(problem, case, out, checker)
    result.status, result.message = status, message
    return result


def run_batched(worker: Worker, problem: Problem, cases: list[Case]) -> list[TestResult]:
    """Assert-converted cases, several per child (as assert harnesses run them); a case that kills or hangs the
    child gets the run's status and the cases after it go to a fresh child. Per-case times are the child's own
    report, so a program could spread work across cases: the time limit here is per submission in effect."""
    results: list[TestResult] = []
    while len(results) < len(cases):
        pending = cases[len(results) :]
        limit = problem.time_limit_s * len(pending)
        req = {**run_request(worker, problem, "calls"), "time_limit": limit, "wall_limit": wall_limit(limit)}
        req.update(fn_name=problem.entry_point, calls=[wire.encode_value(c.args).decode() for c in pending])
        oom_before = worker.oom_kills()
        try:
            timeout, wait = req["wall_limit"] + HOST_GRACE_S, patience(req["wall_limit"])
            meta, blob = worker.request({"op": "run", **req}, timeout=timeout, patience=wait)
        except HarnessGone as e:
            return results + [gone_result(worker, oom_before, e)]
        out_end = meta["out_len"] + meta["err_len"]
        out, err = clip(blob[: meta["out_len"]]), clip(blob[meta["out_len"] : out_end])
        for case, (frame, value) in zip(pending, _frames(blob[out_end:])):
            if frame.get("i") != len(results) - len(cases) + len(pending):
                break
            cpu = frame.get("cpu") if isinstance(frame.get("cpu"), float) else 0.0
            result = TestResult("passed", round(cpu, 4), round(cpu, 4), out, err)
            if not frame.get("ok"):
                result.status, result.message = "runtime_error", str(frame.get("error", ""))[:1000]
            elif cpu > problem.time_limit_s:
                result.status, result.message = "timeout", f"time limit {problem.time_limit_s} s exceeded"
            else:
                result.status, result.message = judge_value(case, value, len(value))
            results.append(result)
        if len(results) < len(cases):  # the child stopped before answering the next case
            status, message = classify(meta, worker.oom_kills() > oom_before, limit, err.encode())
            if status == "ok":
                status, message = "runtime_error", "the program exited before returning"
            results.append(TestResult(status, round(meta["wall"], 4), round(meta["cpu"], 4), out, err, message))
    return results


def _frames(data: bytes):
    """Result frames written by the child, in order; stops at the first malformed one."""
    pos = 0
    while pos + wire.HEADER.size <= len(data):
        head_len, blob_len = wire.HEADER.unpack_from(data, pos)
        start, end = pos + wire.HEADER.size, pos + wire.HEADER.size + head_len + blob_len
        if end > len(data):
            return
        try:
            meta = json.loads(data[start : start + head_len])
        except (ValueError, RecursionError):
            return
        if not isinstance(meta, dict):
            return
        yield meta, data[start + head_len : end]
        pos = end


def judge_value(case: Case, raw: bytes, length: int) -> tuple[str, str]:
    if length <= 0:
        return "runtime_error", "the function did not return (the program exited first)"
    got = wire.decode_value(raw)
    try:
        ok = asserts.case_passed(case.check, got) if case.check else compare.values_equal(got, case.expected)
    except Exception as e:  # whatever the program returned, comparing it is never the judge's failure
        return "failed", f"returned a value that does not compare ({type(e).__name__})"
    return ("passed", "") if ok else ("failed", f"returned {_short_repr(got)}")


def _short_repr(value: Any) -> str:
    # reprlib bounds depth and width, so a huge or deeply nested return value cannot break the judge here
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother = 4, 100, 100
    return short.repr(value)[:300]


def judge_text(problem: Problem, case: Case, out: bytes, checker: StdioChecker | None) -> tuple[str, str]:
    text = out.decode("utf-8", "replace")
    if checker is not None:
        status, message = checker.check(case.input, text, case.expected)
        return status, message or ("" if status == "passed" else "rejected by the problem's checker")
    try:
        ok = compare.text_equal(text, case.expected, problem.metadata.get("compare", "tokens"))
    except (OverflowError, MemoryError, RecursionError):
        ok = False
    return ("passed", "") if ok else ("failed", "wrong answer")


def gone_result(worker: Worker, oom_before: int, error: HarnessGone) -> TestResult:
    """The harness died or hung while the program ran: the program's failure status, or ``HarnessGone`` re-raised
    when the judge is to blame (``Judge`` then retries the submission once on a fresh sandbox)."""
    oom = worker.oom_kills() > oom_before
    worker.stop()  # never reuse a harness the program may have touched
    status, message = attribute_gone(error, oom)
    if status == "sandbox_error":
        raise error
    return TestResult(status, message=message)


def attribute_gone(error: HarnessGone, oom: bool) -> tuple[str, str]:
    """Whose fault a lost harness is. The program's (it can exhaust memory, kill or stop its parent): its failure
    status. The judge's (``error.judge_fault``: killed from outside the sandbox, or slow but never stopped):
    ``sandbox_error``. Memory comes first: an OOM kill of any sandbox process is the program's doing."""
    if oom:
        return "memory_limit", "the sandbox ran out of memory"
    if error.judge_fault:
        return "sandbox_error", f"the sandbox failed while the program ran ({error})"
    if error.timed_out:
        return "timeout", "the sandbox stopped answering while the program ran"
    return "runtime_error", f"the sandbox was torn down while the program ran ({error})"


def judge_submission(worker: Worker, problem: Problem, solution: Solution, stop_on_first_failure: bool) -> Verdict:
    runner = RUNNERS.get(solution.language)
    if runner is None:
        return sandbox_error(f"unknown language {solution.language!r}; known: {', '.join(RUNNERS)}")
    if problem.kind not in runner.kinds:
        return sandbox_error(
            f"{problem.kind} tests are not supported for {solution.language}; supported: {supported()}"
        )
    cases = plan(problem)
    total = len(cases) if cases is not None else problem.num_tests
    if worker.proc is None:
        worker.start()
    worker.set_memory(problem.memory_mb)
    try:
        load_req, blob = runner.prepare(solution.code, worker)
    except CompileError as e:
        return Verdict("compile_error", 0, total, [], worker.level, str(e))
    oom_before = worker.oom_kills()
    try:
        loaded, _ = worker.request(load_req, blob, timeout=LOAD_TIMEOUT_S)
    except HarnessGone as e:  # only the program's source was being compiled: its doing, unless killed from outside
        if e.judge_fault and not e.timed_out and worker.oom_kills() == oom_before:
            raise
        worker.stop()
        return Verdict("compile_error", 0, total, [], worker.level, f"the sandbox failed compiling the program: {e}")
    if not loaded.get("ok"):
        return Verdict("compile_error", 0, total, [], worker.level, loaded.get("error", ""))
    if cases is None:
        result = run_assert_fallback(worker, problem, run_request(worker, problem, "call"))
        return assemble([result], total, worker.level, total if result.status == "passed" else 0)
    if problem.kind == "assert":
        results = run_batched(worker, problem, cases)
        failed = [i for i, r in enumerate(results) if r.status != "passed"]
        return assemble(results[: failed[0] + 1] if stop_on_first_failure and failed else results, total, worker.level)
    checker = StdioChecker(problem.metadata["checker"], worker) if problem.metadata.get("checker") else None
    try:
        results = []
        for case in cases:
            results.append(run_case(worker, problem, case, checker))
            if worker.proc is None or (stop_on_first_failure and results[-1].status != "passed"):
                break
    finally:
        if checker is not None:
            checker.close()
    return assemble(results, total, worker.level)


def assemble(results: list[TestResult], total: int, level: str, passed: int | None = None) -> Verdict:
    failing = [r for r in results if r.status != "passed"]
    if not failing and (passed if passed is not None else len(results)) < total:
        failing = [TestResult("sandbox_error", message="not every test ran")]
    status = failing[0].status if failing else "passed"
    if passed is None:
        passed = sum(r.status == "passed" for r in results)
    message = failing[0].message if failing else ""
    return Verdict(status, passed, total, results, level, message)
