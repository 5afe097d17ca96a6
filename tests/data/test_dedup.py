"""Dedup keeps the first of each cluster, drops exact and near duplicates, and lists every drop and cluster."""

from __future__ import annotations

import json

from data.cli import main as data_main
from data.dedup import Deduper, shingles
from data.jsonl import iter_jsonl


def read_jsonl(path) -> list:
    return [row for _, row in iter_jsonl(path)]


BASE = (
    "Given an array of integers nums and an integer target, return the indices of the two numbers such that they "
    "add up to target. You may assume that each input has exactly one solution and you may not use an element twice."
)


def problem(pid, prompt, solutions=None):
    row = {"id": pid, "prompt": prompt, "tests": [{"input": "1\n", "output": "1\n"}]}
    if solutions:
        row["solutions"] = solutions
    return row


def write(path, rows, extra_lines=()):
    path.write_text("\n".join([json.dumps(r) for r in rows] + list(extra_lines)) + "\n")
    return path


def test_shingles_are_word_ngrams():
    assert shingles("A b, c!  d", 2) == {b"a b", b"b c", b"c d"}
    assert shingles("short", 5) == {b"short"}


def test_exact_and_near_duplicates(tmp_path):
    rows = [
        problem("a", BASE),
        problem("b", "  " + BASE.upper().replace(" ", "   ")),  # same text up to case and spacing
        problem("c", BASE.replace("exactly one solution", "exactly one valid solution")),  # one word more
        problem("d", "Reverse a singly linked list in place and return the new head without using extra memory."),
    ]
    src = write(tmp_path / "p.jsonl", rows, ["not json", json.dumps({"id": "e"})])
    out = tmp_path / "kept.jsonl"
    assert data_main(["dedup", str(src), "--out", str(out), "--threshold", "0.7"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["a", "d"]
    clusters = read_jsonl(tmp_path / "kept.clusters.jsonl")
    assert clusters[0]["kept"] == {"id": "a", "row": 1}
    assert [(d["id"], d["match"]) for d in clusters[0]["duplicates"]] == [("b", "exact"), ("c", "near")]
    assert 0.7 <= clusters[0]["duplicates"][1]["jaccard"] < 1
    rejects = {r["row"]: r["category"] for r in read_jsonl(tmp_path / "kept.rejects.jsonl")}
    assert rejects == {2: "exact duplicate", 3: "near duplicate", 5: "not JSON", 6: "prompt: missing or invalid"}


def test_threshold_and_exact_only(tmp_path):
    near = BASE.replace("exactly one solution", "exactly one valid solution")
    strict = Deduper(threshold=0.95)
    assert strict.check(1, BASE) is None and strict.check(2, near) is None
    exact_only = Deduper(near=False)
    assert exact_only.check(1, BASE) is None and exact_only.check(2, near) is None
    assert exact_only.check(3, BASE.lower()).kind == "exact"


def test_dedup_on_solutions_keeps_rows_without_text(tmp_path):
    rows = [problem("a", "first", ["print(1)"]), problem("b", "second", ["print(1)"]), problem("c", "third"),
            problem("d", "fourth")]  # fmt: skip
    src = write(tmp_path / "p.jsonl", rows)
    out = tmp_path / "kept.jsonl"
    assert data_main(["dedup", str(src), "--out", str(out), "--on", "solutions"]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["a", "c", "d"]


def test_unknown_field_is_refused(tmp_path, capsys):
    src = write(tmp_path / "p.jsonl", [problem("a", BASE)])
    try:
        data_main(["dedup", str(src), "--out", str(tmp_path / "o.jsonl"), "--on", "title"])
    except SystemExit as e:
        assert e.code == 2
    assert "allowed" in capsys.readouterr().err
