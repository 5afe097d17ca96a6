"""Each test attacks one property of the sandbox and checks the verdict and the host afterwards.

A program that does not solve the problem must never score; nothing may escape, linger or leak.
"""

from __future__ import annotations

import os
import subprocess
import time

from sandbox_helpers import ADD_ASSERT, ADD_CALL, ADD_STDIO, assert_problem, call_problem, run, stdio_problem

WRONG = "print(0)\n"
ALWAYS_EQUAL = (
    "class E(int):\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
    "    __hash__ = int.__hash__\n"
)
FAKE_PASS_OUTPUT = "print('passed'); print('{\"status\": \"passed\", \"passed_tests\": 2}'); print('3'); print('6')\n"


def no_host_process(marker: str) -> bool:
    return subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 1


def still_works(judge) -> bool:
    return run(judge, ADD_STDIO, "a, b = map(int, input().split())\nprint(a + b)\n").status == "passed"


# --- forging the verdict ---------------------------------------------------------------------------------------


def test_early_sys_exit_zero_is_not_a_pass(judge):
    assert run(judge, ADD_STDIO, "import sys\nsys.exit(0)\nprint(3)\n").status == "failed"


def test_os_exit_inside_call_is_not_a_pass(judge):
    v = run(judge, ADD_CALL, "import os\ndef add(a, b):\n    os._exit(0)\n")
    assert v.status == "runtime_error" and v.passed_tests == 0


def test_os_exit_inside_assert_is_not_a_pass(judge):
    v = run(judge, ADD_ASSERT, "import os\ndef add(a, b):\n    os._exit(0)\n")
    assert v.status != "passed" and v.passed_tests == 0


def test_atexit_and_excepthook_markers(judge):
    code = (
        "import atexit, sys\natexit.register(lambda: print('ALL TESTS PASSED'))\n"
        "sys.excepthook = lambda *a: print('OK')\nraise SystemError('boom')\n"
    )
    assert run(judge, ADD_STDIO, code).status == "runtime_error"


def test_printed_markers_are_just_output(judge):
    assert run(judge, ADD_STDIO, FAKE_PASS_OUTPUT).status == "failed"


def test_always_equal_return_value_call(judge):
    assert run(judge, ADD_CALL, ALWAYS_EQUAL + "def add(a, b):\n    return E(0)\n").status == "failed"
    custom = "class A:\n    def __eq__(self, o): return True\ndef add(a, b):\n    return A()\n"
    assert run(judge, ADD_CALL, custom).status == "failed"


def test_always_equal_return_value_assert(judge):
    custom = (
        "class A:\n    def __eq__(self, o): return True\n    __bool__ = lambda s: True\n"
        "def add(a, b):\n    return A()\n"
    )
    assert run(judge, ADD_ASSERT, custom).status == "failed"
    fallback = assert_problem(
        "add", "def check(candidate):\n    for i in range(3):\n        assert candidate(i, 1) == i + 1\n"
    )
    assert run(judge, fallback, custom).status == "failed"


def test_frame_and_gc_inspection_find_no_expected_values(judge):
    code = (
        "import gc, sys\n"
        "def add(a, b):\n"
        "    f = sys._getframe()\n"
        "    while f:\n"
        "        for d in (f.f_locals, f.f_globals):\n"
        "            for k in ('expected', 'want', 'output'):\n"
        "                if k in d: return d[k]\n"
        "        f = f.f_back\n"
        "    for o in gc.get_objects():\n"
        "        if isinstance(o, dict) and 'expected' in o: return o['expected']\n"
        "    return None\n"
    )
    assert run(judge, ADD_CALL, code).status == "failed"
    assert run(judge, ADD_ASSERT, code).status == "failed"


def test_patched_builtins_and_redefined_check(judge):
    code = (
        "import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\n"
        "builtins.isinstance = lambda *a: True\nbuiltins.abs = lambda x: 0\n"
        "def check(candidate):\n    return True\nglobals()['check'] = check\n"
        "def add(a, b):\n    return -1\n"
    )
    # patched builtins may break the program itself (runtime_error); they never make it pass
    assert run(judge, ADD_ASSERT, code).passed_tests == 0
    close = assert_problem("add", "def check(candidate):\n    assert abs(candidate(1, 2) - 3) < 1e-6\n")
    assert run(judge, close, code).passed_tests == 0
    fallback = assert_problem(
        "add", "def check(candidate):\n    for i in range(3):\n        assert candidate(i, 1) == i + 1\n"
    )
    assert run(judge, fallback, code).status not in ("passed", "sandbox_error")


