"""Import reads every kind of SRC the issue names, and the CLI reports what it dropped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from data.cli import main as data_main
from data.formats import FORMATS
from data.importer import import_file
from data.jsonl import iter_jsonl, load_problems
from data.sources import iter_source

FIXTURES = Path(__file__).parent / "fixtures"


def read_jsonl(path) -> list:
    return [row for _, row in iter_jsonl(path)]


def apps_rows():
    return read_jsonl(FIXTURES / "apps.jsonl")


def test_json_array_and_gzipped_jsonl(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(apps_rows()))
    with gzip.open(tmp_path / "a.jsonl.gz", "wt") as f:
        f.write("\n".join(json.dumps(r) for r in apps_rows()) + "\n")
    for name in ("a.json", "a.jsonl.gz"):
        assert [r["problem_id"] for _, r in iter_source(tmp_path / name)] == [4001, 4002, 4003, 4004]


def test_jsonl_named_json_is_read_as_lines(tmp_path):
    (tmp_path / "a.json").write_text("\n".join(json.dumps(r) for r in apps_rows()))
    assert len(list(iter_source(tmp_path / "a.json"))) == 4


def test_parquet_and_save_to_disk_import_like_jsonl(tmp_path):
    from datasets import Dataset, DatasetDict

    ds = Dataset.from_list(apps_rows())
    ds.to_parquet(str(tmp_path / "apps.parquet"))
    DatasetDict({"train": ds, "test": ds}).save_to_disk(str(tmp_path / "saved"))
    ref, _ = import_file("apps", str(FIXTURES / "apps.jsonl"), str(tmp_path / "ref.jsonl"))
    n_pq, _ = import_file("apps", str(tmp_path / "apps.parquet"), str(tmp_path / "pq.jsonl"))
    n_disk, _ = import_file("apps", str(tmp_path / "saved"), str(tmp_path / "disk.jsonl"), split="test")
    assert ref == n_pq == n_disk == 3
    assert load_problems(tmp_path / "pq.jsonl") == load_problems(tmp_path / "ref.jsonl")
    assert load_problems(tmp_path / "disk.jsonl") == load_problems(tmp_path / "ref.jsonl")
    with pytest.raises(ValueError, match="choose a split with --split; this dataset has train, test"):
        import_file("apps", str(tmp_path / "saved"), str(tmp_path / "x.jsonl"))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_imports_the_same_from_parquet(fmt, tmp_path):
    from datasets import Dataset

    Dataset.from_list(read_jsonl(FIXTURES / f"{fmt}.jsonl")).to_parquet(str(tmp_path / "f.parquet"))
    n_jsonl, drops_jsonl = import_file(fmt, str(FIXTURES / f"{fmt}.jsonl"), str(tmp_path / "a.jsonl"))
    n_parquet, drops_parquet = import_file(fmt, str(tmp_path / "f.parquet"), str(tmp_path / "b.jsonl"))
    assert n_jsonl == n_parquet and drops_jsonl.counts == drops_parquet.counts
    assert load_problems(tmp_path / "a.jsonl") == load_problems(tmp_path / "b.jsonl")


def test_cli_import_counts_bad_json_and_duplicates(tmp_path, capsys):
    rows = apps_rows()
    src = tmp_path / "apps.jsonl"
    src.write_text("\n".join([json.dumps(r) for r in rows] + ["{not json", json.dumps(rows[0]), "[1, 2]"]) + "\n")
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rej.jsonl"
    code = data_main(["import", "--format", "apps", str(src), "--out", str(out), "--rejects", str(rejects)])
    assert code == 0
    assert len(load_problems(out)) == 3
    got = {(r["row"], r["category"]) for r in read_jsonl(rejects)}
    assert got == {(4, "input_output: missing or empty"), (5, "not JSON"), (6, "duplicate id"), (7, "not an object")}
    err = capsys.readouterr().err
    assert "imported 3; dropped 4" in err and "duplicate id" in err


def test_cli_import_missing_source_and_nothing_imported(tmp_path, capsys):
    assert data_main(["import", "--format", "apps", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "bad.jsonl").write_text('{"question": "x"}\n')
    assert data_main(["import", "--format", "apps", str(tmp_path / "bad.jsonl"), "--out", str(tmp_path / "o")]) == 1


def test_data_validate_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = (
        "import sys; from data.cli import main; main(['validate', '--help']) if False else None;"
        "import data.validate, data.importer, data.dedup, data.decontaminate, data.filter, data.stats, data.formats;"
        "heavy = [m for m in ('datasets', 'datasketch', 'tree_sitter', 'matplotlib', 'torch', 'pyarrow')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
