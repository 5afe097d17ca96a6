"""Problems to and from ``datasets.Dataset``, lossless through Arrow.

Arrow columns need one type, but ``args`` and ``expected`` hold any JSON (ints in one test, lists of strings in the
next). So the nested fields travel as JSON text: ``tests``, ``solutions`` and ``metadata`` are JSON-encoded strings,
everything else is a plain column. ``from_dataset(to_dataset(ps)) == ps``.

    ds = to_dataset(load_problems("problems.jsonl"))
    ds.to_parquet("problems.parquet"); problems = from_dataset(Dataset.from_parquet("problems.parquet"))
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from data.schema import Problem

JSON_COLUMNS = ("tests", "solutions", "metadata")
COLUMNS = (
    "id", "prompt", "kind", "tests", "fn_name", "entry_point", "test_code", "time_limit_s", "memory_mb", "language",
    "starter_code", "solutions", "source", "difficulty", "metadata",
)  # fmt: skip


def problem_to_record(problem: Problem) -> dict[str, Any]:
    """A flat, Arrow-friendly dict: every column present, nested fields JSON-encoded."""
    row = problem.to_dict()
    record: dict[str, Any] = {name: row.get(name) for name in COLUMNS}
    record["kind"] = problem.kind
    record["time_limit_s"] = problem.time_limit_s
    record["memory_mb"] = problem.memory_mb
    record["language"] = problem.language
    for name in JSON_COLUMNS:
        record[name] = json.dumps(row.get(name), ensure_ascii=False)
    return record


def record_to_problem(record: dict[str, Any]) -> Problem:
    """Inverse of ``problem_to_record``; accepts extra columns (a trainer's ``prompt`` rewrites and the like)."""
    row = {name: record.get(name) for name in COLUMNS if name != "kind"}
    for name in JSON_COLUMNS:
        value = row.get(name)
        row[name] = json.loads(value) if isinstance(value, str) else value
    if record.get("kind") != "stdio" and record.get("kind") is not None:
        row.pop("tests" if record["kind"] == "assert" else "test_code", None)
    row = {k: v for k, v in row.items() if v is not None}
    return Problem.from_dict(row)


def to_dataset(problems: Iterable[Problem]):
    """Build a ``datasets.Dataset`` with one row per problem (see module docstring for the column layout)."""
    from datasets import Dataset

    records = [problem_to_record(p) for p in problems]
    columns = {name: [r[name] for r in records] for name in COLUMNS}
    return Dataset.from_dict(columns)


def from_dataset(dataset) -> list[Problem]:
    """Problems back from a dataset written by ``to_dataset`` (also after Parquet or ``save_to_disk``)."""
    return [record_to_problem(r) for r in dataset]
