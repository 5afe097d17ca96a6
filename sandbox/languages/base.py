"""The shape of a language runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class CompileError(Exception):
    """The program does not build; the message is what the compiler said (or why it could not run)."""


@dataclass(frozen=True)
class Runner:
    """``prepare(code, worker)`` returns the harness ``load`` request and its blob, or raises ``CompileError``."""

    name: str
    kinds: tuple[str, ...]
    prepare: Callable
