"""The problem schema: valid rows round-trip, every bad row is reported with its line and field."""

import json

import pytest

from data.hf import from_dataset, to_dataset
from data.jsonl import BadRowsError, load_problems, validate_file, write_jsonl
from data.schema import Problem, SchemaError, Solution
from data.validate import main as validate_main

STDIO = {"id": "s1", "prompt": "Add.", "tests": [{"input": "1 2\n", "output": "3\n"}]}
CALL = {
    "id": "c1",
    "prompt": "Mixed values.",
    "fn_name": "f",
    "tests": [
        {"args": [1, "a"], "expected": [1, 2]},
        {"args": [[1.5, None], {"k": True}], "expected": "x"},
        {"args": [], "expected": None},
    ],
    "solutions": ["def f(*a):\n    return 1\n"],
    "difficulty": 3,
    "metadata": {"family": "x", "nested": {"a": [1, "b"]}},
}
ASSERT = {"id": "a1", "prompt": "def f(x):", "entry_point": "f", "test_code": "def check(candidate):\n    assert 1\n"}


def write(tmp_path, rows, name="p.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_three_kinds_round_trip_through_jsonl(tmp_path):
    path = write(tmp_path, [STDIO, CALL, ASSERT])
    problems = load_problems(path)
    assert [p.kind for p in problems] == ["stdio", "call", "assert"]
    assert problems[1].difficulty == "3" and problems[1].solutions[0].language == "python"
    write_jsonl(tmp_path / "out.jsonl", problems)
    assert load_problems(tmp_path / "out.jsonl") == problems


def test_dataset_round_trip_survives_arrow_with_mixed_json(tmp_path):
    problems = load_problems(write(tmp_path, [STDIO, CALL, ASSERT]))
    ds = to_dataset(problems)
    ds.to_parquet(str(tmp_path / "p.parquet"))
    from datasets import Dataset

    back = from_dataset(Dataset.from_parquet(str(tmp_path / "p.parquet")))
    assert back == problems
    assert back[1].tests[1].args == [[1.5, None], {"k": True}]


def test_validate_reports_every_bad_row_with_line_and_field(tmp_path, capsys):
    rows = [
        STDIO,
        {"id": "b1", "prompt": "x", "tests": [{"input": "1", "output": 2}]},
        "{not json",
        {"id": "b2", "prompt": "", "fn_name": "not an id", "tests": [{"args": 1}]},
        {"id": "b3", "prompt": "x", "tests": [{"input": "", "output": ""}], "language": "rust", "time_limit_s": -1},
        STDIO,  # duplicate id
        ASSERT,
    ]
    path = write(tmp_path, rows)
    assert validate_main([str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{path}:2: tests[0].output: missing or not a string, got 2 (str)" in out
    assert any(line.startswith(f"{path}:3: <json>: not valid JSON") for line in out)
    for field in ("prompt", "fn_name", "tests[0].args", "tests[0].expected"):
        assert any(line.startswith(f"{path}:4: {field}:") for line in out), field
    assert any(line.startswith(f"{path}:5: language: unknown") and "python, cpp" in line for line in out)
    assert any(line.startswith(f"{path}:5: time_limit_s:") for line in out)
    assert any(line.startswith(f"{path}:6: id: duplicate of line 1") for line in out)
    assert not any(f"{path}:1:" in line or f"{path}:7:" in line for line in out)


def test_validate_passes_a_good_file(tmp_path):
    assert validate_main([str(write(tmp_path, [STDIO, CALL, ASSERT]))]) == 0


def test_load_raises_naming_every_bad_row(tmp_path):
    path = write(tmp_path, [STDIO, {"id": "x", "prompt": "p"}, {"id": "y", "prompt": "p", "tests": []}])
    with pytest.raises(BadRowsError) as err:
        load_problems(path)
    assert [e.line for e in err.value.errors] == [2, 3]
    assert f"{path}:2: tests:" in str(err.value)


def test_solution_rows_carry_extra_fields():
    sol = Solution.from_dict({"id": "p", "code": "print(1)", "language": "cpp", "sample": 3, "model": "m"})
    assert sol.extra == {"sample": 3, "model": "m"} and sol.to_dict()["sample"] == 3
    with pytest.raises(SchemaError, match="code"):
        Solution.from_dict({"id": "p"})


def test_validate_solutions_file(tmp_path):
    path = write(tmp_path, [{"id": "p", "code": "x"}, {"id": "p"}], "s.jsonl")
    n, errors = validate_file(path, "solutions")
    assert n == 2 and [(e.line, e.field) for e in errors] == [(2, "code")]


def test_assert_problem_counts_asserts():
    p = Problem.from_dict({**ASSERT, "test_code": "def check(candidate):\n    assert candidate(1)\n    assert 2\n"})
    assert p.num_tests == 2
