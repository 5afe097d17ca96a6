"""Each format converts its fixture: the good rows become valid problems, the bad ones are listed with a reason."""

from __future__ import annotations

import base64
import json
import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from data.formats import FORMATS, get_format
from data.formats.livecodebench import decode_private
from data.importer import import_file
from data.jsonl import iter_jsonl, load_problems
from data.schema import SchemaError

FIXTURES = Path(__file__).parent / "fixtures"


def read_jsonl(path) -> list:
    return [row for _, row in iter_jsonl(path)]


def run_assert(code: str, test_code: str, entry_point: str) -> subprocess.CompletedProcess:
    """Run solution + ``check(entry_point)`` in a fresh interpreter: a stand-in for the judge in converter tests."""
    program = f"{code}\n\n{test_code}\n\ncheck({entry_point})\n"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)


# format -> (problems imported, rows rejected)
EXPECTED = {
    "humaneval": (2, 1), "mbpp": (2, 1), "apps": (3, 1), "taco": (2, 1), "codecontests": (1, 1),
    "livecodebench": (2, 1), "primeintellect": (2, 1), "kodcode": (2, 2),
}  # fmt: skip


def imported(fmt, tmp_path):
    out = tmp_path / f"{fmt}.jsonl"
    n, drops = import_file(fmt, str(FIXTURES / f"{fmt}.jsonl"), str(out))
    return n, drops, {p.id: p for p in load_problems(out)}, read_jsonl(drops.path)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fixture_imports_and_rejects_are_listed(fmt, tmp_path):
    n, drops, problems, rejects = imported(fmt, tmp_path)
    good, bad = EXPECTED[fmt]
    assert n == len(problems) == good
    rejected_rows = {r["row"] for r in rejects if not r["category"].startswith("solutions dropped")}
    assert len(rejected_rows) == bad
    assert all(r["file"].endswith(f"{fmt}.jsonl") and r["reason"] for r in rejects)


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match="known: humaneval"):
        get_format("nope")


def test_humaneval_bundled_copy_imports_all_164(tmp_path):
    n, drops = import_file("humaneval", None, str(tmp_path / "he.jsonl"))
    assert (n, drops.total) == (164, 0)
    first = load_problems(tmp_path / "he.jsonl")[0]
    assert first.id == "HumanEval/0" and first.kind == "assert" and first.entry_point == "has_close_elements"
    assert first.solutions[0].code.startswith(first.prompt)


def test_mbpp_check_renames_function_and_keeps_setup(tmp_path):
    _, _, problems, _ = imported("mbpp", tmp_path)
    p = problems["mbpp/17"]
    assert p.entry_point == "square_perimeter"  # the tested function, not the helper defined first
    assert p.test_code.startswith("import math\n") and "candidate(10)==40" in p.test_code
    assert "square_perimeter" not in p.test_code
    assert run_assert(p.solutions[0].code, p.test_code, p.entry_point).returncode == 0
    wrong = "def square_perimeter(a):\n    return 3 * a\n"
    assert run_assert(wrong, p.test_code, p.entry_point).returncode != 0


def test_mbpp_sanitized_layout():
    from data.formats.mbpp import convert

    code = "import math\ndef area(r):\n    return math.pi * r * r"
    tests = ["assert math.isclose(area(1), math.pi)"]
    row = {
        "task_id": 5,
        "prompt": "Area of a circle.",
        "code": code,
        "test_imports": ["import math"],
        "test_list": tests,
    }
    p = convert(row, 0)
    assert p.test_code.startswith("import math\n") and p.entry_point == "area"
    assert run_assert(p.solutions[0].code, p.test_code, p.entry_point).returncode == 0


def test_apps_call_outputs_unwrapped_only_when_all_wrapped(tmp_path):
    _, _, problems, _ = imported("apps", tmp_path)
    wrapped, pairs = problems["apps/4002"], problems["apps/4003"]
    assert [t.expected for t in wrapped.tests] == [6, 0, 7] and wrapped.metadata["unwrapped_outputs"]
    assert [t.expected for t in pairs.tests] == [[1, 2], [2, 4]] and "unwrapped_outputs" not in pairs.metadata
    assert problems["apps/4001"].kind == "stdio" and len(problems["apps/4001"].solutions) == 2


def test_taco_ids_limits_and_line_lists(tmp_path):
    _, _, problems, _ = imported("taco", tmp_path)
    p = problems["taco/0"]
    assert (p.time_limit_s, p.memory_mb) == (1.0, 256)
    assert p.tests[0].input == "3\n1 2 3"  # a list of lines is joined, as the APPS harness does
    assert problems["taco/1"].tests[0].expected == "world hello"


def test_codecontests_tests_languages_and_limits(tmp_path):
    _, _, problems, rejects = imported("codecontests", tmp_path)
    p = problems["1000_A. Triangular"]
    assert len(p.tests) == 4 and p.metadata["test_counts"] == {"public": 1, "private": 2, "generated": 1}
    assert [s.language for s in p.solutions] == ["python", "cpp"]
    assert (p.time_limit_s, p.memory_mb) == (1.5, 256)
    assert "dropped_solutions" not in p.metadata
    dropped = {r["category"] for r in rejects if r["category"].startswith("solutions dropped")}
    assert dropped == {"solutions dropped: python2", "solutions dropped: java"}


