"""``coderl judge`` and ``coderl sandbox serve``.

coderl judge problems.jsonl solutions.jsonl --out verdicts.jsonl --workers 2
coderl sandbox serve --host 127.0.0.1 --port 8000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

CHUNK = 256  # solutions judged per batch: progress is reported and memory stays flat on big files


def judge_main(argv: list[str]) -> int:
    """Judge every solution row against its problem; exit 0 when judging completed, whatever the verdicts."""
    parser = argparse.ArgumentParser(prog="coderl judge", description=judge_main.__doc__)
    parser.add_argument("problems", help="problems JSONL (data/schema.py)")
    parser.add_argument("solutions", help='solutions JSONL: {"id", "code", "language", ...}')
    parser.add_argument("--out", required=True, help="verdicts JSONL, one row per solution row, in order")
    parser.add_argument("--workers", type=int, default=None, help="parallel sandboxes (default: CPU count)")
    parser.add_argument("--isolation", default="auto", choices=("auto", "bwrap", "none"))
    parser.add_argument("--stop-on-first-failure", action="store_true", help="skip a program's remaining tests")
    parser.add_argument("--details", action="store_true", help="include per-test results in each row")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    from data.jsonl import BadRowsError, iter_jsonl, load_problems, load_solutions, write_jsonl
    from sandbox.judge import Judge
    from sandbox.languages import RUNNERS

    try:
        problems = {p.id: p for p in load_problems(args.problems)}
        solutions = load_solutions(args.solutions)
    except (BadRowsError, OSError) as e:
        print(f"coderl judge: {e}", file=sys.stderr)
        return 2
    lines = [lineno for lineno, _ in iter_jsonl(args.solutions)]  # load_solutions keeps every row, in order
    where = [f"{args.solutions}:{line}" for line in lines]
    bad = [f"{where[i]}: id: no such problem {s.id!r} in {args.problems}"
           for i, s in enumerate(solutions) if s.id not in problems]  # fmt: skip
    known = ", ".join(RUNNERS)
    bad += [f"{where[i]}: language: unknown {s.language!r} (known: {known})"
            for i, s in enumerate(solutions) if s.language not in RUNNERS]  # fmt: skip
    if bad:
        print("coderl judge: bad solution rows:\n" + "\n".join(bad[:20]), file=sys.stderr)
        return 2
    rows, start = [], time.monotonic()
    with Judge(workers=args.workers, isolation=args.isolation) as judge:
        for lo in range(0, len(solutions), CHUNK):
            chunk = solutions[lo : lo + CHUNK]
            verdicts = judge.judge_batch([(problems[s.id], s) for s in chunk], args.stop_on_first_failure)
            rows += [verdict_row(s, v, args.details) for s, v in zip(chunk, verdicts)]
            rate = len(rows) / max(1e-9, time.monotonic() - start)
            print(f"judged {len(rows)}/{len(solutions)} ({rate:.1f}/s, isolation {judge.isolation})", file=sys.stderr)
    write_jsonl(args.out, rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    print(f"wrote {len(rows)} verdicts to {args.out}: {json.dumps(counts)}", file=sys.stderr)
    return 0


def verdict_row(solution, verdict, details: bool) -> dict:
    row = {k: v for k, v in solution.to_dict().items() if k != "code"}
    row.update(status=verdict.status, passed_tests=verdict.passed_tests, total_tests=verdict.total_tests)
    row.update(isolation=verdict.isolation)
    if verdict.message:
        row["message"] = verdict.message[:2000]
    if details:
        row["tests"] = [t.to_dict() for t in verdict.tests]
    return row


def sandbox_main(argv: list[str]) -> int:
    """``coderl sandbox serve``: the judge as an HTTP service (FastAPI + uvicorn)."""
    parser = argparse.ArgumentParser(prog="coderl sandbox")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve POST /judge, GET /health, GET /metrics")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None, help="parallel sandboxes (default: CPU count)")
    serve.add_argument("--isolation", default="auto", choices=("auto", "bwrap", "none"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    from sandbox.server import serve as run_server

    run_server(args.host, args.port, workers=args.workers, isolation=args.isolation)
    return 0
