"""APPS (codeparrot/apps): ``problem_id``, ``question``, ``solutions`` and ``input_output`` (JSON strings),
``starter_code``, ``difficulty``, ``url``. TACO shares the layout (see ``taco.py``).

    coderl data import --format apps apps_test.jsonl --out apps.jsonl

``input_output`` is ``{"inputs": [...], "outputs": [...], "fn_name"?: str}``. Without ``fn_name`` the problem is
stdio (a list-of-lines input or output is joined with newlines, as the APPS harness does). With it, the problem is
call kind: each input is the argument list, and outputs wrapped as ``[x]`` are unwrapped by the rule in
``_common.unwrap_outputs``.
"""

from __future__ import annotations

from typing import Any

from data.formats._common import call_tests, json_field, stdio_tests, text
from data.schema import Problem, SchemaError


def convert(row: dict[str, Any], index: int) -> Problem:
    return Problem.from_dict(problem_row(row, f"apps/{row.get('problem_id', index)}", "apps"))


def problem_row(row: dict[str, Any], pid: str, source: str) -> dict[str, Any]:
    """The coderl row of an APPS-layout dataset row; shared with TACO."""
    io = json_field(row, "input_output")
    if not isinstance(io, dict) or not isinstance(io.get("inputs"), list) or not isinstance(io.get("outputs"), list):
        raise SchemaError("input_output", "has no inputs/outputs lists", '{"inputs": [...], "outputs": [...]}')
    solutions = json_field(row, "solutions", default=[])
    if not isinstance(solutions, list) or not all(isinstance(s, str) for s in solutions):
        raise SchemaError("solutions", "not a list of strings", "a JSON list of programs")
    out: dict[str, Any] = {"id": pid, "prompt": text(row, "question"), "source": source, "solutions": solutions}
    fn_name = io.get("fn_name")
    if fn_name:
        out["fn_name"] = fn_name
        out["tests"], unwrapped = call_tests(io["inputs"], io["outputs"], "input_output")
        if unwrapped:
            out["metadata"] = {"unwrapped_outputs": True}
    else:
        out["tests"] = stdio_tests(io["inputs"], io["outputs"], "input_output")
    if row.get("starter_code"):
        out["starter_code"] = row["starter_code"]
    if row.get("difficulty") is not None:
        out["difficulty"] = row["difficulty"]
    if row.get("url"):
        out.setdefault("metadata", {})["url"] = row["url"]
    return out