def test_livecodebench_private_tests_and_functional(tmp_path):
    _, _, problems, rejects = imported("livecodebench", tmp_path)
    stdin, fn = problems["abc900_a"], problems["3001"]
    assert [t.output for t in stdin.tests] == ["6\n", "56\n", "0\n"]
    assert fn.kind == "call" and fn.fn_name == "scale" and fn.tests[0].args == [[1, 2, 3], 2]
    assert fn.metadata["call_class"] == "Solution" and stdin.metadata["contest_date"].startswith("2025-01-04")
    assert any("refusing to load os.system" in r["reason"] for r in rejects)


def test_livecodebench_decoder_never_runs_pickled_code(tmp_path):
    marker = tmp_path / "ran"
    evil = pickle.dumps(_Evil(str(marker)))
    with pytest.raises(SchemaError, match="only plain data"):
        decode_private(base64.b64encode(zlib.compress(evil)).decode())
    assert not marker.exists()
    plain = base64.b64encode(zlib.compress(pickle.dumps(json.dumps([{"input": "1", "output": "1"}])))).decode()
    assert decode_private(plain) == [{"input": "1", "output": "1"}]


class _Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_primeintellect_fences_and_function_calls(tmp_path):
    _, _, problems, _ = imported("primeintellect", tmp_path)
    assert problems["vfc_1"].solutions[0].code == "n = int(input())\nprint(n * n)"
    call = problems["vfc_2"]
    assert call.fn_name == "count_vowels" and [t.expected for t in call.tests] == [3, 0]


def test_primeintellect_other_language_keeps_problem_drops_solution(tmp_path):
    info = {"language": "rust", "test_cases": [{"type": "stdin_stdout", "input": "1\n", "output": "1\n"}]}
    row = {"problem_id": "r1", "prompt": "Echo.", "gold_standard_solution": "fn main() {}", "verification_info": info}
    (tmp_path / "pi.jsonl").write_text(json.dumps(row) + "\n")
    n, drops = import_file("primeintellect", str(tmp_path / "pi.jsonl"), str(tmp_path / "out.jsonl"))
    assert n == 1 and load_problems(tmp_path / "out.jsonl")[0].solutions == []
    assert dict(drops.counts) == {"solutions dropped: rust": 1}


def test_livecodebench_undecodable_private_tests_are_schema_errors():
    for bad in ("not base64!", base64.b64encode(b"not zlib").decode(), "[not json",
                base64.b64encode(zlib.compress(pickle.dumps("not json"))).decode(),
                base64.b64encode(zlib.compress(pickle.dumps([1, 2]))).decode()):  # fmt: skip
        with pytest.raises(SchemaError, match="private_test_cases"):
            decode_private(bad)


def test_kodcode_check_runs_the_pytest_functions(tmp_path):
    _, _, problems, rejects = imported("kodcode", tmp_path)
    div, words = problems["Leetcode_1"], problems["Leetcode_2"]
    assert div.num_tests == 2  # the assert lines of the embedded pytest file
    for p in (div, words):
        result = run_assert(p.solutions[0].code, p.test_code, p.entry_point)
        assert result.returncode == 0, result.stderr
    no_raise = "def safe_div(a, b):\n    return a / b if b else 0\n"
    assert run_assert(no_raise, div.test_code, "safe_div").returncode != 0  # pytest.raises really checks
    off_by_one = "def word_count(text):\n    return {w: 2 for w in text.split()}\n"
    assert run_assert(off_by_one, words.test_code, "word_count").returncode != 0  # Test* methods run too
    assert {r["id"]: r["category"] for r in rejects} == {
        "Leetcode_3": "test: test_tmp uses pytest fixtures or marks",
        "Leetcode_4": "test: uses Stack from solution",
    }


def test_kodcode_raises_accepts_the_judges_error_name():
    from data.formats.kodcode import convert

    test = "import pytest\nfrom solution import f\n\ndef test_f():\n    with pytest.raises(KeyError):\n        f()\n"
    row = {"question_id": "q", "question": "q", "test_info": [{"function_name": "f"}], "test": test}
    p = convert(row, 0)
    judge_like = (
        "class CandidateFailed(Exception):\n    pass\n\ndef f():\n    raise CandidateFailed(\"KeyError: 'k'\")\n"
    )
    assert run_assert(judge_like, p.test_code, "f").returncode == 0
    wrong = judge_like.replace("KeyError", "ValueError")
    assert run_assert(wrong, p.test_code, "f").returncode != 0


def test_kodcode_tricky_sources_embed_losslessly():
    from data.formats.kodcode import embed

    for source in ("a = '''x'''\n", 'b = """y"""\n', "c = '\\\\'\n", "d = 1  # ends with a backslash \\"):
        assert eval(embed(source)) == source
