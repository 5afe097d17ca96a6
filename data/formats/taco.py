"""TACO (BAAI/TACO): the APPS layout (``question``, ``solutions``, ``input_output``, ``starter_code``) plus
``difficulty``, ``tags``, ``source``, ``time_limit`` (e.g. "2 seconds") and ``memory_limit`` (e.g. "256 megabytes").

    coderl data import --format taco taco_train.parquet --out taco.jsonl

TACO rows have no id column: the id is ``taco/<0-based row position>``, matching the row index on the hub.
Conversion of tests and call outputs is as for APPS (see ``apps.py``).
"""

from __future__ import annotations

import re
from typing import Any

from data.formats.apps import problem_row
from data.schema import Problem

SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(milli)?seconds?\b", re.IGNORECASE)
MEGABYTES = re.compile(r"^\s*(\d+)\s*megabytes?\b", re.IGNORECASE)


def convert(row: dict[str, Any], index: int) -> Problem:
    out = problem_row(row, f"taco/{index}", "taco")
    limit = SECONDS.match(str(row.get("time_limit") or ""))
    if limit and float(limit.group(1)) > 0:
        out["time_limit_s"] = float(limit.group(1)) / (1000 if limit.group(2) else 1)
    memory = MEGABYTES.match(str(row.get("memory_limit") or ""))
    if memory and 16 <= int(memory.group(1)) <= 65536:
        out["memory_mb"] = int(memory.group(1))
    extra = {k: row[k] for k in ("name", "source", "tags", "url") if row.get(k)}
    if extra:
        out["metadata"] = {**out.get("metadata", {}), **extra}
    return Problem.from_dict(out)
