"""``coderl judge``: one verdict row per solution row, in order; bad input names the file, line and field."""

from __future__ import annotations

import json

from rl.cli import main as coderl


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


PROBLEMS = [
    {"id": "add", "prompt": "add", "tests": [{"input": "1 2\n", "output": "3\n"}]},
    {"id": "inc", "prompt": "inc", "fn_name": "inc", "tests": [{"args": [1], "expected": 2}]},
]


def test_judge_writes_rows_in_order(tmp_path, capsys):
    problems = write(tmp_path / "p.jsonl", PROBLEMS)
    solutions = write(tmp_path / "s.jsonl", [
        {"id": "add", "code": "print(sum(map(int, input().split())))", "sample": 0},
        {"id": "inc", "code": "def inc(x):\n    return x + 2", "sample": 1},
        {"id": "add", "code": "print(sum(map(int, input().split())))", "sample": 2},
        {"id": "add", "code": "#include <cstdio>\nint main(){int a,b;scanf(\"%d%d\",&a,&b);printf(\"%d\\n\",a+b);}",
         "language": "cpp", "sample": 3},
    ])  # fmt: skip
    out = tmp_path / "v.jsonl"
    assert coderl(["judge", problems, solutions, "--out", str(out), "--workers", "2"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["sample"] for r in rows] == [0, 1, 2, 3]
    assert [r["status"] for r in rows] == ["passed", "failed", "passed", "passed"]
    assert all("code" not in r and r["total_tests"] == 1 for r in rows)
    assert "judged 4/4" in capsys.readouterr().err


def test_bad_rows_name_file_line_and_field(tmp_path, capsys):
    problems = write(tmp_path / "p.jsonl", PROBLEMS + [{"id": "x", "prompt": "x", "tests": [{"input": 1}]}])
    solutions = write(tmp_path / "s.jsonl", [{"id": "add", "code": "print(3)"}])
    assert coderl(["judge", problems, solutions, "--out", str(tmp_path / "v.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{problems}:3: tests[0].input" in err


def test_unknown_language_lists_known_ones(tmp_path, capsys):
    problems = write(tmp_path / "p.jsonl", PROBLEMS)
    solutions = write(tmp_path / "s.jsonl", [{"id": "add", "code": "fn main(){}", "language": "rust"}])
    assert coderl(["judge", problems, solutions, "--out", str(tmp_path / "v.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{solutions}:1: language: unknown 'rust'" in err and "python, cpp" in err
