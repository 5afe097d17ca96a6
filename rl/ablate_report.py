"""The comparison of an ablation sweep: one row per cell, mean +- std over seeds, as markdown, CSV and a PNG plot.

Written by ``coderl ablate`` (``rl/ablate.py``) from each run's ``result.json`` / ``failed.json``.
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

from rl.sweep import cli_text


def mean_std(values: list[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (0 for one value; ``None`` for none)."""
    if not values:
        return None, None
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def _load(run_dir: Path) -> dict | None:
    for name in ("result.json", "failed.json"):
        if (run_dir / name).is_file():
            return json.loads((run_dir / name).read_text())
    return None


def metric_names(sweep) -> list[str]:
    """pass@k of the evaluation, and the stage's last logged train reward (GRPO) or loss (SFT has no reward)."""
    return [f"pass@{k}" for k in sweep.eval.ks] + ["train_reward" if sweep.stage == "grpo" else "train_loss"]


def _value(result: dict, metric: str) -> float | None:
    return result.get("eval", {}).get(metric) if metric.startswith("pass@") else result.get(metric)


def cell_rows(sweep, runs: list[tuple]) -> list[dict]:
    """``[{"cell", <grid keys>, "seeds", "ok", "<metric>_mean", "<metric>_std", "status", "errors"}]``, grid order."""
    by_cell: dict[str, list] = {}
    for cell, seed, run_dir in runs:
        by_cell.setdefault(cell.name, [cell, []])[1].append((seed, _load(run_dir)))
    rows = []
    for name, (cell, results) in by_cell.items():
        ok = [r for _, r in results if r and r["status"] == "ok"]
        failed = [(s, r) for s, r in results if r and r["status"] == "failed"]
        values = {k: cli_text(v) for k, v in cell.overrides.items()}  # as the command line and the table spell them
        row = {"cell": name, **values, "seeds": len(results), "ok": len(ok)}
        for metric in metric_names(sweep):
            values = [v for v in (_value(r, metric) for r in ok) if v is not None]
            row[f"{metric}_mean"], row[f"{metric}_std"] = mean_std(values)
        pending = len(results) - len(ok) - len(failed)
        row["status"] = "failed" if failed else "pending" if pending else "ok"
        row["errors"] = "; ".join(f"seed {s}: {r['phase']} exit {r['exit_code']}: {_last_line(r)}" for s, r in failed)
        rows.append(row)
    return rows


def _last_line(result: dict) -> str:
    lines = [line for line in result.get("log_tail", "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _fmt(mean: float | None, std: float | None, percent: bool) -> str:
    if mean is None:
        return "-"
    return f"{100 * mean:.1f} ± {100 * std:.1f}" if percent else f"{mean:.3f} ± {std:.3f}"


def markdown(sweep, rows: list[dict], failures: list[dict]) -> str:
    keys, metrics = list(sweep.grid), metric_names(sweep)
    heads = [*keys, "seeds ok", *(f"{m} (%)" if m.startswith("pass@") else m.replace("_", " ") for m in metrics),
             "status"]  # fmt: skip
    lines = [f"# Ablation: `{sweep.path}` ({sweep.stage}, base `{sweep.base}`)", "",
             "| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]  # fmt: skip
    for row in rows:
        values = [row[k] for k in keys] + [f"{row['ok']}/{row['seeds']}"]
        values += [_fmt(row[f"{m}_mean"], row[f"{m}_std"], m.startswith("pass@")) for m in metrics]
        lines.append("| " + " | ".join(values + [row["status"]]) + " |")
    e = sweep.eval
    note = (
        f"Mean ± std over seeds {sweep.seeds}. Eval: {e.problems} (limit {e.limit}), n={e.n}, "
        f"temperature={e.temperature}, max_new_tokens={e.max_new_tokens}. Train reward / loss: the last one logged."
    )
    lines += ["", note]
    for f in failures:
        lines += ["", f"**{f['cell']} seed {f['seed']} failed** in {f['phase']} (exit {f['exit_code']}):", "```",
                  f.get("log_tail", ""), "```"]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def plot(sweep, rows: list[dict], path: Path) -> None:
    """One panel per metric, one bar per cell with its std over seeds as the error bar."""
    import matplotlib

    matplotlib.use("Agg")  # no display on training nodes
    import matplotlib.pyplot as plt

    metrics = metric_names(sweep)
    labels = ["\n".join(row[k] for k in sweep.grid) for row in rows]
    fig, axes = plt.subplots(1, len(metrics), figsize=(max(4, 1.2 * len(rows)) * len(metrics), 4), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        scale = 100 if metric.startswith("pass@") else 1  # percent, as in the table
        means = [scale * (row[f"{metric}_mean"] or 0.0) for row in rows]
        stds = [scale * (row[f"{metric}_std"] or 0.0) for row in rows]
        ax.bar(range(len(rows)), means, yerr=stds, capsize=4, color="tab:blue")
        ax.set_xticks(range(len(rows)), labels, fontsize=8)
        ax.set_xlabel(" / ".join(sweep.grid), fontsize=8)
        if scale == 100:
            ax.set_ylim(0, 100)
        ax.set_title(f"{metric} (%)" if scale == 100 else metric.replace("_", " "))
    fig.suptitle(f"{sweep.path.name}: " + " / ".join(sweep.grid) + f" (mean ± std over {len(sweep.seeds)} seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_reports(sweep, runs: list[tuple], out: Path) -> str:
    """Write ``ablation.md``, ``ablation.csv`` and ``ablation.png`` into ``out``; returns the markdown."""
    rows = cell_rows(sweep, runs)
    failures = [r for r in (_load(d) for _, _, d in runs) if r and r["status"] == "failed"]
    text = markdown(sweep, rows, failures)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ablation.md").write_text(text, encoding="utf-8")
    write_csv(rows, out / "ablation.csv")
    plot(sweep, rows, out / "ablation.png")
    return text
