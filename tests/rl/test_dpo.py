"""DPO trains the nano model on CPU from sandbox-verified pairs; loss types pass through; bad files are named."""

import json
import math

import pytest
from stage_helpers import changed, losses, run_stage, weights

from rl.inputs import DatasetFormatError, dpo_dataset
from rl.prompts import answer, reference_answer, user_content


@pytest.fixture(scope="module")
def pairs(suite, tmp_path_factory):
    """Chosen = the reference (passes every test), rejected = a wrong program (fails), both checked by the judge."""
    from data.jsonl import load_problems
    from data.schema import Solution
    from rewards.extract import extract_code
    from sandbox import Judge

    problems = load_problems(suite / "train.jsonl")[:32]
    rows = [
        {"prompt": user_content(p), "chosen": reference_answer(p), "rejected": answer("print(0)")} for p in problems
    ]
    with Judge(workers=2) as judge:
        chosen = judge.judge_batch([(p, Solution(p.id, extract_code(r["chosen"]))) for p, r in zip(problems, rows)])
        rejected = judge.judge_batch(
            [(p, Solution(p.id, extract_code(r["rejected"]))) for p, r in zip(problems, rows)]
        )
    assert all(v.status == "passed" for v in chosen) and not any(v.status == "passed" for v in rejected)
    path = tmp_path_factory.mktemp("dpo") / "pairs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("loss_type", ["sigmoid", "ipo"])
def test_dpo_trains(sft_model, pairs, tmp_path, loss_type):
    out = run_stage("dpo", "dpo.yaml", model_name_or_path=sft_model, dataset_path=pairs, output_dir=tmp_path,
                    max_steps=3, loss_type=[loss_type], system_prompt="You are a coder.")  # fmt: skip
    assert changed(weights(sft_model), weights(out))
    assert losses(out) and all(math.isfinite(v) for v in losses(out))


def test_preference_file_missing_field(tmp_path):
    bad = tmp_path / "pairs.jsonl"
    bad.write_text(json.dumps({"prompt": "p", "chosen": "c"}) + "\n")
    with pytest.raises(DatasetFormatError, match=r"pairs.jsonl:1: missing field 'rejected'.*\"chosen\""):
        dpo_dataset(bad)