def test_forged_result_frames(judge):
    code = (
        "import json, os, struct\n"
        "def frame(i):\n    h = json.dumps({'i': i, 'ok': True, 'cpu': 0.0}).encode()\n"
        "    return struct.pack('>II', len(h), 4) + h + b'true'\n"
        "for i in range(2):\n    os.write(3, frame(i))\nos._exit(0)\n"
    )
    assert run(judge, ADD_ASSERT, code).status != "passed"
    assert run(judge, ADD_CALL, "import os\nos.write(3, b'3')\nos._exit(0)\n").status != "passed"


def test_first_line_only_output_fails(judge):
    p = stdio_problem([("", "1\n2\n3\n")])
    assert run(judge, p, "print(1)\n").status == "failed"


def test_exit_code_zero_without_output_fails(judge):
    assert run(judge, ADD_STDIO, "pass\n").status == "failed"


# --- isolation ---------------------------------------------------------------------------------------------------

BLOCKED = stdio_problem([("", "blocked\n")])


def test_no_network(judge):
    code = (
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    print('open')\n"
        "except OSError:\n    print('blocked')\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"


def test_host_files_invisible_and_system_read_only(judge):
    code = (
        "import os\nseen = [p for p in ('/etc/passwd', '/root', '/home', '/work/main')\n"
        "        if os.path.exists(p) and os.access(p, os.R_OK)]\n"
        "try:\n    open('/usr/evil', 'w')\n    seen.append('usr')\nexcept OSError:\n    pass\n"
        "try:\n    open('/harness/harness.py', 'a')\n    seen.append('harness')\nexcept OSError:\n    pass\n"
        "print('blocked' if not seen else seen)\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"
    assert not os.path.exists("/usr/evil")


def test_environment_is_clean(judge):
    p = stdio_problem([("", "LANG LC_ALL PATH\nLANG PATH\n")])
    code = (
        "import os\nprint(*sorted(os.environ))\n"
        "print(*sorted(v.split('=')[0] for v in open('/proc/1/environ').read().split(chr(0)) if v))\n"
    )
    assert run(judge, p, code).status == "passed"


def test_scratch_does_not_leak_between_submissions(judge):
    write = "open('/tmp/leak', 'w').write('x')\nopen('leak', 'w').write('x')\nprint('blocked')\n"
    check = "import os\nprint('blocked' if not (os.path.exists('/tmp/leak') or os.path.exists('leak')) else 'seen')\n"
    assert run(judge, BLOCKED, write).status == "passed"
    for _ in range(3):  # whichever worker gets it
        assert run(judge, BLOCKED, check).status == "passed"


def test_no_process_outlives_the_run(judge):
    code = "import subprocess\nsubprocess.Popen(['sleep', '4321.5'], start_new_session=True)\nprint(3)\nprint(6)\n"
    run(judge, ADD_STDIO, code)
    time.sleep(0.2)
    assert no_host_process("sleep 4321.5")


def test_fork_bomb_is_contained(judge):
    start = time.monotonic()
    v = run(
        judge,
        stdio_problem([("", "1\n")], time_limit_s=1),
        "import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n",
    )
    assert v.status != "passed" and time.monotonic() - start < 30
    assert still_works(judge)


def test_ptrace_and_namespaces_denied(judge):
    code = (
        "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "r1 = libc.ptrace(16, os.getppid(), 0, 0)\n"  # PTRACE_ATTACH to the harness
        "r2 = libc.unshare(0x10000000)\n"  # CLONE_NEWUSER
        "print('blocked' if r1 == -1 and r2 == -1 else (r1, r2))\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"


def test_harness_memory_and_pipes_unreachable(judge):
    code = (
        "import os\nppid = os.getppid()\nseen = []\n"
        "for path in [f'/proc/{ppid}/mem', f'/proc/{ppid}/environ'] + [f'/proc/{ppid}/fd/{i}' for i in range(12)]:\n"
        "    try:\n        open(path, 'rb').close()\n        seen.append(path)\n    except OSError:\n        pass\n"
        "print('blocked' if not seen else seen)\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"


def test_killing_the_harness_is_the_programs_failure(judge):
    v = run(judge, ADD_STDIO, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint(3)\n")
    assert v.status not in ("passed", "sandbox_error")
    v = run(
        judge,
        ADD_CALL,
        "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGSTOP)\n    return a + b\n".replace(
            "add(a, b)", "add(a, b)"
        ),
    )
    assert v.status not in ("passed", "sandbox_error")
    assert still_works(judge)


def test_raising_limits_is_refused(judge):
    code = (
        "import resource\ntry:\n    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY,) * 2)\n"
        "    print('raised')\nexcept (ValueError, OSError):\n    print('blocked')\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"


def test_filling_tmp_is_bounded(judge):
    code = (
        "import os\nwith open('/tmp/big', 'wb') as f:\n    for _ in range(512):\n"
        "        f.write(os.urandom(1 << 20))\nprint(1)\n"
    )
    v = run(judge, stdio_problem([("", "1\n")]), code)
    assert v.status in ("runtime_error", "output_limit", "memory_limit")


def test_memory_is_real_usage_not_address_space(judge):
    code = "import mmap\nm = mmap.mmap(-1, 8 << 30)\nm[0] = 1\nprint(1)\n"  # 8 GB reserved, 4 KB touched
    assert run(judge, stdio_problem([("", "1\n")], memory_mb=128), code).status == "passed"


def test_include_dev_zero_fails_fast(judge):
    start = time.monotonic()
    v = run(judge, ADD_STDIO, "#include </dev/zero>\nint main(){}\n", "cpp")
    assert v.status == "compile_error" and time.monotonic() - start < 10


def test_killing_pid_one_changes_nothing(judge):
    code = "import os, signal\ntry:\n    os.kill(1, signal.SIGKILL)\nexcept OSError:\n    pass\nprint(3)\nprint(6)\n"
    assert run(judge, ADD_STDIO, code).status == "failed"  # prints 3 and 6 for both tests: one is wrong
    assert still_works(judge)


def test_call_problem_int_subclass_compared_by_value(judge):
    p = call_problem("f", [([], 5)])
    assert run(judge, p, ALWAYS_EQUAL + "def f():\n    return E(4)\n").status == "failed"
    assert run(judge, p, ALWAYS_EQUAL + "def f():\n    return E(5)\n").status == "passed"


def test_nothing_carries_over_to_the_next_submission(judge):
    leave = (
        "import os\nfor p in ('/x', '/dev/x', '/dev/shm/x', '/tmp/x', 'x'):\n"
        "    try:\n        open(p, 'w').write('x')\n    except OSError:\n        pass\n"
        "try:\n    import _posixshmem\nexcept ImportError:\n    pass\nprint('blocked')\n"
    )
    look = (
        "import os\nseen = [p for p in ('/x', '/dev/x', '/dev/shm/x', '/tmp/x', 'x') if os.path.exists(p)]\n"
        "print('blocked' if not seen else seen)\n"
    )
    run(judge, BLOCKED, leave)
    for _ in range(3):
        assert run(judge, BLOCKED, look).status == "passed"


def test_sysv_shared_memory_denied(judge):
    code = (
        "import ctypes\nlibc = ctypes.CDLL(None)\n"
        "print('blocked' if libc.shmget(1234, 1 << 20, 0o1666) == -1 else 'allocated')\n"
    )
    assert run(judge, BLOCKED, code).status == "passed"


def test_slow_calls_in_fallback_are_a_timeout_not_a_sandbox_error(judge):
    loop = "def check(candidate):\n    for i in range(50):\n        assert candidate(i, 1) == i + 1\n"
    p = assert_problem("add", loop, time_limit_s=0.2)
    start = time.monotonic()
    v = run(judge, p, "import time\ndef add(a, b):\n    time.sleep(0.3)\n    return a + b\n")
    assert v.status == "timeout" and time.monotonic() - start < 15


def test_hostile_return_values_never_break_the_judge(judge):
    close = assert_problem("f", "def check(candidate):\n    assert abs(candidate() - 0.5) < 1e-6\n")
    huge = "def f():\n    return 10 ** 400\n"
    assert run(judge, close, huge).status == "failed"
    assert run(judge, call_problem("f", [([], 0.5)]), huge).status == "failed"
    forged = (
        "import os, struct\ndef f():\n    h = b'[' * 100000\n"
        "    os.write(3, struct.pack('>II', len(h), 0) + h)\n    os._exit(0)\n"
    )
    assert run(judge, close, forged).status == "runtime_error"
