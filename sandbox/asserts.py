"""Turning assert-style tests into call cases that are compared on the host.

``assert candidate(<literals>) == <literal>`` (and ``is``/truthy/falsy/``abs(candidate(...) - x) < tol``
forms) becomes an ``AssertCase``: the sandbox only ever sees the arguments, and the returned value comes back as
plain data. A ``check`` function whose body is anything else (loops, helper calls, computed arguments) cannot be
converted; ``convert`` then returns None and the judge falls back to running the test code in a separate checker
process on the host, with ``candidate`` a stub that forwards each call into the sandbox (``sandbox/checker.py``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

OPS = ("eq", "is", "truthy", "falsy", "close")


@dataclass
class AssertCase:
    args: list[Any]
    expected: Any = None
    op: str = "eq"
    tolerance: float = 0.0
    inclusive: bool = False  # ``<=`` rather than ``<`` in a close case
    source: str = ""


def _literal(node: ast.AST) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _call_args(node: ast.AST, name: str) -> list[Any] | None:
    """The literal arguments of ``name(...)``, or None if ``node`` is not such a call."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
        return None
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        return None
    values = [_literal(a) for a in node.args]
    return [v for _, v in values] if all(ok for ok, _ in values) else None


def _close_case(test: ast.Compare, name: str) -> AssertCase | None:
    # abs(candidate(...) - x) < tol   or   abs(x - candidate(...)) <= tol
    call = test.left
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "abs"):
        return None
    if len(call.args) != 1 or not isinstance(call.args[0], ast.BinOp) or not isinstance(call.args[0].op, ast.Sub):
        return None
    if not isinstance(test.ops[0], ast.Lt | ast.LtE):
        return None
    diff, (ok_tol, tol) = call.args[0], _literal(test.comparators[0])
    for side, other in ((diff.left, diff.right), (diff.right, diff.left)):
        args, (ok, want) = _call_args(side, name), _literal(other)
        if args is not None and ok and ok_tol and isinstance(tol, int | float) and isinstance(want, int | float):
            return AssertCase(args, want, "close", float(tol), isinstance(test.ops[0], ast.LtE))
    return None


def _case(test: ast.AST, name: str) -> AssertCase | None:
    if (args := _call_args(test, name)) is not None:
        return AssertCase(args, True, "truthy")
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        args = _call_args(test.operand, name)
        return None if args is None else AssertCase(args, False, "falsy")
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    if (case := _close_case(test, name)) is not None:
        return case
    op = "eq" if isinstance(test.ops[0], ast.Eq) else "is" if isinstance(test.ops[0], ast.Is) else None
    for side, other in ((test.left, test.comparators[0]), (test.comparators[0], test.left)):
        args, (ok, want) = _call_args(side, name), _literal(other)
        if op and args is not None and ok and (op == "eq" or want in (True, False, None)):
            return AssertCase(args, want, op)
    return None


def _is_inert(stmt: ast.stmt) -> bool:
    """Statements a converted check may skip: docstrings, ``pass``, imports, ``assert True``."""
    if isinstance(stmt, ast.Pass | ast.Import | ast.ImportFrom):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True
    return isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant) and stmt.test.value is True


def convert(test_code: str) -> list[AssertCase] | None:
    """Call cases equivalent to ``check(candidate)`` in ``test_code``, or None when it is not that simple."""
    try:
        module = ast.parse(test_code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    checks = [s for s in module.body if isinstance(s, ast.FunctionDef) and s.name == "check"]
    others = [s for s in module.body if s not in checks]
    if len(checks) != 1 or not all(_is_inert(s) or _literal_assign(s) for s in others):
        return None
    check = checks[0]
    if len(check.args.args) != 1 or check.decorator_list:
        return None
    name, cases = check.args.args[0].arg, []
    for stmt in check.body:
        if _is_inert(stmt):
            continue
        case = _case(stmt.test, name) if isinstance(stmt, ast.Assert) else None
        if case is None:
            return None
        case.source = ast.get_source_segment(test_code, stmt) or ""
        cases.append(case)
    return cases or None


def _literal_assign(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Assign) and _literal(stmt.value)[0]


def case_passed(case: AssertCase, got: Any) -> bool:
    """Whether the decoded value ``got`` satisfies the case (Python semantics on plain data)."""
    from sandbox.compare import values_equal
    from sandbox.wire import Opaque

    if isinstance(got, Opaque):
        return False
    if case.op == "eq":
        return values_equal(got, case.expected, float_tolerance=False)
    if case.op == "is":
        return got is case.expected
    if case.op in ("truthy", "falsy"):
        try:
            return bool(got) is (case.op == "truthy")
        except Exception:
            return False
    if isinstance(got, bool) or not isinstance(got, int | float):
        return False
    diff = abs(got - case.expected)
    return diff < case.tolerance or (case.inclusive and diff == case.tolerance)
