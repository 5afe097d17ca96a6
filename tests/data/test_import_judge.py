"""Every format's imported reference solutions pass the sandbox judge (and a wrong one does not).

    .venv/bin/pytest tests/data/test_import_judge.py

Skipped only while ``sandbox.Judge`` does not exist yet. LiveCodeBench ships no reference solutions, so its
converted tests are judged against solutions written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data.formats import FORMATS
from data.importer import import_file
from data.jsonl import load_problems
from data.schema import Solution

sandbox = pytest.importorskip("sandbox")
if not hasattr(sandbox, "Judge"):
    pytest.skip("sandbox.Judge is not built yet", allow_module_level=True)

FIXTURES = Path(__file__).parent / "fixtures"
LCB_SOLUTIONS = {
    "abc900_a": "a, b = map(int, input().split())\nprint(a * b)\n",
    "3001": "from typing import List\n\n\nclass Solution:\n"
    "    def scale(self, nums: List[int], k: int) -> List[int]:\n        return [x * k for x in nums]\n",
}


@pytest.fixture(scope="module")
def judge():
    with sandbox.Judge(workers=2) as j:
        yield j


@pytest.fixture(scope="module")
def problems(tmp_path_factory) -> dict[str, list]:
    out = {}
    for fmt in FORMATS:
        path = tmp_path_factory.mktemp(fmt) / "problems.jsonl"
        import_file(fmt, str(FIXTURES / f"{fmt}.jsonl"), str(path))
        out[fmt] = load_problems(path)
    return out


def reference_pairs(fmt: str, problems: list) -> list[tuple]:
    if fmt == "livecodebench":
        return [(p, Solution(id=p.id, code=LCB_SOLUTIONS[p.id])) for p in problems]
    return [(p, s) for p in problems for s in p.solutions]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_reference_solutions_pass(fmt, problems, judge):
    pairs = reference_pairs(fmt, problems[fmt])
    assert pairs, f"{fmt}: the fixture has no reference solution to judge"
    verdicts = judge.judge_batch(pairs)
    failures = [
        (p.id, s.language, v.status, v) for (p, s), v in zip(pairs, verdicts, strict=True) if v.status != "passed"
    ]
    assert not failures, failures
    assert all(v.passed_tests == v.total_tests > 0 for v in verdicts)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_wrong_solution_fails(fmt, problems, judge):
    problem = problems[fmt][0]
    wrong = Solution(
        id=problem.id,
        code="print(0)\ndef " + (problem.fn_name or problem.entry_point or "f") + "(*a):\n    return 0\n",
    )
    (verdict,) = judge.judge_batch([(problem, wrong)])
    assert verdict.status != "passed"


def test_bundled_humaneval_canonical_solutions_pass(judge, tmp_path):
    path = tmp_path / "he.jsonl"
    import_file("humaneval", None, str(path))
    problems = load_problems(path)  # all 164: the judge takes ~1.5 s on 2 cores
    verdicts = judge.judge_batch([(p, p.solutions[0]) for p in problems])
    assert [v.status for v in verdicts] == ["passed"] * len(problems), [(p.id, v) for p, v in zip(problems, verdicts)]
