"""KodCode (KodCode/KodCode-V1): ``question_id``, ``question``, ``solution``, ``test`` (pytest code; ``test_code``
is accepted too) and ``test_info`` (``[{"function_name", ...}]``).

    coderl data import --format kodcode kodcode.parquet --out kodcode.jsonl

The tests are a pytest file that does ``from solution import f`` and defines ``test_*`` functions (and maybe
``Test*`` classes). We keep that file verbatim and wrap it in a ``check(candidate)`` that (1) registers a module
named ``solution`` whose only name is the entry point, bound to ``candidate``, (2) executes the test file, and (3)
calls each ``test_*`` function and ``Test*.test_*`` method in order. The judge hands ``check`` one function (run in
the sandbox, returning plain data), so rows whose tests import other names from ``solution`` (helper classes, a
second function) are rejected with that reason, as are tests that need pytest fixtures or marks. ``pytest.raises``
is replaced by a stand-in that also recognizes an exception raised inside the sandbox, which reaches the test as
the judge's error named ``"<Type>: <message>"``. The test file is embedded as a raw string, so ``num_tests`` still
counts its ``assert`` lines.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from data.formats._common import text
from data.schema import Problem, SchemaError

IMPORT = re.compile(r"^from\s+solution\s+import\s+\(?\s*([\w\s,]+?)\s*\)?\s*$", re.MULTILINE)

CHECK = """

def check(candidate):
    import contextlib, re, sys, types

    solution = types.ModuleType("solution")
    setattr(solution, KODCODE_ENTRY_POINT, candidate)
    solution.__all__ = [KODCODE_ENTRY_POINT]
    sys.modules["solution"] = solution

    @contextlib.contextmanager
    def raises(expected, match=None):
        names = [t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,))]
        try:
            yield
        except BaseException as e:
            same = isinstance(e, expected) or any(str(e).startswith(n + ":") for n in names)
            if same and (match is None or re.search(match, str(e))):
                return
            raise
        raise AssertionError(f"DID NOT RAISE {expected}")

    shim = types.ModuleType("pytest")
    try:
        import pytest as real

        shim.__dict__.update(vars(real))
    except ImportError:
        pass
    shim.raises = raises
    sys.modules["pytest"] = shim
    namespace = {"__name__": "test_solution"}
    exec(compile(KODCODE_TESTS, "test_solution.py", "exec"), namespace)
    for name, test in list(namespace.items()):
        if name.startswith("test_") and callable(test):
            test()
        elif name.startswith("Test") and isinstance(test, type):
            for method in [m for m in vars(test) if m.startswith("test_")]:
                getattr(test(), method)()
"""


def convert(row: dict[str, Any], index: int) -> Problem:
    tests = row.get("test") or row.get("test_code")
    if not isinstance(tests, str) or not tests.strip():
        raise SchemaError("test", "missing or empty", "a pytest file as a string")
    name = entry_point(row, tests)
    _check_runnable(tests, name)
    solution = row.get("solution")
    return Problem.from_dict(
        {
            "id": str(row.get("question_id") or f"kodcode/{index}"),
            "prompt": text(row, "question"),
            "entry_point": name,
            "test_code": f"KODCODE_ENTRY_POINT = {name!r}\nKODCODE_TESTS = {embed(tests)}\n" + CHECK,
            "solutions": [solution] if isinstance(solution, str) and solution.strip() else [],
            "source": "kodcode",
            "metadata": {k: row[k] for k in ("subset", "style") if row.get(k)},
        }
    )


def entry_point(row: dict[str, Any], tests: str) -> str:
    """``test_info[0].function_name``, else the first name of ``from solution import ...``."""
    info = row.get("test_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("function_name"):
        return str(info[0]["function_name"])
    match = IMPORT.search(tests)
    names = [n.strip() for n in match.group(1).split(",") if n.strip() and n.strip() != "*"] if match else []
    if not names:
        raise SchemaError("test_info", "no function name (and no `from solution import NAME`)", "a function name")
    return names[0]


def embed(source: str) -> str:
    """``source`` as a Python literal, raw and triple-quoted when that round-trips (so lines stay lines)."""
    for quote in ("'''", '"""'):
        literal = f"r{quote}{source}{quote}"
        if quote not in source and not source.endswith("\\"):
            try:
                if ast.literal_eval(literal) == source:
                    return literal
            except (SyntaxError, ValueError):
                pass
    return repr(source)


def _check_runnable(tests: str, name: str) -> None:
    try:
        tree = ast.parse(tests)
    except SyntaxError as e:
        raise SchemaError("test", f"not valid Python: {e.msg} at line {e.lineno}", "a pytest file") from None
    found = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            found += 1
            if [a for a in node.args.args if a.arg != "self"] or node.decorator_list:
                raise SchemaError("test", f"{node.name} uses pytest fixtures or marks", "plain test_*() functions")
    if not found:
        raise SchemaError("test", "defines no test_* function", "a pytest file with test_*() functions")
    if "pytest.fixture" in tests or "pytest.mark" in tests:
        raise SchemaError("test", "uses pytest fixtures or marks", "plain test_*() functions")
    others = sorted(_solution_names(tree) - {name, "*"})
    if others:
        allowed = f"tests that use only the entry point {name!r}: the judge hands check() one function"
        raise SchemaError("test", f"uses {', '.join(others)} from solution", allowed)


def _solution_names(tree: ast.AST) -> set[str]:
    """Names the tests take from ``solution``: ``from solution import a, b`` and ``solution.a``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "solution":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "solution":
            names.add(node.attr)
    return names
