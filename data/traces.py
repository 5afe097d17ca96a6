"""Passing samples become the warm-up SFT dataset: deduplicated, at most k per problem.

    coderl data traces samples.jsonl --out sft.jsonl --max-per-problem 4
    coderl data traces samples.jsonl --out sft.jsonl --format text      # {"id", "prompt", "completion"} rows

Rows (``--format messages``, the default) are ``{"id", "messages": [system, user, assistant], "source",
"difficulty"}``: the exact chat prompt the policy saw plus its passing answer, which ``rl.inputs.sft_dataset`` reads
as is. ``--format text`` writes ``{"id", "prompt": <problem text>, "completion"}`` instead.

Two passing samples with the same program (whitespace aside) are one trace. Samples cut at the length limit
(``finish_reason == "length"``) are left out by default: they would teach the model not to stop. Problems with no
usable passing sample are counted and listed in ``<out>.report.json``, never lost silently.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from data.jsonl import write_jsonl
from data.samples import by_problem, chat_prompt, is_pass, load_samples, status


def program_key(row: dict) -> str:
    """What makes two traces the same: the program (or the completion when no code was extracted), whitespace-blind."""
    text = row.get("code") or row["completion"]
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def trace_row(row: dict, fmt: str) -> dict:
    if fmt == "text":
        return {"id": row["id"], "prompt": row.get("prompt", ""), "completion": row["completion"]}
    messages = chat_prompt(row) + [{"role": "assistant", "content": row["completion"]}]
    return {"id": row["id"], "messages": messages, "source": row.get("source"), "difficulty": row.get("difficulty")}


def select_traces(samples: list[dict], k: int, rng: random.Random, keep_truncated: bool = False) -> tuple[list, dict]:
    """Up to ``k`` distinct passing samples of one problem, chosen at random; and counts of what was dropped."""
    passing = [s for s in samples if is_pass(s)]
    usable = [s for s in passing if keep_truncated or s.get("finish_reason") != "length"]
    unique: dict[str, dict] = {}
    for s in usable:
        unique.setdefault(program_key(s), s)
    chosen = list(unique.values())
    rng.shuffle(chosen)
    counts = {"truncated": len(passing) - len(usable), "duplicates": len(usable) - len(unique),
              "over_k": max(0, len(unique) - k)}  # fmt: skip
    return chosen[:k], counts


def build_traces(rows: list[dict], k: int = 4, seed: int = 0, keep_truncated: bool = False,
                 fmt: str = "messages") -> tuple[list[dict], dict]:  # fmt: skip
    """SFT rows from judged samples, and a report of problems without any trace and samples left out."""
    rng = random.Random(seed)
    out, report = [], {"problems": 0, "with_traces": 0, "no_pass": [], "sandbox_errors": 0,
                       "truncated": 0, "duplicates": 0, "over_k": 0}  # fmt: skip
    for pid, samples in by_problem(rows).items():
        report["problems"] += 1
        report["sandbox_errors"] += sum(1 for s in samples if status(s) == "sandbox_error")
        chosen, counts = select_traces(samples, k, rng, keep_truncated)
        for key, value in counts.items():
            report[key] += value
        if chosen:
            report["with_traces"] += 1
            out += [trace_row(s, fmt) for s in chosen]
        else:
            report["no_pass"].append(pid)
    report["rows"] = len(out)
    return out, report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data traces", description=__doc__.splitlines()[0])
    parser.add_argument("samples", help="judged samples JSONL from `coderl generate`")
    parser.add_argument("--out", required=True, help="SFT JSONL to write")
    parser.add_argument("--max-per-problem", type=int, default=4, help="at most k traces per problem (default 4)")
    parser.add_argument(
        "--format", choices=("messages", "text"), default="messages", help="row shape (default messages)"
    )
    parser.add_argument("--keep-truncated", action="store_true", help="keep passing samples cut at the length limit")
    parser.add_argument("--seed", type=int, default=0, help="which k of the distinct traces are kept (default 0)")
    args = parser.parse_args(argv)
    try:
        rows = load_samples(args.samples)
    except (ValueError, OSError) as e:  # BadRowsError lists every bad row with its line and field
        print(f"coderl data traces: {e}", file=sys.stderr)
        return 2
    traces, report = build_traces(rows, args.max_per_problem, args.seed, args.keep_truncated, args.format)
    write_jsonl(args.out, traces)
    Path(args.out + ".report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{report['rows']} traces from {report['with_traces']}/{report['problems']} problems -> {args.out}; "
          f"{len(report['no_pass'])} problem(s) without a usable pass, {report['duplicates']} duplicate(s), "
          f"{report['truncated']} truncated, {report['over_k']} over the limit, {report['sandbox_errors']} "
          f"sandbox_error sample(s) ignored (details: {args.out}.report.json)", file=sys.stderr)  # fmt: skip
    if not traces:
        print("coderl data traces: no passing sample to train on (exit 1)", file=sys.stderr)
        return 1
    return 0
