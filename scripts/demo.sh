#!/usr/bin/env bash
# The README's first command: the shortest end-to-end path on the bundled default data.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
if .venv/bin/coderl --help | grep -q '^  demo '; then
  exec .venv/bin/coderl demo "$@"
fi
out=runs/demo
.venv/bin/coderl data synth --out "$out/suite"
.venv/bin/coderl data validate "$out/suite/train.jsonl" "$out/suite/heldout.jsonl"
.venv/bin/coderl tiny-model "$out/tiny-model"
