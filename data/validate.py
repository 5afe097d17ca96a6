"""``coderl data validate FILE [FILE ...]``: check every row, report each bad one, never stop at the first.

Each bad row prints as ``FILE:LINE: field: what is wrong (what is allowed)``; exits 1 when any row is bad.
"""

from __future__ import annotations

import argparse
import sys

from data.jsonl import validate_file


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data validate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="JSONL files to check")
    parser.add_argument("--kind", choices=("problems", "solutions"), default="problems", help="row schema to check")
    args = parser.parse_args(argv)
    bad = 0
    for path in args.files:
        try:
            n, errors = validate_file(path, args.kind)
        except OSError as e:
            print(f"{path}: cannot read: {e.strerror}", file=sys.stderr)
            bad += 1
            continue
        for err in errors:
            print(err)
        bad_rows = len({e.line for e in errors})
        bad += bad_rows
        state = "ok" if not errors else f"{bad_rows} bad row(s), {len(errors)} error(s)"
        print(f"{path}: {n} row(s) checked, {state}", file=sys.stderr)
    return 1 if bad else 0
