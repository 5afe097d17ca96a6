"""The judge as an HTTP service: ``coderl sandbox serve --host 127.0.0.1 --port 8000``.

    POST /judge    {"pairs": [{"problem": <problem row>, "solution": <solution row>}, ...],
                    "stop_on_first_failure": false}
                -> {"verdicts": [<Verdict.to_dict()>, ...]}     (same order, one per pair)
    GET  /health   {"ok": true, "isolation": ..., "workers": N}
    GET  /metrics  counters: requests, submissions, verdicts by status, judging seconds

Judging is a pure function of the request, so clients may retry a request on another server.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from data.schema import Problem, SchemaError, Solution
from sandbox.judge import Judge


def create_app(judge: Judge):
    app = FastAPI(title="coderl sandbox")
    metrics: dict[str, Any] = {"requests": 0, "submissions": 0, "seconds": 0.0, "status": Counter(), "bad": 0}

    @app.get("/health")
    def health() -> dict:
        return {"ok": True, "isolation": judge.isolation, "workers": judge.workers}

    @app.get("/metrics")
    def get_metrics() -> dict:
        return {**metrics, "status": dict(metrics["status"]), "isolation": judge.isolation}

    @app.post("/judge")
    async def judge_endpoint(request: Request) -> dict:
        metrics["requests"] += 1
        try:
            body = await request.json()
            pairs = parse_pairs(body)
        except ValueError as e:  # SchemaError or a body that is not JSON
            metrics["bad"] += 1
            raise HTTPException(status_code=422, detail=str(e)) from None
        start = time.monotonic()
        verdicts = await judge.ajudge_batch(pairs, bool(body.get("stop_on_first_failure", False)))
        metrics["seconds"] += time.monotonic() - start
        metrics["submissions"] += len(verdicts)
        metrics["status"].update(v.status for v in verdicts)
        return {"verdicts": [v.to_dict() for v in verdicts]}

    return app


def parse_pairs(body: Any) -> list[tuple[Problem, Solution]]:
    """Problems and solutions of a request; ``SchemaError`` names the pair and field that is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("pairs"), list):
        raise SchemaError("pairs", "missing or not a list", '[{"problem": {...}, "solution": {...}}, ...]')
    pairs, cache = [], {}
    for i, pair in enumerate(body["pairs"]):
        if not isinstance(pair, dict):
            raise SchemaError(f"pairs[{i}]", "not an object", '{"problem": {...}, "solution": {...}}')
        for part, build in (("problem", Problem.from_dict), ("solution", Solution.from_dict)):
            try:
                if part == "problem":
                    # GRPO groups send one problem many times: parse each distinct row once.
                    key = repr(pair.get("problem"))
                    problem = cache[key] if key in cache else cache.setdefault(key, build(pair.get("problem")))
                else:
                    solution = build(pair.get("solution"))
            except SchemaError as e:
                raise SchemaError(f"pairs[{i}].{part}.{e.field}", e.problem, e.allowed) from None
        pairs.append((problem, solution))
    return pairs


def serve(host: str, port: int, workers: int | None = None, isolation: str = "auto") -> None:
    import uvicorn

    with Judge(workers=workers, isolation=isolation) as judge:
        uvicorn.run(create_app(judge), host=host, port=port, log_level="warning", timeout_keep_alive=30)
