"""Ablations: run a stage recipe over a grid of overrides and seeds, evaluate each run, and compare the cells.

    coderl ablate recipes/tiny-cpu/ablation.yaml                      # one run after another, here
    coderl ablate recipes/tiny-cpu/ablation.yaml --dry-run            # the plan and what is already done
    coderl ablate sweep.yaml --out runs/ablation/x --parallel 8       # a GPU node: one run per GPU

The sweep file is described in ``rl/sweep.py``. Each cell x seed trains in its own subprocess
(``coderl grpo --config BASE --field value ... --seed S --output_dir OUT/CELL/seed-S/train``) and is evaluated by
``coderl eval`` into ``OUT/CELL/seed-S/eval``, so a crash is reported (exit code and log tail) without ending the
sweep. ``result.json`` is written last and atomically: a run that has it is skipped on a re-run; one without it
resumes training from its newest checkpoint (``--resume_from_checkpoint latest``) and its evaluation from its
samples. A failed run leaves ``failed.json`` and is tried again on a re-run. The comparison (mean +- std over
seeds of pass@k and of the final train reward) goes to ``OUT/ablation.md``, ``.csv`` and ``.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from rl.ablate_report import write_reports
from rl.sweep import Cell, Sweep, SweepError, check_cells, cli_args, load_sweep

LOG_TAIL_LINES = 15


@dataclass
class Job:
    cell: Cell
    seed: int
    dir: Path

    @property
    def label(self) -> str:
        return f"{self.cell.name} seed {self.seed}"

    def status(self) -> str:
        """``done`` (result.json), ``failed`` (failed.json: tried again), ``partial`` (started) or ``todo``."""
        if (self.dir / "result.json").is_file():
            return "done"
        if (self.dir / "failed.json").is_file():
            return "failed"
        return "partial" if self.dir.exists() else "todo"


def plan(sweep: Sweep, out: Path) -> list[Job]:
    return [Job(cell, seed, out / cell.slug / f"seed-{seed}") for cell in sweep.cells() for seed in sweep.seeds]


def train_argv(sweep: Sweep, job: Job) -> list[str]:
    """The stage command line (after ``coderl``) of one cell x seed."""
    overrides = cli_args({**sweep.overrides, **job.cell.overrides})
    return [sweep.stage, "--config", str(sweep.base), *overrides, "--seed", str(job.seed),
            "--output_dir", str(job.dir / "train"), "--resume_from_checkpoint", "latest"]  # fmt: skip


def eval_argv(sweep: Sweep, job: Job) -> list[str]:
    """The ``coderl eval`` command line of one cell x seed's trained model."""
    e = sweep.eval
    argv = ["eval", "--model", str(job.dir / "train"), "--problems", e.problems, "--n", str(e.n),
            "--k", ",".join(map(str, e.ks)), "--max-tokens", str(e.max_new_tokens),
            "--temperature", str(e.temperature), "--top-p", str(e.top_p), "--seed", str(job.seed),
            "--batch-size", str(e.batch_size), "--out", str(job.dir / "eval")]  # fmt: skip
    recipe = {**(yaml.safe_load(sweep.base.read_text()) or {}), **sweep.overrides, **job.cell.overrides}
    if "system_prompt" in recipe:  # evaluate with the prompt the model was trained with
        argv += ["--system-prompt", str(recipe["system_prompt"])]
    return argv + (["--limit", str(e.limit)] if e.limit else [])


def write_json(path: Path, data: dict) -> None:
    """Write-then-rename, so a reader (or a re-run) never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run_coderl(argv: list[str], log: Path, env: dict | None = None) -> int:
    """Run ``coderl ARGV`` with this interpreter, stdout and stderr appended to ``log``; returns the exit code."""
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"$ coderl {shlex.join(argv)}\n")
        f.flush()
        return subprocess.run([sys.executable, "-m", "rl.cli", *argv], stdout=f, stderr=subprocess.STDOUT,
                              env=env, check=False).returncode  # fmt: skip


def tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def last_logged(metrics: Path, key: str) -> float | None:
    """The last value of ``key`` in a stage's ``metrics.jsonl`` (the final train reward or loss)."""
    if not metrics.is_file():
        return None
    values = [row[key] for row in map(json.loads, metrics.read_text().splitlines()) if key in row]
    return values[-1] if values else None


