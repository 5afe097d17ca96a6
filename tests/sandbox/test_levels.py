"""Weaker isolation levels still judge correctly and always say which level they ran at."""

from __future__ import annotations

import logging

import pytest
from sandbox_helpers import ADD_STDIO, run, stdio_problem

from sandbox import Judge

ADD_PY = "a, b = map(int, input().split())\nprint(a + b)\n"


@pytest.fixture(scope="module")
def rss_judge():
    with Judge(workers=1, use_cgroups=False) as j:
        yield j


def test_without_cgroups_memory_is_polled(rss_judge):
    assert run(rss_judge, ADD_STDIO, ADD_PY).isolation == "bwrap+seccomp+rss-poll"
    code = "x = bytearray(300 << 20)\nx[::4096] = b'1' * len(x[::4096])\nimport time\ntime.sleep(1)\nprint(1)\n"
    assert run(rss_judge, stdio_problem([("", "1\n")], memory_mb=64), code).status == "memory_limit"


def test_without_cgroups_fork_bomb_is_stopped(rss_judge):
    code = "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n"
    assert run(rss_judge, stdio_problem([("", "1\n")], time_limit_s=1), code).status != "passed"
    assert run(rss_judge, ADD_STDIO, ADD_PY).status == "passed"


def test_level_none_is_named_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="sandbox"), Judge(workers=1, isolation="none") as j:
        v = run(j, ADD_STDIO, ADD_PY)
    assert v.status == "passed" and v.isolation.startswith("none")
    assert "unconfined" in caplog.text


def test_unknown_isolation_is_rejected():
    with pytest.raises(ValueError, match="auto, bwrap, none"):
        Judge(isolation="docker")
