"""Decontamination drops training rows sharing a 10-gram with an evaluation row and says which one."""

from __future__ import annotations

import json

from data.cli import main as data_main
from data.decontaminate import EvalIndex, ngrams
from data.jsonl import iter_jsonl


def read_jsonl(path) -> list:
    return [row for _, row in iter_jsonl(path)]


EVAL = "Write a function that returns the largest prime factor of n, where n is greater than one and not a prime."


def row(pid, prompt):
    return {"id": pid, "prompt": prompt, "tests": [{"input": "1", "output": "1"}]}


def write(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_ngrams():
    assert ngrams("a b c", 2) == {"a b", "b c"}
    assert ngrams("Tiny!", 10) == {"tiny"}


def test_decontaminate_reports_hits(tmp_path):
    ev = write(tmp_path / "eval.jsonl", [row("HumanEval/59", EVAL), row("HumanEval/1", "Add two numbers.")])
    train = write(
        tmp_path / "train.jsonl",
        [
            row("t1", "Intro. " + EVAL.upper() + " Then print it."),  # contains the whole eval prompt
            row("t2", "Sort a list of strings by length, breaking ties alphabetically, and return the result."),
            row("t3", "add two numbers"),  # shorter than 10 words: the whole text is the n-gram
        ],
    )
    out = tmp_path / "clean.jsonl"
    assert data_main(["decontaminate", str(train), "--against", str(ev), "--out", str(out)]) == 0
    assert [r["id"] for r in read_jsonl(out)] == ["t2"]
    hits = {h["id"]: h["hits"] for h in read_jsonl(tmp_path / "clean.hits.jsonl")}
    assert hits["t1"][0]["eval_id"] == "HumanEval/59" and hits["t1"][0]["shared_ngrams"] == len(ngrams(EVAL, 10))
    assert hits["t3"][0]["eval_id"] == "HumanEval/1"
    rejects = read_jsonl(tmp_path / "clean.rejects.jsonl")
    assert {r["id"] for r in rejects} == {"t1", "t3"} and all(r["category"] == "contaminated" for r in rejects)


def test_min_overlap_and_ngram_size(tmp_path):
    ev = write(tmp_path / "eval.jsonl", [row("e", EVAL)])
    index = EvalIndex(10, ("prompt",))
    from data.report import DropLog

    with DropLog(tmp_path / "r.jsonl") as drops:
        index.add_file(str(ev), drops)
    partial = " ".join(EVAL.split()[:11])  # 11 words: 2 shared 10-grams
    assert index.hits(partial)[0]["shared_ngrams"] == 2
    assert index.hits(partial, min_overlap=3) == []
