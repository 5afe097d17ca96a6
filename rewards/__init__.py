"""coderl's rewards: completions in, numbers out, via the sandbox. TRL's signature throughout:
``fn(prompts, completions, **columns) -> list[float | None]`` (``None``: no reward for that sample, e.g. a
``sandbox_error``; TRL then leaves it out of that reward).

    from rewards import get_reward
    fns = [get_reward("pass_rate"), get_reward("my_pkg.my_rewards.fn")]

A new reward is one new file in this folder plus one line in ``REWARDS``. Imports nothing heavy (no torch, no
trl): sandbox nodes import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from rewards.all_pass import all_pass
from rewards.format import format as format_reward
from rewards.overlong import overlong
from rewards.pass_rate import pass_rate
from rewards.subtask import subtask

REWARDS: dict[str, Callable] = {
    "pass_rate": pass_rate,  # fraction of tests passed
    "all_pass": all_pass,  # 1 only if every test passes
    "format": format_reward,  # reasoning then a final fenced code block
    "overlong": overlong,  # DAPO soft overlong punishment
    "subtask": subtask,  # IOI-style grouped tests with points (metadata.subtasks)
}
SANDBOX_REWARDS = ("pass_rate", "all_pass", "subtask")


def get_reward(name: str) -> Callable:
    """A reward function by name from ``REWARDS``, or by dotted path (``my_pkg.my_rewards.fn``) to a user's own."""
    if name in REWARDS:
        return REWARDS[name]
    if "." not in name:
        raise ValueError(f"unknown reward {name!r}; available: {', '.join(REWARDS)}, or a dotted path pkg.module.fn")
    module_name, _, attr = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"reward {name!r}: cannot import module {module_name!r} ({exc}); is it on PYTHONPATH?"
        ) from exc
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise ValueError(f"reward {name!r}: module {module_name!r} has no function {attr!r}")
    return fn
