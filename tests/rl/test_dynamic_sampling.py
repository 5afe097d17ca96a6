"""Dynamic sampling's tensor work: which groups carry signal, and how kept groups are merged into one batch."""

import math

import torch

from rl.dynamic_sampling import concat_batches, informative_groups, rows_of_groups, select_rows

NAN = math.nan


def test_informative_groups():
    rewards = torch.tensor(
        [1.0, 1.0, 1.0, 1.0]
        + [0.0, 1.0, 0.0, 0.5]
        + [0.5, NAN, 0.5, NAN]
        + [NAN, NAN, NAN, 1.0]
        + [NAN, 1.0, NAN, 0.0]
    )
    assert informative_groups(rewards, 4).tolist() == [False, True, False, False, True]


def test_informative_groups_all_nan_or_single_score():
    assert informative_groups(torch.tensor([NAN, NAN, NAN, 2.0]), 2).tolist() == [False, False]


def test_rows_of_groups():
    assert rows_of_groups(torch.tensor([False, True, True]), 2).tolist() == [2, 3, 4, 5]


def batch(rows: int, prompt_len: int, completion_len: int, offset: int) -> dict:
    return {
        "prompt_ids": torch.arange(rows * prompt_len).view(rows, prompt_len) + offset,
        "prompt_mask": torch.ones(rows, prompt_len, dtype=torch.long),
        "completion_ids": torch.arange(rows * completion_len).view(rows, completion_len) + offset,
        "completion_mask": torch.ones(rows, completion_len, dtype=torch.long),
        "advantages": torch.arange(rows, dtype=torch.float) + offset,
        "old_per_token_logps": torch.zeros(rows, completion_len),
        "num_items_in_batch": torch.tensor(rows * completion_len),
    }


def test_select_and_concat_pad_prompts_left_completions_right():
    a = select_rows(batch(4, 3, 2, 0), torch.tensor([2, 3]), 4)
    b = batch(2, 5, 4, 100)
    merged = concat_batches([a, b], pad_token_id=-1)
    assert merged["prompt_ids"].shape == (4, 5) and merged["completion_ids"].shape == (4, 4)
    assert merged["prompt_ids"][0].tolist() == [-1, -1, 6, 7, 8]  # left-padded with the pad id
    assert merged["prompt_mask"][0].tolist() == [0, 0, 1, 1, 1]
    assert merged["completion_ids"][0].tolist() == [4, 5, -1, -1]  # right-padded
    assert merged["completion_mask"][0].tolist() == [1, 1, 0, 0]
    assert merged["advantages"].tolist() == [2.0, 3.0, 100.0, 101.0]
    assert merged["num_items_in_batch"].item() == 2 * 2 + 2 * 4


def test_concat_skips_empty_selections():
    empty = select_rows(batch(2, 3, 2, 0), torch.tensor([], dtype=torch.long), 2)
    merged = concat_batches([empty, batch(2, 3, 2, 10)], pad_token_id=0)
    assert merged["completion_ids"].shape == (2, 2)
