"""``coderl data filter IN --out kept.jsonl``: drop problems with too few tests, reference solutions that do not
parse, and problems that are too easy (or unsolved) by pass rate.

    coderl data filter problems.jsonl --out kept.jsonl --min-tests 5 --check-syntax --require-solution
    coderl data filter problems.jsonl --out kept.jsonl --verdicts verdicts.jsonl --max-pass-rate 0.875 --drop-unsolved

``--min-tests N`` keeps problems with at least N tests: DeepCoder dropped problems with 4 or fewer, which is
``--min-tests 5``. An assert problem counts one test per ``assert`` line (``Problem.num_tests``).
``--check-syntax`` drops each reference solution that does not parse (``data.syntax``); ``--require-solution``
then drops problems left with none. ``--verdicts FILE`` reads verdict or sample rows ``{"id", "status", ...}`` (or
``{"id", "verdict": {"status"}}``); a problem's pass rate is the fraction of its rows with status "passed".
Problems whose rate exceeds ``--max-pass-rate`` (default 0.875, Seed-Coder's cut) are dropped, and with
``--drop-unsolved`` those at 0; problems with no verdict rows are kept and counted. Every drop is listed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import partial
from typing import Any

from data.jsonl import RowError, iter_jsonl, write_jsonl
from data.report import DropLog, default_rejects_path, iter_problem_rows, print_summary, progress
from data.schema import Problem


@dataclass
class Rules:
    min_tests: int = 0
    check_syntax: bool = False
    require_solution: bool = False
    pass_rates: dict[str, float] | None = None
    max_pass_rate: float = 0.875
    drop_unsolved: bool = False


def load_pass_rates(path: str, drops: DropLog) -> dict[str, float]:
    """Per-problem pass rate from a verdicts/samples file; rows without an id or a status are reported, not used."""
    seen: dict[str, list[int]] = {}
    for lineno, row in iter_jsonl(path):
        status = _status(row)
        if isinstance(row, RowError) or status is None or not isinstance(row.get("id"), str | int):
            why = row.message if isinstance(row, RowError) else 'needs "id" and "status" (or "verdict": {"status"})'
            drops.drop(path, lineno, "verdict row unusable", why)
            continue
        counts = seen.setdefault(str(row["id"]), [0, 0])
        counts[0] += status == "passed"
        counts[1] += 1
    return {pid: passed / total for pid, (passed, total) in seen.items()}


def _status(row: Any) -> str | None:
    if not isinstance(row, dict):
        return None
    status = row.get("status")
    if status is None and isinstance(row.get("verdict"), dict):
        status = row["verdict"].get("status")
    return status if isinstance(status, str) else None


def apply_rules(problem: Problem, rules: Rules, drop) -> tuple[str, str] | None:
    """``(category, reason)`` when ``problem`` is dropped, None to keep it. ``drop(category, reason, **extra)``
    records the reference solutions removed along the way."""
    if problem.num_tests < rules.min_tests:
        return f"fewer than {rules.min_tests} tests", f"{problem.num_tests} test(s)"
    if rules.check_syntax:
        problem.solutions = _parsing_solutions(problem, drop)
    if rules.require_solution and not problem.solutions:
        return "no reference solution", "none given, or none parses"
    rate = (rules.pass_rates or {}).get(problem.id)
    if rate is not None and rate > rules.max_pass_rate:
        return f"pass rate above {rules.max_pass_rate}", f"pass rate {rate:.3f}"
    if rate == 0 and rules.drop_unsolved:
        return "unsolved (pass rate 0)", "no sample passed"
    return None


def _parsing_solutions(problem: Problem, drop) -> list:
    from data.syntax import syntax_error

    kept = []
    for i, solution in enumerate(problem.solutions):
        error = syntax_error(solution.code, solution.language)
        if error is None:
            kept.append(solution)
        else:
            drop("solution does not parse", f"solutions[{i}] ({solution.language}) {error}", solution=i)
    return kept


def filter_file(src: str, out: str, rules: Rules, drops: DropLog) -> dict[str, int]:
    """Stream ``src`` to ``out`` applying ``rules``; returns the summary counts."""
    counts = {"read": 0, "kept": 0}
    if rules.pass_rates is not None:
        counts["kept without verdicts"] = 0

    def kept_rows():
        for lineno, row in progress(iter_problem_rows(src, drops), desc="filter"):
            counts["read"] += 1
            problem = Problem.from_dict(row)
            drop = partial(drops.drop, src, lineno, id=problem.id)
            why = apply_rules(problem, rules, drop)
            if why is not None:
                drop(*why)
                continue
            if rules.pass_rates is not None and problem.id not in rules.pass_rates:
                counts["kept without verdicts"] += 1
            counts["kept"] += 1
            yield problem if rules.check_syntax else row

    write_jsonl(out, kept_rows())
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data filter", description=__doc__.splitlines()[0])
    parser.add_argument("src", help="problems JSONL")
    parser.add_argument("--out", required=True, help="kept problems JSONL")
    parser.add_argument("--min-tests", type=int, default=0, help="keep problems with at least this many tests")
    parser.add_argument("--check-syntax", action="store_true", help="drop reference solutions that do not parse")
    parser.add_argument("--require-solution", action="store_true", help="drop problems with no reference solution")
    parser.add_argument("--verdicts", help="verdicts or samples JSONL giving each problem's pass rate")
    parser.add_argument("--max-pass-rate", type=float, default=0.875, help="drop problems solved more often")
    parser.add_argument("--drop-unsolved", action="store_true", help="also drop problems with pass rate 0")
    parser.add_argument("--rejects", help="dropped rows JSONL (default: OUT with .rejects.jsonl)")
    args = parser.parse_args(argv)
    if args.drop_unsolved and not args.verdicts:
        parser.error("--drop-unsolved needs --verdicts FILE (the pass rates come from it)")
    rules = Rules(args.min_tests, args.check_syntax, args.require_solution, None, args.max_pass_rate)
    rules.drop_unsolved = args.drop_unsolved
    with DropLog(args.rejects or default_rejects_path(args.out)) as drops:
        try:
            if args.verdicts:
                rules.pass_rates = load_pass_rates(args.verdicts, drops)
            counts = filter_file(args.src, args.out, rules, drops)
        except (OSError, RuntimeError) as e:
            print(f"coderl data filter: {e}", file=sys.stderr)
            return 2
    print_summary(args.out, counts, drops)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
