"""The one problem schema of coderl: typed problems, tests and solutions, checked row by row.

A problem is one JSON object per line (JSONL) with ``id``, ``prompt`` and exactly one of three test kinds:

    stdio:  {"id", "prompt", "tests": [{"input": str, "output": str}, ...]}
    call:   {"id", "prompt", "fn_name": str, "tests": [{"args": [<JSON>, ...], "expected": <JSON>}, ...]}
    assert: {"id", "prompt", "entry_point": str, "test_code": str}   # test_code defines check(candidate)

Optional on all kinds: ``time_limit_s`` (per test, default 2.0), ``memory_mb`` (default 512), ``language``
(default "python"), ``starter_code``, ``solutions`` (reference programs), ``source``, ``difficulty``, ``metadata``.

A solution row is ``{"id": <problem id>, "code": str, "language": "python" | "cpp", ...}``; other fields are kept
in ``Solution.extra`` and carried through to results.

This module imports nothing heavy: the sandbox and the CLI use it on CPU-only nodes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

KINDS = ("stdio", "call", "assert")
LANGUAGES = ("python", "cpp")
DEFAULT_TIME_LIMIT_S = 2.0
DEFAULT_MEMORY_MB = 512
PROBLEM_FIELDS = (
    "id", "prompt", "tests", "fn_name", "entry_point", "test_code", "time_limit_s", "memory_mb", "language",
    "starter_code", "solutions", "source", "difficulty", "metadata",
)  # fmt: skip


class SchemaError(ValueError):
    """A row that does not fit the schema. ``field`` names the offending field, ``allowed`` what would be valid."""

    def __init__(self, field_name: str, problem: str, allowed: str = ""):
        self.field = field_name
        self.problem = problem
        self.allowed = allowed
        super().__init__(f"{field_name}: {problem}" + (f" ({allowed})" if allowed else ""))


@dataclass
class StdioTest:
    input: str
    output: str


@dataclass
class CallTest:
    args: list[Any]
    expected: Any


@dataclass
class Solution:
    """A program submitted for a problem. ``extra`` holds every other field of the row, carried to the verdict."""

    id: str
    code: str
    language: str = "python"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "language": self.language, **self.extra}

    @classmethod
    def from_dict(cls, row: Any) -> Solution:
        if not isinstance(row, dict):
            raise SchemaError("<row>", f"expected a JSON object, got {type(row).__name__}")
        errors = list(_solution_errors(row))
        if errors:
            raise errors[0]
        extra = {k: v for k, v in row.items() if k not in ("id", "code", "language")}
        return cls(id=str(row["id"]), code=row["code"], language=row.get("language", "python"), extra=extra)


@dataclass
class Problem:
    id: str
    prompt: str
    kind: str
    tests: list[StdioTest] | list[CallTest] = field(default_factory=list)
    fn_name: str | None = None
    entry_point: str | None = None
    test_code: str | None = None
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    language: str = "python"
    starter_code: str | None = None
    solutions: list[Solution] = field(default_factory=list)
    source: str | None = None
    difficulty: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def num_tests(self) -> int:
        """Number of test cases; an assert problem counts one per ``assert`` line found in ``test_code``."""
        if self.kind == "assert":
            return max(1, sum(1 for line in (self.test_code or "").splitlines() if line.strip().startswith("assert")))
        return len(self.tests)

    def to_dict(self) -> dict[str, Any]:
        """The JSONL row; optional fields left at their defaults are omitted."""
        row: dict[str, Any] = {"id": self.id, "prompt": self.prompt}
        if self.kind == "stdio":
            row["tests"] = [{"input": t.input, "output": t.output} for t in self.tests]
        elif self.kind == "call":
            row["fn_name"] = self.fn_name
            row["tests"] = [{"args": t.args, "expected": t.expected} for t in self.tests]
        else:
            row["entry_point"] = self.entry_point
            row["test_code"] = self.test_code
        if self.time_limit_s != DEFAULT_TIME_LIMIT_S:
            row["time_limit_s"] = self.time_limit_s
        if self.memory_mb != DEFAULT_MEMORY_MB:
            row["memory_mb"] = self.memory_mb
        if self.language != "python":
            row["language"] = self.language
        for name in ("starter_code", "source", "difficulty"):
            if getattr(self, name) is not None:
                row[name] = getattr(self, name)
        if self.solutions:
            row["solutions"] = [{"code": s.code, "language": s.language} for s in self.solutions]
        if self.metadata:
            row["metadata"] = self.metadata
        return row

    @classmethod
    def from_dict(cls, row: Any) -> Problem:
        """Build a problem from a JSON row; raises ``SchemaError`` for the first thing wrong (see ``row_errors``)."""
        errors = row_errors(row)
        if errors:
            raise errors[0]
        kind = problem_kind(row)
        if kind == "stdio":
            tests: list = [StdioTest(t["input"], t["output"]) for t in row["tests"]]
        elif kind == "call":
            tests = [CallTest(list(t["args"]), t["expected"]) for t in row["tests"]]
        else:
            tests = []
        pid = str(row["id"])
        language = row.get("language", "python")
        solutions = [_reference_solution(pid, s, language) for s in row.get("solutions") or []]
        difficulty = row.get("difficulty")
        return cls(
            id=pid,
            prompt=row["prompt"],
            kind=kind,
            tests=tests,
            fn_name=row.get("fn_name"),
            entry_point=row.get("entry_point"),
            test_code=row.get("test_code"),
            time_limit_s=float(row.get("time_limit_s", DEFAULT_TIME_LIMIT_S)),
            memory_mb=int(row.get("memory_mb", DEFAULT_MEMORY_MB)),
            language=language,
            starter_code=row.get("starter_code"),
            solutions=solutions,
            source=row.get("source"),
            difficulty=None if difficulty is None else str(difficulty),
            metadata=row.get("metadata") or {},
        )


def _reference_solution(pid: str, item: Any, default_language: str) -> Solution:
    if isinstance(item, str):
        return Solution(id=pid, code=item, language=default_language)
    return Solution(id=pid, code=item["code"], language=item.get("language", default_language))


def problem_kind(row: dict[str, Any]) -> str:
    """The test kind a row declares: ``call`` if it has ``fn_name``, ``assert`` if ``test_code``, else ``stdio``."""
    if row.get("fn_name") is not None:
        return "call"
    if row.get("test_code") is not None or row.get("entry_point") is not None:
        return "assert"
    return "stdio"


def row_errors(row: Any) -> list[SchemaError]:
    """Every way a problem row breaks the schema, in field order; empty when the row is valid."""
    if not isinstance(row, dict):
        return [SchemaError("<row>", f"expected a JSON object, got {type(row).__name__}", "one object per line")]
    errors: list[SchemaError] = []
    if not isinstance(row.get("id"), str | int) or isinstance(row.get("id"), bool) or row.get("id") == "":
        errors.append(SchemaError("id", _got("missing or invalid", row.get("id")), "a non-empty string"))
    if not isinstance(row.get("prompt"), str) or not row.get("prompt"):
        errors.append(SchemaError("prompt", _got("missing or invalid", row.get("prompt")), "a non-empty string"))
    kind = problem_kind(row)
    if kind == "call" and row.get("test_code") is not None:
        errors.append(SchemaError("test_code", "given together with fn_name", "one test kind per problem"))
    errors += {"stdio": _stdio_errors, "call": _call_errors, "assert": _assert_errors}[kind](row)
    errors += _optional_errors(row)
    return errors


def _got(what: str, value: Any) -> str:
    text = json.dumps(value, default=str)
    return f"{what}, got {text[:60] + '...' if len(text) > 60 else text}"


def _stdio_errors(row: dict[str, Any]) -> list[SchemaError]:
    tests = row.get("tests")
    allowed = 'a non-empty list of {"input": str, "output": str}'
    if not isinstance(tests, list) or not tests:
        return [SchemaError("tests", _got("missing or empty", tests), allowed)]
    errors = []
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            errors.append(SchemaError(f"tests[{i}]", _got("not an object", t), allowed))
            continue
        for key in ("input", "output"):
            if not isinstance(t.get(key), str):
                errors.append(SchemaError(f"tests[{i}].{key}", _got("missing or not a string", t.get(key)), "str"))
    return errors


def _call_errors(row: dict[str, Any]) -> list[SchemaError]:
    errors = []
    if not isinstance(row.get("fn_name"), str) or not row["fn_name"].isidentifier():
        errors.append(SchemaError("fn_name", _got("not an identifier", row.get("fn_name")), "a function name"))
    tests = row.get("tests")
    allowed = 'a non-empty list of {"args": [<JSON>, ...], "expected": <JSON>}'
    if not isinstance(tests, list) or not tests:
        return errors + [SchemaError("tests", _got("missing or empty", tests), allowed)]
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            errors.append(SchemaError(f"tests[{i}]", _got("not an object", t), allowed))
            continue
        if not isinstance(t.get("args"), list):
            errors.append(SchemaError(f"tests[{i}].args", _got("missing or not a list", t.get("args")), "a list"))
        if "expected" not in t:
            errors.append(SchemaError(f"tests[{i}].expected", "missing", "any JSON value"))
        elif not _finite_json(t["expected"]):
            errors.append(SchemaError(f"tests[{i}].expected", "contains NaN or infinity", "finite JSON numbers"))
    return errors


def _finite_json(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite_json(v) for v in value)
    if isinstance(value, dict):
        return all(_finite_json(v) for v in value.values())
    return True


def _assert_errors(row: dict[str, Any]) -> list[SchemaError]:
    errors = []
    if not isinstance(row.get("entry_point"), str) or not row["entry_point"].isidentifier():
        errors.append(SchemaError("entry_point", _got("not an identifier", row.get("entry_point")), "a name"))
    code = row.get("test_code")
    if not isinstance(code, str) or "def check" not in code:
        errors.append(SchemaError("test_code", _got("missing or has no check()", code), "code defining check()"))
    if row.get("tests") is not None:
        errors.append(SchemaError("tests", "given together with test_code", "one test kind per problem"))
    return errors


def _optional_errors(row: dict[str, Any]) -> list[SchemaError]:
    errors = []
    tl = row.get("time_limit_s")
    if tl is not None and (not isinstance(tl, int | float) or isinstance(tl, bool) or not 0 < tl <= 600):
        errors.append(SchemaError("time_limit_s", _got("invalid", tl), "a number of seconds in (0, 600]"))
    mem = row.get("memory_mb")
    if mem is not None and (not isinstance(mem, int) or isinstance(mem, bool) or not 16 <= mem <= 65536):
        errors.append(SchemaError("memory_mb", _got("invalid", mem), "an integer in [16, 65536]"))
    lang = row.get("language")
    if lang is not None and lang not in LANGUAGES:
        errors.append(SchemaError("language", _got("unknown", lang), "one of " + ", ".join(LANGUAGES)))
    for name in ("starter_code", "source"):
        if row.get(name) is not None and not isinstance(row[name], str):
            errors.append(SchemaError(name, _got("not a string", row[name]), "a string"))
    diff = row.get("difficulty")
    if diff is not None and (not isinstance(diff, str | int | float) or isinstance(diff, bool)):
        errors.append(SchemaError("difficulty", _got("invalid", diff), "a string or a number"))
    if row.get("metadata") is not None and not isinstance(row["metadata"], dict):
        errors.append(SchemaError("metadata", _got("not an object", row["metadata"]), "a JSON object"))
    errors += _solutions_errors(row.get("solutions"))
    return errors


def _solutions_errors(solutions: Any) -> list[SchemaError]:
    if solutions is None:
        return []
    allowed = 'a list of code strings or {"code": str, "language": str}'
    if not isinstance(solutions, list):
        return [SchemaError("solutions", _got("not a list", solutions), allowed)]
    errors = []
    for i, s in enumerate(solutions):
        if isinstance(s, str):
            continue
        if not isinstance(s, dict) or not isinstance(s.get("code"), str):
            errors.append(SchemaError(f"solutions[{i}]", _got("invalid", s), allowed))
        elif s.get("language", "python") not in LANGUAGES:
            name = f"solutions[{i}].language"
            errors.append(SchemaError(name, _got("unknown", s["language"]), ", ".join(LANGUAGES)))
    return errors


def _solution_errors(row: dict[str, Any]):
    if not isinstance(row.get("id"), str | int) or isinstance(row.get("id"), bool):
        yield SchemaError("id", _got("missing or invalid", row.get("id")), "the problem's id")
    if not isinstance(row.get("code"), str):
        yield SchemaError("code", _got("missing or not a string", row.get("code")), "the program's source")
    lang = row.get("language", "python")
    if not isinstance(lang, str):
        yield SchemaError("language", _got("not a string", lang), "a language name such as python or cpp")


def solution_errors(row: Any) -> list[SchemaError]:
    """Every way a solution row breaks the schema. Unknown languages are left to the judge, which lists known ones."""
    if not isinstance(row, dict):
        return [SchemaError("<row>", f"expected a JSON object, got {type(row).__name__}", "one object per line")]
    return list(_solution_errors(row))
