"""The bundled suite: enough families, deterministic, valid, and an honest train / held-out split."""

import subprocess
import sys

from data.jsonl import load_problems
from data.synth import FAMILIES, generate, main


def test_at_least_fifteen_families_of_varied_difficulty():
    assert len(FAMILIES) >= 15
    assert {f.difficulty for f in FAMILIES} == {"easy", "medium", "hard"}
    assert all(len(f.phrasings) >= 3 for f in FAMILIES)


def test_deterministic_by_seed():
    assert generate("train", 50, seed=3) == generate("train", 50, seed=3)
    assert generate("train", 50, seed=3) != generate("train", 50, seed=4)


def test_both_forms_and_every_family_present():
    problems = generate("train", 10**6)
    assert {p.kind for p in problems} == {"stdio", "call"}
    assert {p.metadata["family"] for p in problems} == {f.name for f in FAMILIES}


def test_heldout_never_shares_phrasing_or_parameter_with_train():
    train, held = generate("train", 10**6), generate("heldout", 10**6)
    assert not {p.prompt for p in train} & {p.prompt for p in held}
    train_keys = {(p.metadata["family"], p.metadata["phrasing"]) for p in train}
    assert not train_keys & {(p.metadata["family"], p.metadata["phrasing"]) for p in held}
    parameterized = {f.name for f in FAMILIES if len(f.params) > 1}
    train_params = {(p.metadata["family"], p.metadata["param"]) for p in train}
    for p in held:
        if p.metadata["family"] in parameterized:
            assert (p.metadata["family"], p.metadata["param"]) not in train_params


def test_reference_solutions_pass_their_own_tests():
    problems = generate("train", 60, seed=1) + generate("heldout", 40, seed=1)
    for p in problems:
        code = p.solutions[0].code
        if p.kind == "stdio":
            for t in p.tests:
                run = subprocess.run([sys.executable, "-c", code], input=t.input, capture_output=True, text=True)
                assert run.stdout == t.output, (p.id, run.stderr)
        else:
            namespace: dict = {}
            exec(code, namespace)
            assert all(namespace[p.fn_name](*t.args) == t.expected for t in p.tests), p.id


def test_cli_writes_valid_splits(tmp_path):
    assert main(["--out", str(tmp_path), "--n-train", "40", "--n-heldout", "20"]) == 0
    assert len(load_problems(tmp_path / "train.jsonl")) == 40
    assert len(load_problems(tmp_path / "heldout.jsonl")) == 20
