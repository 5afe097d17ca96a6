"""An HTTP client for one or more ``coderl sandbox serve`` servers, interchangeable with ``Judge``.

    client = SandboxClient(["http://10.0.0.1:8000", "http://10.0.0.2:8000"])
    verdicts = client.judge_batch([(problem, solution), ...])

Batches are split into chunks spread over the servers. A chunk whose server cannot be reached or dies mid-request
is retried on the next server (judging is idempotent); when every attempt fails, its verdicts are
``sandbox_error`` naming the failure: a transport failure is never a zero. A server that rejects the request
as malformed (HTTP 422) raises ``ValueError``: retrying elsewhere would not help.
"""

from __future__ import annotations

import asyncio
import itertools
import threading

from data.schema import Problem, Solution
from sandbox.verdict import Verdict, sandbox_error


class SandboxClient:
    """Args:
    urls: base URLs of sandbox servers.
    chunk_size: submissions per request.
    attempts: tries per chunk, each on the next server (at least one per server).
    timeout: seconds for one request (judging included).
    concurrency: requests in flight at once, over all servers.
    """

    def __init__(self, urls: list[str], chunk_size: int = 32, attempts: int = 3, timeout: float = 600.0,
                 concurrency: int = 16):  # fmt: skip
        if not urls:
            raise ValueError("SandboxClient needs at least one server URL")
        self.urls = [u.rstrip("/") for u in urls]
        self.chunk_size, self.attempts, self.timeout, self.concurrency = chunk_size, attempts, timeout, concurrency
        self._next = itertools.count()

    def judge_batch(self, pairs: list[tuple[Problem, Solution]], stop_on_first_failure: bool = False) -> list[Verdict]:
        """Same as ``Judge.judge_batch``; safe to call from inside a running event loop (runs in a thread)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self.ajudge_batch(pairs, stop_on_first_failure))
        box: list = []
        thread = threading.Thread(
            target=lambda: box.append(asyncio.run(self.ajudge_batch(pairs, stop_on_first_failure)))
        )
        thread.start()
        thread.join()
        return box[0]

    async def ajudge_batch(
        self, pairs: list[tuple[Problem, Solution]], stop_on_first_failure: bool = False
    ) -> list[Verdict]:
        import httpx

        chunks = [pairs[i : i + self.chunk_size] for i in range(0, len(pairs), self.chunk_size)]
        gate = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency * 2)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits) as http:
            results = await asyncio.gather(*(self._chunk(http, gate, c, stop_on_first_failure) for c in chunks))
        return [v for chunk in results for v in chunk]

    async def _chunk(self, http, gate, pairs, stop: bool) -> list[Verdict]:
        import httpx

        body = {
            "pairs": [{"problem": p.to_dict(), "solution": s.to_dict()} for p, s in pairs],
            "stop_on_first_failure": stop,
        }
        errors, first = [], next(self._next)
        async with gate:
            for attempt in range(max(self.attempts, len(self.urls))):
                url = self.urls[(first + attempt) % len(self.urls)]  # each retry goes to the next server
                try:
                    response = await http.post(f"{url}/judge", json=body)
                except httpx.TransportError as e:  # refused, reset, server died mid-request, timed out
                    errors.append(f"{url}: {type(e).__name__}: {e}")
                    continue
                if response.status_code == 422:
                    raise ValueError(f"{url} rejected the batch: {response.json().get('detail')}")
                if response.status_code != 200:
                    errors.append(f"{url}: HTTP {response.status_code}")
                    continue
                verdicts = response.json().get("verdicts")
                if not isinstance(verdicts, list) or len(verdicts) != len(pairs):
                    errors.append(f"{url}: answered {len(verdicts or [])} verdicts for {len(pairs)} submissions")
                    continue
                return [Verdict.from_dict(v) for v in verdicts]
        message = "transport failure after {} attempts: {}".format(self.attempts, "; ".join(errors)[-1500:])
        return [sandbox_error(message, p.num_tests) for p, _ in pairs]
