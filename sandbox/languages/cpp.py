"""C++: ``g++ -O2 -std=c++17`` once per submission, in its own sandbox; then the binary runs per test.

The compile sandbox has no /proc and a /dev with only /dev/null, so ``#include </dev/zero>`` or
``</dev/stdin>`` fail at once; the compiler runs under CPU, address-space and file-size limits and a wall clock.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from sandbox.isolation import PACKAGE_DIR
from sandbox.languages.base import CompileError, Runner

COMPILER = "g++"
FLAGS = ("-O2", "-std=c++17")
CPU_S, WALL_S, ADDRESS_SPACE, FILE_SIZE = 20, 30, 2 << 30, 64 << 20
# C++ runs stdio tests only: call/assert tests would need a generated C++ harness per signature.
KINDS = ("stdio",)


def prepare(code: str, worker) -> tuple[dict, bytes]:
    compiler = shutil.which(COMPILER, path="/usr/bin:/bin")
    if compiler is None:
        raise CompileError(f"{COMPILER} not found on the judge machine (apt-get install g++)")
    job = worker.job_dir
    for name in ("prog", "main.cpp"):
        if os.path.exists(os.path.join(job, name)):
            os.unlink(os.path.join(job, name))
    with open(os.path.join(job, "main.cpp"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(code)
    inside = "/job" if worker.iso.level == "bwrap" else job
    harness = "/harness/harness.py" if worker.iso.level == "bwrap" else os.path.join(PACKAGE_DIR, "harness.py")
    limits = [str(CPU_S), str(ADDRESS_SPACE), str(FILE_SIZE), "--"]
    cmd = [compiler, *FLAGS, "-o", f"{inside}/prog", f"{inside}/main.cpp"]
    argv = worker.iso.base_argv(job, writable_job=True, dev=False)
    argv += [worker.iso.python, "-I", "-S", harness, "--exec-limited", *limits, *cmd]
    proc = worker.iso.spawn(argv, [], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=job)
    try:
        _, err = proc.communicate(timeout=WALL_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        raise CompileError(f"compilation took longer than {WALL_S} s") from None
    if proc.returncode != 0 or not os.path.exists(os.path.join(job, "prog")):
        raise CompileError(err.decode("utf-8", "replace")[-4000:] or f"{COMPILER} exited {proc.returncode}")
    return {"op": "load", "lang": "exec", "path": f"{inside}/prog"}, b""


RUNNER = Runner("cpp", KINDS, prepare)
