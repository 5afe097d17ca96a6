"""``coderl data dedup IN --out kept.jsonl``: drop exact and near-duplicate problems, keep the first of each cluster.

    coderl data dedup problems.jsonl --out kept.jsonl --on prompt --threshold 0.8 --ngram 5 --num-perm 128

Exact duplicates share the SHA-256 of their normalized text (lower case, whitespace collapsed). Near duplicates are
found with MinHash + LSH (``datasketch``) over word n-gram shingles; an LSH candidate counts only when its estimated
Jaccard similarity reaches the threshold, which removes most banding false positives. The defaults (5-word shingles,
128 permutations, threshold 0.8) follow the near-dedup literature (Lee et al. 2022; The Stack; BigCode).

Rows stream: memory holds one 16-byte hash per kept row and one 4*num_perm-byte signature per kept row (512 bytes
at 128 permutations, ~0.5 GB for a million kept rows) plus the LSH buckets. Every dropped row is written to the
rejects file, and each cluster (kept row + its duplicates) to the cluster report.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from data.jsonl import write_jsonl
from data.report import DropLog, default_rejects_path, iter_problem_rows, print_summary, progress

WORD = re.compile(r"\w+")
TEXT_FIELDS = ("prompt", "solutions", "starter_code", "test_code")


def row_text(row: dict[str, Any], fields: tuple[str, ...]) -> str:
    """The text of ``fields`` of a problem row joined by newlines; solution lists contribute every program."""
    parts = []
    for name in fields:
        value = row.get(name)
        items = value if isinstance(value, list) else [value]
        parts += [item["code"] if isinstance(item, dict) else item for item in items]
    return "\n".join(p for p in parts if isinstance(p, str) and p)


def normalize(text: str) -> str:
    """Lower case with runs of whitespace collapsed, so formatting alone never makes two problems distinct."""
    return " ".join(text.lower().split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, underscore): punctuation and layout are ignored."""
    return WORD.findall(text.lower())


