"""MBPP (google-research-datasets/mbpp, "full" and "sanitized"): ``task_id``, ``text`` (``prompt`` in sanitized),
``code``, ``test_list``, ``test_setup_code`` (``test_imports``, a list of import lines, in sanitized).

    coderl data import --format mbpp mbpp.jsonl --out mbpp_problems.jsonl

The tests are bare ``assert f(...) == ...`` lines. We make an assert-kind problem whose ``test_code`` is the setup
code followed by ``def check(candidate):`` holding those asserts with the function's name replaced by
``candidate``. The entry point is the function of the reference ``code`` that the tests call (else the first name
called in the first test). The prompt is the task text plus the tests, as in the MBPP paper.
"""

from __future__ import annotations

import builtins
import re
from typing import Any

from data.schema import Problem, SchemaError

DEFINED = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)
CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")


def convert(row: dict[str, Any], index: int) -> Problem:
    tests = row.get("test_list")
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) for t in tests):
        raise SchemaError("test_list", "missing, empty or not a list of strings", "a list of assert lines")
    code = (row.get("code") or "").replace("\r\n", "\n")
    name = entry_point(code, tests)
    description = row.get("text") or row.get("prompt")
    if not isinstance(description, str) or not description.strip():
        raise SchemaError("text", "missing (neither text nor prompt is a non-empty string)", "the task description")
    prompt = f"{description.strip()}\nYour code should pass these tests:\n\n" + "\n".join(tests)
    return Problem.from_dict(
        {
            "id": f"mbpp/{row.get('task_id', index)}",
            "prompt": prompt,
            "entry_point": name,
            "test_code": check_code(
                tests, name, row.get("test_setup_code") or "\n".join(row.get("test_imports") or [])
            ),
            "solutions": [code] if code.strip() else [],
            "source": "mbpp",
        }
    )


def entry_point(code: str, tests: list[str]) -> str:
    """The function the tests exercise: one ``code`` defines and the tests call, else the first non-builtin call."""
    called = [n for n in CALLED.findall(tests[0]) if not hasattr(builtins, n)]
    joined = "\n".join(tests)
    for name in DEFINED.findall(code):
        if re.search(rf"\b{name}\s*\(", joined):
            return name
    if not called:
        raise SchemaError("test_list[0]", "calls no function", "an assert that calls the function under test")
    return called[0]


def check_code(tests: list[str], name: str, setup: str) -> str:
    """``setup`` + ``def check(candidate):`` with each test, ``name`` renamed to ``candidate``."""
    body = "\n".join("    " + re.sub(rf"\b{name}\b", "candidate", t.strip()) for t in tests)
    setup = setup.replace("\r\n", "\n").strip()
    return (setup + "\n\n" if setup else "") + "def check(candidate):\n" + body + "\n"
