"""Every recipe loads through the stage's own parser and passes its checks; accelerate configs load too.

GPU recipes set ``bf16: true``, which transformers refuses on a CPU machine, so they are parsed here with
``--bf16 false`` (the only override) after checking they ask for bf16.
"""

from pathlib import Path

import pytest
import yaml

from rl import configs
from rl.stages import parse

RECIPES = Path(__file__).resolve().parents[2] / "recipes"
STAGES = {
    "sft": (configs.SFTScriptArguments, configs.CoderlSFTConfig),
    "grpo": (configs.GRPOScriptArguments, configs.CoderlGRPOConfig),
    "dpo": (configs.DPOScriptArguments, configs.CoderlDPOConfig),
}
# sweep files of `coderl ablate` (a top-level `grid:`) are not stage recipes: test_sweep_loads checks them
SWEEPS = sorted(p for p in RECIPES.rglob("*.yaml") if "grid" in (yaml.safe_load(p.read_text()) or {}))
ALL = sorted(p for p in RECIPES.rglob("*.yaml") if "accelerate_configs" not in p.parts and p not in SWEEPS)


def stage_of(path: Path) -> str:
    return path.stem if path.parent.name == "tiny-cpu" else path.parent.name


def test_layout():
    assert {p.relative_to(RECIPES).as_posix() for p in ALL} >= {"tiny-cpu/sft.yaml", "tiny-cpu/grpo.yaml",
                                                                "tiny-cpu/dpo.yaml"}  # fmt: skip
    for path in ALL:
        assert stage_of(path) in STAGES, f"{path}: recipes live at recipes/<model>/<stage>/<name>.yaml"
    models = {p.relative_to(RECIPES).parts[0] for p in ALL}
    assert {"Seed-Coder-8B-Base", "Qwen2.5-Coder-7B-Instruct"} <= models


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.relative_to(RECIPES).as_posix())
def test_recipe_parses_and_validates(path, tmp_path):
    raw = yaml.safe_load(path.read_text())
    argv = ["--config", str(path), "--output_dir", str(tmp_path)]
    if raw.get("bf16"):
        argv += ["--bf16", "false"]
    script_args, training_args, model_args = parse(argv, *STAGES[stage_of(path)], "test")
    assert model_args.model_name_or_path and script_args.dataset_path
    if stage_of(path) == "grpo":
        from rewards import get_reward

        for name in script_args.reward_funcs:
            get_reward(name)
        if training_args.reward_weights is not None:
            assert len(training_args.reward_weights) == len(script_args.reward_funcs)
        assert training_args.beta == 0.0, "the published code-RL recipes use no KL term"
    if not path.relative_to(RECIPES).parts[0].startswith("tiny-"):  # tiny-cpu, tiny-demo: CPU recipes
        assert "# model" in path.read_text() and "# trainer" in path.read_text()
        assert raw.get("bf16") is True


def test_seed_coder_schedule():
    path = RECIPES / "Seed-Coder-8B-Base" / "grpo" / "reasoning.yaml"
    _, training_args, _ = parse(["--config", str(path), "--bf16", "false"], *STAGES["grpo"], "test")
    phases = [(p.max_completion_length, p.num_generations) for p in training_args.schedule]
    assert phases == [(16384, 16), (32768, 32)]


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.relative_to(RECIPES).as_posix())
def test_sweep_loads(path, monkeypatch):
    from rl.sweep import check_cells, load_sweep

    monkeypatch.chdir(RECIPES.parent)  # sweep paths are relative to the repository root
    check_cells(load_sweep(path))


@pytest.mark.parametrize("path", sorted((RECIPES / "accelerate_configs").glob("*.yaml")), ids=lambda p: p.name)
def test_accelerate_config_loads(path):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(path))
    assert config.num_processes >= 1 and config.mixed_precision == "bf16"
    if "zero3" in path.name:
        assert config.deepspeed_config["zero_stage"] == 3
