"""Stats prints a table and writes a PNG of the distributions."""

from __future__ import annotations

from data.cli import main as data_main
from data.importer import import_file


def test_stats_table_and_png(tmp_path, capsys):
    src = tmp_path / "he.jsonl"
    import_file("humaneval", None, str(src))
    with open(src, "a") as f:
        f.write('{"id": "bad"}\n')
    png = tmp_path / "he.png"
    assert data_main(["stats", str(src), "--png", str(png)]) == 0
    out, err = capsys.readouterr()
    assert "source: humaneval" in out and "164" in out and "tests (164)" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "1 bad row(s)" in err
