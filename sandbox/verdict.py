"""Verdicts: what the judge says about one submission, and about each of its tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = (
    "passed", "failed", "runtime_error", "timeout", "memory_limit", "output_limit", "compile_error", "sandbox_error",
)  # fmt: skip
DETAIL_BYTES = 1024  # per-test stdout/stderr kept in a verdict


@dataclass
class TestResult:
    """One test: its status, wall time and CPU time in seconds, and the start of what the program printed."""

    status: str
    time_s: float = 0.0
    cpu_s: float = 0.0
    stdout: str = ""
    stderr: str = ""
    message: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    """One submission. ``status`` is the first non-passing test's status (``passed`` if none failed).

    ``sandbox_error`` means the judge failed, not the program: callers must not turn it into a zero reward.
    ``isolation`` names the level the program ran at (``bwrap+seccomp+cgroup`` when fully isolated).
    """

    status: str
    passed_tests: int = 0
    total_tests: int = 0
    tests: list[TestResult] = field(default_factory=list)
    isolation: str = ""
    message: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown verdict status {self.status!r}; one of {', '.join(STATUSES)}")

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        return {
            "status": self.status, "passed_tests": self.passed_tests, "total_tests": self.total_tests,
            "isolation": self.isolation, "message": self.message, "tests": [t.to_dict() for t in self.tests],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, row: dict) -> Verdict:
        tests = [TestResult(**t) for t in row.get("tests") or []]
        return cls(row["status"], row.get("passed_tests", 0), row.get("total_tests", 0), tests,
                   row.get("isolation", ""), row.get("message", ""))  # fmt: skip


def sandbox_error(message: str, total_tests: int = 0, isolation: str = "") -> Verdict:
    return Verdict("sandbox_error", 0, total_tests, [], isolation, message)


def clip(data: bytes, limit: int = DETAIL_BYTES) -> str:
    text = data[:limit].decode("utf-8", "replace")
    return text + (f"... [{len(data) - limit} more bytes]" if len(data) > limit else "")
