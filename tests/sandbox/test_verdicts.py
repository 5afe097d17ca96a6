"""Legitimate programs get the verdict they deserve: passes, wrong answers, limits, compile errors, edge cases."""

from __future__ import annotations

import shutil

import pytest
from sandbox_helpers import ADD_ASSERT, ADD_CALL, ADD_STDIO, assert_problem, call_problem, run, stdio_problem

from data.schema import Solution
from sandbox import STATUSES

ADD_PY = "a, b = map(int, input().split())\nprint(a + b)\n"


def test_stdio_pass_reports_isolation(judge):
    v = run(judge, ADD_STDIO, ADD_PY)
    assert (v.status, v.passed_tests, v.total_tests) == ("passed", 2, 2)
    assert v.isolation.startswith("bwrap+seccomp")
    assert v.status in STATUSES and v.to_dict()["tests"][0]["status"] == "passed"


def test_wrong_answer_counts_passed_tests(judge):
    v = run(judge, ADD_STDIO, "a, b = map(int, input().split())\nprint(3)\n")
    assert (v.status, v.passed_tests, v.total_tests) == ("failed", 1, 2)


def test_stop_on_first_failure(judge):
    v = run(judge, ADD_STDIO, "print(0)\n", stop_on_first_failure=True)
    assert v.status == "failed" and len(v.tests) == 1 and v.total_tests == 2


def test_token_compare_rules(judge):
    p = stdio_problem([("", "Yes\n1.0 2\n")])
    assert run(judge, p, "print('Yes')\nprint('1.0000001   2   ')\n\n").status == "passed"
    assert run(judge, p, "print('yes')\nprint('1.0 2')\n").status == "failed"  # case-sensitive
    assert run(judge, p, "print('Yes')\nprint('1.01 2')\n").status == "failed"  # beyond 1e-6
    assert run(judge, p, "print('Yes 1.0')\n").status == "failed"  # a missing token
    assert run(judge, p, "print('Yes 1.0 2 2')\n").status == "failed"  # an extra token


def test_exact_mode(judge):
    p = stdio_problem([("", "a  b\n")], metadata={"compare": "exact"})
    assert run(judge, p, "print('a  b')\n").status == "passed"
    assert run(judge, p, "print('a b')\n").status == "failed"


def test_problem_checker(judge):
    checker = "def check(input, output, expected):\n    return sorted(output.split()) == sorted(expected.split())\n"
    p = stdio_problem([("", "1 2 3\n")], metadata={"checker": checker})
    assert run(judge, p, "print('3 1 2')\n").status == "passed"
    assert run(judge, p, "print('3 1 1')\n").status == "failed"


def test_call_and_solution_class(judge):
    assert run(judge, ADD_CALL, "def add(a, b):\n    return a + b\n").status == "passed"
    assert run(judge, ADD_CALL, "class Solution:\n    def add(self, a, b):\n        return a + b\n").status == "passed"
    p = call_problem("pair", [([1], [1, 2.0])])
    assert run(judge, p, "def pair(a):\n    return (a, 2.0000000001)\n").status == "passed"  # JSON: tuple ~ list
    assert run(judge, p, "def pair(a):\n    return [True, 2.0]\n").status == "failed"  # JSON: true is not 1


def test_assert_converted_and_fallback(judge):
    assert run(judge, ADD_ASSERT, "def add(a, b):\n    return a + b\n").status == "passed"
    v = run(judge, ADD_ASSERT, "def add(a, b):\n    return 3\n")
    assert (v.status, v.passed_tests, v.total_tests) == ("failed", 1, 2)
    loop = "def check(candidate):\n    for i in range(5):\n        assert candidate(i, 1) == i + 1\n"
    p = assert_problem("add", loop)
    assert run(judge, p, "def add(a, b):\n    return a + b\n").status == "passed"
    assert run(judge, p, "def add(a, b):\n    return a - b\n").status == "failed"


def test_assert_tuple_is_not_list(judge):
    p = assert_problem("f", "def check(candidate):\n    assert candidate() == (1, 2)\n")
    assert run(judge, p, "def f():\n    return (1, 2)\n").status == "passed"
    assert run(judge, p, "def f():\n    return [1, 2]\n").status == "failed"


