"""The chat prompt every stage, generator and evaluator shows the model for a problem, and the SFT target shape.

    from rl.prompts import build_messages, DEFAULT_SYSTEM_PROMPT
    messages = build_messages(problem)            # [{"role": "system", ...}, {"role": "user", ...}]

The system prompt asks for reasoning then one final ```python fenced block: the shape ``rewards.format`` rewards and
``rewards.extract.extract_code`` reads. Imports nothing heavy.
"""

from __future__ import annotations

from data.schema import Problem

DEFAULT_SYSTEM_PROMPT = (
    "You are an expert programmer. Think about the problem briefly, then give your complete solution in one final "
    "fenced code block that starts with ```{language} and ends with ```."
)
_FENCE_TAG = {"python": "python", "cpp": "cpp"}
_IO_HINT = {
    "stdio": "Read the input from standard input and write the answer to standard output.",
    "call": "Write a function `{fn_name}` that returns the answer.",
    "assert": "Write a function `{entry_point}`.",
}


def user_content(problem: Problem) -> str:
    """The problem statement, with its starter code, as the user turn."""
    text = problem.prompt.strip()
    if problem.starter_code:
        text += f"\n\nStart from this code:\n```{_FENCE_TAG.get(problem.language, '')}\n{problem.starter_code}\n```"
    return text


def build_messages(problem: Problem, system_prompt: str | None = DEFAULT_SYSTEM_PROMPT) -> list[dict[str, str]]:
    """The conversational prompt for ``problem``: an optional system turn (``{language}`` is filled in), then the user.

    Args:
        problem: the problem to pose.
        system_prompt: the system turn; ``None`` or ``""`` leaves it out.
    """
    messages = []
    if system_prompt:
        messages.append(
            {
                "role": "system",
                "content": system_prompt.replace("{language}", _FENCE_TAG.get(problem.language, problem.language)),
            }
        )
    messages.append({"role": "user", "content": user_content(problem)})
    return messages


def answer(code: str, language: str = "python", reasoning: str | None = None) -> str:
    """An assistant answer in the rewarded shape: optional reasoning line, then a final fenced block of ``code``."""
    block = f"```{_FENCE_TAG.get(language, language)}\n{code.rstrip()}\n```"
    return f"{reasoning.strip()}\n\n{block}" if reasoning else block


def reference_answer(problem: Problem, with_reasoning: bool = True) -> str | None:
    """The SFT target for a problem with a reference solution (``None`` without one)."""
    if not problem.solutions:
        return None
    solution = problem.solutions[0]
    reasoning = _REASONING[problem.kind].format(fn_name=problem.fn_name, entry_point=problem.entry_point)
    return answer(solution.code, solution.language, reasoning if with_reasoning else None)


_REASONING = {
    "stdio": "I read the input, compute the answer and print it.",
    "call": "I write `{fn_name}` to compute and return the answer.",
    "assert": "I write `{entry_point}` as specified.",
}


def prompt_texts() -> list[str]:
    """Every fixed text this module puts into prompts and targets (a tiny tokenizer is trained on them too)."""
    return [DEFAULT_SYSTEM_PROMPT.replace("{language}", tag) for tag in _FENCE_TAG.values()] + [
        *_IO_HINT.values(),
        *_REASONING.values(),
    ]
