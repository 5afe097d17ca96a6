"""``coderl data decontaminate IN --against EVAL.jsonl [...] --out clean.jsonl``: drop training problems that share a
word n-gram with an evaluation problem.

    coderl data decontaminate train.jsonl --against humaneval.jsonl mbpp.jsonl --out clean.jsonl --ngram 10

A training row is contaminated when at least ``--min-overlap`` of its word 10-grams (Seed-Coder's choice; lower
case, punctuation ignored) also occur in one evaluation row. Texts shorter than n words count as one n-gram, so
short identical prompts are still caught. The evaluation sets (coderl problem files: import them first) are indexed
in memory; the training file streams. The hit report lists, for each contaminated row, which evaluation rows it hit,
how many n-grams they share and one of them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from typing import Any

from data.dedup import TEXT_FIELDS, parse_fields, row_text, words
from data.jsonl import write_jsonl
from data.report import DropLog, default_rejects_path, iter_problem_rows, print_summary, progress


def ngrams(text: str, n: int) -> set[str]:
    """Word n-grams of ``text`` as strings; a text shorter than ``n`` words is one n-gram."""
    toks = words(text)
    if len(toks) <= n:
        return {" ".join(toks)} if toks else set()
    return {" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)}


class EvalIndex:
    """Every n-gram of the evaluation rows, mapped to the rows (file, id) it occurs in."""

    def __init__(self, n: int, fields: tuple[str, ...]):
        self.n = n
        self.fields = fields
        self.grams: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        self.rows = 0

    def add_file(self, path: str, drops: DropLog) -> None:
        for _, row in iter_problem_rows(path, drops):
            self.rows += 1
            for gram in ngrams(row_text(row, self.fields), self.n):
                self.grams[gram].append((path, row["id"]))

    def hits(self, text: str, min_overlap: int = 1) -> list[dict[str, Any]]:
        """The evaluation rows sharing at least ``min_overlap`` n-grams with ``text``, most overlap first."""
        shared: Counter[tuple[str, Any]] = Counter()
        example: dict[tuple[str, Any], str] = {}
        for gram in ngrams(text, self.n) & self.grams.keys():  # set intersection in C: most grams miss
            for where in self.grams[gram]:
                shared[where] += 1
                example.setdefault(where, gram)
        return [
            {"eval_file": f, "eval_id": i, "shared_ngrams": k, "example": example[(f, i)]}
            for (f, i), k in shared.most_common()
            if k >= min_overlap
        ]


def decontaminate_file(src: str, out: str, index: EvalIndex, drops: DropLog, report: str, min_overlap: int) -> dict:
    """Stream ``src`` to ``out`` without the rows that hit ``index``; hits go to ``report``; returns counts."""
    counts = {"read": 0, "kept": 0, "contaminated": 0}
    hit_rows: list[dict[str, Any]] = []  # one small record per contaminated row, written at the end

    def clean_rows():
        for lineno, row in progress(iter_problem_rows(src, drops), desc="decontaminate"):
            counts["read"] += 1
            hits = index.hits(row_text(row, index.fields), min_overlap)
            if not hits:
                counts["kept"] += 1
                yield row
                continue
            counts["contaminated"] += 1
            top = hits[0]
            reason = f"shares {top['shared_ngrams']} {index.n}-gram(s) with {top['eval_id']!r} of {top['eval_file']}"
            drops.drop(src, lineno, "contaminated", reason, id=row["id"], hits=len(hits))
            hit_rows.append({"id": row["id"], "row": lineno, "hits": hits})

    write_jsonl(out, clean_rows())
    write_jsonl(report, hit_rows)
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data decontaminate", description=__doc__.splitlines()[0])
    parser.add_argument("src", help="training problems JSONL")
    parser.add_argument("--against", nargs="+", required=True, help="evaluation problem JSONL file(s)")
    parser.add_argument("--out", required=True, help="clean problems JSONL")
    parser.add_argument("--ngram", type=int, default=10, help="words per n-gram (default 10, as Seed-Coder)")
    parser.add_argument("--fields", default="prompt,solutions", help=f"fields compared, of {', '.join(TEXT_FIELDS)}")
    parser.add_argument("--min-overlap", type=int, default=1, help="shared n-grams that make a row contaminated")
    parser.add_argument("--report", help="hit report JSONL (default: OUT with .hits.jsonl)")
    parser.add_argument("--rejects", help="dropped rows JSONL (default: OUT with .rejects.jsonl)")
    args = parser.parse_args(argv)
    fields = parse_fields(parser, "--fields", args.fields)
    report = args.report or str(default_rejects_path(args.out)).replace(".rejects.jsonl", ".hits.jsonl")
    index = EvalIndex(args.ngram, fields)
    with DropLog(args.rejects or default_rejects_path(args.out)) as drops:
        try:
            for path in args.against:
                index.add_file(path, drops)
            counts = decontaminate_file(args.src, args.out, index, drops, report, args.min_overlap)
        except OSError as e:
            print(f"coderl data decontaminate: {e}", file=sys.stderr)
            return 2
    print_summary(args.out, {"eval rows": index.rows, **counts}, drops)
    print(f"hits: {report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
