"""Warm-up SFT trains the nano model on CPU: loss on the assistant turn only, finite, parameters moved."""

import json
import math

import pytest
from stage_helpers import changed, losses, run_stage, weights

from rl.inputs import DatasetFormatError, sft_dataset


def test_sft_trains(sft_model, nano):
    assert changed(weights(nano), weights(sft_model))
    values = losses(sft_model)
    assert values and all(math.isfinite(v) for v in values)
    assert values[-1] < values[0]


def test_sft_from_trace_file_with_lora(nano, tmp_path):
    traces = tmp_path / "traces.jsonl"
    rows = [{"prompt": f"Print {i}.", "completion": f"I print it.\n\n```python\nprint({i})\n```"} for i in range(16)]
    traces.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = run_stage("sft", "sft.yaml", model_name_or_path=nano, dataset_path=traces, output_dir=tmp_path / "out",
                    max_steps=3, use_peft="true", lora_r=4, lora_alpha=8, lora_target_modules=["q_proj", "v_proj"],
                    packing="true", max_length=128)  # fmt: skip
    assert (tmp_path / "out" / "adapter_model.safetensors").is_file(), out
    assert all(math.isfinite(v) for v in losses(out))


def test_assistant_only_labels(suite):
    ds = sft_dataset(suite / "train.jsonl")
    roles = [m["role"] for m in ds[0]["messages"]]
    assert roles == ["system", "user", "assistant"]
    assert ds[0]["messages"][-1]["content"].rstrip().endswith("```")


def test_missing_field_names_field_and_format(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "hi"}) + "\n")
    with pytest.raises(DatasetFormatError, match=r"bad.jsonl:1: missing field 'completion'.*expected rows like"):
        sft_dataset(bad)


def test_loss_mask_covers_the_assistant_answer_only(nano, suite, tmp_path):
    from trl import SFTTrainer

    from rl.configs import CoderlSFTConfig

    args = CoderlSFTConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, max_length=256, report_to="none")
    trainer = SFTTrainer(model=str(nano), args=args, train_dataset=sft_dataset(suite / "train.jsonl").select(range(4)))
    row = trainer.train_dataset[0]
    trained = [label for label in row["labels"] if label != -100]  # TRL's labels: -100 where no loss is taken
    assert 0 < len(trained) < len(row["input_ids"])
    answer = trainer.processing_class.decode(trained)
    assert answer.startswith("I ") and "```python" in answer and answer.endswith("```<|im_end|>")
