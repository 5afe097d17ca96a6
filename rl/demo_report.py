"""The demo's summary (``summary.json``) and report (``report.md`` with PNG plots), from what the run left on disk.

Every number here is read from files the stages wrote (``eval/results.json``, ``grpo/metrics.jsonl``,
``pairs-report.json``, ``state.json``): nothing is typed in.
"""

from __future__ import annotations

import json
from pathlib import Path

STAGES = ("base", "sft", "grpo", "dpo")


def _metrics(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _series(rows: list[dict], key: str) -> tuple[list[int], list[float]]:
    points = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), int | float)]
    return [p[0] for p in points], [p[1] for p in points]


def _smooth(values: list[float], window: int = 10) -> list[float]:
    """Trailing mean over ``window`` points: per-step rewards of a small batch are noisy."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def _first_key(rows: list[dict], *candidates: str) -> str | None:
    for key in candidates:
        if any(key in r for r in rows):
            return key
    return None


def plot_grpo(metrics: list[dict], out: Path) -> list[str]:
    """Reward and pass rate, and completion length, over GRPO steps; returns the PNG names written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    reward_key = _first_key(metrics, "reward")
    pass_key = _first_key(metrics, "sandbox/pass_rate", "rewards/pass_rate/mean")
    if reward_key or pass_key:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key, label, color in ((reward_key, "reward (weighted sum)", "tab:blue"),
                                  (pass_key, "tests passed (fraction)", "tab:orange")):  # fmt: skip
            if key:
                steps, values = _series(metrics, key)
                ax.plot(steps, values, color=color, alpha=0.3, linewidth=0.8)
                ax.plot(steps, _smooth(values), color=color, label=f"{label}, mean of 10 steps")
        ax.set_xlabel("GRPO step")
        ax.set_title("GRPO: reward and sandbox pass rate on training prompts")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "grpo_reward.png", dpi=110)
        plt.close(fig)
        written.append("grpo_reward.png")
    length_key = _first_key(metrics, "completions/mean_length")
    if length_key:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(*_series(metrics, length_key), color="tab:green")
        ax.set_xlabel("GRPO step")
        ax.set_ylabel("tokens")
        ax.set_title("GRPO: mean completion length")
        fig.tight_layout()
        fig.savefig(out / "completion_length.png", dpi=110)
        plt.close(fig)
        written.append("completion_length.png")
    return written


def plot_stages(results: dict, out: Path) -> str:
    """Held-out pass@1 per stage, sampled and greedy, as grouped bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = [s for s in STAGES if s in results]
    sampled = [100 * (results[s]["sampled"]["pass@1"] or 0) for s in stages]
    greedy = [100 * (results[s]["greedy"]["pass@1"] or 0) for s in stages]
    x = range(len(stages))
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar([i - 0.2 for i in x], sampled, width=0.4, label="pass@1 (sampled)")
    ax.bar([i + 0.2 for i in x], greedy, width=0.4, label="pass@1 (greedy)")
    for i, v in zip(x, sampled):
        ax.text(i - 0.2, v + 0.5, f"{v:.1f}", ha="center", fontsize=8)
    ax.set_xticks(list(x), stages)
    ax.set_ylabel("held-out pass@1 (%)")
    ax.set_title("Held-out pass@1 per stage")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "pass_at_1.png", dpi=110)
    plt.close(fig)
    return "pass_at_1.png"


def write_report(out: Path, times: dict, settings: dict, target_lift: float, wall_seconds: float,
                 target_seconds: float = 900.0) -> dict:  # fmt: skip
    """Write ``summary.json`` and ``report.md`` (with plots) into ``out``; returns the summary."""
    results = json.loads((out / "eval" / "results.json").read_text())
    metrics = _metrics(out / "grpo" / "metrics.jsonl")
    pairs = json.loads((out / "pairs-report.json").read_text()) if (out / "pairs-report.json").is_file() else {}
    pass1 = {s: results[s]["sampled"]["pass@1"] for s in STAGES}
    greedy = {s: results[s]["greedy"]["pass@1"] for s in STAGES}
    lift = (pass1["grpo"] or 0) - (pass1["sft"] or 0)
    summary = {
        "pass_at_1": pass1,
        "greedy_pass_at_1": greedy,
        "grpo_lift_over_sft": round(lift, 4),
        "target_lift": target_lift,
        "target_reached": lift >= target_lift,
        "wall_seconds": round(sum(times.values()), 1),  # every stage, also those a resumed run skipped
        "invocation_seconds": round(wall_seconds, 1),
        "target_wall_seconds": target_seconds,
        "stage_seconds": times,
        "heldout_problems": results["base"]["sampled"]["problems"],
        "eval": {
            "n": settings["eval_n"],
            "temperature": settings["eval_temperature"],
            "max_tokens": settings["eval_max_tokens"],
        },  # fmt: skip
        "dpo_pairs": {"on_policy": pairs.get("pairs"), "reference_chosen": pairs.get("reference_chosen")},
        "settings": settings,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    plots = plot_grpo(metrics, out) + [plot_stages(results, out)]
    (out / "report.md").write_text(_markdown(summary, results, plots))
    return summary


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}"


def _markdown(summary: dict, results: dict, plots: list[str]) -> str:
    ev = summary["eval"]
    lift_pts = 100 * summary["grpo_lift_over_sft"]
    verdict = (
        f"**Target reached**: GRPO lifts held-out pass@1 by {lift_pts:.1f} points over the SFT warm-up "
        f"(target {100 * summary['target_lift']:.0f})."
        if summary["target_reached"]
        else f"**Target not reached**: GRPO changed held-out pass@1 by {lift_pts:+.1f} points over the SFT warm-up; "
        f"the target is +{100 * summary['target_lift']:.0f}."
    )
    lines = [
        "# coderl demo report",
        "",
        f"Held-out split: {summary['heldout_problems']} problems never trained on (unseen sentence frames and "
        f"parameters). pass@1 is the unbiased estimate from {ev['n']} samples per problem at temperature "
        f"{ev['temperature']} ({ev['max_tokens']} new tokens at most); greedy is one sample at temperature 0.",
        "",
        verdict,
        "",
        "| stage | pass@1 (sampled) | pass@1 (greedy) | samples | passed |",
        "|---|---|---|---|---|",
    ]
    for stage in STAGES:
        s, g = results[stage]["sampled"], results[stage]["greedy"]
        lines.append(f"| {stage} | {_pct(s['pass@1'])} | {_pct(g['pass@1'])} | {s['samples']} | {s['passed']} |")
    total = summary["wall_seconds"]
    within = "within" if total <= summary["target_wall_seconds"] else "over"
    lines += ["", f"Wall time: {total:.0f} s for all stages ({within} the {summary['target_wall_seconds']:.0f} s "
              f"target); {summary['invocation_seconds']:.0f} s in this invocation (a re-run skips finished stages). "
              f"One seed ({summary['settings']['seed']}): expect several points of swing between seeds.", "",
              "| step | seconds |", "|---|---|"]  # fmt: skip
    lines += [f"| {name} | {sec:.0f} |" for name, sec in summary["stage_seconds"].items()]
    dp = summary["dpo_pairs"]
    lines += [
        "",
        f"DPO trained on {dp['on_policy']} on-policy pairs and {dp['reference_chosen']} pairs whose chosen "
        "answer is the reference (problems the GRPO model never passed); see `pairs-report.json`.",
    ]
    lines += [""] + [f"![{p}]({p})" for p in plots]
    lines += ["", "Settings: `recipes/tiny-demo/<stage>/demo.yaml` and `summary.json` → `settings`.", ""]
    return "\n".join(lines)
