"""The ablation runner: sweep validation and grid expansion, the comparison table, and a tiny GRPO sweep end to end
(2 cells x 1 seed on the nano model) that is re-run to check that finished runs are skipped and a half-finished one
only redoes what is missing."""

import csv
import json
from pathlib import Path

import pytest
import yaml
from stage_helpers import RECIPES

from rl.ablate import Job, main, plan, run_setup, settings
from rl.ablate_report import mean_std, write_reports
from rl.sweep import Cell, SweepError, check_cells, cli_args, expand_grid, load_sweep

GRPO = str(RECIPES / "tiny-cpu" / "grpo.yaml")


def write_sweep(path: Path, **fields) -> Path:
    sweep = {"base": GRPO, "grid": {"loss_type": ["dapo", "grpo"]}, "eval": {"problems": "heldout.jsonl"}}
    sweep.update(fields)
    path.write_text(yaml.safe_dump({k: v for k, v in sweep.items() if v is not None}))
    return path


def test_expand_grid_every_combination_first_key_slowest():
    cells = expand_grid({"loss_type": ["dapo", "grpo"], "num_generations": [4, 8], "dynamic_sampling": [False]})
    assert [c.name for c in cells] == [
        "loss_type=dapo,num_generations=4,dynamic_sampling=false",
        "loss_type=dapo,num_generations=8,dynamic_sampling=false",
        "loss_type=grpo,num_generations=4,dynamic_sampling=false",
        "loss_type=grpo,num_generations=8,dynamic_sampling=false",
    ]
    assert Cell({"reward_funcs": ["pass_rate", "format"]}).slug == "reward_funcs=pass_rate_format"


def test_cli_args_spell_bools_and_lists_as_the_command_line_does():
    assert cli_args({"dynamic_sampling": True, "reward_funcs": ["a", "b"], "beta": 0.0}) == [
        "--dynamic_sampling", "true", "--reward_funcs", "a", "b", "--beta", "0.0"]  # fmt: skip


def test_load_sweep_defaults(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path / "s.yaml"))
    assert (sweep.stage, sweep.seeds, sweep.eval.n, sweep.eval.ks) == ("grpo", [0], 4, [1])
    assert len(plan(sweep, tmp_path)) == 2


@pytest.mark.parametrize(
    ("fields", "key", "says"),
    [
        ({"grid": {"loss_typ": ["dapo"]}}, "grid.loss_typ", "did you mean loss_type"),
        ({"grid": {}}, "grid", "empty"),
        ({"grid": None}, "grid", "empty"),
        ({"grid": {"loss_type": "dapo"}}, "grid.loss_type", "non-empty list"),
        ({"grid": {"output_dir": ["a", "b"]}}, "grid.output_dir", "reserved"),
        ({"base": "recipes/nope.yaml"}, "base", "not found"),
        ({"stage": "ppo"}, "stage", "allowed: grpo, sft"),
        ({"overrides": {"loss_type": "dapo"}}, "overrides.loss_type", "also in grid"),
        ({"overrides": {"max_stepz": 2}}, "overrides.max_stepz", "not a field of the grpo stage"),
        ({"seeds": []}, "seeds", "non-empty list of integers"),
        ({"seeds": [0, 0]}, "seeds", "repeats"),
        ({"eval": {"problems": "p.jsonl", "n": 2, "ks": [1, 4]}}, "eval.ks", "between 1 and n (2)"),
        ({"eval": {"problems": "p.jsonl", "samples": 2}}, "eval.samples", "allowed:"),
        ({"eval": None}, "eval", "problems"),
        ({"setup": [{"run": "data synth"}]}, "setup[0]", "creates and run"),
        ({"sweeps": 1}, "sweeps", "unknown key; allowed:"),
    ],
)
def test_load_sweep_names_file_key_and_what_is_allowed(tmp_path, fields, key, says):
    path = write_sweep(tmp_path / "s.yaml", **fields)
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    assert str(err.value).startswith(f"{path}: {key}: "), err.value
    assert says in str(err.value)


