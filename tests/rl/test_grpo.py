"""GRPO trains the warmed-up nano model on CPU with the real sandbox rewards; dynamic sampling, the schedule,
a user's reward by dotted path from the CLI, and kill-and-resume."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from stage_helpers import ROOT, changed, losses, run_stage, weights

from data.schema import Problem
from rewards import sandbox
from sandbox.verdict import STATUSES


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_grpo_trains_with_sandbox_rewards(sft_model, suite, tmp_path):
    out = run_stage("grpo", "grpo.yaml", model_name_or_path=sft_model, dataset_path=suite / "train.jsonl",
                    output_dir=tmp_path, max_steps=3, save_steps=1000)  # fmt: skip
    assert changed(weights(sft_model), weights(out))
    assert all(math.isfinite(v) for v in losses(out))
    metrics = [r for r in rows(tmp_path / "metrics.jsonl") if "loss" in r]
    for key in ("rewards/pass_rate/mean", "rewards/pass_rate/std", "rewards/format/mean", "sandbox/pass_rate",
                "sandbox/sandbox_errors", "frac_reward_zero_std", "completions/mean_length",
                "dynamic_sampling/rounds"):  # fmt: skip
        assert key in metrics[0], key
    assert any(k.startswith("sandbox/status/") for k in metrics[0])
    logged = rows(tmp_path / "completions.jsonl")
    assert {"step", "id", "completion", "rewards", "verdict"} <= set(logged[0])
    statuses = Counter(r["verdict"]["status"] for r in logged)
    assert set(statuses) <= set(STATUSES) | {sandbox.NO_CODE}
    assert statuses.total() - statuses[sandbox.NO_CODE] > 0, "no completion reached the sandbox"
    assert sandbox.default().batches >= 3


def test_dynamic_sampling_refills_and_tops_up(sft_model, suite, tmp_path):
    # `format` is constant on most groups of a barely trained model: rounds > 1 and the batch keeps its size
    run_stage("grpo", "grpo.yaml", model_name_or_path=sft_model, dataset_path=suite / "train.jsonl",
              output_dir=tmp_path, max_steps=2, reward_funcs=["all_pass"], reward_weights=["1"],
              dynamic_sampling_max_rounds=3, save_steps=1000)  # fmt: skip
    metrics = [r for r in rows(tmp_path / "metrics.jsonl") if "dynamic_sampling/rounds" in r]
    assert metrics and all(1 <= m["dynamic_sampling/rounds"] <= 3 for m in metrics)
    informative = [m["dynamic_sampling/informative_frac_first_round"] for m in metrics]
    rounds = [m["dynamic_sampling/rounds"] for m in metrics]
    assert all(r > 1 for r, f in zip(rounds, informative, strict=True) if f < 1), (rounds, informative)


def test_schedule_phases_change_group_size_and_continue_steps(sft_model, suite, tmp_path):
    run_stage("grpo", "grpo.yaml", model_name_or_path=sft_model, dataset_path=suite / "train.jsonl",
              output_dir=tmp_path, max_steps=4, schedule="2:24:2,4:40:4", dynamic_sampling="false", reward_chunks=2,
              save_steps=1000)  # fmt: skip
    logged = rows(tmp_path / "completions.jsonl")
    per_step = {}
    for r in logged:
        per_step.setdefault(r["step"], Counter())[r["id"]] += 1
    assert sorted(per_step) == [0, 1, 2, 3]
    assert all(set(per_step[s].values()) == {2} for s in (0, 1))  # 8 completions = 4 prompts x 2
    assert all(set(per_step[s].values()) == {4} for s in (2, 3))  # 8 completions = 2 prompts x 4
    state = json.loads((tmp_path / "checkpoint-4" / "trainer_state.json").read_text())
    assert state["global_step"] == 4 and (tmp_path / "checkpoint-2").is_dir()


def cli(*args: str, env_extra: dict | None = None, **popen) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(env_extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-m", "rl.cli", *args], cwd=ROOT, env=env, **popen)


MY_REWARD = """
def shorter_is_better(prompts, completions, completion_ids, **columns):
    return [-len(ids) / 48 for ids in completion_ids]
