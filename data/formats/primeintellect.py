"""PrimeIntellect verifiable coding problems (PrimeIntellect/verifiable-coding-problems, SYNTHETIC-1): ``problem_id``,
``prompt``, ``gold_standard_solution``, ``verification_info`` (JSON), ``source``, ``in_source_id``, ``task_type``.

    coderl data import --format primeintellect verifiable.parquet --out pi.jsonl

``verification_info`` is ``{"test_cases": [{"type": "stdin_stdout" | "function_call", "input", "output",
"fn_name"?}], "language"?, "fn_name"?}``. Stdin/stdout cases give a stdio problem; function-call cases give a call
problem whose inputs are argument lists and whose ``[x]``-wrapped outputs are unwrapped as for APPS (see
``_common.unwrap_outputs``). The gold solution loses its Markdown fence, if any; one in a language our sandbox does
not run (``verification_info.language``, e.g. rust) is dropped and reported, and the problem kept.
"""

from __future__ import annotations

from typing import Any

from data.formats._common import call_tests, json_field, stdio_tests, strip_fences, text
from data.schema import LANGUAGES, Problem, SchemaError

TYPES = ("stdin_stdout", "function_call")


def convert(row: dict[str, Any], index: int) -> Problem:
    info = json_field(row, "verification_info")
    cases = info.get("test_cases") if isinstance(info, dict) else None
    if not isinstance(cases, list) or not cases or not all(isinstance(c, dict) for c in cases):
        raise SchemaError("verification_info.test_cases", "missing or empty", "a list of test-case objects")
    types = {c.get("type") for c in cases}
    if len(types) != 1 or not types <= set(TYPES):
        raise SchemaError("verification_info.test_cases.type", f"got {sorted(map(str, types))}", " or ".join(TYPES))
    language = info.get("language", "python")
    out: dict[str, Any] = {
        "id": str(row.get("problem_id") or f"primeintellect/{index}"),
        "prompt": text(row, "prompt"),
        "source": "primeintellect",
        "metadata": {k: row[k] for k in ("source", "in_source_id", "task_type") if row.get(k)},
    }
    inputs, outputs = [c.get("input") for c in cases], [c.get("output") for c in cases]
    if types == {"function_call"}:
        out["fn_name"] = cases[0].get("fn_name") or info.get("fn_name")
        out["tests"], unwrapped = call_tests(inputs, outputs, "verification_info.test_cases")
        if unwrapped:
            out["metadata"]["unwrapped_outputs"] = True
    else:
        out["tests"] = stdio_tests(inputs, outputs, "verification_info.test_cases")
    gold = row.get("gold_standard_solution")
    if isinstance(gold, str) and gold.strip() and language in LANGUAGES:
        out["solutions"] = [{"code": strip_fences(gold), "language": language}]
    elif isinstance(gold, str) and gold.strip():  # the problem stays usable; the importer reports the drop
        out["metadata"]["dropped_solutions"] = {str(language): 1}
    return Problem.from_dict(out)