def final_loss(metrics: Path) -> float | None:
    # a run shorter than logging_steps logs no step loss, only the Trainer's end-of-run mean (`train_loss`)
    loss = last_logged(metrics, "loss")
    return loss if loss is not None else last_logged(metrics, "train_loss")


def settings(sweep: Sweep, job: Job) -> dict:
    """What a finished run was trained and evaluated with: a re-run skips it only if these are unchanged."""
    return {"stage": sweep.stage, "base": str(sweep.base), "overrides": {**sweep.overrides, **job.cell.overrides},
            "seed": job.seed, "eval": dataclasses.asdict(sweep.eval)}  # fmt: skip


def run_job(sweep: Sweep, job: Job, env: dict) -> dict:
    """Train and evaluate one cell x seed; write and return its ``result.json`` (or ``failed.json``)."""
    job.dir.mkdir(parents=True, exist_ok=True)
    (job.dir / "failed.json").unlink(missing_ok=True)
    start, trained = time.time(), job.dir / "train.done"
    record = {"cell": job.cell.name, "overrides": job.cell.overrides, "seed": job.seed,
              "settings": settings(sweep, job), "train_command": "coderl " + shlex.join(train_argv(sweep, job)),
              "eval_command": "coderl " + shlex.join(eval_argv(sweep, job))}  # fmt: skip
    # a run trained before an interruption only needs its evaluation (which resumes its samples)
    phases = [] if trained.exists() else [("train", train_argv(sweep, job))]
    for phase, argv in phases + [("eval", eval_argv(sweep, job))]:
        code = run_coderl(argv, job.dir / f"{phase}.log", env)
        if code != 0:
            record.update(status="failed", phase=phase, exit_code=code, log_tail=tail(job.dir / f"{phase}.log"),
                          seconds=round(time.time() - start, 1))  # fmt: skip
            write_json(job.dir / "failed.json", record)
            return record
        if phase == "train":
            trained.touch()
    report = json.loads((job.dir / "eval" / "eval.json").read_text())
    metrics = job.dir / "train" / "metrics.jsonl"
    record.update(status="ok", exit_code=0, eval={k: v for k, v in report["overall"].items() if "@" in k},
                  train_reward=last_logged(metrics, "reward"), train_loss=final_loss(metrics),
                  seconds=round(time.time() - start, 1))  # fmt: skip
    write_json(job.dir / "result.json", record)
    return record


