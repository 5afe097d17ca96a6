"""Bookkeeping shared by import, dedup, decontaminate and filter: every dropped row is written and counted.

A drop is one JSON line in the rejects file, ``{"file", "row", "category", "reason", "id", ...}``, and one count under
its short category in the summary printed at the end. Nothing is dropped without both.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from data.jsonl import RowError, iter_jsonl
from data.schema import row_errors


class DropLog:
    """Streams drops to a JSONL rejects file and counts them by category.

    Args:
        path: the rejects file; it is created (empty) even when nothing is dropped, so a clean run is visible.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "w", encoding="utf-8")  # closed in close()
        self.counts: Counter[str] = Counter()

    def drop(self, file: str, row: int, category: str, reason: str, count: int = 1, **extra: Any) -> None:
        """Record a dropped row, or ``count`` dropped parts of one row (such as solutions), under ``category``."""
        record = {"file": str(file), "row": row, "category": category, "reason": reason, **extra}
        if count != 1:
            record["count"] = count
        self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self.counts[category] += count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> DropLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def default_rejects_path(out: str | os.PathLike) -> Path:
    """``kept.jsonl`` -> ``kept.rejects.jsonl``: where drops go when ``--rejects`` is not given."""
    out = Path(out)
    stem = out.name[: -len(".jsonl")] if out.name.endswith(".jsonl") else out.name
    return out.with_name(stem + ".rejects.jsonl")


def error_category(field: str, problem: str) -> str:
    """A short, countable category: ``tests[3].input``, "missing, got 7" -> ``tests.input: missing``; digits -> N."""
    base = ".".join(part.split("[")[0] for part in field.split("."))
    return f"{base}: {re.sub(r'[0-9]+', 'N', problem.split(', got')[0])}"


def iter_problem_rows(path: str | os.PathLike, drops: DropLog) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream ``(line, row)`` for the valid problem rows of a JSONL file; bad rows go to ``drops`` with the reason."""
    path = str(path)
    for lineno, row in iter_jsonl(path):
        if isinstance(row, RowError):
            drops.drop(path, lineno, "not JSON", row.message)
            continue
        errors = row_errors(row)
        if errors:
            e = errors[0]
            reason = "; ".join(str(x) for x in errors)
            drops.drop(path, lineno, error_category(e.field, e.problem), reason, id=row.get("id"))
            continue
        yield lineno, row


def print_summary(title: str, counts: dict[str, int], drops: DropLog) -> None:
    """Print ``title: k1 n1, k2 n2`` and every drop category with its count, to stderr."""
    head = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"{title}: {head}; dropped {drops.total} (listed in {drops.path})", file=sys.stderr)
    for category, n in drops.counts.most_common():
        print(f"  {n:>8}  {category}", file=sys.stderr)


def progress(iterable, desc: str, total: int | None = None):
    """A tqdm bar on stderr (hidden when stderr is not a terminal, so logs and tests stay clean)."""
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, total=total, unit=" rows", file=sys.stderr, disable=None, mininterval=0.5)
