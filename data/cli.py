"""``coderl data <subcommand>``: each subcommand is a module of data/ with a ``main(argv) -> int``.

coderl data validate problems.jsonl
coderl data synth --out data/suite
"""

from __future__ import annotations

import importlib
import sys

# name -> ("module:function", one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("data.validate:main", "check every row of a problems/solutions file; report FILE:LINE: field: why"),
    "synth": ("data.synth:main", "write the bundled synthetic problem suite (train and held-out splits)"),
    "import": ("data.importer:main", "convert a public dataset (apps, taco, codecontests, ...) to coderl problems"),
    "dedup": ("data.dedup:main", "drop exact and MinHash near-duplicate problems; write kept rows and clusters"),
    "decontaminate": ("data.decontaminate:main", "drop problems sharing word n-grams with evaluation sets"),
    "filter": ("data.filter:main", "drop by test count, unparsable reference solutions, pass rate"),
    "traces": ("data.traces:main", "passing samples -> warm-up SFT rows (deduplicated, at most k per problem)"),
    "pairs": (
        "data.pairs:main",
        "passing + failing samples of a problem -> DPO pairs (random, closest_length, hardest)",
    ),
    "stats": ("data.stats:main", "table and PNG histograms of sources, tests, prompt and solution lengths"),
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        width = max(len(n) for n in SUBCOMMANDS)
        print("usage: coderl data <subcommand> [args...]\n\nsubcommands:")
        for name, (_, help_) in SUBCOMMANDS.items():
            print(f"  {name:<{width}}  {help_}")
        return 0
    if argv[0] not in SUBCOMMANDS:
        print(f"coderl data: unknown subcommand {argv[0]!r}; known: {', '.join(SUBCOMMANDS)}", file=sys.stderr)
        return 2
    module_name, func_name = SUBCOMMANDS[argv[0]][0].split(":")
    return int(getattr(importlib.import_module(module_name), func_name)(argv[1:]) or 0)
