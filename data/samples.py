"""Judged samples as ``coderl generate`` writes them: reading, checking and grouping, shared by traces and pairs.

    rows = load_samples("samples.jsonl")         # raises BadRowsError naming every bad row
    for pid, samples in by_problem(rows).items(): ...

A sample row is ``{"id", "completion", "verdict": {"status", "passed_tests", "total_tests"}, ...}`` and usually also
``messages`` (the chat prompt the model saw), ``prompt`` (the problem text), ``code``, ``completion_tokens`` and
``finish_reason``. ``sandbox_error`` means the judge failed, not the program: such samples are neither passes nor
failures, and the tools count them instead of using them.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

from data.jsonl import BadRowsError, validate_rows
from data.schema import SchemaError

# sandbox/verdict.py's list: data/ keeps its own copy so that it never depends on the sandbox.
STATUSES = (
    "passed", "failed", "runtime_error", "timeout", "memory_limit", "output_limit", "compile_error", "sandbox_error",
)  # fmt: skip
SAMPLE_FORMAT = '{"id", "completion", "verdict": {"status", "passed_tests", "total_tests"}} (`coderl generate`)'


def sample_errors(row: Any) -> list[SchemaError]:
    """Every way a sample row is unusable; empty when it is fine."""
    if not isinstance(row, dict):
        return [SchemaError("<row>", "not a JSON object", SAMPLE_FORMAT)]
    errors = []
    if not isinstance(row.get("id"), str | int) or isinstance(row.get("id"), bool):
        errors.append(SchemaError("id", f"missing or invalid: {row.get('id')!r}", "the problem's id"))
    if not isinstance(row.get("completion"), str):
        errors.append(SchemaError("completion", "missing or not a string", "the model's answer"))
    verdict = row.get("verdict")
    if not isinstance(verdict, dict):
        return errors + [SchemaError("verdict", "missing (was the file judged?)", SAMPLE_FORMAT)]
    if verdict.get("status") not in STATUSES:
        errors.append(SchemaError("verdict.status", f"unknown: {verdict.get('status')!r}", ", ".join(STATUSES)))
    for name in ("passed_tests", "total_tests"):
        if not isinstance(verdict.get(name, 0), int):
            errors.append(SchemaError(f"verdict.{name}", f"not an integer: {verdict.get(name)!r}", "an integer"))
    return errors


def load_samples(path: str | os.PathLike) -> list[dict]:
    """All sample rows of a file; raises ``BadRowsError`` listing every bad row (none is silently dropped)."""
    rows, errors = [], []
    for _, row, errs in validate_rows(path, sample_errors):
        if errs:
            errors += errs
        else:
            rows.append(row)
    if errors:
        raise BadRowsError(str(path), errors)
    return rows


def by_problem(rows: list[dict]) -> dict[str, list[dict]]:
    """Samples grouped by problem id, in first-seen order."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[str(row["id"])].append(row)
    return dict(groups)


def status(row: dict) -> str:
    return row["verdict"]["status"]


def is_pass(row: dict) -> bool:
    return status(row) == "passed"


def is_failure(row: dict) -> bool:
    """A sample the program got wrong (any status but passed and sandbox_error)."""
    return status(row) not in ("passed", "sandbox_error")


def chat_prompt(row: dict) -> list[dict]:
    """The chat prompt the sample was drawn from; without ``messages``, a user turn of ``prompt``."""
    if isinstance(row.get("messages"), list):
        return row["messages"]
    return [{"role": "user", "content": str(row.get("prompt", ""))}]


def length_fn(rows: list[dict]):
    """Completion length in tokens when every row records it, else in characters (never a mix of the two)."""
    if all(isinstance(r.get("completion_tokens"), int) for r in rows):
        return lambda r: r["completion_tokens"]
    return lambda r: len(r["completion"])
