"""Languages the judge runs, by name. A new language is one file here plus one line in ``RUNNERS``.

A runner turns source code into the ``load`` request for the harness (compiling first where needed, in its own
sandbox) or into a compile error message, and lists the test kinds it supports.
"""

from __future__ import annotations

from sandbox.languages import cpp, python
from sandbox.languages.base import Runner

RUNNERS: dict[str, Runner] = {
    "python": python.RUNNER,
    "cpp": cpp.RUNNER,
}


def supported() -> str:
    """``python (stdio, call, assert); cpp (stdio)``: for error messages."""
    return "; ".join(f"{name} ({', '.join(r.kinds)})" for name, r in RUNNERS.items())
