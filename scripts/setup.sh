#!/usr/bin/env bash
# Idempotent set-up: system packages, .venv/ at the repo root, the project installed editable.
# Re-running is quick: pip runs again only when pyproject.toml changed (a stamp file records its hash).
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: bubblewrap and libseccomp isolate the sandbox; g++ compiles C++ submissions;
# /usr/bin/python3 runs Python submissions inside the sandbox (no venv there).
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so' || need+=(libseccomp2)
command -v g++ >/dev/null 2>&1 || need+=(g++)
[ -x /usr/bin/python3 ] || need+=(python3)  # the sandbox runs programs with the system interpreter
command -v pgrep >/dev/null 2>&1 || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]} with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${need[*]}" >&2
    echo "setup: run: sudo apt-get install -y ${need[*]}" >&2
    echo "setup: (without bubblewrap the sandbox runs at a weaker isolation level and says so)" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)" >&2
  "$PY" -m venv .venv
fi

stamp=".venv/.coderl-setup-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null 2>&1 || true
  # Without CUDA, install the CPU build of torch first so nothing pulls a multi-GB CUDA build.
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    .venv/bin/pip install -q "torch==2.13.0" 2>&1 \
      | grep -v -e '^WARNING: Location' -e 'is ignored' || true
  fi
  .venv/bin/pip install -q -e ".[dev]" 2>&1 | grep -v -e '^WARNING: Location' -e 'is ignored' || true
  .venv/bin/python -c "import rl.cli, data.schema, torch, trl" \
    || { echo "setup: the install failed; see the pip output above" >&2; exit 1; }
  rm -f .venv/.coderl-setup-*
  touch "$stamp"
fi
echo "setup: ready (.venv/bin/coderl)" >&2
