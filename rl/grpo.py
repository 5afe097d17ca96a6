"""GRPO on TRL's ``GRPOTrainer`` with sandbox rewards, dynamic sampling and a length / group-size schedule.

    coderl grpo --config recipes/tiny-cpu/grpo.yaml
    coderl grpo --config recipes/tiny-cpu/grpo.yaml --reward_funcs all_pass my_pkg.rewards.fn --reward_weights 1 0.1
    coderl grpo --config recipes/tiny-cpu/grpo.yaml --resume_from_checkpoint latest

Generation runs in-process (transformers) on CPU and through vLLM on a GPU node (``use_vllm: true`` with
``vllm_mode: server`` or ``colocate``, TRL's own options). Per step, the trainer's log history (and
``output_dir/metrics.jsonl``) holds each reward's mean and std, ``sandbox/pass_rate``, ``sandbox/status/*``,
``sandbox/sandbox_errors``, ``frac_reward_zero_std`` and completion lengths; ``output_dir/completions.jsonl``
holds every completion with its rewards and verdict.

From Python: ``rl.grpo.train(script_args, training_args, model_args) -> output_dir``.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path

from rewards import REWARDS, get_reward, sandbox
from rewards.overlong import overlong, overlong_penalty
from rl.configs import CoderlGRPOConfig, GRPOScriptArguments
from rl.inputs import grpo_dataset, grpo_problems
from rl.stages import (
    MetricsFile,
    StopAtStep,
    last_checkpoint,
    limit,
    model_init_kwargs,
    parse,
    require_model,
    resume_checkpoint,
    save,
)


def reward_functions(script_args: GRPOScriptArguments, training_args) -> list[Callable]:
    """The recipe's reward functions, by name or dotted path, with ``overlong`` bound to its lengths."""
    funcs = []
    for name in script_args.reward_funcs:
        fn = get_reward(name)
        if fn is overlong:
            max_length = script_args.overlong_max_length or training_args.max_completion_length
            overlong_penalty(0, max_length, script_args.overlong_buffer)  # raises on a bad pair, before training
            fn = functools.update_wrapper(
                functools.partial(overlong, max_length=max_length, buffer=script_args.overlong_buffer), overlong
            )
        funcs.append(fn)
    weights = training_args.reward_weights
    if weights is not None and len(weights) != len(funcs):
        raise ValueError(
            f"reward_weights has {len(weights)} values for {len(funcs)} reward_funcs "
            f"({', '.join(script_args.reward_funcs)}); give one weight per reward"
        )
    return funcs


def _checkpoint_step(checkpoint: str | None) -> int:
    if not checkpoint:
        return 0
    return json.loads((Path(checkpoint) / "trainer_state.json").read_text())["global_step"]


def train(script_args: GRPOScriptArguments, training_args: CoderlGRPOConfig, model_args) -> str:
    """Run GRPO (every schedule phase) to the end and save the model to ``output_dir``; returns ``output_dir``."""
    from trl import get_peft_config

    from rl.grpo_trainer import CoderlGRPOTrainer

    model = require_model(model_args)
    model_init_kwargs(training_args, model_args)
    sandbox.configure(urls=script_args.sandbox_urls, workers=script_args.sandbox_workers)
    dataset = limit(grpo_dataset(grpo_problems(script_args.dataset_path), script_args.system_prompt),
                    script_args.max_samples)  # fmt: skip
    eval_ds = None
    if script_args.eval_dataset_path:
        eval_ds = grpo_dataset(grpo_problems(script_args.eval_dataset_path), script_args.system_prompt)
    resume = resume_checkpoint(training_args)
    trainer = None
    for phase in training_args.schedule or [None]:
        args, callbacks = training_args, [MetricsFile()]
        if phase is not None:
            if _checkpoint_step(resume) >= phase.until_step:
                continue  # done before a restart
            args = copy.copy(training_args)
            args.max_completion_length, args.num_generations = phase.max_completion_length, phase.num_generations
            callbacks.append(StopAtStep(phase.until_step))
        trainer = CoderlGRPOTrainer(
            model=model,
            reward_funcs=reward_functions(script_args, args),
            args=args,
            train_dataset=dataset,
            eval_dataset=eval_ds,
            peft_config=get_peft_config(model_args),
            callbacks=callbacks,
        )
        trainer.train(resume_from_checkpoint=resume)
        resume = last_checkpoint(training_args.output_dir)
    if trainer is not None:
        save(trainer, training_args.output_dir)
    return training_args.output_dir


def main(argv: list[str]) -> int:
    if "--list_rewards" in argv:
        print("\n".join(REWARDS))
        return 0
    script_args, training_args, model_args = parse(argv, GRPOScriptArguments, CoderlGRPOConfig, "coderl grpo")
    print(f"saved to {train(script_args, training_args, model_args)}")
    return 0
