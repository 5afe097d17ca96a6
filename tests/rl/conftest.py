"""Shared fixtures: the bundled suite, the nano model and a briefly warmed-up SFT model, built offline once."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))  # for stage_helpers

from stage_helpers import run_stage  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def judge():
    """One local sandbox judge for the session's tests."""
    from sandbox import Judge

    with Judge(workers=2) as j:
        yield j


@pytest.fixture(scope="session")
def suite(tmp_path_factory) -> Path:
    from data.jsonl import write_jsonl
    from data.synth import generate

    out = tmp_path_factory.mktemp("suite")
    write_jsonl(out / "train.jsonl", generate("train", 200, seed=0))
    return out


@pytest.fixture(scope="session")
def nano(tmp_path_factory) -> Path:
    from rl.tiny_model import build

    return build(tmp_path_factory.mktemp("models") / "nano", size="nano")


@pytest.fixture(scope="session")
def sft_model(nano, suite, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sft") / "run"
    run_stage("sft", "sft.yaml", model_name_or_path=nano, dataset_path=suite / "train.jsonl", output_dir=out,
              save_steps=1000)  # fmt: skip
    return out
