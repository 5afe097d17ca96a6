"""How much of a GRPO step waits for the sandbox rewards, on the tiny model, CPU.

    OMP_NUM_THREADS=1 python benchmarks/reward_overhead.py                 # builds + warms up a nano model first
    OMP_NUM_THREADS=1 python benchmarks/reward_overhead.py --model runs/tiny-cpu/sft --steps 8

One process, one model, the same prompts, four configurations: only the sandbox-free ``format`` reward; the sandbox
rewards (``pass_rate``, ``all_pass``, ``format``) judged when the rewards are asked for; the same with each
completion handed to the sandbox the step it ends, during generation (``overlap_rewards``); and generation in 4
chunks, each judged while the next one generates (``reward_chunks: 4``). "reward wait" is the time the trainer
spends inside ``_calculate_rewards``; its share is over the whole step (generation + rewards + loss + optimizer).
The first step of each configuration is a warm-up and is not counted. Timings on a shared machine are noisy:
compare rows of one run, not across runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def warm_model(workdir: Path, suite: Path) -> Path:
    """A nano model briefly SFT-ed on the suite so that its completions contain code for the sandbox to run."""
    from rl import configs, sft
    from rl.stages import parse
    from rl.tiny_model import build

    nano = build(workdir / "nano", size="nano")
    argv = ["--config", str(ROOT / "recipes/tiny-cpu/sft.yaml"), "--model_name_or_path", str(nano),
            "--dataset_path", str(suite), "--output_dir", str(workdir / "sft"), "--save_steps", "1000",
            "--disable_tqdm", "true", "--logging_steps", "1000", "--max_steps", "300"]  # fmt: skip
    return Path(sft.train(*parse(argv, configs.SFTScriptArguments, configs.CoderlSFTConfig, "sft")))


def timed_trainer(cls):
    """``cls`` with the time spent in ``_calculate_rewards`` and ``_generate`` recorded per step."""

    class Timed(cls):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.timings = {"rewards": [], "generate": []}

        def _calculate_rewards(self, *a, **k):
            t = time.perf_counter()
            try:
                return super()._calculate_rewards(*a, **k)
            finally:
                self.timings["rewards"].append(time.perf_counter() - t)

        def _generate_and_score_completions(self, inputs):
            self._gen_time = 0.0
            out = super()._generate_and_score_completions(inputs)
            self.timings["generate"].append(self._gen_time)
            return out

        def _generate(self, prompts):
            t = time.perf_counter()
            try:
                return super()._generate(prompts)
            finally:
                self._gen_time += time.perf_counter() - t

    return Timed


def run(model: Path, suite: Path, out: Path, rewards: list[str], overlap: bool, chunks: int, steps: int,
        batch: int, length: int) -> dict:  # fmt: skip
    from rewards import sandbox
    from rl import configs
    from rl.grpo import reward_functions
    from rl.grpo_trainer import CoderlGRPOTrainer
    from rl.inputs import grpo_dataset, grpo_problems
    from rl.stages import parse

    argv = ["--config", str(ROOT / "recipes/tiny-cpu/grpo.yaml"), "--model_name_or_path", str(model),
            "--dataset_path", str(suite), "--output_dir", str(out), "--max_steps", str(steps + 1),
            "--reward_funcs", *rewards, "--reward_weights", *["1"] * len(rewards), "--dynamic_sampling", "false",
            "--overlap_rewards", str(overlap).lower(), "--reward_chunks", str(chunks),
            "--per_device_train_batch_size", str(batch),
            "--max_completion_length", str(length), "--save_strategy", "no", "--disable_tqdm", "true",
            "--completions_log", "", "--logging_steps", "1000"]  # fmt: skip
    script_args, training_args, _ = parse(argv, configs.GRPOScriptArguments, configs.CoderlGRPOConfig, "bench")
    verdicts = sandbox.configure(workers=script_args.sandbox_workers)
    dataset = grpo_dataset(grpo_problems(suite), script_args.system_prompt)
    trainer = timed_trainer(CoderlGRPOTrainer)(
        model=str(model), reward_funcs=reward_functions(script_args, training_args), args=training_args,
        train_dataset=dataset,
    )  # fmt: skip
    step_times = []

    from transformers import TrainerCallback

    class StepClock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            self.t = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            step_times.append(time.perf_counter() - self.t)

    trainer.add_callback(StepClock())
    trainer.train()
    step = sum(step_times[1:]) / steps
    wait = sum(trainer.timings["rewards"][1:]) / steps
    gen = sum(trainer.timings["generate"][1:]) / steps
    return {"step": step, "generate": gen, "wait": wait, "judged": verdicts.judged / (steps + 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder (default: build and warm up a nano model)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per configuration (default 10)")
    parser.add_argument("--batch", type=int, default=16, help="completions per step (default 16 = 4 prompts x 4)")
    parser.add_argument("--length", type=int, default=64, help="max completion tokens (default 64)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from data.jsonl import write_jsonl
    from data.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = work / "train.jsonl"
        write_jsonl(suite, generate("train", 200, seed=0))
        model = Path(args.model) if args.model else warm_model(work, suite)
        sandboxed = ["pass_rate", "all_pass", "format"]
        configs = [
            ("no sandbox (format only)", ["format"], False, 1),
            ("sandbox, after generation", sandboxed, False, 1),
            ("sandbox, judged as rows end", sandboxed, True, 1),
            ("sandbox, overlap 4 chunks", sandboxed, True, 4),
        ]
        results = [(name, run(model, suite, work / f"run{i}", r, o, c, args.steps, args.batch, args.length))
                   for i, (name, r, o, c) in enumerate(configs)]  # fmt: skip
    base = results[0][1]["step"]
    print(
        f"\nGRPO step on CPU, nano model, {args.batch} completions x {args.length} tokens, mean of {args.steps} steps"
    )
    header = (f"{'rewards':<28}{'step s':>9}{'generate s':>12}{'reward wait s':>15}{'wait share':>12}"
              f"{'vs no sandbox':>15}{'judged/step':>13}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for name, r in results:
        print(f"{name:<28}{r['step']:>9.3f}{r['generate']:>12.3f}{r['wait']:>15.3f}{r['wait'] / r['step']:>11.1%}"
              f"{(r['step'] - base) / base:>+14.1%}{r['judged']:>13.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
