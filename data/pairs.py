"""Sandbox-verified preference pairs for DPO: chosen = a passing sample, rejected = a failing one of the same problem.

    coderl data pairs samples.jsonl --out pairs.jsonl --strategy hardest --pairs-per-problem 2
    coderl data pairs samples.jsonl --out pairs.jsonl --strategy closest_length --format text

Rows are TRL's conversational preference format, ``{"id", "prompt": [system, user], "chosen": [assistant],
"rejected": [assistant]}`` (``rl.inputs.dpo_dataset`` reads it), so DPO trains on the very prompt the samples
were drawn from. ``--format text`` writes ``prompt`` as the problem text and ``chosen``/``rejected`` as strings.

Strategies (which failure goes with which pass):
    random          any pass with any failure
    closest_length  the pass and failure closest in length (in tokens when recorded), so length is no shortcut
    hardest         the failure that passed the most tests: the most informative "almost right" contrast
Each pass and each failure is used once before any is reused. A ``sandbox_error`` sample is neither a pass nor a
failure. Problems without a pass or without a failure yield no pair; they are counted and listed in
``<out>.report.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from data.jsonl import write_jsonl
from data.samples import by_problem, chat_prompt, is_failure, is_pass, length_fn, load_samples, status


def _pass_fraction(row: dict) -> float:
    verdict = row["verdict"]
    return verdict.get("passed_tests", 0) / max(1, verdict.get("total_tests", 0))


# name -> (lengths) -> sort key of a (chosen, rejected) candidate; smaller keys are preferred.
STRATEGIES: dict[str, Callable[[Callable], Callable[[tuple[dict, dict]], tuple]]] = {
    "random": lambda length: lambda pair: (),
    "closest_length": lambda length: lambda pair: (abs(length(pair[0]) - length(pair[1])),),
    "hardest": lambda length: lambda pair: (-_pass_fraction(pair[1]), abs(length(pair[0]) - length(pair[1]))),
}


def _distinct(rows: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for row in rows:
        seen.setdefault(row["completion"].strip(), row)
    return list(seen.values())


def pick_pairs(passes: list[dict], failures: list[dict], strategy: str, m: int, rng: random.Random) -> list[tuple]:
    """Up to ``m`` (chosen, rejected) pairs, best first by the strategy, using every sample once before reusing any."""
    candidates = [(c, r) for c in passes for r in failures]
    rng.shuffle(candidates)  # ties (and the random strategy) are broken at random, reproducibly
    candidates.sort(key=STRATEGIES[strategy](length_fn(passes + failures)))
    picked, used, taken = [], set(), set()
    for c, r in candidates:
        if len(picked) < m and id(c) not in used and id(r) not in used:
            picked.append((c, r))
            used |= {id(c), id(r)}
            taken.add((id(c), id(r)))
    for c, r in candidates:
        if len(picked) >= m:
            break
        if (id(c), id(r)) not in taken:
            picked.append((c, r))
    return picked


def pair_row(chosen: dict, rejected: dict, fmt: str, strategy: str) -> dict:
    meta = {"id": chosen["id"], "strategy": strategy, "rejected_status": status(rejected),
            "rejected_passed_tests": rejected["verdict"].get("passed_tests", 0)}  # fmt: skip
    if fmt == "text":
        return {**meta, "prompt": chosen.get("prompt", ""), "chosen": chosen["completion"],
                "rejected": rejected["completion"]}  # fmt: skip
    return {**meta, "prompt": chat_prompt(chosen), "chosen": [{"role": "assistant", "content": chosen["completion"]}],
            "rejected": [{"role": "assistant", "content": rejected["completion"]}]}  # fmt: skip


def build_pairs(rows: list[dict], strategy: str = "hardest", per_problem: int = 2, seed: int = 0,
                fmt: str = "messages", keep_truncated: bool = False) -> tuple[list[dict], dict]:  # fmt: skip
    """DPO rows from judged samples, and a report of the problems that gave none and why."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown pairing strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    rng = random.Random(seed)
    out = []
    report = {"problems": 0, "with_pairs": 0, "no_pass": [], "no_failure": [], "no_usable_sample": [],
              "sandbox_errors": 0}  # fmt: skip
    for pid, samples in by_problem(rows).items():
        report["problems"] += 1
        report["sandbox_errors"] += sum(1 for s in samples if status(s) == "sandbox_error")
        # a truncated pass would teach the model not to stop; a truncated failure is a fine thing to reject
        passes = _distinct(
            [s for s in samples if is_pass(s) and (keep_truncated or s.get("finish_reason") != "length")]
        )
        failures = _distinct([s for s in samples if is_failure(s)])
        if not passes or not failures:
            reason = "no_usable_sample" if not passes and not failures else "no_pass" if not passes else "no_failure"
            report[reason].append(pid)
            continue
        report["with_pairs"] += 1
        out += [pair_row(c, r, fmt, strategy) for c, r in pick_pairs(passes, failures, strategy, per_problem, rng)]
    report["pairs"] = len(out)
    return out, report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data pairs", description=__doc__.splitlines()[0])
    parser.add_argument("samples", help="judged samples JSONL from `coderl generate`")
    parser.add_argument("--out", required=True, help="DPO JSONL to write")
    parser.add_argument("--strategy", choices=list(STRATEGIES), default="hardest", help="pairing (default hardest)")
    parser.add_argument("--pairs-per-problem", type=int, default=2, help="at most this many pairs (default 2)")
    parser.add_argument(
        "--format", choices=("messages", "text"), default="messages", help="row shape (default messages)"
    )
    parser.add_argument("--keep-truncated", action="store_true", help="allow passes cut at the length limit as chosen")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        rows = load_samples(args.samples)
    except (ValueError, OSError) as e:  # BadRowsError lists every bad row with its line and field
        print(f"coderl data pairs: {e}", file=sys.stderr)
        return 2
    pairs, report = build_pairs(
        rows, args.strategy, args.pairs_per_problem, args.seed, args.format, args.keep_truncated
    )
    write_jsonl(args.out, pairs)
    Path(args.out + ".report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{report['pairs']} pairs from {report['with_pairs']}/{report['problems']} problems -> {args.out}; "
          f"no pair for {len(report['no_pass'])} problem(s) without a pass, {len(report['no_failure'])} without a "
          f"failure, {len(report['no_usable_sample'])} with neither; {report['sandbox_errors']} sandbox_error "
          f"sample(s) ignored (details: {args.out}.report.json)", file=sys.stderr)  # fmt: skip
    if not pairs:
        print("coderl data pairs: no pair to train on (exit 1)", file=sys.stderr)
        return 1
    return 0
