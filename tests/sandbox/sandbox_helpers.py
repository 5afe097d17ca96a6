"""Builders for tiny problems and a one-call ``run`` helper, shared by the sandbox tests."""

from __future__ import annotations

from data.schema import Problem, Solution
from sandbox import Judge


def stdio_problem(tests: list[tuple[str, str]], **extra) -> Problem:
    return Problem.from_dict(
        {"id": "p", "prompt": "p", "tests": [{"input": i, "output": o} for i, o in tests], **extra}
    )


def call_problem(fn_name: str, tests: list[tuple[list, object]], **extra) -> Problem:
    rows = [{"args": a, "expected": e} for a, e in tests]
    return Problem.from_dict({"id": "p", "prompt": "p", "fn_name": fn_name, "tests": rows, **extra})


def assert_problem(entry_point: str, test_code: str, prompt: str = "p", **extra) -> Problem:
    row = {"id": "p", "prompt": prompt, "entry_point": entry_point, "test_code": test_code, **extra}
    return Problem.from_dict(row)


def run(judge: Judge, problem: Problem, code: str, language: str = "python", **kwargs):
    return judge.judge_batch([(problem, Solution("p", code, language))], **kwargs)[0]


ADD_STDIO = stdio_problem([("1 2\n", "3\n"), ("10 -4\n", "6\n")])
ADD_CALL = call_problem("add", [([1, 2], 3), ([10, -4], 6)])
ADD_ASSERT = assert_problem(
    "add", "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(10, -4) == 6\n"
)
