"""Does a program parse? tree-sitter for every language, plus CPython's own parser for Python.

    syntax_error("print 'hi'", "python")   # -> "line 1: ..." (a Python 2 statement)

The grammars come from the ``tree-sitter-python`` / ``tree-sitter-cpp`` wheels, which work offline;
``tree-sitter-language-pack`` is the fallback for other languages, but it downloads its grammars on first use, so it
fails without network. tree-sitter's Python grammar still accepts Python 2 ``print``/``exec`` statements, so Python
code is also checked with ``ast.parse``, the parser of the interpreter that will run it.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache

WHEELS = {"python": "tree_sitter_python", "cpp": "tree_sitter_cpp"}


@cache
def parser(language: str):
    """A tree-sitter parser for ``language``; ``RuntimeError`` saying what to install when none is available."""
    import tree_sitter

    if language in WHEELS:
        try:
            grammar = importlib.import_module(WHEELS[language])
            return tree_sitter.Parser(tree_sitter.Language(grammar.language()))
        except ImportError:
            pass
    try:
        import tree_sitter_language_pack

        return tree_sitter_language_pack.get_parser(language)
    except Exception as e:  # the pack raises its own download errors offline
        hint = f"pip install {WHEELS[language].replace('_', '-')}" if language in WHEELS else "network for the pack"
        raise RuntimeError(f"no tree-sitter grammar for {language!r} ({hint}): {e}") from None


def syntax_error(code: str, language: str) -> str | None:
    """Where ``code`` fails to parse as ``language`` (``"line N: ..."``), or None when it parses."""
    tree = parser(language).parse(code.encode("utf-8"))
    if tree.root_node.has_error:
        node = _first_error(tree.root_node)
        return f"line {node.start_point[0] + 1}: tree-sitter {'missing node' if node.is_missing else 'syntax error'}"
    if language == "python":
        try:
            ast.parse(code)
        except SyntaxError as e:
            return f"line {e.lineno}: {e.msg}"
        except ValueError as e:  # null bytes
            return str(e)
    return None


def _first_error(node):
    for child in node.children:
        if child.has_error or child.is_missing or child.type == "ERROR":
            return _first_error(child)
    return node
