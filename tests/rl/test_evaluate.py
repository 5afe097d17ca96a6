"""`coderl eval`: pass@k from judged samples, overall and per group; sandbox errors are left out, never failures."""

from __future__ import annotations

import json
import os
import sys

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))  # for rollout_fakes

from rollout_fakes import ScriptedBackend, script  # noqa: E402

from data.synth import generate as synth  # noqa: E402
from rl.evaluate import evaluate, main, markdown, report_from_samples  # noqa: E402


@pytest.fixture(scope="module")
def problems():
    return synth("heldout", 3, seed=0)


def test_pass_at_k_matches_hand_computed_values(tmp_path, judge, problems):
    passing = {problems[0].id: 1, problems[1].id: 4, problems[2].id: 0}
    backend = ScriptedBackend(script(problems, passing, 4))
    report = evaluate(
        None, problems, n=4, ks=[1, 2, 4], backend=backend, out_dir=tmp_path, judge=judge, progress=False
    )
    overall = report["overall"]
    assert overall["pass@1"] == pytest.approx((0.25 + 1 + 0) / 3)
    assert overall["pass@2"] == pytest.approx((0.5 + 1 + 0) / 3)  # 1 - C(3,2)/C(4,2) = 0.5 for the first problem
    assert overall["pass@4"] == pytest.approx(2 / 3)
    assert overall["problems"] == 3 and overall["samples"] == 12 and report["sandbox_errors"] == 0
    assert set(report["by_source"]) == {"synth"} and report["by_difficulty"]
    saved = json.loads((tmp_path / "eval.json").read_text())
    assert saved["overall"] == overall
    assert "| **overall** | 3 | 12 | 41.7 | 50.0 | 66.7 |" in (tmp_path / "eval.md").read_text()


def test_greedy_is_one_sample_at_temperature_zero(tmp_path, judge, problems):
    backend = ScriptedBackend(script(problems, {problems[0].id: 1}, 1))
    report = evaluate(None, problems, n=8, ks=[1, 4], greedy=True, backend=backend, out_dir=tmp_path, judge=judge,
                      progress=False)  # fmt: skip
    assert report["ks"] == [1] and report["sampling"]["n"] == 1 and report["sampling"]["temperature"] == 0
    assert report["overall"]["pass@1"] == pytest.approx(1 / 3)


def test_k_larger_than_n_is_refused(tmp_path, problems):
    with pytest.raises(ValueError, match="pass@8 needs at least 8"):
        evaluate(None, problems, n=4, ks=[1, 8], backend=ScriptedBackend({}), out_dir=tmp_path)


def test_sandbox_errors_are_excluded_and_reported(tmp_path, problems):
    def row(pid, status):
        return {"id": pid, "completion": "x", "code": "x", "completion_tokens": 3, "finish_reason": "stop",
                "verdict": {"status": status, "passed_tests": 0, "total_tests": 5}}  # fmt: skip

    a, b, c = (p.id for p in problems)
    rows = [row(a, "passed"), row(a, "sandbox_error"), row(b, "failed"), row(b, "failed")]
    rows += [row(c, "sandbox_error"), row(c, "passed")]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = report_from_samples(path, problems, [1, 2])
    assert report["sandbox_errors"] == 2
    assert report["overall"]["pass@1"] == pytest.approx((1 + 0 + 1) / 3)  # not (0.5 + 0 + 0.5) / 3
    assert report["overall"]["pass@2"] == 0.0 and report["overall"]["excluded@2"] == 2
    text = markdown({**report, "model": "m", "sampling": {}})
    assert "2 sample(s) got sandbox_error" in text and "excluded@2" in text


def test_unjudged_samples_are_refused_with_file_and_line(tmp_path, problems):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": problems[0].id, "completion": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"s.jsonl:1: verdict"):
        report_from_samples(path, problems, [1])


def test_cli_on_the_nano_model(tmp_path, nano, capsys):
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in synth("heldout", 2, seed=1)))
    argv = ["--model", str(nano), "--problems", str(path), "--n", "2", "--k", "1,2", "--max-tokens", "4"]
    assert main(argv + ["--out", str(tmp_path / "ev")]) == 0
    assert "| **overall** | 2 | 4 |" in capsys.readouterr().out
    assert json.loads((tmp_path / "ev" / "eval.json").read_text())["overall"]["pass@2"] is not None
    assert main(argv + ["--k", "1,4", "--out", str(tmp_path / "ev2")]) == 2
    assert "raise n" in capsys.readouterr().err