def shingles(text: str, n: int) -> set[bytes]:
    """Word n-grams of ``text``; a text shorter than ``n`` words is one shingle."""
    toks = words(text)
    if len(toks) <= n:
        return {" ".join(toks).encode()} if toks else set()
    return {" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)}


@dataclass
class Match:
    """The kept row a new row duplicates: its key, ``exact`` or ``near``, and the estimated Jaccard similarity."""

    key: int
    kind: str
    jaccard: float = 1.0


@dataclass
class Deduper:
    """Remembers kept texts; ``check`` says which kept row a new text duplicates, or keeps it and returns None."""

    threshold: float = 0.8
    ngram: int = 5
    num_perm: int = 128
    near: bool = True
    _exact: dict[bytes, int] = field(default_factory=dict)
    _signatures: dict[int, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.near:
            from datasketch import MinHash, MinHashLSH

            self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
            self._template = MinHash(num_perm=self.num_perm, hashfunc=_hash32())

    def check(self, key: int, text: str) -> Match | None:
        digest = hashlib.sha256(normalize(text).encode()).digest()[:16]
        if digest in self._exact:
            return Match(self._exact[digest], "exact")
        if self.near:
            signature = self._minhash(text)
            match = self._near(signature)
            if match is not None:
                return match
            self._lsh.insert(key, signature, check_duplication=False)
            self._signatures[key] = signature.hashvalues
        self._exact[digest] = key
        return None

    def _minhash(self, text: str):
        from datasketch import MinHash

        t = self._template
        m = MinHash(num_perm=self.num_perm, hashfunc=t.hashfunc, permutations=t.permutations, scheme=t.scheme)
        m.update_batch(list(shingles(text, self.ngram)))
        return m

    def _near(self, signature) -> Match | None:
        best = None
        for key in self._lsh.query(signature):
            jaccard = float((self._signatures[key] == signature.hashvalues).mean())
            if jaccard >= self.threshold and (best is None or jaccard > best.jaccard):
                best = Match(key, "near", round(jaccard, 4))
        return best


def _hash32():
    # xxhash (a dependency of datasets) is ~1.5x faster than datasketch's default SHA-1 per shingle.
    try:
        import xxhash

        return xxhash.xxh32_intdigest
    except ImportError:
        return lambda b: int.from_bytes(hashlib.sha1(b).digest()[:4], "little")


def dedup_file(src: str, out: str, fields: tuple[str, ...], deduper: Deduper, drops: DropLog, report: str) -> dict:
    """Stream ``src`` to ``out`` keeping the first row of each cluster; returns the summary counts."""
    ids: dict[int, Any] = {}
    clusters: dict[int, list[dict[str, Any]]] = {}
    counts = {"read": 0, "kept": 0, "exact": 0, "near": 0, "kept without text": 0}

    def kept_rows():
        for lineno, row in progress(iter_problem_rows(src, drops), desc="dedup"):
            counts["read"] += 1
            text = row_text(row, fields)
            if not text.strip():  # nothing to compare (e.g. --on solutions and none given): keep, and say so
                counts["kept without text"] += 1
                yield row
                continue
            match = deduper.check(lineno, text)
            if match is None:
                ids[lineno] = row["id"]
                counts["kept"] += 1
                yield row
                continue
            counts[match.kind] += 1
            first = {"id": ids[match.key], "row": match.key}
            how = "same normalized text" if match.kind == "exact" else f"estimated Jaccard {match.jaccard}"
            reason = f"{match.kind} duplicate of {first['id']!r} (row {match.key}): {how}"
            drops.drop(src, lineno, f"{match.kind} duplicate", reason, id=row["id"], duplicate_of=first)
            dup = {"id": row["id"], "row": lineno, "match": match.kind, "jaccard": match.jaccard}
            clusters.setdefault(match.key, []).append(dup)

    write_jsonl(out, kept_rows())
    cluster_rows = ({"kept": {"id": ids[k], "row": k}, "duplicates": v} for k, v in clusters.items())
    counts["clusters"] = write_jsonl(report, cluster_rows)
    return counts


def parse_fields(parser, flag: str, text: str) -> tuple[str, ...]:
    """The comma-separated text fields of ``flag``; a parser error naming the unknown ones and the allowed ones."""
    fields = tuple(f.strip() for f in text.split(","))
    if set(fields) - set(TEXT_FIELDS):
        parser.error(f"{flag}: unknown field(s) {sorted(set(fields) - set(TEXT_FIELDS))}; allowed: {TEXT_FIELDS}")
    return fields


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data dedup", description=__doc__.splitlines()[0])
    parser.add_argument("src", help="problems JSONL")
    parser.add_argument("--out", required=True, help="kept problems JSONL")
    parser.add_argument("--on", default="prompt", help=f"comma-separated fields compared, of {', '.join(TEXT_FIELDS)}")
    parser.add_argument("--exact-only", action="store_true", help="skip MinHash near-duplicate detection")
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard similarity of a near duplicate")
    parser.add_argument("--ngram", type=int, default=5, help="words per shingle")
    parser.add_argument("--num-perm", type=int, default=128, help="MinHash permutations")
    parser.add_argument("--report", help="cluster report JSONL (default: OUT with .clusters.jsonl)")
    parser.add_argument("--rejects", help="dropped rows JSONL (default: OUT with .rejects.jsonl)")
    args = parser.parse_args(argv)
    fields = parse_fields(parser, "--on", args.on)
    report = args.report or str(default_rejects_path(args.out)).replace(".rejects.jsonl", ".clusters.jsonl")
    deduper = Deduper(args.threshold, args.ngram, args.num_perm, near=not args.exact_only)
    with DropLog(args.rejects or default_rejects_path(args.out)) as drops:
        try:
            counts = dedup_file(args.src, args.out, fields, deduper, drops, report)
        except OSError as e:
            print(f"coderl data dedup: {e}", file=sys.stderr)
            return 2
    print_summary(args.out, counts, drops)
    print(f"clusters: {report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
