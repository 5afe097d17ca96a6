"""Reading and writing JSON Lines, streaming, with errors that name the file, the line and the field.

problems = load_problems("problems.jsonl")          # raises BadRowsError listing every bad row
for lineno, row in iter_jsonl("big.jsonl"): ...     # streams; one row in memory at a time
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data.schema import Problem, SchemaError, Solution, row_errors, solution_errors


@dataclass
class RowError:
    """One bad row: ``FILE:LINE: field: what is wrong (what is allowed)``."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class BadRowsError(ValueError):
    """Raised when a file has bad rows; ``errors`` holds every one of them, not only the first."""

    def __init__(self, path: str, errors: list[RowError]):
        self.path = path
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{len(errors)} bad row(s) in {path}:\n{shown}{more}\n(run `coderl data validate {path}` for all of them)"
        )


def iter_jsonl(path: str | os.PathLike) -> Iterator[tuple[int, Any | RowError]]:
    """Yield ``(line_number, row)`` for each non-blank line; a line that is not JSON yields a ``RowError``.

    ``.gz`` files are read through gzip.
    """
    path = str(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as e:
                yield lineno, RowError(path, lineno, "<json>", f"not valid JSON: {e.msg} at column {e.colno}")


def write_jsonl(path: str | os.PathLike, rows: Iterable[dict[str, Any] | Problem | Solution]) -> int:
    """Write rows (dicts or objects with ``to_dict``) atomically: a crash never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row.to_dict() if hasattr(row, "to_dict") else row, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp, path)
    return n


def append_jsonl(path: str | os.PathLike, rows: Iterable[dict[str, Any]]) -> None:
    """Append rows and flush, for resumable outputs."""
    with open(path, "a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()


def validate_rows(
    path: str | os.PathLike, check: Callable[[Any], list[SchemaError]] = row_errors
) -> Iterator[tuple[int, Any, list[RowError]]]:
    """Yield ``(line, row, errors)`` for every row; errors is empty for a good row. Never stops early."""
    path = str(path)
    for lineno, row in iter_jsonl(path):
        if isinstance(row, RowError):
            yield lineno, None, [row]
            continue
        errs = check(row)
        yield lineno, row, [RowError(path, lineno, e.field, str(e).split(": ", 1)[1]) for e in errs]


def _load(path: str | os.PathLike, check, build) -> list:
    items, errors, seen = [], [], {}
    for lineno, row, errs in validate_rows(path, check):
        if errs:
            errors += errs
            continue
        item = build(row)
        if build is Problem.from_dict:
            if item.id in seen:
                errors.append(RowError(str(path), lineno, "id", f"duplicate of line {seen[item.id]} (ids are unique)"))
                continue
            seen[item.id] = lineno
        items.append(item)
    if errors:
        raise BadRowsError(str(path), errors)
    return items


def load_problems(path: str | os.PathLike) -> list[Problem]:
    """Load every problem of a JSONL file; raises ``BadRowsError`` naming every bad row (none is dropped)."""
    return _load(path, row_errors, Problem.from_dict)


def load_solutions(path: str | os.PathLike) -> list[Solution]:
    """Load every solution row of a JSONL file; raises ``BadRowsError`` naming every bad row."""
    return _load(path, solution_errors, Solution.from_dict)


def validate_file(path: str | os.PathLike, kind: str = "problems") -> tuple[int, list[RowError]]:
    """Check every row of a problems or solutions file; returns ``(rows_checked, errors)``."""
    check = row_errors if kind == "problems" else solution_errors
    n, errors, seen = 0, [], {}
    for lineno, row, errs in validate_rows(path, check):
        n += 1
        errors += errs
        if kind == "problems" and not errs:
            pid = str(row["id"])
            if pid in seen:
                errors.append(RowError(str(path), lineno, "id", f"duplicate of line {seen[pid]} (ids are unique)"))
            seen.setdefault(pid, lineno)
    return n, errors
