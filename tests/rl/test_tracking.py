"""Tracking: ``report_to`` reaches TRL's trackers. A few SFT steps with ``--report_to tensorboard`` write event files
holding the training loss under the logging dir (``output_dir/runs/<time_host>`` in transformers 5)."""

import pytest
from stage_helpers import run_stage


def test_sft_reports_to_tensorboard(nano, suite, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_stage("sft", "sft.yaml", model_name_or_path=nano, dataset_path=suite / "train.jsonl", output_dir=tmp_path,
              max_steps=3, logging_steps=1, save_steps=1000, max_samples=48, report_to=["tensorboard"])  # fmt: skip
    events = sorted((tmp_path / "runs").glob("*/events.out.tfevents.*"))
    assert events, f"no tensorboard event file under {tmp_path / 'runs'}"
    accumulator = EventAccumulator(str(events[0].parent)).Reload()
    losses = accumulator.Scalars("train/loss")
    assert [e.step for e in losses] == [1, 2, 3]
