"""Samples -> training data: SFT traces (passing, distinct, at most k) and DPO pairs (pass vs failure, by strategy)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from data.jsonl import BadRowsError
from data.pairs import build_pairs, pick_pairs
from data.pairs import main as pairs_main
from data.samples import load_samples
from data.traces import build_traces
from data.traces import main as traces_main

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Add 3."}]


def sample(pid: str, status: str, code: str, passed: int = 0, tokens: int | None = 10, finish: str = "stop") -> dict:
    total = 5
    passed = total if status == "passed" else passed
    return {"id": pid, "prompt": f"problem {pid}", "messages": MESSAGES, "completion": f"```python\n{code}\n```",
            "code": code + "\n", "completion_tokens": tokens, "finish_reason": finish, "source": "s",
            "verdict": {"status": status, "passed_tests": passed, "total_tests": total, "message": ""}}  # fmt: skip


def write(path, rows) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


# -- traces --------------------------------------------------------------------------------------------------------


def test_traces_keep_distinct_passes_up_to_k_and_report_problems_without_one():
    rows = [sample("a", "passed", "print(1)"), sample("a", "passed", "print(1)   "), sample("a", "passed", "print(2)"),
            sample("a", "passed", "print(3)"), sample("a", "failed", "print(4)"),
            sample("b", "failed", "x"), sample("b", "sandbox_error", "y")]  # fmt: skip
    traces, report = build_traces(rows, k=2)
    assert len(traces) == 2 and {t["id"] for t in traces} == {"a"}
    assert report["duplicates"] == 1 and report["over_k"] == 1 and report["no_pass"] == ["b"]
    assert report["sandbox_errors"] == 1 and report["with_traces"] == 1 and report["problems"] == 2
    messages = traces[0]["messages"]
    assert messages[:2] == MESSAGES and messages[2]["role"] == "assistant" and "print(" in messages[2]["content"]


def test_traces_leave_out_truncated_passes_unless_asked():
    rows = [sample("a", "passed", "print(1)", finish="length")]
    assert build_traces(rows)[0] == [] and build_traces(rows)[1]["truncated"] == 1
    assert len(build_traces(rows, keep_truncated=True)[0]) == 1


def test_traces_text_format_and_seeded_choice():
    rows = [sample("a", "passed", f"print({i})") for i in range(6)]
    first = build_traces(rows, k=2, seed=1, fmt="text")[0]
    assert first == build_traces(rows, k=2, seed=1, fmt="text")[0]
    assert set(first[0]) == {"id", "prompt", "completion"} and first[0]["prompt"] == "problem a"


def test_traces_feed_the_sft_stage(tmp_path):
    pytest.importorskip("datasets")
    rl_inputs = pytest.importorskip("rl.inputs")
    samples = write(tmp_path / "s.jsonl", [sample("a", "passed", "print(1)"), sample("b", "passed", "print(2)")])
    assert traces_main([samples, "--out", str(tmp_path / "sft.jsonl")]) == 0
    ds = rl_inputs.sft_dataset(tmp_path / "sft.jsonl")
    assert len(ds) == 2 and ds[0]["messages"][-1]["role"] == "assistant"
    assert json.loads((tmp_path / "sft.jsonl.report.json").read_text())["rows"] == 2


# -- pairs ---------------------------------------------------------------------------------------------------------


def test_hardest_pairs_the_failure_that_passed_most_tests():
    rows = [sample("a", "passed", "good"), sample("a", "failed", "f1", passed=1),
            sample("a", "failed", "f4", passed=4), sample("a", "runtime_error", "f0")]  # fmt: skip
    pairs, _ = build_pairs(rows, "hardest", per_problem=1)
    assert len(pairs) == 1 and "f4" in pairs[0]["rejected"][0]["content"] and pairs[0]["rejected_passed_tests"] == 4
    assert pairs[0]["prompt"] == MESSAGES and "good" in pairs[0]["chosen"][0]["content"]


def test_closest_length_pairs_by_token_count():
    rows = [sample("a", "passed", "good", tokens=50), sample("a", "failed", "short", tokens=5),
            sample("a", "failed", "near", tokens=47), sample("a", "failed", "long", tokens=400)]  # fmt: skip
    pairs, _ = build_pairs(rows, "closest_length", per_problem=1)
    assert "near" in pairs[0]["rejected"][0]["content"]


def test_every_sample_is_used_once_before_any_is_reused():
    passes = [sample("a", "passed", f"p{i}") for i in range(2)]
    failures = [sample("a", "failed", f"f{i}", passed=i) for i in range(3)]
    picked = pick_pairs(passes, failures, "hardest", 3, random.Random(0))
    assert len({id(c) for c, _ in picked[:2]}) == 2 and len({id(r) for _, r in picked[:2]}) == 2
    assert len(picked) == 3 and len(set(map(lambda p: (id(p[0]), id(p[1])), picked))) == 3


def test_random_strategy_is_reproducible_by_seed():
    rows = [sample("a", "passed", f"p{i}") for i in range(4)] + [sample("a", "failed", f"f{i}") for i in range(4)]
    one = build_pairs(rows, "random", per_problem=3, seed=7)[0]
    assert one == build_pairs(rows, "random", per_problem=3, seed=7)[0]


def test_problems_without_a_pass_or_a_failure_are_reported_and_sandbox_errors_never_rejected():
    rows = [sample("a", "passed", "ok"), sample("a", "sandbox_error", "judge broke"),
            sample("b", "failed", "bad"), sample("c", "passed", "ok"), sample("c", "failed", "bad"),
            sample("d", "sandbox_error", "z")]  # fmt: skip
    pairs, report = build_pairs(rows, "hardest", per_problem=2)
    assert [p["id"] for p in pairs] == ["c"]
    assert report["no_failure"] == ["a"] and report["no_pass"] == ["b"] and report["no_usable_sample"] == ["d"]
    assert report["sandbox_errors"] == 2 and report["pairs"] == 1


def test_pairs_cli_text_format_feeds_the_dpo_stage(tmp_path, capsys):
    samples = write(tmp_path / "s.jsonl", [sample("a", "passed", "ok"), sample("a", "failed", "bad", passed=2)])
    out = tmp_path / "pairs.jsonl"
    assert pairs_main([samples, "--out", str(out), "--format", "text", "--strategy", "random"]) == 0
    row = json.loads(out.read_text())
    assert row["prompt"] == "problem a" and "ok" in row["chosen"] and "bad" in row["rejected"]
    assert "1 pairs from 1/1 problems" in capsys.readouterr().err
    assert pairs_main([samples, "--out", str(out)]) == 0
    pytest.importorskip("datasets")
    rl_inputs = pytest.importorskip("rl.inputs")
    ds = rl_inputs.dpo_dataset(out)
    assert len(ds) == 1 and ds[0]["chosen"][0]["role"] == "assistant"


# -- reading samples -----------------------------------------------------------------------------------------------


def test_bad_sample_rows_are_named_by_line_and_field(tmp_path):
    good = sample("a", "passed", "ok")
    bad = dict(good, verdict={"status": "wrong_answer"})
    path = write(tmp_path / "s.jsonl", [good, {k: v for k, v in good.items() if k != "verdict"}, bad])
    with pytest.raises(BadRowsError) as e:
        load_samples(path)
    text = str(e.value)
    assert "s.jsonl:2: verdict: missing" in text and "s.jsonl:3: verdict.status: unknown: 'wrong_answer'" in text
    assert traces_main([path, "--out", str(tmp_path / "sft.jsonl")]) == 2
    assert pairs_main([path, "--out", str(tmp_path / "p.jsonl")]) == 2 and not (tmp_path / "p.jsonl").exists()


def test_data_modules_import_no_torch_rl_or_rewards():
    probe = ("import sys, data.traces, data.pairs, data.samples; "
             "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'rl', 'rewards', 'transformers')]; "
             "print(bad); sys.exit(1 if bad else 0)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sample_statuses_match_the_sandbox():
    from data.samples import STATUSES
    from sandbox.verdict import STATUSES as SANDBOX_STATUSES

    assert STATUSES == SANDBOX_STATUSES


def test_nothing_to_train_on_exits_1_after_writing_the_report(tmp_path):
    samples = write(tmp_path / "s.jsonl", [sample("a", "failed", "bad"), sample("a", "failed", "worse")])
    assert traces_main([samples, "--out", str(tmp_path / "sft.jsonl")]) == 1
    assert pairs_main([samples, "--out", str(tmp_path / "p.jsonl")]) == 1
    assert json.loads((tmp_path / "p.jsonl.report.json").read_text())["no_pass"] == ["a"]
