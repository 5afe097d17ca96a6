"""``all_pass``: 1 if the completion's code passes every test, else 0 (Seed-Coder's binary sandbox reward)."""

from __future__ import annotations

from rewards import sandbox


async def all_pass(prompts: list, completions: list, log_metric=None, **columns) -> list[float | None]:
    """1.0 for a ``passed`` verdict, 0.0 for any other program outcome, ``None`` where the sandbox failed."""
    verdicts = await sandbox.default().get(completions, columns, log_metric)
    return [None if v.status == "sandbox_error" else float(v.status == "passed") for v in verdicts]