def test_sft_stage_knows_sft_fields_only(tmp_path):
    sweep = {"stage": "sft", "base": str(RECIPES / "tiny-cpu" / "sft.yaml"), "grid": {"with_reasoning": [True, False]}}
    assert len(load_sweep(write_sweep(tmp_path / "ok.yaml", **sweep)).cells()) == 2
    with pytest.raises(SweepError, match="dynamic_sampling: not a field of the sft stage"):
        load_sweep(write_sweep(tmp_path / "bad.yaml", **{**sweep, "grid": {"dynamic_sampling": [True]}}))


def test_check_cells_parses_each_cell_as_its_stage_does(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path / "s.yaml", grid={"num_generations": [4, 3]}))
    with pytest.raises(SweepError, match="cell num_generations=3: .*divisible"):
        check_cells(sweep)


def test_setup_runs_missing_steps_only_and_stops_on_a_failing_one(tmp_path):
    suite = tmp_path / "suite"
    synth = f"coderl data synth --out {suite} --n-train 2 --n-heldout 2"
    steps = [{"creates": str(suite / "train.jsonl"), "run": synth},
             {"creates": str(tmp_path / "never"), "run": f"data validate {tmp_path / 'missing.jsonl'}"}]  # fmt: skip
    sweep = load_sweep(write_sweep(tmp_path / "s.yaml", setup=steps))
    with pytest.raises(SweepError, match=r"setup step `coderl data validate .*` exited \d+ without creating .*never"):
        run_setup(sweep, tmp_path / "out")
    assert (suite / "train.jsonl").is_file() and (tmp_path / "out" / "setup.log").is_file()


def fake_result(run_dir: Path, status: str, pass1: float = 0.0, reward: float = 0.0) -> None:
    run_dir.mkdir(parents=True)
    if status == "ok":
        record = {"status": "ok", "eval": {"pass@1": pass1}, "train_reward": reward}
        (run_dir / "result.json").write_text(json.dumps(record))
    else:
        record = {"status": "failed", "cell": "loss_type=grpo", "seed": 1, "phase": "train", "exit_code": 3,
                  "log_tail": "Traceback\nRuntimeError: boom"}  # fmt: skip
        (run_dir / "failed.json").write_text(json.dumps(record))


def test_report_mean_std_over_seeds_and_failed_cells(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path / "s.yaml", seeds=[0, 1]))
    jobs = plan(sweep, tmp_path / "out")
    fake_result(jobs[0].dir, "ok", 0.5, 1.0)
    fake_result(jobs[1].dir, "ok", 0.25, 0.5)
    fake_result(jobs[2].dir, "ok", 0.0, 0.0)
    fake_result(jobs[3].dir, "failed")
    assert [j.status() for j in jobs] == ["done", "done", "done", "failed"]
    text = write_reports(sweep, [(j.cell, j.seed, j.dir) for j in jobs], tmp_path / "out")
    assert "| dapo | 2/2 | 37.5 ± 17.7 | 0.750 ± 0.354 | ok |" in text
    assert "| grpo | 1/2 | 0.0 ± 0.0 | 0.000 ± 0.000 | failed |" in text
    assert "RuntimeError: boom" in text
    rows = list(csv.DictReader(open(tmp_path / "out" / "ablation.csv")))
    assert rows[1]["status"] == "failed" and "train exit 3: RuntimeError: boom" in rows[1]["errors"]
    assert float(rows[0]["pass@1_mean"]) == pytest.approx(0.375)
    assert (tmp_path / "out" / "ablation.png").read_bytes()[:4] == b"\x89PNG"
    assert mean_std([]) == (None, None) and mean_std([2.0]) == (2.0, 0.0)


def test_finished_runs_of_an_edited_sweep_are_not_mixed_in(tmp_path, capsys):
    path = write_sweep(tmp_path / "s.yaml")
    sweep, out = load_sweep(path), tmp_path / "out"
    job = plan(sweep, out)[0]
    job.dir.mkdir(parents=True)
    (job.dir / "result.json").write_text(json.dumps({"status": "ok", "settings": settings(sweep, job)}))
    assert main([str(path), "--out", str(out), "--dry-run"]) == 0
    assert "[done] loss_type=dapo seed 0" in capsys.readouterr().out
    write_sweep(path, overrides={"max_steps": 7})
    assert main([str(path), "--out", str(out), "--dry-run"]) == 2
    assert "the sweep changed since" in capsys.readouterr().err


