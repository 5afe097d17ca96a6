"""Converters from public code datasets to coderl problems: one module per format, one line per format below.

Each module defines ``convert(row: dict, index: int) -> Problem`` and raises ``SchemaError`` (naming the field and
what is allowed) for a row it cannot map. ``index`` is the row's 0-based position in its source; formats whose rows
carry no id (TACO) build one from it. A module may also define ``default_src() -> str`` for formats shipped in an
installed package (HumanEval). Run them with ``coderl data import --format NAME SRC --out problems.jsonl``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> module; imported only when chosen, so adding a format costs nothing to the others.
FORMATS: dict[str, str] = {
    "humaneval": "data.formats.humaneval",
    "mbpp": "data.formats.mbpp",
    "apps": "data.formats.apps",
    "taco": "data.formats.taco",
    "codecontests": "data.formats.codecontests",
    "livecodebench": "data.formats.livecodebench",
    "primeintellect": "data.formats.primeintellect",
    "kodcode": "data.formats.kodcode",
}


def get_format(name: str) -> ModuleType:
    """The converter module of format ``name``; ``ValueError`` listing the known formats otherwise."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[name])
