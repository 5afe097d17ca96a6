"""The reward functions against the real sandbox (sandbox.Judge), called the way TRL calls them."""

import asyncio
import json

import pytest

import rewards
from data.hf import problem_to_record
from data.synth import generate
from rewards import REWARDS, get_reward, sandbox
from rewards.format import is_well_formatted
from rewards.overlong import overlong, overlong_penalty
from rewards.subtask import subtask_score, subtasks_of
from rl.prompts import answer, reference_answer


@pytest.fixture(scope="module")
def judge():
    from sandbox import Judge

    judge = Judge(workers=2)
    yield judge
    judge.close()


@pytest.fixture()
def verdicts(judge):
    source = sandbox.configure(judge=judge)
    yield source
    sandbox.configure(judge=judge)


def columns_for(problems, metadata=None):
    """Dataset columns as TRL passes them: one list per column, the statement under `problem`."""
    records = [problem_to_record(p) for p in problems]
    cols = {k: [r[k] for r in records] for k in records[0]}
    cols["problem"] = cols.pop("prompt")
    cols["prompt"] = [[{"role": "user", "content": t}] for t in cols["problem"]]
    if metadata is not None:
        cols["metadata"] = [json.dumps(metadata)] * len(problems)
    return cols


def call(fn, completions, cols, **extra):
    kwargs = {k: v for k, v in cols.items() if k != "prompt"}
    result = fn(prompts=cols["prompt"], completions=completions, **kwargs, **extra)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


@pytest.fixture(scope="module")
def problems():
    return generate("train", 3, seed=0)


def test_pass_rate_all_pass_on_real_sandbox(verdicts, problems):
    p = problems[0]
    good = reference_answer(p)
    wrong = answer(p.solutions[0].code.replace("return", "return 1 +") if p.kind == "call" else "print(-1)")
    cols = columns_for([p, p, p])
    completions = [good, wrong, "no code at all"]
    assert call(REWARDS["pass_rate"], completions, cols) == [1.0, 0.0, 0.0]
    assert call(REWARDS["all_pass"], completions, cols) == [1.0, 0.0, 0.0]


def test_conversational_completions(verdicts, problems):
    p = problems[1]
    cols = columns_for([p])
    completion = [[{"role": "assistant", "content": reference_answer(p)}]]
    assert call(REWARDS["pass_rate"], completion, cols) == [1.0]


def test_one_sandbox_batch_per_step(verdicts, problems):
    cols = columns_for(problems)
    completions = [reference_answer(p) for p in problems]
    metrics = {}

    async def step():  # TRL gathers the async rewards of one step concurrently
        kwargs = {k: v for k, v in cols.items() if k != "prompt"}
        args = dict(prompts=cols["prompt"], completions=completions, log_metric=metrics.__setitem__, **kwargs)
        return await asyncio.gather(
            REWARDS["pass_rate"](**args), REWARDS["all_pass"](**args), REWARDS["subtask"](**args)
        )

    results = asyncio.run(step())
    assert results == [[1.0] * 3] * 3
    assert verdicts.batches == 1
    assert metrics["sandbox/pass_rate"] == 1.0 and metrics["sandbox/status/passed"] == 1.0
    assert [v.status for v in verdicts.peek(completions, cols)] == ["passed"] * 3


class BrokenJudge:
    async def ajudge_batch(self, pairs, stop_on_first_failure=False):
        raise ConnectionError("sandbox service unreachable")


def test_sandbox_error_is_none_never_zero(problems):
    sandbox.configure(judge=BrokenJudge())
    cols = columns_for(problems[:2])
    metrics = {}
    completions = [reference_answer(p) for p in problems[:2]]
    for name in rewards.SANDBOX_REWARDS:
        assert call(REWARDS[name], completions, cols, log_metric=metrics.__setitem__) == [None, None]
    assert metrics["sandbox/sandbox_errors"] == 2.0


def test_subtask_groups(verdicts, problems):
    p = problems[0]  # 5 tests
    groups = [{"tests": [0, 1], "points": 30}, {"tests": [2, 3, 4], "points": 70}]
    assert subtask_score(["passed"] * 2 + ["failed"] * 3, 5, groups) == pytest.approx(0.3)
    assert subtask_score(["failed", "passed", "passed", "passed", "passed"], 5, groups) == pytest.approx(0.7)
    assert subtask_score(["passed"] * 4, 5, None) == 0.0  # without groups: all tests or nothing
    cols = columns_for([p], metadata={"subtasks": groups})
    assert call(REWARDS["subtask"], [reference_answer(p)], cols) == [1.0]
    with pytest.raises(ValueError, match="points"):
        subtasks_of({"subtasks": [{"tests": [0]}]})


def test_format():
    assert is_well_formatted("I add k.\n\n```python\nprint(1)\n```")
    assert is_well_formatted("<think>add</think>\n```python\nprint(1)\n```\n")
    assert not is_well_formatted("```python\nprint(1)\n```")  # no reasoning
    assert not is_well_formatted("why\n```python\nprint(1)\n```\nmore text")  # code block is not last
    assert not is_well_formatted("why\n```python\nprint(1)")  # unterminated
    assert not is_well_formatted("<think>never closed\n```python\nprint(1)\n```")
    assert REWARDS["format"]([None, None], ["hm\n```py\nx=1\n```", "nothing"]) == [1.0, 0.0]


def test_sft_target_is_well_formatted(problems):
    for p in problems:
        assert is_well_formatted(reference_answer(p))


def test_overlong():
    assert overlong_penalty(10, 20, 5) == 0.0
    assert overlong_penalty(15, 20, 5) == 0.0
    assert overlong_penalty(17, 20, 5) == pytest.approx(-0.4)
    assert overlong_penalty(25, 20, 5) == -1.0
    assert overlong(None, ["a", "b"], completion_ids=[[1] * 3, [1] * 19], max_length=20, buffer=5) == [0.0, -0.8]
    with pytest.raises(ValueError):
        overlong_penalty(1, 5, 5)


def test_get_reward_by_name_and_dotted_path():
    assert get_reward("pass_rate") is REWARDS["pass_rate"]
    assert get_reward("rewards.overlong.overlong") is overlong
    with pytest.raises(ValueError, match="available: pass_rate, all_pass, format, overlong, subtask"):
        get_reward("pass_rat")
    with pytest.raises(ValueError, match="cannot import"):
        get_reward("no_such_pkg.fn")


def test_rewards_do_not_import_torch():
    import subprocess
    import sys

    code = "import sys, rewards, rewards.sandbox; assert 'torch' not in sys.modules and 'trl' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prefetch_from_another_thread_then_rewards_reuse_it(verdicts, problems):
    import threading

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        cols = columns_for(problems)
        completions = [reference_answer(p) for p in problems]
        verdicts.prefetch(completions, cols, loop)  # as the trainer does while it still generates
        kwargs = {k: v for k, v in cols.items() if k != "prompt"}
        coro = REWARDS["pass_rate"](prompts=cols["prompt"], completions=completions, **kwargs)
        assert asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60) == [1.0] * 3
        assert verdicts.batches == 1 and verdicts.judged == 3
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
