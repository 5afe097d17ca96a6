"""A busy host or a sandbox killed from outside never fails a correct program (it is ``sandbox_error`` at worst),
while a program that kills or stops its own harness still gets its failure status (tests in test_attacks.py).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sandbox_helpers import ADD_STDIO, run

from data import synth
from sandbox import Judge
from sandbox.execute import attribute_gone
from sandbox.worker import HarnessGone

FAILURES = ("failed", "runtime_error", "timeout", "memory_limit", "output_limit", "compile_error")
SLOW_ADD = "import time\ntime.sleep(1.0)\na, b = map(int, input().split())\nprint(a + b)\n"


def test_attribution_of_a_lost_harness():
    killed, stopped = HarnessGone("the harness exited (137)"), HarnessGone("stopped", timed_out=True)
    external, slow = HarnessGone("exited (-9)", judge_fault=True), HarnessGone("late", True, judge_fault=True)
    assert attribute_gone(killed, oom=False)[0] == "runtime_error"  # the program can kill its parent
    assert attribute_gone(stopped, oom=False)[0] == "timeout"  # ... or stop it
    assert attribute_gone(external, oom=False)[0] == "sandbox_error"  # it cannot signal bwrap's outer process
    assert attribute_gone(slow, oom=False)[0] == "sandbox_error"  # alive, not stopped, just slow: a loaded host
    for error in (killed, stopped, external, slow):  # an OOM kill in its cgroup is always the program's memory
        assert attribute_gone(error, oom=True)[0] == "memory_limit"


def test_wall_limit_is_extended_by_run_queue_wait_only(monkeypatch):
    saved = list(sys.path)
    from sandbox import harness  # stdlib-only, it puts its own folder on sys.path for ``wire`` and ``child``

    sys.path[:] = saved
    wait = harness.run_queue_wait
    assert wait(os.getpid()) >= 0.0 and wait(-1) == 0.0
    req = {"wall_limit": 2.0, "load_stretch": 3}
    monkeypatch.setattr(harness, "run_queue_wait", lambda pid: 0.0)  # a sleeper never waits for a CPU
    assert harness.wall_deadline(1, 100.0, req) == 102.0
    monkeypatch.setattr(harness, "run_queue_wait", lambda pid: 1.5)
    assert harness.wall_deadline(1, 100.0, req) == 103.5
    monkeypatch.setattr(harness, "run_queue_wait", lambda pid: 60.0)  # capped at load_stretch wall limits
    assert harness.wall_deadline(1, 100.0, req) == 108.0


def test_correct_programs_pass_under_cpu_load(judge):
    problems = [dataclasses.replace(p, time_limit_s=0.5) for p in synth.generate("train", 40)]
    burners = []
    try:
        for _ in range(4):
            burners.append(subprocess.Popen([sys.executable, "-c", "while 1: pass"]))
        verdicts = judge.judge_batch([(p, p.solutions[0]) for p in problems])
    finally:
        for b in burners:
            b.kill()
            b.wait()
    bad = [(p.id, v.status, v.message) for p, v in zip(problems, verdicts) if v.status in FAILURES]
    assert not bad


def _kill_sandboxes(judge: Judge, done: threading.Event, times: int) -> None:
    """SIGKILL the worker's outer bwrap process ``times`` times, as a host-side kill would, while it judges."""
    killed: set[int] = set()
    while not done.is_set() and len(killed) < times:
        proc = judge._all[0].proc
        if proc is not None and proc.pid not in killed:
            time.sleep(0.4)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed.add(proc.pid)
        time.sleep(0.01)


@pytest.mark.parametrize("times, status", [(1, "passed"), (5, "sandbox_error")])
def test_sandbox_killed_from_outside_is_retried_then_sandbox_error(times, status):
    with Judge(workers=1) as judge:
        assert run(judge, ADD_STDIO, "print(sum(map(int, input().split())))\n").status == "passed"  # warm
        done = threading.Event()
        killer = threading.Thread(target=_kill_sandboxes, args=(judge, done, times))
        killer.start()
        try:
            verdict = run(judge, ADD_STDIO, SLOW_ADD)
        finally:
            done.set()
            killer.join()
    assert verdict.status == status, verdict.message
