"""Take the program out of a model's answer: the last fenced code block wins.

    >>> extract_code("Reasoning...\\n```python\\nprint(1)\\n```")
    'print(1)\\n'

Used by the rewards, and by generation / evaluation code that must read answers exactly as the rewards do.
"""

from __future__ import annotations

import re
from typing import Any

# An opening fence: three or more backticks, an optional language tag (python, py, cpp, c++, ...), end of line.
_FENCE = re.compile(r"^[ \t]*(`{3,})[ \t]*([\w+#.-]*)[^\n`]*$", re.MULTILINE)


def completion_text(completion: Any) -> str:
    """The text of a completion as TRL passes it: a string, or a conversational list of ``{"role", "content"}``.

    For a conversation, the contents of the assistant turns are joined (TRL passes one assistant message).
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    if isinstance(completion, list):
        parts = [
            m.get("content") or ""
            for m in completion
            if isinstance(m, dict) and m.get("role", "assistant") == "assistant"
        ]
        return "\n".join(p if isinstance(p, str) else _text_blocks(p) for p in parts)
    raise TypeError(f"a completion must be a string or a list of messages, got {type(completion).__name__}")


def _text_blocks(content: list) -> str:
    return "".join(b.get("text", "") for b in content if isinstance(b, dict))


def fenced_blocks(text: str) -> list[tuple[str, str, bool]]:
    """Every fenced block as ``(language, code, closed)``, in order; an unterminated last fence runs to the end."""
    blocks = []
    pos = 0
    while True:
        opening = _FENCE.search(text, pos)
        if opening is None:
            return blocks
        ticks, language = opening.group(1), opening.group(2).lower()
        start = opening.end() + 1
        closing = re.compile(rf"^[ \t]*{ticks}`*[ \t]*$", re.MULTILINE).search(text, start)
        if closing is None:
            blocks.append((language, text[start:], False))
            return blocks
        blocks.append((language, text[start : closing.start()], True))
        pos = closing.end()


def extract_code(completion: Any, language: str | None = None) -> str | None:
    """The code of the last fenced block of ``completion`` (a string or a conversation), or ``None`` if it has none.

    Handles `` ```python ``, `` ```py ``, `` ```cpp ``, a bare `` ``` `` and an unterminated final fence (a completion
    cut at the length limit). With ``language`` given, only blocks tagged with it (or untagged) count.

    Args:
        completion: the model's answer.
        language: ``"python"`` or ``"cpp"`` to skip blocks in another language (e.g. a shell example).
    """
    blocks = fenced_blocks(completion_text(completion))
    if language is not None:
        tags = _TAGS.get(language, (language,))
        blocks = [b for b in blocks if b[0] in tags or b[0] == ""]
    if not blocks:
        return None
    code = blocks[-1][1]
    return code if code.strip() else None


_TAGS = {"python": ("python", "py", "python3"), "cpp": ("cpp", "c++", "cc", "cxx")}
