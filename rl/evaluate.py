"""pass@k of a model: sample, judge, and report overall and per source / difficulty (``eval.json`` + ``eval.md``).

    coderl eval --model runs/sft --problems heldout.jsonl --n 8 --k 1,4,8 --out runs/eval/sft
    coderl eval --model runs/sft --problems humaneval --greedy --out runs/eval/he      # temperature 0, n=1, pass@1
    coderl eval --server http://127.0.0.1:8000 --problems heldout.jsonl --n 16 --k 1,8 --out runs/eval/srv

From Python (the demo and the ablation runner):

    from rl.evaluate import evaluate
    report = evaluate("runs/sft", "heldout.jsonl", n=8, ks=[1, 4, 8], out_dir="runs/eval/sft")
    report["overall"]["pass@1"]

pass@k uses the unbiased estimator of Chen et al. (2021) (``rl.passk``). A sample the judge failed on
(``sandbox_error``) is not the model's fault: it is left out of its problem's n, counted in ``sandbox_errors``, and
a problem left with fewer than k samples is left out of pass@k (``excluded@k``) rather than scored as a failure.
Samples are kept in ``DIR/samples.jsonl``, so an interrupted evaluation resumes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from data.jsonl import iter_jsonl
from data.schema import Problem
from rl.backends import SamplingParams, make_backend
from rl.generate import add_sampling_args, backend_options, generate, load_problem_source
from rl.passk import summarize


def per_problem_counts(samples: list[dict], problems: list[Problem]) -> tuple[list[dict], int]:
    """``[{"id", "n", "c", "source", "difficulty"}]`` per problem, and how many sandbox errors were left out."""
    by_id: dict[str, list[dict]] = {p.id: [] for p in problems}
    for row in samples:
        if row["id"] in by_id:
            by_id[row["id"]].append(row)
    counts, sandbox_errors = [], 0
    for p in problems:
        statuses = [r["verdict"]["status"] for r in by_id[p.id]]
        usable = [s for s in statuses if s != "sandbox_error"]
        sandbox_errors += len(statuses) - len(usable)
        counts.append({"id": p.id, "n": len(usable), "c": usable.count("passed"), "source": p.source,
                       "difficulty": p.difficulty})  # fmt: skip
    return counts, sandbox_errors


def report_from_samples(samples_path: str | Path, problems: list[Problem], ks: list[int]) -> dict:
    """pass@k and sample statistics from a judged samples file (as ``coderl generate`` writes it)."""
    samples = []
    for lineno, row in iter_jsonl(samples_path):
        if not isinstance(row, dict) or not isinstance(row.get("verdict"), dict):
            raise ValueError(f"{samples_path}:{lineno}: verdict: missing (rows must come from `coderl generate`)")
        samples.append(row)
    counts, sandbox_errors = per_problem_counts(samples, problems)
    wanted = {p.id for p in problems}
    mine = [r for r in samples if r["id"] in wanted]
    tokens = [r["completion_tokens"] for r in mine if r.get("completion_tokens") is not None]
    report = summarize(counts, ks)
    report.update({
        "ks": ks, "sandbox_errors": sandbox_errors,
        "statuses": dict(Counter(r["verdict"]["status"] for r in mine)),
        "finish_reasons": dict(Counter(r.get("finish_reason") for r in mine)),
        "mean_completion_tokens": round(sum(tokens) / len(tokens), 1) if tokens else None,
        "no_code": sum(1 for r in mine if r.get("code") is None),
        "per_problem": counts,
    })  # fmt: skip
    return report


def evaluate(model_path: str | None, problems: list[Problem] | str, n: int = 8, ks: list[int] | tuple = (1,),
             temperature: float = 1.0, top_p: float = 1.0, max_tokens: int = 1024, greedy: bool = False,
             backend: str | object = "transformers", server: str | None = None, out_dir: str | Path | None = None,
             judge=None, seed: int = 0, system_prompt: str | None = None, progress: bool = True,
             overwrite: bool = False, judge_workers: int = 2, **backend_options) -> dict:  # fmt: skip
    """Sample ``n`` completions per problem, judge them, and return the pass@k report (also written when ``out_dir``).

    Args:
        model_path: a ``save_pretrained`` folder (``None`` with ``server``).
        problems: ``Problem`` objects, a problems JSONL path, or ``"humaneval"``.
        n: samples per problem; every k must be <= n.
        ks: the k values of pass@k.
        greedy: temperature 0, one sample, pass@1 only.
        backend: ``transformers`` or ``vllm`` for ``model_path``, or a backend object already built (``generate``
            and ``describe`` methods, see ``rl.backends``) to reuse a loaded model.
        server: an OpenAI-compatible server URL instead of ``model_path``.
        out_dir: where ``samples.jsonl``, ``eval.json`` and ``eval.md`` go (a temporary folder when ``None``).
        judge: a ``sandbox.Judge`` to reuse; one with ``judge_workers`` is made (and closed) otherwise.
        overwrite: start ``out_dir/samples.jsonl`` afresh instead of resuming it.
        backend_options: passed to ``rl.backends.make_backend`` (``batch_size``, ``dtype``, ``concurrency``, ...).

    Returns:
        ``{"overall": {"pass@1": ..., "problems", "samples", ...}, "by_source": {...}, "by_difficulty": {...},
        "sandbox_errors", "statuses", ...}``; pass@k values are fractions in [0, 1].
    """
    if greedy:
        n, ks, temperature = 1, [1], 0.0
    ks = sorted(set(int(k) for k in ks))
    if ks[-1] > n:
        raise ValueError(f"pass@{ks[-1]} needs at least {ks[-1]} samples per problem; raise n (now {n})")
    problem_list = load_problem_source(problems) if isinstance(problems, str) else list(problems)
    params = SamplingParams(n, temperature, top_p, max_tokens, seed)
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="coderl-eval-"))
    engine = backend
    if isinstance(backend, str):
        engine = make_backend(server=server, model=model_path, kind=backend, seed=seed, **backend_options)
    summary = generate(problem_list, engine, params, out / "samples.jsonl", judge=judge, system_prompt=system_prompt,
                       progress=progress, overwrite=overwrite, judge_workers=judge_workers)  # fmt: skip
    report = report_from_samples(out / "samples.jsonl", problem_list, ks)
    model = model_path or server or engine.describe().get("model")
    report.update({"model": model, "problems_from": problems if isinstance(problems, str) else None,
                   "sampling": params.to_dict(), "seconds": summary["seconds"]})  # fmt: skip
    write_report(report, out)
    return report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def markdown(report: dict) -> str:
    """The report as a markdown table: overall, then one row per source and per difficulty."""
    ks = report["ks"]
    head = "| group | problems | samples | " + " | ".join(f"pass@{k} (%)" for k in ks) + " |"
    lines = [f"# Evaluation of `{report.get('model')}`", "", head, "|" + "---|" * (3 + len(ks))]

    def row(name: str, g: dict) -> str:
        return f"| {name} | {g['problems']} | {g['samples']} | " + " | ".join(_pct(g[f"pass@{k}"]) for k in ks) + " |"

    lines.append(row("**overall**", report["overall"]))
    for field in ("source", "difficulty"):
        for key, g in report.get(f"by_{field}", {}).items():
            lines.append(row(f"{field}={key}", g))
    s = report.get("sampling", {})
    lines += ["", f"Sampling: n={s.get('n')}, temperature={s.get('temperature')}, top_p={s.get('top_p')}, "
              f"max_tokens={s.get('max_tokens')}, seed={s.get('seed')}. Statuses: {report['statuses']}."]  # fmt: skip
    if report["sandbox_errors"]:
        lines.append(
            f"\n**{report['sandbox_errors']} sample(s) got sandbox_error** (a judge failure) and were left out."
        )
    excluded = {k: v for k, v in report["overall"].items() if k.startswith("excluded@")}
    if excluded:
        lines.append(f"Problems left out for lack of usable samples: {excluded}.")
    return "\n".join(lines) + "\n"


def write_report(report: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "eval.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out_dir / "eval.md").write_text(markdown(report), encoding="utf-8")


def _ks(text: str) -> list[int]:
    try:
        ks = [int(k) for k in text.split(",") if k.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k takes comma-separated integers like 1,4,8, got {text!r}") from None
    if not ks or min(ks) < 1:
        raise argparse.ArgumentTypeError(f"--k values must be >= 1, got {text!r}")
    return ks


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl eval", description=__doc__.splitlines()[0])
    add_sampling_args(parser, n=8)
    parser.add_argument("--k", type=_ks, default=[1], help="comma-separated k values (default 1)")
    parser.add_argument("--greedy", action="store_true", help="temperature 0, n=1, pass@1")
    parser.add_argument("--out", required=True, help="output folder: samples.jsonl, eval.json, eval.md")
    args = parser.parse_args(argv)
    try:
        problems = load_problem_source(args.problems)[: args.limit]
        report = evaluate(args.model, problems, args.n, args.k, args.temperature, args.top_p, args.max_tokens,
                          args.greedy, args.backend, args.server, args.out, seed=args.seed,
                          system_prompt=args.system_prompt, overwrite=args.overwrite,
                          judge_workers=args.judge_workers, **backend_options(args))  # fmt: skip
    except (ValueError, RuntimeError, OSError) as e:  # bad rows, settings, server or engine: say what, no trace
        print(f"coderl eval: {e}", file=sys.stderr)
        return 2
    print(markdown(report))
    if report["sandbox_errors"]:
        print(f"warning: {report['sandbox_errors']} sandbox_error sample(s) excluded", file=sys.stderr)
    return 0
