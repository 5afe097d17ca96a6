"""Helpers of the stage tests: run a tiny-cpu recipe in-process, read weights and logged losses."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "recipes"


def run_stage(module: str, recipe: str, **overrides) -> str:
    """Parse ``recipes/tiny-cpu/<recipe>`` plus overrides exactly as the CLI does, and train in-process."""
    import importlib

    from rl.stages import parse

    stage = importlib.import_module(f"rl.{module}")
    argv = ["--config", str(RECIPES / "tiny-cpu" / recipe)]
    for key, value in overrides.items():
        argv += [f"--{key}", *(value if isinstance(value, list) else [str(value)])]
    configs = {"sft": ("SFTScriptArguments", "CoderlSFTConfig"), "grpo": ("GRPOScriptArguments", "CoderlGRPOConfig"),
               "dpo": ("DPOScriptArguments", "CoderlDPOConfig")}[module]  # fmt: skip
    import rl.configs

    script_args, training_args, model_args = parse(
        argv, *(getattr(rl.configs, c) for c in configs), f"coderl {module}"
    )
    return stage.train(script_args, training_args, model_args)


def weights(path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(Path(path) / "model.safetensors"))


def changed(before: dict, after: dict) -> bool:
    import torch

    return any(not torch.equal(before[k], after[k]) for k in before)


def losses(output_dir) -> list[float]:
    rows = [json.loads(line) for line in (Path(output_dir) / "metrics.jsonl").read_text().splitlines()]
    return [r["loss"] for r in rows if "loss" in r]
