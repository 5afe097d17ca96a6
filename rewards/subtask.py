"""``subtask``: IOI-style scoring. A problem's tests are grouped into subtasks with points; a subtask scores its
points only if every one of its tests passes. The reward is the points earned / total points, in [0, 1].

Groups live in the problem's ``metadata.subtasks``, test indices counted from 0 in ``tests`` order:

    "metadata": {"subtasks": [{"tests": [0, 1], "points": 30}, {"tests": [2, 3, 4], "points": 70}]}

A problem without ``metadata.subtasks`` is one subtask holding every test (the reward is then ``all_pass``).
"""

from __future__ import annotations

import json

from rewards import sandbox


def subtask_score(test_statuses: list[str], total_tests: int, subtasks: list[dict] | None) -> float:
    """Points of the fully passed subtasks over all points; a test with no result (not run) counts as failed."""
    if not subtasks:
        subtasks = [{"tests": list(range(total_tests)), "points": 1}]
    passed = {i for i, s in enumerate(test_statuses) if s == "passed"}
    total = sum(float(g["points"]) for g in subtasks)
    earned = sum(float(g["points"]) for g in subtasks if all(i in passed for i in g["tests"]))
    return earned / total if total > 0 else 0.0


def subtasks_of(metadata) -> list[dict] | None:
    """``metadata.subtasks`` from a dataset cell (JSON text or a dict), checked; None when absent."""
    if isinstance(metadata, str):
        metadata = json.loads(metadata) if metadata else None
    groups = (metadata or {}).get("subtasks")
    if groups is None:
        return None
    for k, g in enumerate(groups):
        if (
            not isinstance(g, dict)
            or not isinstance(g.get("tests"), list)
            or not isinstance(g.get("points"), int | float)
        ):
            raise ValueError(
                f'metadata.subtasks[{k}] is {g!r}; expected {{"tests": [test indices from 0], "points": number}}'
            )
    return groups


async def subtask(prompts: list, completions: list, log_metric=None, **columns) -> list[float | None]:
    """Per completion, the IOI subtask score; ``None`` where the sandbox failed."""
    verdicts = await sandbox.default().get(completions, columns, log_metric)
    metadata = columns.get("metadata") or [None] * len(completions)
    out: list[float | None] = []
    for v, meta in zip(verdicts, metadata, strict=True):
        if v.status == "sandbox_error":
            out.append(None)
        elif not v.test_statuses:  # no code, or a compile error: nothing ran
            out.append(0.0)
        else:
            out.append(subtask_score(v.test_statuses, v.total_tests, subtasks_of(meta)))
    return out
