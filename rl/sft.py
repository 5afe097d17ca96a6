"""Warm-up SFT on TRL's ``SFTTrainer``: problems with reference solutions (or trace files) as chats, loss on the
assistant turn only, optional packing and LoRA.

    coderl sft --config recipes/tiny-cpu/sft.yaml
    coderl sft --config recipes/tiny-cpu/sft.yaml --learning_rate 1e-3 --output_dir runs/sft2

From Python: ``rl.sft.train(script_args, training_args, model_args) -> output_dir``.
"""

from __future__ import annotations

from rl.configs import CoderlSFTConfig, SFTScriptArguments
from rl.inputs import sft_dataset
from rl.stages import fit_and_save, limit, model_init_kwargs, parse, require_model


def train(script_args: SFTScriptArguments, training_args: CoderlSFTConfig, model_args) -> str:
    """Run SFT to the end, save the model (or adapter) and tokenizer to ``output_dir``; returns ``output_dir``."""
    from trl import SFTTrainer

    model = require_model(model_args)
    model_init_kwargs(training_args, model_args)
    train_ds = limit(sft_dataset(script_args.dataset_path, script_args.system_prompt, script_args.with_reasoning),
                     script_args.max_samples)  # fmt: skip
    eval_ds = None
    if script_args.eval_dataset_path:
        eval_ds = sft_dataset(script_args.eval_dataset_path, script_args.system_prompt, script_args.with_reasoning)
    return fit_and_save(SFTTrainer, training_args, model_args, model, train_ds, eval_ds)


def main(argv: list[str]) -> int:
    script_args, training_args, model_args = parse(argv, SFTScriptArguments, CoderlSFTConfig, "coderl sft")
    print(f"saved to {train(script_args, training_args, model_args)}")
    return 0
