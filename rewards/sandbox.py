"""One sandbox batch per generation step, shared by every reward that needs verdicts.

TRL calls each reward function with the same ``prompts`` / ``completions`` lists; the first one to ask for verdicts
starts one ``ajudge_batch`` over the completions not judged yet and the others await the same futures, so
``pass_rate`` + ``all_pass`` + ``subtask`` cost one sandbox round trip. Verdicts are cached per (problem id, code).
The judge is the local ``sandbox.Judge`` or, with ``urls``, the remote ``sandbox.client.SandboxClient``;
``configure`` sets it once per process (``rl.grpo`` does, from the recipe). The trainer may ``prefetch`` a chunk
of completions while it generates the next, so judging overlaps generation.

A completion with no code block is not sent: its verdict is ``no_code`` (a failed submission, reward 0). A
``sandbox_error`` verdict is kept as is: rewards turn it into ``None``, never 0.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass, field
from typing import Any

from data.hf import record_to_problem
from data.schema import Problem, Solution
from rewards.extract import completion_text, extract_code

NO_CODE = "no_code"  # our own status, beside the judge's: the completion had no fenced code block
CACHE_SIZE = 65536  # verdicts kept, newest first (a few generation batches)


@dataclass
class Judged:
    """The sandbox's answer for one completion: ``status``, ``passed_tests``, ``total_tests``, per-test statuses."""

    status: str
    passed_tests: int = 0
    total_tests: int = 0
    test_statuses: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def pass_rate(self) -> float:
        return self.passed_tests / self.total_tests if self.total_tests else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "passed_tests": self.passed_tests, "total_tests": self.total_tests,
                "message": self.message[:200]}  # fmt: skip


