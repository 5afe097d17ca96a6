"""CodeContests (deepmind/code_contests): ``name``, ``description``, ``public_tests`` / ``private_tests`` /
``generated_tests`` as ``{"input": [...], "output": [...]}``, ``solutions`` as ``{"language": [int], "solution":
[str]}``, ``time_limit`` as ``{"seconds", "nanos"}``, ``memory_limit_bytes``, ``difficulty``, ``cf_rating``.

    coderl data import --format codecontests code_contests_valid.parquet --out codecontests.jsonl

Stdio problems with the public, private and generated tests in that order (``metadata["test_counts"]`` says how
many came from each). Solutions keep Python 3 (language 3) and C++ (2); Python 2 (1), Java (4) and unknown (0) are
not run by our sandbox, so they are dropped and counted in ``metadata["dropped_solutions"]``, which the importer
reports.
"""

from __future__ import annotations

from typing import Any

from data.formats._common import stdio_tests, text
from data.schema import Problem, SchemaError

LANGUAGES = {0: "unknown", 1: "python2", 2: "cpp", 3: "python", 4: "java"}
KEPT = ("python", "cpp")
TEST_FIELDS = ("public_tests", "private_tests", "generated_tests")


def convert(row: dict[str, Any], index: int) -> Problem:
    tests, counts = [], {}
    for name in TEST_FIELDS:
        group = row.get(name) or {"input": [], "output": []}
        if not isinstance(group, dict):
            raise SchemaError(name, f"not an object, got {type(group).__name__}", '{"input": [...], "output": [...]}')
        found = stdio_tests(group.get("input") or [], group.get("output") or [], name)
        tests += found
        counts[name.removesuffix("_tests")] = len(found)
    solutions, dropped = _solutions(row.get("solutions"))
    metadata: dict[str, Any] = {"test_counts": counts}
    if dropped:
        metadata["dropped_solutions"] = dropped
    if row.get("cf_rating"):
        metadata["cf_rating"] = row["cf_rating"]
    out = {
        "id": text(row, "name"),
        "prompt": text(row, "description"),
        "tests": tests,
        "solutions": solutions,
        "source": "codecontests",
        "metadata": metadata,
    }
    out |= _limits(row)
    if row.get("difficulty") is not None:
        out["difficulty"] = row["difficulty"]
    return Problem.from_dict(out)


def _solutions(value: Any) -> tuple[list[dict[str, str]], dict[str, int]]:
    if not value:
        return [], {}
    if not isinstance(value, dict) or len(value.get("language") or []) != len(value.get("solution") or []):
        allowed = '{"language": [int], "solution": [str]}'
        raise SchemaError("solutions", "not parallel language/solution lists", allowed)
    kept, dropped = [], {}
    for code, source in zip(value["language"], value["solution"], strict=True):
        language = LANGUAGES.get(code, "unknown")
        if language in KEPT:
            kept.append({"code": source, "language": language})
        else:
            dropped[language] = dropped.get(language, 0) + 1
    return kept, dropped


def _limits(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    limit = row.get("time_limit")
    if isinstance(limit, dict):
        seconds = (limit.get("seconds") or 0) + (limit.get("nanos") or 0) / 1e9
        if seconds > 0:
            out["time_limit_s"] = seconds
    memory = row.get("memory_limit_bytes")
    if isinstance(memory, int) and memory > 0:
        out["memory_mb"] = min(max(memory // 2**20, 16), 65536)
    return out
