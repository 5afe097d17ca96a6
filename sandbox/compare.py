"""Comparing what a program produced with what was expected. Runs on the host, never in the sandbox.

A problem picks the mode with ``metadata.compare``:

- ``"tokens"`` (default): split both on whitespace and compare token by token, case-sensitively; so trailing
  spaces and newlines (and how whitespace is laid out) do not matter. Where the *expected* token is a
  floating-point number (has a ``.`` or an exponent), the produced token must be a number within 1e-6 absolute
  or relative. Integer and text tokens must match exactly.
- ``"exact"``: the texts must be identical after removing trailing newlines at the very end.
- ``metadata.checker``: Python source defining ``check(input: str, output: str, expected: str) -> bool``; it runs
  in a separate checker process on the host (see ``sandbox/checker.py``), never inside the untrusted process.
  Anything but ``True`` rejects the output, and so does an exception (output the checker cannot parse).

Call and assert tests compare decoded plain data (see ``wire.decode_value``): ``values_equal`` is Python equality
on builtin types, with the same float tolerance where the expected value is a float (call tests only).
"""

from __future__ import annotations

import math
import re

TOLERANCE = 1e-6
COMPARE_MODES = ("tokens", "exact")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+(\.\d*)?[eE][+-]?\d+)$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")  # what a produced token may look like


def floats_close(got: float, want: float) -> bool:
    if not (math.isfinite(got) and math.isfinite(want)):
        return False
    diff = abs(got - want)
    return diff <= TOLERANCE or diff <= TOLERANCE * abs(want)


def _token_equal(got: str, want: str) -> bool:
    if got == want:
        return True
    if not _FLOAT.match(want) or not _NUMBER.match(got):
        return False  # float() would also take "1_0.5", "inf", "nan": only plain decimal numbers count
    try:
        return floats_close(float(got), float(want))
    except ValueError:
        return False


def tokens_equal(output: str, expected: str) -> bool:
    got, want = output.split(), expected.split()
    return len(got) == len(want) and all(_token_equal(g, w) for g, w in zip(got, want))


def exact_equal(output: str, expected: str) -> bool:
    return output.rstrip("\n") == expected.rstrip("\n")


def text_equal(output: str, expected: str, mode: str = "tokens") -> bool:
    if mode not in COMPARE_MODES:
        raise ValueError(f"unknown metadata.compare {mode!r}; one of {', '.join(COMPARE_MODES)}")
    return exact_equal(output, expected) if mode == "exact" else tokens_equal(output, expected)


def values_equal(got, want, float_tolerance: bool = True, depth: int = 0) -> bool:
    """Equality of decoded plain data. Lists and tuples are interchangeable only for JSON (call) tests."""
    if depth > 200:
        return False
    if float_tolerance and isinstance(got, bool) != isinstance(want, bool):
        return False  # JSON tells true from 1
    if isinstance(want, float) and not isinstance(got, bool) and isinstance(got, int | float) and float_tolerance:
        try:
            return floats_close(float(got), want)
        except OverflowError:  # an int too large for a float is not close to any float
            return False
    if float_tolerance and isinstance(want, list | tuple) and isinstance(got, list | tuple):
        return len(got) == len(want) and all(values_equal(g, w, True, depth + 1) for g, w in zip(got, want))
    if float_tolerance and isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(values_equal(got[k], want[k], True, depth + 1) for k in want)
    try:
        return bool(got == want)
    except Exception:  # e.g. comparing deeply nested data; an error is never a pass
        return False
