"""A schedule of completion length and group size by training step (Seed-Coder: 16K tokens x 16 rollouts, then
32K x 32).

TRL builds its sampler (prompts repeated ``num_generations`` times) and generation settings once per ``train()``, so
group size cannot change inside one run. A schedule therefore runs as *phases*: phase k trains with its own
``max_completion_length`` / ``num_generations`` until its ``until_step``, saves a checkpoint and stops; phase k+1
builds a new trainer and resumes from that checkpoint (weights, optimizer, LR schedule, step count and data order
all continue). ``max_steps`` stays the whole run's, so the LR schedule spans every phase.

In a recipe, as a list or as text ``UNTIL:LENGTH:GROUP,...``:

    schedule:
      - {until_step: 200, max_completion_length: 16384, num_generations: 16}
      - {until_step: 400, max_completion_length: 32768, num_generations: 32}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Phase:
    until_step: int  # last global step of this phase (inclusive)
    max_completion_length: int
    num_generations: int


def parse_schedule(value: Any) -> list[Phase]:
    """Phases from a list of dicts, or from ``"UNTIL:LENGTH:GROUP,..."``; checked to be strictly increasing."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        try:
            value = [dict(zip(("until_step", "max_completion_length", "num_generations"), map(int, part.split(":")),
                              strict=True)) for part in value.split(",")]  # fmt: skip
        except ValueError as exc:
            raise ValueError(
                f"schedule {value!r}: expected 'UNTIL_STEP:MAX_COMPLETION_LENGTH:NUM_GENERATIONS,...'"
            ) from exc
    phases = []
    for i, item in enumerate(value):
        if isinstance(item, Phase):
            phases.append(item)
            continue
        try:
            phases.append(
                Phase(int(item["until_step"]), int(item["max_completion_length"]), int(item["num_generations"]))
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(
                f"schedule[{i}] = {item!r}: expected "
                "{until_step: int, max_completion_length: int, num_generations: int}"
            ) from exc
    for a, b in zip(phases, phases[1:], strict=False):
        if b.until_step <= a.until_step:
            raise ValueError(f"schedule: until_step must increase, got {a.until_step} then {b.until_step}")
    for p in phases:
        if p.num_generations < 2 or p.max_completion_length < 1 or p.until_step < 1:
            raise ValueError(f"schedule: {p} needs until_step >= 1, max_completion_length >= 1, num_generations >= 2")
    return phases


def phase_for_step(phases: list[Phase], step: int) -> Phase | None:
    """The phase that trains global step ``step + 1`` (the next one), or None once every phase is done."""
    for phase in phases:
        if step < phase.until_step:
            return phase
    return None
