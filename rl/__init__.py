"""coderl's training room: SFT / GRPO / DPO on TRL, generation, evaluation, the demo, the CLI.

The only package that imports torch, transformers, trl, peft or vllm, and only inside the modules that need them,
so that ``import rl`` and ``coderl --help`` stay fast.
"""
