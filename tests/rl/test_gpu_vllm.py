"""vLLM on a GPU node: in-process sampling and evaluation, and TRL's colocate GRPO (scripts/gpu_smoke.sh).

Skipped without CUDA or without vllm; run on a GPU node with `pytest -m gpu`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not _cuda(), reason="needs CUDA"),
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="needs vllm (pip install -e .[vllm])"),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    from rl.tiny_model import build

    return build(tmp_path_factory.mktemp("small"), size="small")


def test_vllm_backend_samples_with_exact_token_counts(small_model, tmp_path):
    from data.synth import generate as synth
    from rl.backends import SamplingParams, make_backend
    from rl.generate import generate

    backend = make_backend(model=str(small_model), kind="vllm", engine_kwargs={"gpu_memory_utilization": 0.3})
    generate(synth("train", 4), backend, SamplingParams(n=4, max_tokens=32), tmp_path / "s.jsonl", progress=False)
    rows = (tmp_path / "s.jsonl").read_text().splitlines()
    assert len(rows) == 16


@pytest.mark.slow
def test_gpu_smoke_script(tmp_path):
    env = {**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable}
    script = str(ROOT / "scripts" / "gpu_smoke.sh")
    result = subprocess.run(["bash", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0 and "gpu_smoke: OK" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
