"""coderl's reward oracle: runs untrusted Python and C++ programs against a problem's tests and returns verdicts.

    from sandbox import Judge
    with Judge(workers=2) as judge:
        verdicts = judge.judge_batch([(problem, solution), ...])

    coderl judge problems.jsonl solutions.jsonl --out verdicts.jsonl --workers 2
    coderl sandbox serve --host 127.0.0.1 --port 8000        # SandboxClient(["http://127.0.0.1:8000"])

Threat model: the program is written by a policy that is rewarded for passing, so it will try anything.

What is covered:
- The verdict cannot be forged. Expected outputs, the comparison and the verdict never enter the untrusted
  process: the sandbox is given only a test's stdin (stdio) or arguments (call/assert) and returns what came out;
  the host compares. So early exits (``sys.exit``, ``os._exit``, atexit hooks, excepthooks), printed markers,
  objects with an always-true ``__eq__``, walking frames or the gc, patching builtins or redefining ``check``
  change at most *what the program output*. Return values cross as tagged JSON decoded into builtin types only.
  Exit code 0 is never success by itself. Comparison is token-wise and case-sensitive (see ``compare.py``).
- Assert tests are turned into host-compared call cases (``asserts.py``); those that cannot be (loops, computed
  arguments) run their test code in a separate checker process on the host, whose ``candidate`` forwards each
  call into the sandbox and gets plain data back (``checker.py``). The program never shares a process, a pid
  namespace or a pipe with the test code.
- Isolation (level ``bwrap+seccomp+cgroup``): its own namespaces (no network, own pid namespace so nothing
  outlives a run, own mounts and IPC), all capabilities dropped, a read-only root with read-only ``/usr`` and
  nothing else of the host, size-capped tmpfs ``/work``, ``/tmp`` and ``/dev/shm`` (wiped between submissions),
  a seccomp filter (no ptrace, no non-Unix sockets, no namespaces, mounts, keyrings, bpf, io_uring, SysV IPC),
  a non-dumpable harness, and limits on CPU time, wall time, memory actually used (cgroup, not address space:
  256 MB thread stacks are fine), processes, file size and output size (drained while the program runs; several
  MB pass). Compilation is sandboxed and limited too (no /proc, a /dev with only /dev/null).
- The judge failing is ``sandbox_error``, never a zero: a transport failure of the HTTP client too. A program
  that kills, stops or exhausts its own harness gets that test's failure status (it cannot buy a sandbox_error).
  Who lost a harness is decided by what the program can and cannot do (``execute.attribute_gone``):
  an OOM kill in its cgroup is ``memory_limit``; the harness exiting (the program can SIGKILL its parent; bwrap
  then exits 128+signal) is ``runtime_error``; the harness *stopped* (SIGSTOP) is ``timeout``. bubblewrap's outer
  process killed by a signal is the judge's: nothing in the sandbox's pid namespace can signal it, so an external
  kill, a dead spawning thread (``--die-with-parent``) or a host-side cgroup kill did it; so is a harness that is
  alive and not stopped but does not answer within a generous patience (a loaded host). Those are
  ``sandbox_error`` after one retry on a fresh sandbox. At level ``none`` the program can signal the harness's
  own process, so a killed harness there is always the program's failure.
- Load alone never fails a correct program: the time limit is CPU time; the wall limit (2 x limit + 1 s, for
  sleepers and blocked programs) is extended by the time the program waited for a CPU (``/proc/<pid>/schedstat``,
  up to 3 wall limits); the host waits on a slow harness as long as it is not stopped.

What is NOT covered:
- Kernel exploits and side channels (timing, CPU caches); we rely on the kernel's namespaces and seccomp.
- Level ``none`` (no bubblewrap on the machine): programs run as the judge's user with only rlimits, cgroups
  and a process-group kill, and can read the host's files and reach the network. Every verdict names its level.
- Without writable cgroups (level ``...+rss-poll``) memory and process counts are polled every 10 ms, so a
  short spike can overshoot; a fork bomb is stopped by the poll, not by the kernel.
- Test code and checkers (``metadata.checker``) from the problem files are trusted: they run on the host in a
  plain child process with a wall-clock limit.
- Several tests of one submission share a sandbox (stdio and call tests each in a fresh fork), so a test can
  leave files for the next one of the *same* program; different submissions never share state (the sandbox is
  wiped and every leftover process killed between them). Assert-converted cases of one submission run in one
  child, as assert harnesses run them: there the per-case time is the program's own report, so it could spread
  work across cases; the CPU limit for them is in effect per submission (number of cases x time limit).
"""

from sandbox.judge import Judge
from sandbox.verdict import STATUSES, TestResult, Verdict

__all__ = ["Judge", "STATUSES", "TestResult", "Verdict"]