def test_parallel_runs_each_get_one_gpu(tmp_path, monkeypatch):
    import rl.ablate

    sweep = load_sweep(write_sweep(tmp_path / "s.yaml", seeds=[0, 1]))
    seen = []

    def fake_run_job(sweep, job, env):
        seen.append(env["CUDA_VISIBLE_DEVICES"])
        return {"status": "ok", "eval": {"pass@1": 0.0}, "seconds": 0.0}

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,5")
    monkeypatch.setattr(rl.ablate, "run_job", fake_run_job)
    rl.ablate.run_all(sweep, plan(sweep, tmp_path / "out"), parallel=2)
    assert len(seen) == 4 and set(seen) <= {"2", "5"}


@pytest.fixture
def heldout(tmp_path) -> Path:
    from data.jsonl import write_jsonl
    from data.synth import generate

    write_jsonl(tmp_path / "heldout.jsonl", generate("heldout", 3, seed=0))
    return tmp_path / "heldout.jsonl"


def tiny_sweep(path: Path, nano: Path, suite: Path, heldout: Path, **fields) -> Path:
    overrides = {"model_name_or_path": str(nano), "dataset_path": str(suite / "train.jsonl"), "max_samples": 16,
                 "max_steps": 2, "save_steps": 1000, "max_completion_length": 16, "overlong_max_length": 16,
                 "overlong_buffer": 8, "dynamic_sampling": False}  # fmt: skip
    evaluation = {"problems": str(heldout), "n": 2, "ks": [1, 2], "max_new_tokens": 16, "limit": 3}
    return write_sweep(path, overrides=overrides, eval=evaluation, **fields)


def test_sweep_end_to_end_then_skips_finished_runs(nano, suite, heldout, tmp_path, capsys):
    sweep, out = tiny_sweep(tmp_path / "s.yaml", nano, suite, heldout), tmp_path / "out"
    assert main([str(sweep), "--out", str(out), "--parallel", "2"]) == 0
    table = (out / "ablation.md").read_text()
    assert "| loss_type | seeds ok | pass@1 (%) | pass@2 (%) | train reward | status |" in table
    assert table.count("| 1/1 |") == 2 and table.count("| ok |") == 2
    rows = list(csv.DictReader(open(out / "ablation.csv")))
    assert [r["loss_type"] for r in rows] == ["dapo", "grpo"]
    assert all(r["train_reward_mean"] != "" and 0 <= float(r["pass@1_mean"]) <= 1 for r in rows)
    assert (out / "ablation.png").stat().st_size > 0
    first, second = plan(load_sweep(sweep), out)
    assert json.loads((first.dir / "result.json").read_text())["train_command"].startswith("coderl grpo --config")
    done_at = (first.dir / "result.json").stat().st_mtime_ns
    train_log = (second.dir / "train.log").read_text()
    # half-finished: trained, evaluation not recorded -> only the evaluation reruns (and resumes its samples)
    (second.dir / "result.json").unlink()
    capsys.readouterr()
    assert main([str(sweep), "--out", str(out)]) == 0
    assert "1 of 2 runs already done; running 1" in capsys.readouterr().err
    assert (first.dir / "result.json").stat().st_mtime_ns == done_at
    assert (second.dir / "train.log").read_text() == train_log and (second.dir / "result.json").is_file()
    assert main([str(sweep), "--out", str(out), "--dry-run"]) == 0
    assert capsys.readouterr().out.count("[done]") == 2


def test_a_crashing_run_is_reported_and_the_sweep_goes_on(nano, suite, heldout, tmp_path):
    sweep = tiny_sweep(tmp_path / "s.yaml", nano, suite, heldout, grid={"dataset_path": [str(tmp_path / "no.jsonl")]})
    sweep.write_text(sweep.read_text().replace(f"  dataset_path: {suite / 'train.jsonl'}\n", ""))
    out = tmp_path / "out"
    assert main([str(sweep), "--out", str(out)]) == 1
    (job,) = plan(load_sweep(sweep), out)
    assert isinstance(job, Job) and job.status() == "failed"
    failed = json.loads((job.dir / "failed.json").read_text())
    assert failed["phase"] == "train" and failed["exit_code"] != 0 and "no.jsonl" in failed["log_tail"]
    assert "| 0/1 |" in (out / "ablation.md").read_text() and "failed" in (out / "ablation.md").read_text()
