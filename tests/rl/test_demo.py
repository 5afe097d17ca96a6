"""The demo end to end in its quick form: every stage runs, the summary and report hold measured numbers."""

import json

from rl.demo import main


def test_quick_demo_writes_summary_report_and_plots(tmp_path):
    out = tmp_path / "demo"
    assert main(["--quick", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["pass_at_1"]) == {"base", "sft", "grpo", "dpo"}
    assert all(0.0 <= v <= 1.0 for v in summary["pass_at_1"].values())
    assert summary["wall_seconds"] > 0 and summary["heldout_problems"] == 12
    assert set(summary["stage_seconds"]) == {"build", "sft", "grpo", "pairs", "dpo", "evaluate"}
    report = (out / "report.md").read_text()
    assert "| grpo |" in report and ("Target reached" in report or "Target not reached" in report)
    for png in ("pass_at_1.png", "grpo_reward.png"):
        assert (out / png).stat().st_size > 1000
    # every number in the summary comes from files the stages wrote
    results = json.loads((out / "eval" / "results.json").read_text())
    assert summary["pass_at_1"]["grpo"] == results["grpo"]["sampled"]["pass@1"]
    assert (out / "grpo" / "metrics.jsonl").is_file() and (out / "pairs.jsonl").is_file()


def test_rerun_resumes_finished_stages(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["--quick", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["--quick", "--out", str(out)]) == 0
    assert "sft: done before, skipped" in capsys.readouterr().err