def test_runtime_error_timeout_memory(judge):
    assert run(judge, ADD_STDIO, "raise ValueError('x')\n").status == "runtime_error"
    p = stdio_problem([("", "1\n")], time_limit_s=0.5)
    assert run(judge, p, "while True: pass\n").status == "timeout"
    assert run(judge, p, "import time\ntime.sleep(30)\n").status == "timeout"
    m = stdio_problem([("", "1\n")], memory_mb=64)
    assert (
        run(judge, m, "x = bytearray(200 << 20)\nx[::4096] = b'1' * len(x[::4096])\nprint(1)\n").status
        == "memory_limit"
    )
    assert run(judge, m, "x = [0] * 10**6\nprint(1)\n").status == "passed"


def test_big_thread_stack_recursion_is_legitimate(judge):
    code = (
        "import sys, threading\nsys.setrecursionlimit(10**6)\nthreading.stack_size(256 << 20)\n"
        "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\n"
        "t = threading.Thread(target=lambda: print(f(100000)))\nt.start()\nt.join()\n"
    )
    assert run(judge, stdio_problem([("", "100000\n")], memory_mb=512), code).status == "passed"


def test_several_megabytes_of_output_pass(judge):
    n = 600_000  # ~4 MB
    p = stdio_problem([(str(n), "\n".join(str(i) for i in range(n)) + "\n")])
    assert run(judge, p, "n = int(input())\nprint('\\n'.join(map(str, range(n))))\n").status == "passed"


def test_output_limit(judge):
    assert run(judge, ADD_STDIO, "import sys\nwhile True: sys.stdout.write('x' * 65536)\n").status == "output_limit"


def test_python_syntax_error_is_compile_error(judge):
    v = run(judge, ADD_STDIO, "def (:\n")
    assert v.status == "compile_error" and "SyntaxError" in v.message


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_cpp(judge):
    ok = '#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n'
    assert run(judge, ADD_STDIO, ok, "cpp").status == "passed"
    assert run(judge, ADD_STDIO, "int main( {", "cpp").status == "compile_error"
    assert run(judge, ADD_STDIO, "int main(){int*p=0;return *p;}", "cpp").status == "runtime_error"
    v = run(judge, ADD_CALL, ok, "cpp")
    assert v.status == "sandbox_error" and "python (stdio, call, assert)" in v.message


def test_missing_compiler_is_compile_error_with_reason(judge, monkeypatch):
    import sandbox.languages.cpp as cpp

    monkeypatch.setattr(cpp, "COMPILER", "g++-not-installed")
    v = run(judge, ADD_STDIO, "int main(){}", "cpp")
    assert v.status == "compile_error" and "g++-not-installed not found" in v.message


def test_deeply_nested_or_huge_return_values_are_failures(judge):
    deep = "def add(a, b):\n    x = []\n    for _ in range(950):\n        x = [x]\n    return x\n"
    assert run(judge, ADD_CALL, deep).status in ("failed", "runtime_error")
    big = "def add(a, b):\n    return 10 ** 20000\n"
    assert run(judge, ADD_CALL, big).status in ("failed", "runtime_error")


def test_unknown_language_lists_known(judge):
    v = run(judge, ADD_STDIO, "x", "rust")
    assert v.status == "sandbox_error" and "python" in v.message and "cpp" in v.message


def test_identical_submissions_judged_once(judge, monkeypatch):
    import sandbox.judge as judge_module

    calls = []
    real = judge_module.judge_submission
    monkeypatch.setattr(judge_module, "judge_submission", lambda *a: calls.append(1) or real(*a))
    pairs = [(ADD_STDIO, Solution("p", ADD_PY))] * 8 + [(ADD_STDIO, Solution("p", "print(3)\n"))] * 4
    verdicts = judge.judge_batch(pairs)
    assert [v.status for v in verdicts] == ["passed"] * 8 + ["failed"] * 4
    assert len(calls) == 2


async def _async_batch(judge):
    return await judge.ajudge_batch([(ADD_STDIO, Solution("p", ADD_PY))] * 3)


def test_async_api(judge):
    import asyncio

    assert [v.status for v in asyncio.run(_async_batch(judge))] == ["passed"] * 3


def test_sandboxes_survive_the_callers_threads_and_event_loops():
    import asyncio
    import threading

    from sandbox import Judge

    with Judge(workers=1) as fresh:
        for _ in range(3):  # each asyncio.run ends its default executor's threads
            assert [v.status for v in asyncio.run(_async_batch(fresh))] == ["passed"] * 3
        box = []
        pairs = [(ADD_STDIO, Solution("p", ADD_PY))]
        thread = threading.Thread(target=lambda: box.append(fresh.judge_batch(pairs)))
        thread.start()
        thread.join()
        assert box[0][0].status == "passed"
        assert fresh.judge_batch(pairs)[0].status == "passed"
