"""Rollout throughput of a tiny model: vLLM's OpenAI server vs transformers ``generate``, in the same run, as a table.

    .venv/bin/python benchmarks/rollout.py                          # tiny model, 16 prompts x 8 samples x 64 tokens
    .venv/bin/python benchmarks/rollout.py --size small --prompts 32 --n 16 --max-tokens 128
    .venv/bin/python benchmarks/rollout.py --skip-vllm              # transformers only (no .venv-vllm)
    .venv/bin/python benchmarks/rollout.py --model runs/sft         # a trained model (it stops at EOS)

The server runs under ``.venv-vllm`` (``scripts/vllm_cpu_test.sh --setup-only`` builds it) on CPU, or under this
Python on a GPU node. Only generation is timed (no judging); the model load and one warm-up call are not. A random
model rarely emits EOS, so nearly every sample runs to ``--max-tokens``: compare tokens/s as well as samples/s.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.synth import generate as synth  # noqa: E402
from rl.backends import (  # noqa: E402
    SamplingParams,  # noqa: E402
    ServerBackend,
    TransformersBackend,
)
from rl.prompts import build_messages  # noqa: E402


def timed(backend, prompts, params: SamplingParams) -> dict:
    """Generate once to warm up, then time one full pass."""
    backend.generate(prompts[:1], SamplingParams(n=1, max_tokens=4))
    start = time.perf_counter()
    outs = backend.generate(prompts, params)
    seconds = time.perf_counter() - start
    samples = [c for out in outs for c in out]
    tokens = sum(c.completion_tokens or 0 for c in samples)
    return {"samples": len(samples), "tokens": tokens, "seconds": seconds,
            "samples/s": len(samples) / seconds, "tokens/s": tokens / seconds}  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_vllm(model: Path, prompts, params: SamplingParams, concurrency: int, python: str | None) -> tuple[dict, float]:
    from rl.serve_policy import start_server, stop_server

    start = time.perf_counter()
    log = Path(tempfile.mkdtemp(prefix="rollout-bench-")) / "vllm-server.log"
    proc, url = start_server(str(model), free_port(), python=python, log=str(log),
                             timeout_s=900)  # fmt: skip
    ready = time.perf_counter() - start
    try:
        return timed(ServerBackend(url, concurrency=concurrency), prompts, params), ready
    finally:
        stop_server(proc)


def table(rows: list[tuple[str, dict]]) -> str:
    lines = ["| backend | samples | completion tokens | seconds | samples/s | tokens/s |", "|---|---|---|---|---|---|"]
    for name, r in rows:
        lines.append(f"| {name} | {r['samples']} | {r['tokens']} | {r['seconds']:.2f} | {r['samples/s']:.1f} "
                     f"| {r['tokens/s']:.0f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="tiny", help="rl.tiny_model size; not nano (vLLM CPU has no head_dim 8)")
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--n", type=int, default=8, help="samples per prompt")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16, help="prompts per transformers generate call")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight to the server")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for transformers (1 is fastest here)")
    parser.add_argument("--python", help="interpreter with vllm (default: .venv-vllm/bin/python)")
    parser.add_argument("--model", help="benchmark this save_pretrained folder instead of a fresh random model")
    parser.add_argument("--skip-vllm", action="store_true")
    args = parser.parse_args()

    import torch

    from rl.tiny_model import build

    torch.set_num_threads(args.threads)
    fresh = Path(tempfile.mkdtemp(prefix="rollout-bench-")) / "model"
    model = Path(args.model) if args.model else build(fresh, size=args.size)
    prompts = [build_messages(p) for p in synth("train", args.prompts, seed=0)]
    params = SamplingParams(n=args.n, temperature=1.0, max_tokens=args.max_tokens, seed=0)
    rows = [(f"transformers generate ({args.threads} thread)",
             timed(TransformersBackend(str(model), batch_size=args.batch_size), prompts, params))]  # fmt: skip
    note = ""
    if not args.skip_vllm:
        result, ready = run_vllm(model, prompts, params, args.concurrency, args.python)
        rows.append((f"vLLM server ({args.concurrency} concurrent requests)", result))
        note = f"\nvLLM server start to healthy: {ready:.0f} s (not in the timings)."
    name = args.model or f"{args.size} random"
    print(f"{name} model, {args.prompts} prompts x {args.n} samples, max {args.max_tokens} tokens, "
          f"temperature 1.0\n\n{table(rows)}{note}")  # fmt: skip


if __name__ == "__main__":
    main()
