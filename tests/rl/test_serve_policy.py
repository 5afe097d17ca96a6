"""`coderl serve-policy`: the launch command fits the device, and the health wait sees a dead or a ready server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for rollout_fakes

from rollout_fakes import MockOpenAIServer  # noqa: E402

from rl.serve_policy import main, server_command, vllm_python, wait_healthy  # noqa: E402


def test_cpu_command_is_float32_eager_with_a_small_kv_cache(monkeypatch):
    monkeypatch.delenv("VLLM_CPU_KVCACHE_SPACE", raising=False)
    cmd, env = server_command("runs/sft", port=8123, device="cpu", python="py")
    assert cmd[:3] == ["py", "-m", "vllm.entrypoints.openai.api_server"]
    assert cmd[cmd.index("--dtype") + 1] == "float32" and "--enforce-eager" in cmd
    assert cmd[cmd.index("--port") + 1] == "8123" and env == {"VLLM_CPU_KVCACHE_SPACE": "1"}


def test_gpu_command_is_bf16_with_prefix_caching_and_extra_flags():
    cmd, env = server_command("m", device="cuda", max_model_len=4096, extra=["--tensor-parallel-size", "2"])
    assert cmd[cmd.index("--dtype") + 1] == "bfloat16" and "--enable-prefix-caching" in cmd and env == {}
    assert cmd[-2:] == ["--tensor-parallel-size", "2"] and "--max-model-len" in cmd


def test_trl_server_mode_adds_weight_transfer_and_refuses_cpu():
    cmd, env = server_command("m", device="cuda", trl=True)
    assert (
        cmd[cmd.index("--weight-transfer-config") + 1] == '{"backend": "nccl"}' and env["VLLM_SERVER_DEV_MODE"] == "1"
    )
    with pytest.raises(ValueError, match="needs CUDA"):
        server_command("m", device="cpu", trl=True)


def test_print_command(capsys):
    assert main(["m", "--device", "cpu", "--python", "py", "--print-command"]) == 0
    assert "VLLM_CPU_KVCACHE_SPACE=1" in capsys.readouterr().out


def test_missing_vllm_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match="vllm_cpu_test.sh --setup-only"):
        vllm_python()


def test_the_local_vllm_venv_is_used_through_its_symlink(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    (tmp_path / ".venv-vllm" / "bin").mkdir(parents=True)
    (tmp_path / ".venv-vllm" / "bin" / "python").symlink_to(sys.executable)
    assert vllm_python() == str(tmp_path / ".venv-vllm" / "bin" / "python")  # resolving it would leave the venv


def test_wait_healthy_returns_once_the_server_answers():
    with MockOpenAIServer({}) as server:
        assert wait_healthy(server.url, timeout_s=10) < 10


def test_wait_healthy_fails_fast_when_the_server_dies():
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    with pytest.raises(RuntimeError, match="exited with code 3"):
        wait_healthy("http://127.0.0.1:9", proc, timeout_s=30)
