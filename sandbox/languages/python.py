"""Python: the harness compiles the source once (a syntax error is a compile error) and forks per test."""

from __future__ import annotations

from sandbox.languages.base import Runner


def prepare(code: str, worker) -> tuple[dict, bytes]:
    return {"op": "load", "lang": "python"}, code.encode("utf-8", "surrogatepass")


RUNNER = Runner("python", ("stdio", "call", "assert"), prepare)
