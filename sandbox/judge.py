"""The judge: a pool of warm sandboxes, batch in, verdicts out (sync and asyncio).

    with Judge(workers=2) as judge:
        verdicts = judge.judge_batch([(problem, solution), ...])

Identical submissions in a batch (same problem, language and code, as GRPO groups often produce) are judged
once. Each worker owns one warm sandbox and judges one submission at a time; a sandbox is reset between
submissions and replaced whenever anything about it is in doubt.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from data.schema import Problem, Solution
from sandbox.cgroups import remove_stale
from sandbox.execute import judge_submission
from sandbox.isolation import resolve
from sandbox.verdict import Verdict, sandbox_error
from sandbox.worker import MAX_USES, HarnessGone, Worker

log = logging.getLogger("sandbox")


class Judge:
    """Judges (problem, solution) pairs in isolated sandboxes.

    Args:
        workers: sandboxes run in parallel (default: the number of CPUs).
        isolation: ``"auto"`` (bubblewrap if it works here, else ``"none"`` with a warning), ``"bwrap"`` (fail if
            unavailable) or ``"none"`` (unconfined; for machines without bubblewrap). Every verdict names the
            level actually used.
        use_cgroups: cap memory and processes with cgroups where writable (else the harness polls RSS).
    """

    def __init__(self, workers: int | None = None, isolation: str = "auto", use_cgroups: bool = True):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.iso = resolve(isolation)
        self.use_cgroups = use_cgroups
        _remove_stale()
        self._root = tempfile.mkdtemp(prefix=f"coderl-sandbox-{os.getpid()}-")
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="judge")
        self._closed = False
        self._announced = False

    @property
    def isolation(self) -> str:
        """The level sandboxes run at, e.g. ``bwrap+seccomp+cgroup`` (just ``bwrap``/``none`` before the first)."""
        started = [w for w in self._all if w.proc is not None]
        return started[0].level if started else self.iso.level

    def _ensure_workers(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("this Judge is closed")
            # Sandboxes start lazily in the pool's own long-lived threads: bwrap's --die-with-parent follows the
            # *thread* that spawned it, so one started from a caller's short-lived thread would die with it.
            while len(self._all) < self.workers:
                worker = Worker(self.iso, self._root, self.use_cgroups)
                self._all.append(worker)
                self._idle.put(worker)

    def judge_batch(self, pairs: list[tuple[Problem, Solution]], stop_on_first_failure: bool = False) -> list[Verdict]:
        """One verdict per pair, in order. Never raises for a bad program; a judge failure is ``sandbox_error``."""
        if not pairs:
            return []
        self._ensure_workers()
        keys, unique = self._dedup(pairs)
        verdicts = self._pool.map(lambda ps: self._judge_one(*ps, stop_on_first_failure), unique.values())
        by_key = dict(zip(unique, verdicts))
        return [by_key[k] for k in keys]

    async def ajudge_batch(
        self, pairs: list[tuple[Problem, Solution]], stop_on_first_failure: bool = False
    ) -> list[Verdict]:
        """``judge_batch`` for asyncio: awaits the shared worker pool without blocking the event loop."""
        if not pairs:
            return []
        await asyncio.to_thread(self._ensure_workers)
        keys, items = self._dedup(pairs)
        futures = [
            asyncio.wrap_future(self._pool.submit(self._judge_one, p, s, stop_on_first_failure))
            for p, s in items.values()
        ]
        by_key = dict(zip(items, await asyncio.gather(*futures)))
        return [by_key[k] for k in keys]

    @staticmethod
    def _dedup(pairs: list[tuple[Problem, Solution]]) -> tuple[list[str], dict[str, tuple[Problem, Solution]]]:
        """A key per pair and the unique pairs by key: same problem, language and code are judged once."""
        keys, unique, problem_keys = [], {}, {}
        for problem, solution in pairs:
            if id(problem) not in problem_keys:
                problem_keys[id(problem)] = _digest(json.dumps(problem.to_dict(), sort_keys=True, default=str))
            key = _digest(f"{problem_keys[id(problem)]}\0{solution.language}\0{solution.code}")
            keys.append(key)
            unique.setdefault(key, (problem, solution))
        return keys, unique

    def _judge_one(self, problem: Problem, solution: Solution, stop: bool) -> Verdict:
        worker = self._idle.get()
        try:
            for attempt in range(2):
                try:
                    return judge_submission(worker, problem, solution, stop)
                except HarnessGone as e:  # the judge's fault (start, set-up, or a sandbox lost not by the program)
                    worker.stop()
                    if attempt:
                        return sandbox_error(
                            f"sandbox failed: {e}; harness log: {worker.log_tail()}", isolation=worker.level
                        )
                    log.warning(
                        "sandbox: judge fault judging %s (%s); retrying once on a fresh sandbox", problem.id, e
                    )
                except Exception as e:
                    log.error("sandbox: internal error judging %s:\n%s", problem.id, traceback.format_exc())
                    worker.stop()
                    return sandbox_error(f"internal error: {type(e).__name__}: {e}", isolation=worker.level)
        finally:
            if not self._announced and worker.proc is not None:
                self._announced = True
                log.info("sandbox: %d workers, isolation %s", self.workers, worker.level)
            self._recycle(worker)
            self._idle.put(worker)

    def _recycle(self, worker: Worker) -> None:
        if worker.proc is None:
            return
        worker.uses += 1
        try:
            clean = worker.uses < MAX_USES and worker.request({"op": "reset"}, timeout=10)[0].get("ok")
        except HarnessGone:
            clean = False
        if not clean:
            worker.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True)
        for worker in self._all:
            worker.close()
        shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> Judge:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        if not getattr(self, "_closed", True):
            try:
                self.close()
            except Exception:
                pass


def _remove_stale() -> None:
    """Clean up after judges that were killed: their cgroups and their scratch roots."""
    remove_stale()
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        pid = name.split("-")[2] if name.startswith("coderl-sandbox-") and name.count("-") >= 3 else ""
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
