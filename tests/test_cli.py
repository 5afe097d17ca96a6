"""The ``coderl`` dispatcher: lists real commands, and light commands never import the training stack."""

import subprocess
import sys

from rl.cli import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in COMMANDS)


def test_unknown_command_lists_known_ones(capsys):
    assert main(["frobnicate"]) == 2
    assert "data" in capsys.readouterr().err


def test_every_command_resolves_to_a_function():
    import importlib

    for target, _ in COMMANDS.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func)), target


def test_light_commands_do_not_import_torch(tmp_path):
    probe = (
        "import sys; from rl.cli import main; "
        f"main(['data', 'synth', '--out', {str(tmp_path)!r}, '--n-train', '5', '--n-heldout', '5']); "
        f"main(['data', 'validate', {str(tmp_path / 'train.jsonl')!r}]); "
        "heavy = [m for m in ('torch', 'transformers', 'trl', 'datasets') if m in sys.modules]; "
        "print('HEAVY', heavy)"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY []" in run.stdout
