"""DPO on TRL's ``DPOTrainer`` from a preference file (``prompt``, ``chosen``, ``rejected``: sandbox-verified pairs),
with TRL's loss types passed through (``--loss_type sigmoid``, ``ipo``, ...) and optional LoRA.

    coderl dpo --config recipes/tiny-cpu/dpo.yaml
    coderl dpo --config recipes/tiny-cpu/dpo.yaml --loss_type ipo --beta 0.5

From Python: ``rl.dpo.train(script_args, training_args, model_args) -> output_dir``.
"""

from __future__ import annotations

from rl.configs import CoderlDPOConfig, DPOScriptArguments
from rl.inputs import dpo_dataset
from rl.stages import fit_and_save, limit, model_init_kwargs, parse, require_model


def train(script_args: DPOScriptArguments, training_args: CoderlDPOConfig, model_args) -> str:
    """Run DPO to the end, save the model (or adapter) and tokenizer to ``output_dir``; returns ``output_dir``."""
    from trl import DPOTrainer

    model = require_model(model_args)
    model_init_kwargs(training_args, model_args)
    train_ds = limit(dpo_dataset(script_args.dataset_path, script_args.system_prompt), script_args.max_samples)
    eval_ds = None
    if script_args.eval_dataset_path:
        eval_ds = dpo_dataset(script_args.eval_dataset_path, script_args.system_prompt)
    return fit_and_save(DPOTrainer, training_args, model_args, model, train_ds, eval_ds)


def main(argv: list[str]) -> int:
    script_args, training_args, model_args = parse(argv, DPOScriptArguments, CoderlDPOConfig, "coderl dpo")
    print(f"saved to {train(script_args, training_args, model_args)}")
    return 0
