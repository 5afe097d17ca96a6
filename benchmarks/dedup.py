"""Throughput of near-duplicate dedup and of decontamination on generated problems, printed as a table.

    .venv/bin/python benchmarks/dedup.py                  # 100k rows, MinHash 128 perms, 5-gram shingles
    .venv/bin/python benchmarks/dedup.py --rows 20000     # quicker

The rows are written to a temporary JSONL file and run through the same code as ``coderl data dedup`` and
``coderl data decontaminate`` (read, parse, validate, hash, write), so the figures include file I/O. Prompts are
60-140 words drawn from a Zipf-like 20k-word vocabulary; 5% of rows are exact copies (up to case and spacing) and
10% near copies (1% of words changed) of earlier rows; 0.5% of rows embed a sentence of one of 1,000 evaluation
prompts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.decontaminate import EvalIndex, decontaminate_file  # noqa: E402
from data.dedup import Deduper, dedup_file  # noqa: E402
from data.report import DropLog  # noqa: E402


def make_rows(n: int, n_eval: int, seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(20_000)]
    cum, total = [], 0.0
    for i in range(len(vocab)):
        total += 1 / (i + 1)
        cum.append(total)

    def sentence(k: int) -> list[str]:
        return rng.choices(vocab, cum_weights=cum, k=k)

    evals = [{"id": f"eval/{i}", "prompt": " ".join(sentence(40)), "tests": _tests()} for i in range(n_eval)]
    rows: list[dict] = []
    for i in range(n):
        roll = rng.random()
        if rows and roll < 0.05:
            text = rng.choice(rows)["prompt"].upper()
        elif rows and roll < 0.15:
            words = rng.choice(rows)["prompt"].split()
            text = " ".join(w if rng.random() > 0.01 else rng.choice(vocab) for w in words)
        else:
            words = sentence(rng.randint(60, 140))
            if roll > 0.995:
                words += rng.choice(evals)["prompt"].split()[:15]
            text = " ".join(words)
        rows.append({"id": f"gen/{i}", "prompt": text, "tests": _tests()})
    return rows, evals


def _tests() -> list[dict]:
    return [{"input": "1\n", "output": "1\n"}]


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def timed(fn) -> tuple[float, float, dict]:
    """Wall and CPU seconds of ``fn()`` and its result (CPU time is the steadier figure on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    counts = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--eval-rows", type=int, default=1_000)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows, evals = make_rows(args.rows, args.eval_rows, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write(tmp / "train.jsonl", rows)
        write(tmp / "eval.jsonl", evals)
        del rows
        src = str(tmp / "train.jsonl")
        with DropLog(tmp / "rejects.jsonl") as drops:
            deduper = Deduper(threshold=args.threshold, ngram=5, num_perm=args.num_perm)
            dedup = timed(lambda: dedup_file(src, str(tmp / "kept.jsonl"), ("prompt",), deduper, drops,
                                                  str(tmp / "clusters.jsonl")))  # fmt: skip
            exact = timed(lambda: dedup_file(src, str(tmp / "kept2.jsonl"), ("prompt",), Deduper(near=False),
                                                  drops, str(tmp / "clusters2.jsonl")))  # fmt: skip
            index = EvalIndex(10, ("prompt",))
            index_s, _, _ = timed(lambda: index.add_file(str(tmp / "eval.jsonl"), drops))
            decon = timed(lambda: decontaminate_file(src, str(tmp / "clean.jsonl"), index, drops,
                                                          str(tmp / "hits.jsonl"), 1))  # fmt: skip
    d, e, c = dedup[2], exact[2], decon[2]
    near = f"near-dup dedup (MinHash {args.num_perm}, 5-gram, t={args.threshold})"
    rows = [
        (near, dedup, f"{d['exact']} exact + {d['near']} near"),
        ("exact dedup only (SHA-256)", exact, f"{e['exact']} exact"),
        (f"decontamination (10-gram vs {args.eval_rows} eval rows)", decon, f"{c['contaminated']} contaminated"),
    ]  # fmt: skip
    header = ("stage", "rows", "wall s", "cpu s", "rows/s (wall)", "rows/s (cpu)", "dropped")
    table = [header] + [_cells(name, args.rows, wall, cpu, dropped) for name, (wall, cpu, _), dropped in rows]
    _print(table)
    print(f"(eval index built in {index_s:.2f} s; generated 5% exact, 10% near, 0.5% contaminated rows)")
    return 0


def _cells(name: str, n: int, wall: float, cpu: float, dropped: str) -> tuple[str, ...]:
    return (name, f"{n:,}", f"{wall:.1f}", f"{cpu:.1f}", f"{n / wall:,.0f}", f"{n / cpu:,.0f}", dropped)


def _print(table: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for j, row in enumerate(table):
        cells = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("| " + " | ".join(cells) + " |")
        if j == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    sys.exit(main())
