"""The ``coderl`` command: a thin dispatcher. Each subcommand lives beside the code it runs and is imported only
when called, so ``coderl judge`` or ``coderl data`` never import torch.

    coderl --help
    coderl <command> --help
"""

from __future__ import annotations

import importlib
import os
import sys

# name -> ("module:function", one-line help). Each function takes argv (list[str]) and returns an exit code.
COMMANDS: dict[str, tuple[str, str]] = {
    "data": ("data.cli:main", "problem files: validate, synth (the bundled suite), import, dedup, filter, stats"),
    "tiny-model": ("rl.tiny_model:main", "build a tiny random-init Qwen2/Llama and its tokenizer, offline"),
    "sft": ("rl.sft:main", "warm-up SFT on TRL: --config RECIPE.yaml [--field value ...]"),
    "grpo": ("rl.grpo:main", "GRPO with sandbox rewards on TRL: --config RECIPE.yaml [--field value ...]"),
    "dpo": ("rl.dpo:main", "DPO on sandbox-verified pairs on TRL: --config RECIPE.yaml [--field value ...]"),
    "generate": ("rl.generate:main", "sample completions (server, vLLM or transformers), judge them, write samples"),
    "ablate": ("rl.ablate:main", "run a recipe over a grid of overrides x seeds, evaluate, compare: SWEEP.yaml"),
    "eval": (
        "rl.evaluate:main",
        "pass@k of a model on a problem file or HumanEval, overall and per source/difficulty",
    ),
    "serve-policy": ("rl.serve_policy:main", "start vLLM's OpenAI-compatible server for rollouts; wait until healthy"),
    "demo": ("rl.demo:main", "the whole recipe on the bundled suite and a tiny model; writes summary and report"),
    "judge": ("sandbox.cli:judge_main", "judge solutions against problems in the sandbox; write verdicts JSONL"),
    "sandbox": ("sandbox.cli:sandbox_main", "the judge as an HTTP service: `coderl sandbox serve --port P`"),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    listing = "\n".join(lines)
    return f"usage: coderl <command> [args...]\n\ncommands:\n{listing}\n\n`coderl <command> --help` for more."


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        try:
            print(_usage())
        except BrokenPipeError:  # `coderl --help | head`
            sys.stdout = open(os.devnull, "w")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"coderl: unknown command {name!r}; known: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
