"""rewards.extract: the last fenced block, whatever its tag, closed or cut off."""

import pytest

from rewards.extract import completion_text, extract_code, fenced_blocks


@pytest.mark.parametrize(
    "text, code",
    [
        ("think\n```python\nprint(1)\n```\n", "print(1)\n"),
        ("```py\nx = 1\n```", "x = 1\n"),
        ("```cpp\nint main() {}\n```", "int main() {}\n"),
        ("```\nbare\n```", "bare\n"),
        ("first\n```python\na = 1\n```\nthen\n```python\nb = 2\n```", "b = 2\n"),
        ("cut at the limit\n```python\ndef f():\n    return", "def f():\n    return"),
        ("````python\nx = '```'\n````", "x = '```'\n"),
        ("no code here", None),
        ("```python\n\n```", None),
    ],
)
def test_extract_code(text, code):
    assert extract_code(text) == code


def test_conversational_completion():
    completion = [{"role": "assistant", "content": "ok\n```python\nprint(2)\n```"}]
    assert completion_text(completion).startswith("ok")
    assert extract_code(completion) == "print(2)\n"


def test_language_filter_skips_other_languages():
    text = "```python\nprint(1)\n```\nRun it with:\n```bash\npython a.py\n```"
    assert extract_code(text) == "python a.py\n"
    assert extract_code(text, language="python") == "print(1)\n"


def test_fenced_blocks_marks_unterminated():
    assert fenced_blocks("```python\na\n```\n```py\nb") == [("python", "a\n", True), ("py", "b", False)]


def test_rejects_other_types():
    with pytest.raises(TypeError):
        completion_text(3)