"""


def test_users_reward_by_dotted_path_from_cli(sft_model, suite, tmp_path):
    (tmp_path / "my_rewards.py").write_text(MY_REWARD)
    out = tmp_path / "out"
    proc = cli("grpo", "--config", "recipes/tiny-cpu/grpo.yaml", "--model_name_or_path", str(sft_model),
               "--dataset_path", str(suite / "train.jsonl"), "--output_dir", str(out), "--max_steps", "2",
               "--reward_funcs", "pass_rate", "my_rewards.shorter_is_better", "--reward_weights", "1", "1",
               env_extra={"PYTHONPATH": str(tmp_path)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    log, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, log.decode()[-3000:]
    metrics = [r for r in rows(out / "metrics.jsonl") if "loss" in r]
    assert "rewards/shorter_is_better/mean" in metrics[0] and metrics[0]["rewards/shorter_is_better/mean"] < 0


def test_unknown_reward_lists_the_available_ones(tmp_path):
    import pytest

    from rl.cli import main

    with pytest.raises(ValueError, match="available: pass_rate, all_pass, format, overlong, subtask"):
        main(
            [
                "grpo",
                "--config",
                "recipes/tiny-cpu/grpo.yaml",
                "--output_dir",
                str(tmp_path),
                "--reward_funcs",
                "pass_rat",
            ]
        )


def test_kill_and_resume_continues_the_step_count(sft_model, suite, tmp_path):
    args = ["grpo", "--config", "recipes/tiny-cpu/grpo.yaml", "--model_name_or_path", str(sft_model),
            "--dataset_path", str(suite / "train.jsonl"), "--output_dir", str(tmp_path), "--max_steps", "10",
            "--save_steps", "2", "--save_total_limit", "10", "--resume_from_checkpoint", "latest"]  # fmt: skip
    proc = cli(*args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 240
    while not (tmp_path / "checkpoint-2" / "trainer_state.json").is_file():
        assert proc.poll() is None and time.time() < deadline, "the first run ended before its first checkpoint"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "checkpoint-10").exists(), "killed too late: the run had finished"
    before = len(rows(tmp_path / "metrics.jsonl"))
    from rl.stages import last_checkpoint

    resumed_from = json.loads((Path(last_checkpoint(tmp_path)) / "trainer_state.json").read_text())["global_step"]
    proc = cli(*args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = proc.communicate(timeout=300)[0].decode()
    assert proc.returncode == 0, log[-3000:]
    new = [r for r in rows(tmp_path / "metrics.jsonl")[before:] if "loss" in r]
    assert new[0]["step"] == resumed_from + 1 and new[-1]["step"] == 10
    assert json.loads((tmp_path / "checkpoint-10" / "trainer_state.json").read_text())["global_step"] == 10


def test_grpo_dataset_keeps_problem_columns(suite):
    from data.hf import record_to_problem
    from rl.inputs import grpo_dataset, grpo_problems

    problems = grpo_problems(suite / "train.jsonl")[:3]
    ds = grpo_dataset(problems)
    assert ds[0]["prompt"][0]["role"] == "system" and ds[0]["prompt"][1]["content"] == problems[0].prompt
    row = dict(ds[0])
    row["prompt"] = row["problem"]
    assert record_to_problem(row) == problems[0]
    assert isinstance(problems[0], Problem)


def test_grpo_file_missing_tests_names_the_field(tmp_path):
    import pytest

    from rl.inputs import DatasetFormatError, grpo_problems

    bad = tmp_path / "p.jsonl"
    bad.write_text(json.dumps({"id": "a", "prompt": "x", "fn_name": "f"}) + "\n")
    with pytest.raises(DatasetFormatError, match=r"p.jsonl:1: missing field 'tests'; expected rows like"):
        grpo_problems(bad)


def test_grpo_with_lora_trains_the_adapter(sft_model, suite, tmp_path):
    from safetensors.torch import load_file

    out = run_stage("grpo", "grpo.yaml", model_name_or_path=sft_model, dataset_path=suite / "train.jsonl",
                    output_dir=tmp_path, max_steps=2, save_steps=1000, use_peft="true", lora_r=4, lora_alpha=8,
                    lora_target_modules=["q_proj", "v_proj"], learning_rate=1e-2)  # fmt: skip
    adapter = load_file(str(Path(out) / "adapter_model.safetensors"))
    lora_b = [v for k, v in adapter.items() if "lora_B" in k]
    assert lora_b and any(v.abs().sum() > 0 for v in lora_b)  # B starts at zero: nonzero means it trained
