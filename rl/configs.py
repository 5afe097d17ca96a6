"""The arguments of the three stages: a script-arguments dataclass each (data, prompt, rewards, sandbox) and the
trainer configs, TRL's own with our additions. Parsed by ``TrlParser`` from ``--config RECIPE.yaml`` plus
command-line overrides; ``model_*`` / ``lora_*`` / ``use_peft`` fields go to TRL's ``ModelConfig``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trl import DPOConfig, GRPOConfig, SFTConfig

from rl.prompts import DEFAULT_SYSTEM_PROMPT
from rl.schedule import parse_schedule


@dataclass
class ScriptArguments:
    dataset_path: str = field(
        default="", metadata={"help": "Training file (JSONL). See rl/inputs.py for row formats."}
    )
    eval_dataset_path: str | None = field(default=None, metadata={"help": "Optional evaluation file (JSONL)."})
    system_prompt: str = field(
        default=DEFAULT_SYSTEM_PROMPT,
        metadata={"help": "System turn of every prompt ('{language}' is filled in); '' for none."},
    )
    max_samples: int | None = field(default=None, metadata={"help": "Use only the first N rows (smoke tests)."})

    def __post_init__(self):
        if not self.dataset_path:
            raise ValueError("dataset_path is required: set `dataset_path:` in the recipe or pass --dataset_path FILE")
        if self.max_samples is not None and self.max_samples < 1:
            raise ValueError(f"max_samples must be >= 1 (or unset), got {self.max_samples}")


@dataclass
class SFTScriptArguments(ScriptArguments):
    with_reasoning: bool = field(
        default=True,
        metadata={"help": "From problems: put a one-line reasoning before the fenced reference (the `format` shape)."},
    )


@dataclass
class GRPOScriptArguments(ScriptArguments):
    reward_funcs: list[str] = field(
        default_factory=lambda: ["pass_rate", "format"],
        metadata={"help": "Reward names (rewards.REWARDS) or dotted paths pkg.module.fn; weights: reward_weights."},
    )
    sandbox_urls: list[str] = field(
        default_factory=list, metadata={"help": "Remote sandbox services (coderl sandbox serve); empty: local Judge."}
    )
    sandbox_workers: int = field(default=2, metadata={"help": "Workers of the local judge."})
    overlong_max_length: int | None = field(
        default=None, metadata={"help": "`overlong` reward: L_max in tokens (default: max_completion_length)."}
    )
    overlong_buffer: int = field(default=256, metadata={"help": "`overlong` reward: L_cache, the soft buffer."})

    def __post_init__(self):
        super().__post_init__()
        if not self.reward_funcs:
            raise ValueError("reward_funcs is empty: name at least one reward, e.g. --reward_funcs pass_rate format")
        from rewards import get_reward

        for name in self.reward_funcs:
            get_reward(name)  # fails now, naming the available rewards, rather than after loading data and model
        if self.sandbox_workers < 1:
            raise ValueError(f"sandbox_workers must be >= 1, got {self.sandbox_workers}")


@dataclass
class DPOScriptArguments(ScriptArguments):
    system_prompt: str = field(
        default="", metadata={"help": "If set, string prompts become [system, user] turns; '' keeps them as text."}
    )


@dataclass
class CoderlSFTConfig(SFTConfig):
    """TRL's ``SFTConfig``; the loss is on the assistant turn only unless ``assistant_only_loss`` is turned off."""

    assistant_only_loss: bool = field(
        default=True, metadata={"help": "Loss on assistant tokens only (needs {% generation %} in the template)."}
    )


@dataclass
class CoderlGRPOConfig(GRPOConfig):
    """TRL's ``GRPOConfig`` plus dynamic sampling, a length / group-size schedule and a completions log."""

    dynamic_sampling: bool = field(
        default=False, metadata={"help": "DAPO dynamic sampling: drop zero-variance groups and refill the batch."}
    )
    dynamic_sampling_max_rounds: int = field(
        default=4, metadata={"help": "Generation rounds per batch at most; then top up with zero-variance groups."}
    )
    schedule: str | None = field(
        default=None,
        metadata={"help": "Phases 'UNTIL_STEP:MAX_COMPLETION_LENGTH:NUM_GENERATIONS,...' (or a YAML list of dicts)."},
    )
    overlap_rewards: bool = field(
        default=True,
        metadata={"help": "Hand completions to the sandbox as soon as they are generated, before rewards are asked."},
    )
    reward_chunks: int = field(
        default=1,
        metadata={"help": "overlap_rewards: generate in N chunks of whole groups (1: judge all as generation ends)."},
    )
    completions_log: str = field(
        default="completions.jsonl",
        metadata={"help": "File in output_dir receiving every completion with its rewards and verdict; '' for none."},
    )

    def __post_init__(self):
        super().__post_init__()
        self.schedule = parse_schedule(self.schedule)
        if self.reward_chunks < 1:
            raise ValueError(f"reward_chunks must be >= 1, got {self.reward_chunks} (1 turns chunking off)")
        if self.dynamic_sampling_max_rounds < 1:
            raise ValueError(f"dynamic_sampling_max_rounds must be >= 1, got {self.dynamic_sampling_max_rounds}")
        for phase in self.schedule:
            if self.generation_batch_size % phase.num_generations:
                raise ValueError(
                    f"schedule phase {phase}: generation_batch_size {self.generation_batch_size} is not divisible "
                    f"by num_generations {phase.num_generations}; raise per_device_train_batch_size or "
                    "steps_per_generation, or pick a group size that divides it"
                )
        if self.schedule and self.max_steps > 0 and self.schedule[-1].until_step < self.max_steps:
            raise ValueError(
                f"schedule ends at step {self.schedule[-1].until_step} but max_steps is {self.max_steps}: "
                "extend the last phase's until_step to max_steps"
            )
        if self.epsilon_high is not None and self.epsilon_high < self.epsilon:
            raise ValueError(f"epsilon_high ({self.epsilon_high}) < epsilon ({self.epsilon}): clip-higher needs >=")


@dataclass
class CoderlDPOConfig(DPOConfig):
    """TRL's ``DPOConfig`` as is (``loss_type`` is passed through: sigmoid, ipo, robust, ...)."""
