"""``pass_rate``: the fraction of the problem's tests the completion's code passes (0 without a code block)."""

from __future__ import annotations

from rewards import sandbox


async def pass_rate(prompts: list, completions: list, log_metric=None, **columns) -> list[float | None]:
    """Passed tests / total tests per completion; ``None`` where the sandbox failed (TRL skips it)."""
    verdicts = await sandbox.default().get(completions, columns, log_metric)
    return [None if v.status == "sandbox_error" else v.pass_rate for v in verdicts]
