"""What the three stage entry points share: argument parsing, model keyword arguments, resuming, metrics files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from transformers import TrainerCallback


def parse(argv: list[str], script_cls, config_cls, prog: str):
    """``(script_args, training_args, model_args)`` from ``--config RECIPE.yaml`` and command-line overrides."""
    from trl import ModelConfig, TrlParser

    parser = TrlParser((script_cls, config_cls, ModelConfig), prog=prog)
    return parser.parse_args_and_config(argv)


def model_init_kwargs(training_args, model_args) -> None:
    """Carry ``ModelConfig``'s dtype / attention / revision into the trainer's model loading."""
    kwargs = dict(training_args.model_init_kwargs or {})
    if model_args.dtype not in (None, "auto"):
        kwargs.setdefault("dtype", model_args.dtype)
    if model_args.attn_implementation:
        kwargs.setdefault("attn_implementation", model_args.attn_implementation)
    if model_args.model_revision not in (None, "main"):
        kwargs.setdefault("revision", model_args.model_revision)
    training_args.model_init_kwargs = kwargs or None


def require_model(model_args) -> str:
    if not model_args.model_name_or_path:
        raise ValueError("model_name_or_path is required: set it in the recipe or pass --model_name_or_path DIR")
    return model_args.model_name_or_path


def last_checkpoint(output_dir: str) -> str | None:
    """The newest *complete* ``checkpoint-N`` in ``output_dir``: one with ``trainer_state.json`` (written last).

    A run killed while saving leaves a partial folder; ``transformers.get_last_checkpoint`` would pick it.
    """
    root = Path(output_dir)
    if not root.is_dir():
        return None
    steps = []
    for path in root.glob("checkpoint-*"):
        suffix = path.name.removeprefix("checkpoint-")
        if suffix.isdigit() and (path / "trainer_state.json").is_file():
            steps.append((int(suffix), path))
        elif suffix.isdigit():
            print(f"skipping incomplete checkpoint {path} (no trainer_state.json)", file=sys.stderr)
    return str(max(steps)[1]) if steps else None


def resume_checkpoint(training_args) -> str | None:
    """``--resume_from_checkpoint`` as the Trainer wants it: a path, or ``latest`` / ``true`` for the newest complete
    checkpoint in output_dir (starting fresh when there is none yet, so a restarted job command is idempotent)."""
    value = training_args.resume_from_checkpoint
    if value in (None, "", "false", "False"):
        return None
    if str(value).lower() in ("true", "latest"):
        last = last_checkpoint(training_args.output_dir)
        if last is None:
            print(f"no checkpoint in {training_args.output_dir} yet: starting fresh", file=sys.stderr)
        return last
    if not (Path(value) / "trainer_state.json").is_file():
        raise FileNotFoundError(
            f"resume_from_checkpoint: {value} is not a complete checkpoint folder (or pass latest)"
        )
    return value


class MetricsFile(TrainerCallback):
    """Append every log (loss, rewards, pass rate, verdict counts, lengths, ...) to ``output_dir/metrics.jsonl``."""

    def __init__(self, name: str = "metrics.jsonl"):
        self.name = name

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        Path(args.output_dir).mkdir(parents=True, exist_ok=True)
        with open(Path(args.output_dir) / self.name, "a", encoding="utf-8") as f:
            f.write(json.dumps({"step": state.global_step, **logs}) + "\n")


class StopAtStep(TrainerCallback):
    """Ends a schedule phase: stop and save a checkpoint once ``global_step`` reaches ``until_step``."""

    def __init__(self, until_step: int):
        self.until_step = until_step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= self.until_step:
            control.should_training_stop = True
            control.should_save = True


def limit(dataset, max_samples: int | None):
    return dataset.select(range(min(max_samples, len(dataset)))) if max_samples else dataset


def fit_and_save(trainer_cls, training_args, model_args, model: str, train_ds, eval_ds, **kwargs) -> str:
    """Build a TRL trainer, train it (resuming when asked), save model and tokenizer; returns ``output_dir``."""
    from trl import get_peft_config

    trainer = trainer_cls(
        model=model,
        args=training_args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        peft_config=get_peft_config(model_args),
        callbacks=[MetricsFile()],
        **kwargs,
    )
    trainer.train(resume_from_checkpoint=resume_checkpoint(training_args))
    save(trainer, training_args.output_dir)
    return training_args.output_dir


def save(trainer, output_dir: str) -> None:
    trainer.save_model(output_dir)
    trainer.processing_class.save_pretrained(output_dir)
