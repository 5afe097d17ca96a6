"""``overlong``: DAPO's soft overlong punishment (Yu et al. 2025, eq. 13).

With ``L_max`` the completion budget and ``L_cache`` the buffer before it, a completion of ``n`` tokens gets
0 if ``n <= L_max - L_cache``, ``(L_max - L_cache - n) / L_cache`` inside the buffer (0 down to -1), and -1 beyond
``L_max``. ``rl.grpo`` binds ``max_length`` / ``buffer`` from the recipe (``overlong_max_length``,
``overlong_buffer``); ``max_length`` defaults to the trainer's ``max_completion_length``.
"""

from __future__ import annotations

from rewards.extract import completion_text


def overlong_penalty(length: int, max_length: int, buffer: int) -> float:
    """The penalty for one completion of ``length`` tokens (0 when short enough, down to -1)."""
    if buffer <= 0 or max_length <= buffer:
        raise ValueError(f"overlong needs 0 < buffer < max_length, got buffer={buffer}, max_length={max_length}")
    free = max_length - buffer
    if length <= free:
        return 0.0
    return max(-1.0, (free - length) / buffer)


def overlong(prompts: list, completions: list, completion_ids: list | None = None, max_length: int = 1024,
             buffer: int = 256, **columns) -> list[float]:  # fmt: skip
    """Per completion, ``overlong_penalty`` of its token count (characters / 4 when token ids are absent)."""
    if completion_ids is None:
        lengths = [len(completion_text(c)) // 4 for c in completions]
    else:
        lengths = [len(ids) for ids in completion_ids]
    return [overlong_penalty(n, max_length, buffer) for n in lengths]
