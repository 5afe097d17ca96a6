"""The bundled problem suite: competition-style problems generated offline, deterministic by seed.

    coderl data synth --out runs/suite            # writes train.jsonl and heldout.jsonl
    coderl data synth --out runs/suite --n-train 4000 --n-heldout 400 --seed 1

Each problem comes from a *family* (add a constant, sort a line, count a letter, simulate a walk, ...), a parameter
(the constant, the letter, the start position), a phrasing (a sentence frame around one of the family's task
phrases) and a form (stdio or call), with tests and a reference solution. The split is honest: a held-out problem
is written in a sentence frame no training problem uses and, for families with a parameter, with a parameter value
no training problem of that family has, so passing it needs more than recall.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any

from data.jsonl import write_jsonl
from data.schema import CallTest, Problem, Solution, StdioTest

TESTS_PER_PROBLEM = 5

# Sentence frames per input layout; ``{task}`` is a family's task phrase. The last frame of each layout is never
# used in training: held-out problems are new combinations of a seen task phrase, an unseen frame and (for families
# with a parameter) an unseen parameter value.
FRAMES: dict[str, tuple[str, ...]] = {
    "int": (
        "Given an integer x, output {task}.",
        "Read an integer x and print {task}.",
        "Print {task} for the given integer x.",
        "You are given a number x. Your answer is {task}.",
    ),
    "two_ints": (
        "Given two integers a and b, output {task}.",
        "Read two integers a and b and print {task}.",
        "Print {task} for the given integers a and b.",
        "You are given two numbers a and b. Your answer is {task}.",
    ),
    "ints": (
        "Given a list of integers, output {task}.",
        "Read a list of integers and print {task}.",
        "Print {task} for the given list of integers.",
        "You are given some numbers. Your answer is {task}.",
    ),
    "word": (
        "Given a word, output {task}.",
        "Read a word and print {task}.",
        "Print {task} for the given word.",
        "You are given a word. Your answer is {task}.",
    ),
}


@dataclass(frozen=True)
class Family:
    """One kind of problem. ``tasks`` are phrases that use ``{k}`` for the parameter; ``io`` keys ``FRAMES``."""

    name: str
    difficulty: str
    io: str  # "int", "two_ints", "ints", "word"
    tasks: tuple[str, ...]
    solve: Callable[[Any, Any], Any]  # (input value, k) -> answer
    body: str  # expression of the answer in terms of x (the input) and the literal parameter {k}
    params: tuple[Any, ...] = (None,)

    @property
    def phrasings(self) -> list[str]:
        """Every prompt sentence this family can take (frame x task), held-out frame last."""
        return [frame.replace("{task}", task) for frame in FRAMES[self.io] for task in self.tasks]


def _walk(s: str, k: int) -> int:
    return k + s.count("R") - s.count("L")


FAMILIES: tuple[Family, ...] = (
    Family("add_const", "easy", "int", ("x plus {k}", "the sum of x and {k}"), lambda x, k: x + k, "x + {k}",
           tuple(range(1, 41))),
    Family("mul_const", "easy", "int", ("x times {k}", "the product of x and {k}"), lambda x, k: x * k, "x * {k}",
           tuple(range(2, 26))),
    Family("sub_const", "easy", "int", ("x minus {k}", "the difference of x and {k}"), lambda x, k: x - k,
           "x - {k}", tuple(range(1, 41))),
    Family("mod_const", "easy", "int", ("x modulo {k}", "the remainder of x divided by {k}"), lambda x, k: x % k,
           "x % {k}", tuple(range(2, 26))),
    Family("square", "easy", "int", ("the square of x", "x multiplied by itself"), lambda x, k: x * x, "x * x"),
    Family("parity", "easy", "int", ("even if x is even and odd otherwise", "the parity of x as even or odd"),
           lambda x, k: "even" if x % 2 == 0 else "odd", "'even' if x % 2 == 0 else 'odd'"),
    Family("abs_diff", "easy", "two_ints", ("the absolute difference of a and b", "the distance between a and b"),
           lambda x, k: abs(x[0] - x[1]), "abs(a - b)"),
    Family("gcd", "medium", "two_ints", ("the greatest common divisor of a and b", "the gcd of a and b"),
           lambda x, k: gcd(x[0], x[1]), "math.gcd(a, b)"),
    Family("sum_list", "easy", "ints", ("the sum of the numbers", "the total of all the numbers"),
           lambda x, k: sum(x), "sum(xs)"),
    Family("max_list", "easy", "ints", ("the largest number", "the maximum of the numbers"), lambda x, k: max(x),
           "max(xs)"),
    Family("min_list", "easy", "ints", ("the smallest number", "the minimum of the numbers"), lambda x, k: min(x),
           "min(xs)"),
    Family("sort_asc", "medium", "ints", ("the numbers in increasing order", "the numbers sorted ascending"),
           lambda x, k: sorted(x), "sorted(xs)"),
    Family("sort_desc", "medium", "ints", ("the numbers in decreasing order", "the numbers sorted descending"),
           lambda x, k: sorted(x, reverse=True), "sorted(xs, reverse=True)"),
    Family("count_multiples", "medium", "ints", ("how many numbers are divisible by {k}",
           "the count of multiples of {k}"), lambda x, k: sum(1 for v in x if v % k == 0),
           "sum(1 for v in xs if v % {k} == 0)", tuple(range(2, 13))),
    Family("prefix_sums", "hard", "ints", ("the prefix sums of the numbers", "the running totals of the numbers"),
           lambda x, k: [sum(x[: i + 1]) for i in range(len(x))], "list(itertools.accumulate(xs))"),
    Family("reverse_word", "easy", "word", ("the word reversed", "the letters of the word in reverse order"),
           lambda x, k: x[::-1], "s[::-1]"),
    Family("upper_word", "easy", "word", ("the word in upper case", "the word in capital letters"),
           lambda x, k: x.upper(), "s.upper()"),
    Family("count_letter", "medium", "word", ("how many times the letter {k} occurs", "the count of letter {k}"),
           lambda x, k: x.count(k), "s.count('{k}')", tuple("abcdefghijklmnopqrstuvwxyz")),
    Family("repeat_word", "medium", "word", ("the word repeated {k} times", "{k} copies of the word joined"),
           lambda x, k: x * k, "s * {k}", tuple(range(2, 9))),
    Family("walk", "hard", "word", (
        "the final position of a walker that starts at {k} and moves +1 for each R and -1 for each L",
        "where a robot starting at {k} ends after stepping right on R and left on L",
    ), _walk, "{k} + s.count('R') - s.count('L')", tuple(range(0, 21))),
)  # fmt: skip

# How each input layout reads stdin, names its call arguments and describes itself in the prompt.
IO = {
    "int": ("x = int(input())", "x", "The input is one line with the integer x.", "solve(x)"),
    "two_ints": ("a, b = map(int, input().split())", "a, b", "The input is one line with a and b.", "solve(a, b)"),
    "ints": ("xs = list(map(int, input().split()))", "xs", "The input is one line of integers.", "solve(xs)"),
    "word": ("s = input().strip()", "s", "The input is one line with the word.", "solve(s)"),
}  # fmt: skip


def _sample_input(family: Family, rng: random.Random) -> Any:
    if family.io == "int":
        return rng.randint(0, 999) if family.name == "mod_const" else rng.randint(-99, 999)
    if family.io == "two_ints":
        low = 1 if family.name == "gcd" else -99
        return [rng.randint(low, 999), rng.randint(low, 999)]
    if family.io == "ints":
        return [rng.randint(-50, 99) for _ in range(rng.randint(1, 8))]
    letters = "LR" if family.name == "walk" else "abcdefghijklmnopqrstuvwxyz"
    return "".join(rng.choice(letters) for _ in range(rng.randint(1, 10)))


def _format_value(value: Any) -> str:
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _expression(family: Family, k: Any) -> str:
    return family.body.replace("{k}", str(k))


def _imports(expression: str) -> str:
    names = [m for m in ("math", "itertools") if m + "." in expression]
    return "".join(f"import {m}\n" for m in names)


def stdio_solution(family: Family, k: Any) -> str:
    """A short, idiomatic stdin/stdout reference program for one family instance."""
    read = IO[family.io][0]
    expr = _expression(family, k)
    if family.io == "ints" and family.name in ("sort_asc", "sort_desc", "prefix_sums"):
        return f"{_imports(expr)}{read}\nprint(*{expr})\n"
    return f"{_imports(expr)}{read}\nprint({expr})\n"


def call_solution(family: Family, k: Any) -> str:
    """A reference ``solve`` function for the call form."""
    expr = _expression(family, k)
    return f"{_imports(expr)}def solve({IO[family.io][1]}):\n    return {expr}\n"


def _prompt(family: Family, phrasing: str, k: Any, form: str) -> str:
    task = phrasing.replace("{k}", str(k))
    if form == "stdio":
        return f"{task} {IO[family.io][2]} Read from standard input and print the answer."
    return f"{task} Write a Python function {IO[family.io][3]} that returns the answer."


def make_problem(family: Family, k: Any, phrasing_index: int, form: str, split: str, rng: random.Random) -> Problem:
    """One problem instance with ``TESTS_PER_PROBLEM`` distinct tests and its reference solution."""
    inputs: list[Any] = []
    while len(inputs) < TESTS_PER_PROBLEM:
        value = _sample_input(family, rng)
        if value not in inputs:
            inputs.append(value)
    phrasing = family.phrasings[phrasing_index]
    index = phrasing_index % len(family.phrasings)
    pid = f"synth/{split}/{family.name}/{form}/k={k}/p{index}"
    if form == "stdio":
        tests: list = [StdioTest(_format_value(v) + "\n", _format_value(family.solve(v, k)) + "\n") for v in inputs]
        code = stdio_solution(family, k)
    else:
        args = (lambda v: list(v)) if family.io == "two_ints" else (lambda v: [v])
        tests = [CallTest(args(v), family.solve(v, k)) for v in inputs]
        code = call_solution(family, k)
    return Problem(
        id=pid,
        prompt=_prompt(family, phrasing, k, form),
        kind="stdio" if form == "stdio" else "call",
        tests=tests,
        fn_name=None if form == "stdio" else "solve",
        solutions=[Solution(id=pid, code=code)],
        source="synth",
        difficulty=family.difficulty,
        metadata={"family": family.name, "param": k, "phrasing": index, "form": form, "split": split},
    )


def _heldout_param(family: Family, k: Any) -> bool:
    """Every fourth parameter value of a family is kept for the held-out split (none for parameterless ones)."""
    return len(family.params) > 1 and family.params.index(k) % 4 == 3


def _instances(split: str) -> list[tuple[Family, Any, int, str]]:
    out = []
    for family in FAMILIES:
        per_frame = len(family.tasks)
        last = len(family.phrasings) - per_frame  # phrasings of the held-out frame start here
        indices = range(last, len(family.phrasings)) if split == "heldout" else range(last)
        for k in family.params:
            if len(family.params) > 1 and _heldout_param(family, k) != (split == "heldout"):
                continue
            out += [(family, k, p, form) for p in indices for form in ("stdio", "call")]
    return out


def generate(split: str, n: int, seed: int = 0) -> list[Problem]:
    """``n`` problems of one split (``train`` or ``heldout``), spread evenly over families, deterministic by seed.

    Instances are drawn without replacement per family; when ``n`` exceeds what a family can give, it gives all.
    """
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', got {split!r}")
    rng = random.Random(f"{seed}/{split}")
    by_family: dict[str, list] = {}
    for inst in _instances(split):
        by_family.setdefault(inst[0].name, []).append(inst)
    for insts in by_family.values():
        rng.shuffle(insts)
    chosen: list = []
    while len(chosen) < n and any(by_family.values()):
        for insts in by_family.values():
            if insts and len(chosen) < n:
                chosen.append(insts.pop())
    return [make_problem(f, k, p, form, split, rng) for f, k, p, form in chosen]


def corpus(seed: int = 0) -> list[str]:
    """Every prompt and reference program of the suite (both splits): the text a tiny tokenizer is trained on."""
    texts = []
    for split in ("train", "heldout"):
        for problem in generate(split, 10**6, seed):
            texts += [problem.prompt, problem.solutions[0].code]
    return texts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coderl data synth", description="Write the bundled synthetic suite.")
    parser.add_argument("--out", required=True, help="output folder; gets train.jsonl and heldout.jsonl")
    parser.add_argument("--n-train", type=int, default=None, help="training problems (default: every instance)")
    parser.add_argument("--n-heldout", type=int, default=None, help="held-out problems (default: every instance)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    for split, n in (("train", args.n_train), ("heldout", args.n_heldout)):
        problems = generate(split, 10**9 if n is None else n, args.seed)
        write_jsonl(out / f"{split}.jsonl", problems)
        print(f"wrote {len(problems)} {split} problems to {out / f'{split}.jsonl'}", file=sys.stderr)
    return 0
