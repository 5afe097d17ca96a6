#!/usr/bin/env bash
# Smoke test for one GPU node: a short GRPO with vLLM generation (TRL colocate mode), then vLLM-backed evaluation and
# rollouts through `coderl serve-policy`. Everything is built offline: a tiny random model and the bundled suite.
#
#   pip install -e .[vllm,dev]          # once, on the GPU node
#   scripts/gpu_smoke.sh                # ~3-5 min; OUT=runs/gpu-smoke by default
#
# Without CUDA it prints SKIPPED and exits 0, so CI can run it everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
OUT=${OUT:-runs/gpu-smoke}
PORT=${PORT:-8765}

if ! "$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  echo "gpu_smoke: SKIPPED (torch sees no CUDA device)"
  exit 0
fi
if ! "$PY" -c "import vllm" 2>/dev/null; then
  echo "gpu_smoke: vllm is not importable; install it with: pip install -e .[vllm]" >&2
  exit 1
fi

echo "== 1/4 tiny model and problems (offline)"
"$PY" -m rl.cli tiny-model "$OUT/model" --size small
"$PY" -m rl.cli data synth --out "$OUT/suite" --n-train 64 --n-heldout 16

echo "== 2/4 GRPO, 3 steps, vLLM colocated on this GPU"
# The CPU recipe with its CPU-only settings overridden; TRL sets up the one-process vLLM world itself.
"$PY" -m rl.cli grpo --config recipes/tiny-cpu/grpo.yaml \
  --model_name_or_path "$OUT/model" --dataset_path "$OUT/suite/train.jsonl" --output_dir "$OUT/grpo" \
  --use_cpu false --bf16 false --max_steps 3 --save_steps 3 --report_to none \
  --use_vllm true --vllm_mode colocate --vllm_gpu_memory_utilization 0.2
test -s "$OUT/grpo/metrics.jsonl" || { echo "gpu_smoke: GRPO wrote no metrics" >&2; exit 1; }

echo "== 3/4 evaluation with the in-process vLLM engine"
"$PY" -m rl.cli eval --model "$OUT/model" --backend vllm --problems "$OUT/suite/heldout.jsonl" \
  --n 4 --k 1,4 --max-tokens 64 --out "$OUT/eval" --overwrite
test -s "$OUT/eval/eval.json"

echo "== 4/4 rollouts through coderl serve-policy (vLLM's OpenAI server)"
line=$("$PY" -m rl.cli serve-policy "$OUT/model" --port "$PORT" --detach --log "$OUT/vllm-server.log")
echo "$line"
pid=$(echo "$line" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
trap 'kill -- -"$pid" 2>/dev/null || true' EXIT
"$PY" -m rl.cli generate --server "http://127.0.0.1:$PORT" --problems "$OUT/suite/heldout.jsonl" --n 4 \
  --max-tokens 64 --out "$OUT/samples.jsonl" --overwrite
"$PY" -m rl.cli data pairs "$OUT/samples.jsonl" --out "$OUT/pairs.jsonl"
echo "gpu_smoke: OK ($OUT)"
