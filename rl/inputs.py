"""The datasets each stage trains on, built from JSONL files, with errors that name the file, line and field.

    grpo_dataset(load_problems("train.jsonl"))     # problem columns + conversational `prompt` + `problem` text
    sft_dataset("train.jsonl")                     # `messages` from reference solutions, or from a trace file
    dpo_dataset("pairs.jsonl")                     # prompt / chosen / rejected

Trace rows for SFT: ``{"messages": [{"role", "content"}, ...]}`` or ``{"prompt": ..., "completion": ...}``.
Preference rows for DPO: ``{"prompt": str | messages, "chosen": str | messages, "rejected": str | messages}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from data.hf import to_dataset
from data.jsonl import iter_jsonl, load_problems
from data.schema import Problem, problem_kind
from rl.prompts import DEFAULT_SYSTEM_PROMPT, build_messages, reference_answer

TRACE_FORMAT = '{"messages": [{"role": ..., "content": ...}, ...]} or {"prompt": ..., "completion": ...}'
PREFERENCE_FORMAT = '{"prompt": str | messages, "chosen": str | messages, "rejected": str | messages}'
PROBLEM_FORMAT = '{"id", "prompt", and "tests" | "fn_name"+"tests" | "entry_point"+"test_code"} (see data/schema.py)'


class DatasetFormatError(ValueError):
    """A training file whose rows lack a field: names the file, the line, the field and the expected format."""


def _rows(path: str | Path) -> list[tuple[int, dict]]:
    if not Path(path).is_file():
        raise FileNotFoundError(f"dataset file {path} does not exist (set --dataset_path to a JSONL file)")
    rows = []
    for lineno, row in iter_jsonl(path):
        if not isinstance(row, dict):
            raise DatasetFormatError(f"{path}:{lineno}: not a JSON object")
        rows.append((lineno, row))
    if not rows:
        raise DatasetFormatError(f"{path}: no rows")
    return rows


def _require(path, lineno: int, row: dict, fields: tuple[str, ...], expected: str) -> None:
    for name in fields:
        if row.get(name) in (None, "", []):
            raise DatasetFormatError(f"{path}:{lineno}: missing field {name!r}; expected rows like {expected}")


def is_problem_row(row: dict) -> bool:
    return any(k in row for k in ("tests", "fn_name", "test_code", "entry_point"))


def grpo_problems(path: str | Path) -> list[Problem]:
    """Problems for GRPO: every row must be a problem with tests (the rewards run them)."""
    for lineno, row in _rows(path):
        _require(path, lineno, row, ("id", "prompt"), PROBLEM_FORMAT)
        needed = {"stdio": ("tests",), "call": ("fn_name", "tests"), "assert": ("entry_point", "test_code")}
        _require(path, lineno, row, needed[problem_kind(row)], PROBLEM_FORMAT)
    return load_problems(path)


def grpo_dataset(problems: list[Problem], system_prompt: str | None = DEFAULT_SYSTEM_PROMPT):
    """``data.hf.to_dataset`` columns, the statement moved to ``problem``, and a conversational ``prompt``."""
    ds = to_dataset(problems).rename_column("prompt", "problem")
    return ds.add_column("prompt", [build_messages(p, system_prompt) for p in problems])


def sft_dataset(path: str | Path, system_prompt: str | None = DEFAULT_SYSTEM_PROMPT, with_reasoning: bool = True):
    """A ``messages`` dataset: from problems with reference solutions, or from a trace file (see module doc)."""
    from datasets import Dataset

    rows = _rows(path)
    if is_problem_row(rows[0][1]):
        conversations = []
        for problem in load_problems(path):
            target = reference_answer(problem, with_reasoning)
            if target is not None:
                conversations.append(
                    build_messages(problem, system_prompt) + [{"role": "assistant", "content": target}]
                )
        if not conversations:
            raise DatasetFormatError(
                f"{path}: no problem has a reference solution (field 'solutions'); SFT needs targets: add "
                f"'solutions' or pass a trace file with rows like {TRACE_FORMAT}"
            )
        return Dataset.from_dict({"messages": conversations})
    conversations = [_trace_messages(path, lineno, row, system_prompt) for lineno, row in rows]
    return Dataset.from_dict({"messages": conversations})


def _trace_messages(path, lineno: int, row: dict, system_prompt: str | None) -> list[dict]:
    if "messages" in row:
        messages = row["messages"]
    else:
        _require(path, lineno, row, ("prompt", "completion"), TRACE_FORMAT)
        messages = _as_messages(row["prompt"], "user") + _as_messages(row["completion"], "assistant")
    if not any(m.get("role") == "assistant" for m in messages):
        raise DatasetFormatError(f"{path}:{lineno}: field 'messages' has no assistant turn; expected {TRACE_FORMAT}")
    if system_prompt and messages[0].get("role") != "system":
        messages = [{"role": "system", "content": system_prompt.replace("{language}", "python")}] + messages
    return messages


def _as_messages(value: Any, role: str) -> list[dict]:
    return value if isinstance(value, list) else [{"role": role, "content": str(value)}]


def dpo_dataset(path: str | Path, system_prompt: str | None = None):
    """A preference dataset (``prompt``, ``chosen``, ``rejected``); a string prompt becomes a user turn when
    ``system_prompt`` is given, so the pair is trained in the same chat shape as the other stages."""
    from datasets import Dataset

    columns: dict[str, list] = {"prompt": [], "chosen": [], "rejected": []}
    for lineno, row in _rows(path):
        _require(path, lineno, row, ("prompt", "chosen", "rejected"), PREFERENCE_FORMAT)
        prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
        if system_prompt and isinstance(prompt, str):
            prompt = [{"role": "system", "content": system_prompt.replace("{language}", "python")},
                      {"role": "user", "content": prompt}]  # fmt: skip
        if isinstance(prompt, list):  # conversational: the answers must be assistant turns too
            chosen, rejected = _as_messages(chosen, "assistant"), _as_messages(rejected, "assistant")
        for name, value in (("prompt", prompt), ("chosen", chosen), ("rejected", rejected)):
            columns[name].append(value)
    kinds = {json.dumps([isinstance(v, list) for v in vs]) for vs in zip(*columns.values(), strict=True)}
    if len(kinds) > 1:
        raise DatasetFormatError(f"{path}: mixes string and conversational rows; use one shape: {PREFERENCE_FORMAT}")
    return Dataset.from_dict(columns)
