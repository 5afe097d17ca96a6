"""LiveCodeBench (livecodebench/code_generation_lite): ``question_id``, ``question_title``, ``question_content``,
``platform``, ``contest_id``, ``contest_date``, ``starter_code``, ``difficulty``, ``public_test_cases`` (JSON),
``private_test_cases`` (base64 of zlib of a pickled JSON string), ``metadata`` (JSON, ``func_name`` for LeetCode).

    coderl data import --format livecodebench test5.jsonl --out lcb.jsonl

Tests are ``{"input", "output", "testtype"}``; testtype "stdin" gives a stdio problem, "functional" a call problem
whose input holds one JSON argument per line and whose output is the JSON return value. LiveCodeBench ships no
reference solutions. ``contest_date`` is kept in ``metadata`` for date-window decontamination.

The private tests are a pickle, and unpickling runs arbitrary code. We decode them with an unpickler that refuses
every global (``find_class``), so only plain data (strings, bytes, lists) can come out; then we require a string.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import pickle
import zlib
from typing import Any

from data.formats._common import json_field, text
from data.schema import Problem, SchemaError

MAX_DECODED_BYTES = 1 << 30  # a zlib bomb stops here instead of filling memory


class _DataOnlyUnpickler(pickle.Unpickler):
    # Every way a pickle can reach code (GLOBAL, STACK_GLOBAL, EXT*, then REDUCE/BUILD/INST/OBJ) needs find_class.
    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: only plain data is allowed")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("refusing a persistent id: only plain data is allowed")


def decode_private(value: str) -> list[Any]:
    """The private test list from its encoded form (plain JSON is accepted too)."""
    allowed = "base64(zlib(pickle(JSON string)))"
    try:
        if value.lstrip().startswith("["):
            return json.loads(value)
        packed = zlib.decompressobj().decompress(base64.b64decode(value, validate=True), MAX_DECODED_BYTES)
        payload = _DataOnlyUnpickler(io.BytesIO(packed)).load()
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8")
        if not isinstance(payload, str):
            raise SchemaError("private_test_cases", f"decoded to {type(payload).__name__}", "a pickled JSON string")
        return json.loads(payload)
    except (binascii.Error, zlib.error, pickle.UnpicklingError, EOFError, ValueError) as e:
        if isinstance(e, SchemaError):
            raise
        raise SchemaError("private_test_cases", f"cannot decode: {e}", allowed) from None


def convert(row: dict[str, Any], index: int) -> Problem:
    cases = list(json_field(row, "public_test_cases", default=[]))
    if row.get("private_test_cases"):
        cases += decode_private(row["private_test_cases"])
    meta = json_field(row, "metadata", default={})
    types = {c.get("testtype") for c in cases}
    if not cases or len(types) != 1 or types - {"stdin", "functional"}:
        got = f"test types {sorted(map(str, types))}"
        raise SchemaError("public_test_cases", got, "all 'stdin' or all 'functional'")
    out: dict[str, Any] = {"id": text(row, "question_id"), "prompt": text(row, "question_content")}
    out["source"] = "livecodebench"
    if types == {"functional"}:
        out["fn_name"] = meta.get("func_name")
        out["tests"] = [_call_test(c, i) for i, c in enumerate(cases)]
    else:
        out["tests"] = [{"input": c.get("input"), "output": c.get("output")} for c in cases]
    if row.get("starter_code"):
        out["starter_code"] = row["starter_code"]
    if row.get("difficulty"):
        out["difficulty"] = row["difficulty"]
    keep = ("question_title", "platform", "contest_id", "contest_date")
    out["metadata"] = {k: str(row[k]) for k in keep if row.get(k) is not None}
    if "fn_name" in out and "class Solution" in (row.get("starter_code") or ""):
        out["metadata"]["call_class"] = "Solution"  # LeetCode style: the judge calls Solution().<fn_name>(*args)
    return Problem.from_dict(out)


def _call_test(case: dict[str, Any], i: int) -> dict[str, Any]:
    try:
        args = [json.loads(line) for line in case["input"].split("\n") if line.strip()]
        return {"args": args, "expected": json.loads(case["output"])}
    except (json.JSONDecodeError, AttributeError, KeyError) as e:
        raise SchemaError(f"test_cases[{i}]", f"not JSON arguments/result: {e}", "one JSON value per line") from None