class Verdicts:
    """Judges completions through one sandbox and caches each verdict by (problem id, code).

    Concurrent callers share work: a completion already being judged is awaited, not sent again, so the rewards of
    one generation step cost one sandbox batch; ``prefetch`` lets the trainer start judging a chunk of completions
    while it still generates the next (the rewards then find most verdicts ready).

    Args:
        judge: anything with ``ajudge_batch(pairs, stop_on_first_failure=...)`` (``Judge``, ``SandboxClient``).
            ``None`` builds a local ``sandbox.Judge(workers=workers)`` on first use.
        workers: local judge workers when ``judge`` is None.
    """

    def __init__(self, judge: Any = None, workers: int = 2):
        self._judge = judge
        self.workers = workers
        self._cache: collections.OrderedDict[tuple[str, str], asyncio.Future] = collections.OrderedDict()
        self.batches = 0  # sandbox batches sent (for tests and the benchmark)
        self.judged = 0  # completions sent

    @property
    def judge(self):
        if self._judge is None:
            from sandbox import Judge

            self._judge = Judge(workers=self.workers)
        return self._judge

    async def get(self, completions: list, columns: dict[str, list], log_metric=None) -> list[Judged]:
        """Verdicts for ``completions`` (one per row of ``columns``, the dataset columns TRL passes)."""
        problems, keys = _keys(completions, columns)
        futures = self._submit(problems, keys)
        results = [
            Judged(NO_CODE, 0, p.num_tests) if f is None else await asyncio.shield(f)
            for p, f in zip(problems, futures, strict=True)
        ]
        if log_metric is not None:
            for name, value in batch_metrics(results).items():
                log_metric(name, value)
        return results

    def prefetch(self, completions: list, columns: dict[str, list], loop: asyncio.AbstractEventLoop) -> None:
        """Start judging ``completions`` on ``loop`` (a running loop in another thread) and return at once."""
        problems, keys = _keys(completions, columns)
        loop.call_soon_threadsafe(self._submit, problems, keys)

    def peek(self, completions: list, columns: dict[str, list]) -> list[Judged] | None:
        """The verdicts of these completions if all are judged already, else None (never starts a judge run)."""
        problems, keys = _keys(completions, columns)
        out = []
        for p, key in zip(problems, keys, strict=True):
            future = self._cache.get(key) if key[1] is not None else None
            if key[1] is None:
                out.append(Judged(NO_CODE, 0, p.num_tests))
            elif future is None or not future.done() or future.cancelled() or future.exception():
                return None
            else:
                out.append(future.result())
        return out

    def get_sync(self, completions: list, columns: dict[str, list]) -> list[Judged]:
        """``get`` for callers without an event loop."""
        return asyncio.run(self.get(completions, columns))

    def _submit(self, problems: list[Problem], keys: list[tuple]) -> list[asyncio.Future | None]:
        """Futures for every key with code, starting one judge batch for those not cached (must run in the loop)."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future | None] = []
        todo = []
        for problem, key in zip(problems, keys, strict=True):
            if key[1] is None:
                futures.append(None)
                continue
            future = self._cache.get(key)
            if future is None or (not future.done() and future.get_loop() is not loop):
                future = loop.create_future()
                self._cache[key] = future
                todo.append((problem, key, future))
            self._cache.move_to_end(key)
            futures.append(future)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if todo:
            loop.create_task(self._judge_batch(todo))
        return futures

    async def _judge_batch(self, todo: list[tuple[Problem, tuple, asyncio.Future]]) -> None:
        pairs = [(p, Solution(id=p.id, code=key[1], language=p.language)) for p, key, _ in todo]
        self.batches += 1
        self.judged += len(pairs)
        try:
            verdicts = await self.judge.ajudge_batch(pairs, stop_on_first_failure=False)
        except Exception as exc:  # the sandbox broke, not the programs: no reward for anyone, never a zero
            verdicts = [_sandbox_error(f"{type(exc).__name__}: {exc}", p.num_tests) for p, _ in pairs]
        for (_, key, future), v in zip(todo, verdicts, strict=True):
            judged = Judged(v.status, v.passed_tests, v.total_tests, [t.status for t in v.tests], v.message)
            if judged.status == "sandbox_error":
                self._cache.pop(key, None)  # a later step may retry it
            if not future.done():
                future.set_result(judged)


def _keys(completions: list, columns: dict[str, list]) -> tuple[list[Problem], list[tuple[str, str | None]]]:
    problems = _problems(columns, len(completions))
    keys = [(p.id, extract_code(c, p.language)) for c, p in zip(completions, problems, strict=True)]
    return problems, keys


def _sandbox_error(message: str, total: int):
    from types import SimpleNamespace

    return SimpleNamespace(status="sandbox_error", passed_tests=0, total_tests=total, tests=[], message=message)


def batch_metrics(results: list[Judged]) -> dict[str, float]:
    """Pass rate, fraction of fully passed completions, and the share of each verdict status in the batch."""
    n = max(1, len(results))
    metrics = {
        "sandbox/pass_rate": sum(r.pass_rate for r in results) / n,
        "sandbox/all_pass": sum(r.status == "passed" for r in results) / n,
        "sandbox/sandbox_errors": float(sum(r.status == "sandbox_error" for r in results)),
    }
    for status, count in collections.Counter(r.status for r in results).items():
        metrics[f"sandbox/status/{status}"] = count / n
    return metrics


REQUIRED_COLUMNS = ("id", "kind", "tests", "fn_name", "entry_point", "test_code")


def _problems(columns: dict[str, list], n: int) -> list[Problem]:
    """Rebuild each row's Problem from the dataset columns (``problem`` holds the original prompt text)."""
    missing = [c for c in ("id", "kind") if c not in columns]
    if missing:
        raise KeyError(
            f"sandbox rewards need the problem columns of data.hf.to_dataset; missing {', '.join(missing)}. "
            "Build the dataset with rl.data.grpo_dataset (or data.hf.to_dataset plus a `problem` column)."
        )
    names = [k for k, v in columns.items() if isinstance(v, list) and len(v) == n]
    problems = []
    for i in range(n):
        row = {k: columns[k][i] for k in names}
        row["prompt"] = row.get("problem") or (row["prompt"] if isinstance(row.get("prompt"), str) else "-")
        problems.append(record_to_problem(row))
    return problems


_DEFAULT: Verdicts | None = None


def configure(judge: Any = None, urls: list[str] | None = None, workers: int = 2) -> Verdicts:
    """Set the process-wide verdict source used by the built-in rewards; returns it.

    Args:
        judge: a ready judge object (tests pass one); wins over ``urls``.
        urls: remote sandbox services (``SandboxClient``); empty or None for a local ``Judge``.
        workers: local judge workers.
    """
    global _DEFAULT
    if judge is None and urls:
        from sandbox.client import SandboxClient

        judge = SandboxClient(urls=list(urls))
    _DEFAULT = Verdicts(judge, workers)
    return _DEFAULT


def default() -> Verdicts:
    """The verdict source set by ``configure`` (a local judge with 2 workers if never configured)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Verdicts()
    return _DEFAULT


def texts(completions: list) -> list[str]:
    return [completion_text(c) for c in completions]
