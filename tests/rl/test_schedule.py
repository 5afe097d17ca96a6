"""The completion-length / group-size schedule: parsing, lookup, and the config checks that guard it."""

import pytest

from rl.schedule import Phase, parse_schedule, phase_for_step


def test_parse_text_and_list():
    text = parse_schedule("200:16384:16,400:32768:32")
    listed = parse_schedule([{"until_step": 200, "max_completion_length": 16384, "num_generations": 16},
                             {"until_step": 400, "max_completion_length": 32768, "num_generations": 32}])  # fmt: skip
    assert text == listed == [Phase(200, 16384, 16), Phase(400, 32768, 32)]
    assert parse_schedule(None) == [] and parse_schedule("") == []


def test_phase_for_step():
    phases = parse_schedule("2:32:2,4:48:4")
    assert [phase_for_step(phases, s).num_generations for s in range(4)] == [2, 2, 4, 4]
    assert phase_for_step(phases, 4) is None


@pytest.mark.parametrize(
    "bad, message",
    [("4:32:2,2:48:4", "must increase"), ("2:32", "UNTIL_STEP"), ([{"until_step": 1}], "expected"),
     ("2:32:1", "num_generations >= 2")],
)  # fmt: skip
def test_bad_schedules(bad, message):
    with pytest.raises(ValueError, match=message):
        parse_schedule(bad)


def test_config_rejects_group_size_that_does_not_divide_batch(tmp_path):
    from rl.configs import CoderlGRPOConfig

    common = dict(output_dir=str(tmp_path), use_cpu=True, bf16=False, per_device_train_batch_size=8, num_generations=4)
    with pytest.raises(ValueError, match="not divisible by num_generations 3"):
        CoderlGRPOConfig(**common, schedule="2:32:4,4:32:3", max_steps=4)
    with pytest.raises(ValueError, match="extend the last phase"):
        CoderlGRPOConfig(**common, schedule="2:32:4", max_steps=4)
    with pytest.raises(ValueError, match="clip-higher"):
        CoderlGRPOConfig(**common, epsilon_high=0.1)
    assert CoderlGRPOConfig(**common, schedule="2:32:4,4:32:8", max_steps=4).schedule[1].num_generations == 8
