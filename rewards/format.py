"""``format``: 1 if the answer is reasoning followed by a final fenced code block, else 0.

The accepted shape is: some non-empty text (the reasoning, free-form or inside ``<think>...</think>``), then a
fenced code block that closes, then nothing but whitespace. ``rewards.extract.extract_code`` reads the code from
that same last block, so a well-formatted answer is exactly one the code rewards can judge.
"""

from __future__ import annotations

from rewards.extract import completion_text, fenced_blocks

_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"


def is_well_formatted(text: str) -> bool:
    """Reasoning text, then a closed final fenced block with code, then only whitespace."""
    blocks = fenced_blocks(text)
    if not blocks or not blocks[-1][2] or not blocks[-1][1].strip():
        return False
    last_fence = text.rstrip().rfind("```")
    if text[last_fence:].strip("`").strip():
        return False
    opening = text.rfind("```", 0, text.rfind(blocks[-1][1]))
    reasoning = text[:opening]
    if _THINK_OPEN in reasoning and _THINK_CLOSE not in reasoning:
        return False
    return bool(reasoning.replace(_THINK_OPEN, "").replace(_THINK_CLOSE, "").strip())


def format(prompts: list, completions: list, **columns) -> list[float]:  # noqa: A001 - the reward's public name
    """1.0 per completion shaped as reasoning + final fenced code block, else 0.0."""
    return [float(is_well_formatted(completion_text(c))) for c in completions]
