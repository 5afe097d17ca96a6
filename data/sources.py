"""Stream the rows of a dataset source: JSON, JSON Lines (optionally gzipped), Parquet, a ``save_to_disk`` folder,
or (with ``hub=True``) a dataset name on a hub.

    for rowno, row in iter_source("train.parquet"): ...

``rowno`` is the line number for JSON Lines and the 1-based row position otherwise. A line that is not JSON comes
back as a ``RowError`` instead of a row, so the caller can report it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from data.jsonl import iter_jsonl

PARQUET_BATCH = 512


def iter_source(src: str | os.PathLike, split: str | None = None, hub: bool = False) -> Iterator[tuple[int, Any]]:
    """Yield ``(row_number, row)`` for every row of ``src``; see the module docstring for the accepted sources.

    Args:
        src: a local file or folder, or a hub dataset name when ``hub`` is true.
        split: the split of a ``DatasetDict`` folder or a hub dataset (required when there is more than one).
        hub: load ``src`` with ``datasets.load_dataset(src, split=split, streaming=True)``; needs network.
    """
    if hub:
        yield from _iter_hub(str(src), split)
        return
    path = Path(src)
    if path.is_dir():
        yield from _iter_saved(path, split)
    elif not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder (pass --hub to load a dataset name from a hub)")
    elif path.name.endswith(".parquet"):
        yield from _iter_parquet(path)
    elif path.name.endswith(".json"):
        yield from _iter_json(path)
    elif path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json.gz")):
        yield from iter_jsonl(path)
    else:
        raise ValueError(f"{path}: unknown file type; expected .json, .jsonl, .jsonl.gz, .parquet or a folder")


def _iter_json(path: Path) -> Iterator[tuple[int, Any]]:
    # A .json file is either one array of rows (read whole: JSON has no streaming form) or, as often on hubs,
    # JSON Lines under a .json name; the first character tells which.
    with open(path, encoding="utf-8") as f:
        head = f.read(4096).lstrip()
    if not head.startswith("["):
        yield from iter_jsonl(path)
        return
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    yield from enumerate(rows, start=1)


def _iter_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    n = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH):
        for row in batch.to_pylist():
            n += 1
            yield n, row


def _iter_saved(path: Path, split: str | None) -> Iterator[tuple[int, Any]]:
    from datasets import DatasetDict, load_from_disk

    ds = load_from_disk(str(path))  # memory-mapped Arrow: rows are read as they are iterated
    if isinstance(ds, DatasetDict):
        ds = ds[_pick_split(str(path), list(ds), split)]
    yield from enumerate(ds, start=1)


def _iter_hub(name: str, split: str | None) -> Iterator[tuple[int, Any]]:
    from datasets import load_dataset

    ds = load_dataset(name, split=split or "train", streaming=True)
    yield from enumerate(ds, start=1)


def _pick_split(where: str, splits: list[str], split: str | None) -> str:
    if split is None and len(splits) == 1:
        return splits[0]
    if split not in splits:
        raise ValueError(f"{where}: choose a split with --split; this dataset has {', '.join(splits)}")
    return split
