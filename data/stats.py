"""``coderl data stats FILE``: a table of what a problems file holds and a PNG of its distributions.

    coderl data stats problems.jsonl --png problems.stats.png

Counts sources and test kinds; summarizes tests per problem, prompt length and reference-solution length (characters)
as min / median / mean / max; draws one histogram (or bar chart) of each. Rows stream; only the per-row numbers are
kept. Bad rows are counted and listed, not used.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from pathlib import Path

from data.report import DropLog, default_rejects_path, iter_problem_rows, progress
from data.schema import problem_kind


def collect(path: str, drops: DropLog) -> dict:
    """Per-row numbers of a problems file: sources and kinds (counters), tests, prompt and solution lengths."""
    out = {"sources": Counter(), "kinds": Counter(), "tests": [], "prompt_chars": [], "solution_chars": []}
    for _, row in progress(iter_problem_rows(path, drops), desc="stats"):
        kind = problem_kind(row)
        out["sources"][row.get("source") or "(none)"] += 1
        out["kinds"][kind] += 1
        out["tests"].append(_num_tests(row, kind))
        out["prompt_chars"].append(len(row["prompt"]))
        for s in row.get("solutions") or []:
            out["solution_chars"].append(len(s if isinstance(s, str) else s["code"]))
    return out


def _num_tests(row: dict, kind: str) -> int:
    if kind != "assert":
        return len(row["tests"])
    return max(1, sum(1 for line in row["test_code"].splitlines() if line.strip().startswith("assert")))


def table(stats: dict, title: str):
    """A rich table: one line per source and kind, then min / median / mean / max of each distribution."""
    from rich.table import Table

    t = Table(title=title)
    for name in ("", "count / min", "median", "mean", "max"):
        t.add_column(name, justify="left" if not name else "right")
    for group in ("sources", "kinds"):
        for key, n in stats[group].most_common():
            t.add_row(f"{group[:-1]}: {key}", str(n), "", "", "")
    for name in ("tests", "prompt_chars", "solution_chars"):
        values = stats[name]
        if values:
            cells = (min(values), statistics.median(values), statistics.fmean(values), max(values))
            t.add_row(f"{name} ({len(values)})", *(f"{v:,.1f}".removesuffix(".0") for v in cells))
        else:
            t.add_row(f"{name} (0)", "-", "-", "-", "-")
    return t


def plot(stats: dict, png: str, title: str) -> None:
    """Four panels: sources (bars), tests per problem, prompt length, solution length (histograms)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    names, counts = zip(*stats["sources"].most_common(20), strict=True) if stats["sources"] else ((), ())
    axes[0][0].barh(names, counts)
    axes[0][0].set_title("problems per source")
    panels = (("tests", "tests per problem"), ("prompt_chars", "prompt length (chars)"),
              ("solution_chars", "reference solution length (chars)"))  # fmt: skip
    for ax, (key, label) in zip((axes[0][1], axes[1][0], axes[1][1]), panels, strict=True):
        ax.hist(stats[key] or [0], bins=40, log=True)
        ax.set_title(label)
        ax.set_ylabel("problems (log scale)" if key != "solution_chars" else "solutions (log scale)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data stats", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="problems JSONL")
    parser.add_argument("--png", help="histogram image (default: FILE with .stats.png)")
    parser.add_argument("--rejects", help="bad rows JSONL (default: FILE with .stats.rejects.jsonl)")
    args = parser.parse_args(argv)
    if not Path(args.file).is_file():
        print(f"coderl data stats: {args.file}: no such file", file=sys.stderr)
        return 2
    stem = str(default_rejects_path(args.file)).removesuffix(".rejects.jsonl")
    png = args.png or stem + ".stats.png"
    with DropLog(args.rejects or stem + ".stats.rejects.jsonl") as drops:
        stats = collect(args.file, drops)
    from rich.console import Console

    Console().print(table(stats, args.file))
    plot(stats, png, Path(args.file).name)
    print(f"histograms: {png}", file=sys.stderr)
    if drops.total:
        print(f"{drops.total} bad row(s) not counted, listed in {drops.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
