"""Dynamic sampling (DAPO, Yu et al. 2025): drop prompt groups whose rewards all agree and refill, so every
optimizer step sees a full batch of groups that carry a learning signal.

TRL's synchronous ``GRPOTrainer`` has no such option (an open feature request), so ``rl.grpo_trainer`` overrides
its one method ``_generate_and_score_completions``: it generates and scores the batch as TRL does, keeps the
informative groups, and generates for freshly drawn prompts until it has as many groups as the batch holds (or
``dynamic_sampling_max_rounds`` is reached, when it tops up with zero-variance groups, which carry zero advantage).
This file holds the tensor work, free of the trainer so it is unit-tested directly.
"""

from __future__ import annotations

import torch

LEFT_PADDED = ("prompt_ids", "prompt_mask")  # TRL pads prompts on the left, everything else on the right
PAD_VALUES = {"completion_ids": None, "prompt_ids": None}  # None: the tokenizer's pad id


def informative_groups(rewards: torch.Tensor, num_generations: int, eps: float = 1e-6) -> torch.Tensor:
    """One bool per group of ``num_generations`` consecutive rows: True where the rewards differ.

    NaN rewards (no reward applied) are ignored; a group with fewer than two scored rows is not informative.
    """
    grouped = rewards.view(-1, num_generations)
    scored = ~torch.isnan(grouped)
    filled = torch.where(scored, grouped, torch.zeros_like(grouped))
    count = scored.sum(dim=1).clamp(min=1)
    mean = filled.sum(dim=1, keepdim=True) / count.unsqueeze(1)
    spread = torch.where(scored, (grouped - mean).abs(), torch.zeros_like(grouped)).amax(dim=1)
    return (spread > eps) & (scored.sum(dim=1) >= 2)


def rows_of_groups(group_mask: torch.Tensor, num_generations: int) -> torch.Tensor:
    """Row indices of the groups where ``group_mask`` is True."""
    return torch.nonzero(group_mask.repeat_interleave(num_generations), as_tuple=True)[0]


def select_rows(batch: dict, rows: torch.Tensor, num_rows: int) -> dict:
    """The batch restricted to ``rows``: per-row tensors (and lists) are indexed, everything else kept."""
    out = {}
    for key, value in batch.items():
        if isinstance(value, torch.Tensor) and value.dim() > 0 and value.size(0) == num_rows:
            out[key] = value[rows.to(value.device)]
        elif isinstance(value, list) and len(value) == num_rows:
            out[key] = [value[i] for i in rows.tolist()]
        else:
            out[key] = value
    return out


def _pad_to(tensor: torch.Tensor, length: int, value, left: bool) -> torch.Tensor:
    missing = length - tensor.size(1)
    if missing <= 0:
        return tensor
    pad = tensor.new_full((tensor.size(0), missing, *tensor.shape[2:]), value)
    return torch.cat([pad, tensor] if left else [tensor, pad], dim=1)


def concat_batches(batches: list[dict], pad_token_id: int) -> dict:
    """Concatenate scored batches row-wise, padding sequence tensors to the longest (prompts on the left).

    ``num_items_in_batch`` is recomputed from the completion (and tool) masks; other scalars come from the first batch.
    """
    batches = [b for b in batches if b["completion_ids"].size(0) > 0] or batches[:1]
    out = dict(batches[0])
    for key, value in batches[0].items():
        if not isinstance(value, torch.Tensor) or value.dim() == 0:
            if isinstance(value, list):
                out[key] = [x for b in batches for x in b[key]]
            continue
        parts = [b[key] for b in batches]
        if value.dim() >= 2:
            length = max(p.size(1) for p in parts)
            fill = pad_token_id if key in PAD_VALUES else (1 if key == "tool_mask" else 0)
            parts = [_pad_to(p, length, fill, key in LEFT_PADDED) for p in parts]
        out[key] = torch.cat(parts, dim=0)
    mask = out["completion_mask"] * out["tool_mask"] if "tool_mask" in out else out["completion_mask"]
    out["num_items_in_batch"] = mask.sum()
    return out
