"""Helpers the format converters share: typed field access, JSON-in-a-string fields, call-output unwrapping."""

from __future__ import annotations

import json
import re
from typing import Any

from data.schema import SchemaError

FENCE = re.compile(r"^\s*```[\w+-]*\s*\n(.*?)\n\s*```\s*$", re.DOTALL)


def text(row: dict[str, Any], name: str) -> str:
    """``row[name]`` as a non-empty string, or a ``SchemaError`` naming the field."""
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SchemaError(name, f"missing or not a non-empty string, got {type(value).__name__}", "a string")
    return value


def json_field(row: dict[str, Any], name: str, default: Any = None) -> Any:
    """A field stored as JSON text (as APPS, TACO and LiveCodeBench do); already-decoded values pass through."""
    value = row.get(name)
    if value is None or value == "":
        if default is not None:
            return default
        raise SchemaError(name, "missing or empty", "a JSON string")
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as e:
        raise SchemaError(name, f"not valid JSON: {e.msg} at character {e.pos}", "a JSON string") from None


def lines(value: Any, where: str) -> str:
    """A test input/output as text; a list of lines is joined with newlines, as the APPS harness does."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    raise SchemaError(where, f"expected a string or a list of strings, got {type(value).__name__}", "text")


def unwrap_outputs(outputs: list[Any]) -> tuple[list[Any], bool]:
    """Undo the one-element-list wrapping of call outputs in APPS, TACO and PrimeIntellect.

    Those datasets store a function's return value ``x`` as ``[x]``; their harnesses accept a result that equals
    either ``outputs[i]`` or ``outputs[i][0]``. Our schema has one ``expected``, so we unwrap when *every* output of
    the problem is a one-element list (the dataset's convention), and leave the problem as it is otherwise. The
    rare function that really returns one-element lists for every test is then expected to return the element;
    ``metadata["unwrapped_outputs"]`` marks the problems this rule touched.
    """
    if outputs and all(isinstance(o, list) and len(o) == 1 for o in outputs):
        return [o[0] for o in outputs], True
    return outputs, False


def strip_fences(code: str) -> str:
    """The code inside one Markdown fence (PrimeIntellect's gold solutions are fenced); other text unchanged."""
    match = FENCE.match(code)
    return match.group(1) if match else code


def call_tests(inputs: list[Any], outputs: list[Any], where: str) -> tuple[list[dict[str, Any]], bool]:
    """``[{"args", "expected"}]`` from parallel input/output lists; each input must be the list of arguments."""
    if len(inputs) != len(outputs):
        raise SchemaError(where, f"{len(inputs)} inputs but {len(outputs)} outputs", "as many outputs as inputs")
    for i, args in enumerate(inputs):
        if not isinstance(args, list):
            raise SchemaError(f"{where}.inputs[{i}]", f"not a list of arguments, got {type(args).__name__}", "a list")
    expected, unwrapped = unwrap_outputs(outputs)
    return [{"args": a, "expected": e} for a, e in zip(inputs, expected, strict=True)], unwrapped


def stdio_tests(inputs: list[Any], outputs: list[Any], where: str) -> list[dict[str, str]]:
    """``[{"input", "output"}]`` from parallel input/output lists."""
    if len(inputs) != len(outputs):
        raise SchemaError(where, f"{len(inputs)} inputs but {len(outputs)} outputs", "as many outputs as inputs")
    return [
        {"input": lines(i, f"{where}.inputs[{n}]"), "output": lines(o, f"{where}.outputs[{n}]")}
        for n, (i, o) in enumerate(zip(inputs, outputs, strict=True))
    ]
