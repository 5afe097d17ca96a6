"""Build a tiny causal LM and its tokenizer offline, in seconds: for tests, the demo and CPU experiments.

    coderl tiny-model runs/tiny                     # ~4M-parameter Qwen2, BPE tokenizer trained on the suite
    coderl tiny-model runs/tiny --size nano --arch llama --seed 1

The tokenizer is a byte-level BPE trained with ``tokenizers`` on the bundled suite's prompts and programs (plus any
``--corpus`` files), so it covers every byte and encodes Python compactly. Its chat template marks the assistant
turn with ``{% generation %}`` so TRL's ``assistant_only_loss`` works. Weights are random, seeded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{ '\n' }}"
    "{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# name -> (hidden size, layers, attention heads, kv heads, intermediate size)
SIZES: dict[str, tuple[int, int, int, int, int]] = {
    "nano": (32, 2, 4, 2, 64),  # ~0.1M parameters: unit tests
    "tiny": (128, 4, 4, 2, 384),  # ~1M
    "small": (256, 4, 8, 4, 768),  # ~4M: the demo
    "base": (512, 6, 8, 4, 1536),  # ~19M
}


def train_tokenizer(texts: list[str], vocab_size: int = 1024):
    """A byte-level BPE ``PreTrainedTokenizerFast`` with the chat special tokens and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None, unk_token=None
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_model(vocab_size: int, size: str = "small", arch: str = "qwen2", seed: int = 0, eos_id: int = 2,
                pad_id: int = 0):  # fmt: skip
    """A random-init causal LM of a named size; ``arch`` is ``qwen2`` or ``llama``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    hidden, layers, heads, kv_heads, inter = SIZES[size]
    config_cls, model_cls = {"qwen2": (Qwen2Config, Qwen2ForCausalLM), "llama": (LlamaConfig, LlamaForCausalLM)}[arch]
    config = config_cls(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        intermediate_size=inter,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    return model_cls(config)


def build(out_dir: str | Path, size: str = "small", arch: str = "qwen2", seed: int = 0, vocab_size: int = 1024,
          extra_texts: list[str] | None = None) -> Path:  # fmt: skip
    """Train the tokenizer, build the model and ``save_pretrained`` both into ``out_dir``; returns the path."""
    from transformers import GenerationConfig

    from data.synth import corpus
    from rl.prompts import prompt_texts

    tokenizer = train_tokenizer(corpus(seed=0) + prompt_texts() + list(extra_texts or []), vocab_size)
    model = build_model(len(tokenizer), size, arch, seed, tokenizer.eos_token_id, tokenizer.pad_token_id)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, do_sample=True
    )
    out = Path(out_dir)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl tiny-model", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="output folder (save_pretrained layout)")
    parser.add_argument("--size", choices=list(SIZES), default="small", help="model size (default small, ~4M)")
    parser.add_argument("--arch", choices=("qwen2", "llama"), default="qwen2", help="architecture (default qwen2)")
    parser.add_argument("--seed", type=int, default=0, help="weight init seed (default 0)")
    parser.add_argument("--vocab-size", type=int, default=1024, help="BPE vocabulary size (default 1024)")
    parser.add_argument("--corpus", nargs="*", default=[], help="extra text files to train the tokenizer on")
    args = parser.parse_args(argv)
    extra = [Path(p).read_text(encoding="utf-8") for p in args.corpus]
    out = build(args.out, args.size, args.arch, args.seed, args.vocab_size, extra)
    from transformers import AutoModelForCausalLM

    n = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(out).parameters())
    print(f"wrote a {args.arch} model ({n / 1e6:.2f}M parameters) and its tokenizer to {out}", file=sys.stderr)
    return 0