def gpu_ids() -> list[str]:
    """The GPUs a parallel sweep spreads runs over: ``CUDA_VISIBLE_DEVICES`` if set, else what nvidia-smi lists."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g for g in visible.split(",") if g.strip()]
    if shutil.which("nvidia-smi") is None:
        return []
    listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, check=False).stdout
    return [str(i) for i, line in enumerate(listing.splitlines()) if line.startswith("GPU")]


def run_setup(sweep: Sweep, out: Path) -> None:
    """Run each setup step whose ``creates`` path is missing (output to ``out/setup.log``); a failing step ends the
    sweep, since no cell could run without it."""
    out.mkdir(parents=True, exist_ok=True)
    for step in sweep.setup:
        if Path(step.creates).exists():
            continue
        print(f"setup: coderl {shlex.join(step.argv)}", file=sys.stderr)
        code = run_coderl(step.argv, out / "setup.log")
        if code != 0 or not Path(step.creates).exists():
            log = out / "setup.log"
            raise SweepError(f"{sweep.path}: setup step `coderl {shlex.join(step.argv)}` exited {code} without "
                             f"creating {step.creates}; the end of {log}:\n{tail(log)}")  # fmt: skip


def _check_done(sweep: Sweep, job: Job) -> None:
    """Refuse to mix runs of an edited sweep into one table: skipping them would compare unlike settings."""
    recorded = json.loads((job.dir / "result.json").read_text()).get("settings")
    if recorded != json.loads(json.dumps(settings(sweep, job))):
        raise SweepError(f"{job.dir} was run with other settings ({recorded}); the sweep changed since: "
                         "use another --out, or delete that folder to rerun it")  # fmt: skip


def run_all(sweep: Sweep, jobs: list[Job], parallel: int) -> None:
    """Run the jobs not done yet, ``parallel`` at a time, each slot pinned to one GPU when there are GPUs."""
    todo = [job for job in jobs if job.status() != "done"]
    print(f"{len(jobs) - len(todo)} of {len(jobs)} runs already done; running {len(todo)}", file=sys.stderr)
    gpus, slots = gpu_ids(), queue.Queue()
    for slot in range(parallel):
        slots.put(slot)
    threads = str(max(1, (os.cpu_count() or 1) // parallel))

    def one(index: int, job: Job) -> None:
        slot = slots.get()
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", threads)}
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = gpus[slot % len(gpus)]
        print(f"[{index}/{len(todo)}] {job.label}: running in {job.dir}", file=sys.stderr)
        try:
            result = run_job(sweep, job, env)
        finally:
            slots.put(slot)
        outcome = (f"pass@{sweep.eval.ks[0]} {result['eval'][f'pass@{sweep.eval.ks[0]}']}" if result["status"] == "ok"
                   else f"FAILED in {result['phase']} (exit {result['exit_code']}), see {job.dir}")  # fmt: skip
        print(f"[{index}/{len(todo)}] {job.label}: {outcome} ({result['seconds']}s)", file=sys.stderr)

    pool = ThreadPoolExecutor(max_workers=parallel)
    try:
        for future in [pool.submit(one, i, job) for i, job in enumerate(todo, 1)]:
            future.result()
    finally:  # on Ctrl-C, start no more runs (the running ones get the signal too, and are retried next time)
        pool.shutdown(cancel_futures=True)


def print_plan(sweep: Sweep, jobs: list[Job]) -> None:
    for step in sweep.setup:
        state = "exists" if Path(step.creates).exists() else "will run"
        print(f"setup ({state}): coderl {shlex.join(step.argv)}")
    for job in jobs:
        print(f"[{job.status()}] {job.label}\n    coderl {shlex.join(train_argv(sweep, job))}\n"
              f"    coderl {shlex.join(eval_argv(sweep, job))}")  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl ablate", description=__doc__.splitlines()[0])
    parser.add_argument("sweep", help="sweep YAML (see rl/sweep.py)")
    parser.add_argument("--out", help="output folder (default: the sweep's `out`, else runs/ablation/<sweep name>)")
    parser.add_argument("--parallel", type=int, default=1, help="runs at once, as subprocesses (default 1)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the plan and what is done")
    args = parser.parse_args(argv)
    if args.parallel < 1:
        parser.error(f"--parallel must be >= 1, got {args.parallel}")
    try:
        sweep = load_sweep(args.sweep)
        check_cells(sweep)
        out = Path(args.out or sweep.out or f"runs/ablation/{Path(args.sweep).stem}")
        jobs = plan(sweep, out)
        for job in jobs:
            if job.status() == "done":
                _check_done(sweep, job)
        if args.dry_run:
            print_plan(sweep, jobs)
            return 0
        run_setup(sweep, out)
        if not Path(sweep.eval.problems).is_file() and sweep.eval.problems != "humaneval":
            raise SweepError(f"{sweep.path}: eval.problems: {sweep.eval.problems} not found")
        start = time.time()
        run_all(sweep, jobs, args.parallel)
    except SweepError as e:
        print(f"coderl ablate: {e}", file=sys.stderr)
        return 2
    table = write_reports(sweep, [(job.cell, job.seed, job.dir) for job in jobs], out)
    print(table)
    print(f"sweep of {len(jobs)} runs took {time.time() - start:.0f}s; tables and plot in {out}", file=sys.stderr)
    return 1 if any(job.status() == "failed" for job in jobs) else 0
