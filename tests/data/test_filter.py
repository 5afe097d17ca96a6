"""Filter drops by test count, unparsable reference solutions and pass rate, and lists each drop."""

from __future__ import annotations

import json

from data.cli import main as data_main
from data.jsonl import iter_jsonl
from data.syntax import syntax_error


def read_jsonl(path) -> list:
    return [row for _, row in iter_jsonl(path)]


def stdio(pid, n_tests, solutions=None):
    row = {
        "id": pid,
        "prompt": f"problem {pid}",
        "tests": [{"input": str(i), "output": str(i)} for i in range(n_tests)],
    }
    if solutions is not None:
        row["solutions"] = solutions
    return row


def write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_syntax_error_per_language():
    assert syntax_error("print(1)\n", "python") is None
    assert syntax_error("print 1\n", "python") is not None  # Python 2: tree-sitter accepts it, CPython does not
    assert syntax_error("def f(:\n    pass\n", "python").startswith("line 1")
    assert syntax_error("int main() { return 0; }", "cpp") is None
    assert syntax_error("int main() { return 0; ", "cpp") is not None


def test_min_tests_is_at_least(tmp_path):
    src = write(tmp_path / "p.jsonl", [stdio("four", 4), stdio("five", 5)])
    out = tmp_path / "kept.jsonl"
    assert data_main(["filter", str(src), "--out", str(out), "--min-tests", "5"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["five"]
    assert read_jsonl(tmp_path / "kept.rejects.jsonl")[0] | {"file": None} == {
        "file": None, "row": 1, "category": "fewer than 5 tests", "reason": "4 test(s)", "id": "four"}  # fmt: skip


def test_check_syntax_drops_solutions_then_problems(tmp_path):
    rows = [
        stdio("ok", 1, ["print(input())", {"code": "print input()", "language": "python"}]),
        stdio("cpp", 1, [{"code": "int main() { return 0 }", "language": "cpp"}]),
        stdio("none", 1),
    ]
    src = write(tmp_path / "p.jsonl", rows)
    out = tmp_path / "kept.jsonl"
    assert data_main(["filter", str(src), "--out", str(out), "--check-syntax", "--require-solution"]) == 0
    kept = read_jsonl(out)
    assert [r["id"] for r in kept] == ["ok"]
    assert kept[0]["solutions"] == [{"code": "print(input())", "language": "python"}]
    got = [(r["id"], r["category"]) for r in read_jsonl(tmp_path / "kept.rejects.jsonl")]
    assert got == [("ok", "solution does not parse"), ("cpp", "solution does not parse"),
                   ("cpp", "no reference solution"), ("none", "no reference solution")]  # fmt: skip


def test_pass_rate_filter(tmp_path):
    src = write(tmp_path / "p.jsonl", [stdio(p, 1) for p in ("easy", "mid", "hard", "unseen")])
    verdicts = [{"id": "easy", "status": "passed", "passed_tests": 1, "total_tests": 1}] * 8
    verdicts += [{"id": "mid", "status": s, "passed_tests": 0, "total_tests": 1} for s in ("passed", "failed")]
    verdicts += [{"id": "hard", "verdict": {"status": "timeout"}}, {"id": "hard", "status": "failed"}, {"oops": 1}]
    vfile = write(tmp_path / "v.jsonl", verdicts)
    out = tmp_path / "kept.jsonl"
    args = ["filter", str(src), "--out", str(out), "--verdicts", str(vfile)]
    assert data_main(args) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["mid", "hard", "unseen"]
    assert data_main(args + ["--drop-unsolved"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["mid", "unseen"]
    cats = [r["category"] for r in read_jsonl(tmp_path / "kept.rejects.jsonl")]
    assert cats == ["verdict row unusable", "pass rate above 0.875", "unsolved (pass rate 0)"]
