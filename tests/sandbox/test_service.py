"""The HTTP service and its client: every verdict exactly once under load; dead servers never yield zeros."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sandbox_helpers import call_problem

from data.schema import Solution
from sandbox.client import SandboxClient

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IDENTITY = call_problem("f", [([7], 7), ([8], 8)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int = 2) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = f"from rl.cli import main; main(['sandbox', 'serve', '--port', '{port}', '--workers', '{workers}'])"
    proc = subprocess.Popen([sys.executable, "-c", cmd], cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).json()["ok"]:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def server():
    proc, url = start_server()
    yield url
    stop(proc)


def submissions(n: int) -> list:
    # Even i solve the problem, odd i do not; every code differs, so nothing is deduplicated away.
    return [(IDENTITY, Solution("p", f"def f(x):\n    return x + {i % 2}  # {i}\n", extra={"i": i})) for i in range(n)]


def test_health_metrics_and_one_batch(server):
    assert httpx.get(f"{server}/health").json()["isolation"].startswith("bwrap")
    verdicts = SandboxClient([server]).judge_batch(submissions(4))
    assert [v.status for v in verdicts] == ["passed", "failed", "passed", "failed"]
    assert httpx.get(f"{server}/metrics").json()["submissions"] >= 4


def test_malformed_batch_is_rejected_with_the_field(server):
    r = httpx.post(f"{server}/judge", json={"pairs": [{"problem": {"id": "x", "prompt": "x"}, "solution": {}}]})
    assert r.status_code == 422 and "pairs[0].problem.tests" in r.text


def test_load_2000_submissions_64_concurrent(server):
    pairs = submissions(2000)
    start = time.monotonic()
    verdicts = SandboxClient([server], chunk_size=32, concurrency=64).judge_batch(pairs)
    elapsed = time.monotonic() - start
    assert len(verdicts) == 2000
    assert [v.status for v in verdicts] == ["passed" if i % 2 == 0 else "failed" for i in range(2000)]
    print(f"2000 submissions in {elapsed:.1f} s")


def test_killed_server_retries_on_another_url(server):
    doomed, doomed_url = start_server()
    pairs = submissions(600)
    threading.Timer(0.5, lambda: os.killpg(doomed.pid, signal.SIGKILL)).start()
    verdicts = SandboxClient([doomed_url, server], chunk_size=20, concurrency=16).judge_batch(pairs)
    stop(doomed)
    assert [v.status for v in verdicts] == ["passed" if i % 2 == 0 else "failed" for i in range(600)]


def test_no_server_left_is_sandbox_error_never_zero():
    doomed, url = start_server()
    threading.Timer(0.3, lambda: os.killpg(doomed.pid, signal.SIGKILL)).start()
    verdicts = SandboxClient([url], chunk_size=10, attempts=2).judge_batch(submissions(400))
    stop(doomed)
    statuses = {v.status for v in verdicts}
    assert "sandbox_error" in statuses
    assert all(v.status != "failed" or i % 2 for i, v in enumerate(verdicts))  # no solved program reads as a zero
    errors = [v for v in verdicts if v.status == "sandbox_error"]
    assert all("transport failure" in v.message for v in errors)
