"""The tiny model builds offline, is deterministic, and its chat template supports assistant-only loss."""

import pytest

pytest.importorskip("transformers")
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

from rl.tiny_model import build, main  # noqa: E402


def test_build_saves_a_loadable_model_and_tokenizer(tmp_path):
    out = build(tmp_path / "m", size="nano", seed=0)
    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out)
    assert model.config.vocab_size == len(tok) and tok.eos_token == "<|im_end|>"
    code = "def solve(xs):\n    return sorted(xs)\n"
    assert tok.decode(tok(code)["input_ids"]) == code
    assert len(tok(code)["input_ids"]) < len(code) / 2  # BPE learned the suite's code


def test_assistant_mask_covers_only_the_answer(tmp_path):
    tok = AutoTokenizer.from_pretrained(build(tmp_path / "m", size="nano"))
    messages = [
        {"role": "system", "content": "Write Python."},
        {"role": "user", "content": "Output x plus 3."},
        {"role": "assistant", "content": "```python\nprint(int(input()) + 3)\n```"},
    ]
    enc = tok.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    kept = [i for i, m in zip(enc["input_ids"], enc["assistant_masks"]) if m]
    assert tok.decode(kept) == "```python\nprint(int(input()) + 3)\n```<|im_end|>"


def test_deterministic_by_seed(tmp_path):
    a = AutoModelForCausalLM.from_pretrained(build(tmp_path / "a", size="nano", seed=1))
    b = AutoModelForCausalLM.from_pretrained(build(tmp_path / "b", size="nano", seed=1))
    c = AutoModelForCausalLM.from_pretrained(build(tmp_path / "c", size="nano", seed=2))
    pa, pb, pc = (next(m.parameters()) for m in (a, b, c))
    assert pa.equal(pb) and not pa.equal(pc)


def test_cli_llama(tmp_path):
    assert main([str(tmp_path / "l"), "--size", "nano", "--arch", "llama"]) == 0
    assert AutoModelForCausalLM.from_pretrained(tmp_path / "l").config.model_type == "llama"
