"""The bundled problem suite: competition-style problems generated offline, deterministic by seed.

    coderl data synth --out runs/suite            # writes train.jsonl and heldout.jsonl
    coderl data synth --out runs/suite --n-train 4000 --n-heldout 400 --seed 1

Each problem comes from a *family* (add a constant, sort a line, count a letter, simulate a walk, ...), a parameter
(the constant, the letter, the start position), a phrasing (one of several sentence frames) and a form (stdio or
call), with tests and a reference solution. The split is honest: a held-out problem never shares its phrasing nor,
for families that have one, its parameter value with any training problem, so passing it needs more than recall.
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

HELDOUT_PHRASING = -1  # the last phrasing of every family is reserved for the held-out split
TESTS_PER_PROBLEM = 5


@dataclass(frozen=True)
class Family:
    """One kind of problem. ``phrasings`` use ``{k}`` for the parameter; ``io`` is one of the input layouts below."""

    name: str
    difficulty: str
    io: str  # "int", "two_ints", "ints", "word"
    phrasings: tuple[str, ...]
    solve: Callable[[Any, Any], Any]  # (input value, k) -> answer
    body: str  # expression of the answer in terms of x (the input) and the literal parameter {k}
    params: tuple[Any, ...] = (None,)


def _walk(s: str, k: int) -> int:
    return k + s.count("R") - s.count("L")


FAMILIES: tuple[Family, ...] = (
    Family("add_const", "easy", "int", (
        "Given an integer x, output x plus {k}.",
        "Add {k} to the number x and output the result.",
        "Output the value of x + {k} for the given integer x.",
        "A number x is given. What is {k} more than x?",
    ), lambda x, k: x + k, "x + {k}", tuple(range(1, 41))),
    Family("mul_const", "easy", "int", (
        "Given an integer x, output x times {k}.",
        "Multiply the number x by {k} and output the product.",
        "Output the value of x * {k} for the given integer x.",
        "A number x is given. What is {k} times x?",
    ), lambda x, k: x * k, "x * {k}", tuple(range(2, 26))),
    Family("sub_const", "easy", "int", (
        "Given an integer x, output x minus {k}.",
        "Subtract {k} from the number x and output the result.",
        "Output the value of x - {k} for the given integer x.",
        "A number x is given. What is {k} less than x?",
    ), lambda x, k: x - k, "x - {k}", tuple(range(1, 41))),
    Family("mod_const", "easy", "int", (
        "Given a non-negative integer x, output the remainder of x divided by {k}.",
        "Output x modulo {k}.",
        "Compute x % {k} for the given integer x.",
        "A number x is given. What remains when x is divided by {k}?",
    ), lambda x, k: x % k, "x % {k}", tuple(range(2, 26))),
    Family("square", "easy", "int", (
        "Given an integer x, output its square.",
        "Output x multiplied by itself.",
        "Compute x squared for the given integer x.",
        "A number x is given. What is x to the power of two?",
    ), lambda x, k: x * x, "x * x"),
    Family("parity", "easy", "int", (
        "Given an integer x, output even if x is even and odd otherwise.",
        "Print even when the number x is divisible by 2, else print odd.",
        "Decide the parity of x: output even or odd.",
        "A number x is given. Is it even or odd? Answer with the word.",
    ), lambda x, k: "even" if x % 2 == 0 else "odd", "'even' if x % 2 == 0 else 'odd'"),
    Family("abs_diff", "easy", "two_ints", (
        "Given two integers a and b, output the absolute difference between them.",
        "Output the distance between the numbers a and b on the number line.",
        "Compute abs(a - b) for the two given integers.",
        "Two numbers a and b are given. How far apart are they?",
    ), lambda x, k: abs(x[0] - x[1]), "abs(a - b)"),
    Family("gcd", "medium", "two_ints", (
        "Given two positive integers a and b, output their greatest common divisor.",
        "Output the largest integer that divides both a and b.",
        "Compute gcd(a, b) for the two given positive integers.",
        "Two numbers a and b are given. What is the biggest number dividing both of them?",
    ), lambda x, k: gcd(x[0], x[1]), "math.gcd(a, b)"),
    Family("sum_list", "easy", "ints", (
        "Given a list of integers, output their sum.",
        "Add up all the numbers in the list and output the total.",
        "Compute the sum of the given integers.",
        "Some numbers are given. What do they add up to?",
    ), lambda x, k: sum(x), "sum(xs)"),
    Family("max_list", "easy", "ints", (
        "Given a list of integers, output the largest one.",
        "Output the maximum of the numbers in the list.",
        "Find the biggest value among the given integers.",
        "Some numbers are given. Which one is the greatest?",
    ), lambda x, k: max(x), "max(xs)"),
    Family("min_list", "easy", "ints", (
        "Given a list of integers, output the smallest one.",
        "Output the minimum of the numbers in the list.",
        "Find the lowest value among the given integers.",
        "Some numbers are given. Which one is the least?",
    ), lambda x, k: min(x), "min(xs)"),
    Family("sort_asc", "medium", "ints", (
        "Given a list of integers, output them sorted in increasing order.",
        "Sort the numbers from smallest to largest and output them.",
        "Output the given integers in ascending order.",
        "Some numbers are given. Arrange them from low to high.",
    ), lambda x, k: sorted(x), "sorted(xs)"),
    Family("sort_desc", "medium", "ints", (
        "Given a list of integers, output them sorted in decreasing order.",
        "Sort the numbers from largest to smallest and output them.",
        "Output the given integers in descending order.",
        "Some numbers are given. Arrange them from high to low.",
    ), lambda x, k: sorted(x, reverse=True), "sorted(xs, reverse=True)"),
    Family("count_multiples", "medium", "ints", (
        "Given a list of integers, output how many of them are divisible by {k}.",
        "Count the numbers in the list that are multiples of {k}.",
        "Output the count of given integers x with x % {k} == 0.",
        "Some numbers are given. How many of them can be divided by {k} evenly?",
    ), lambda x, k: sum(1 for v in x if v % k == 0), "sum(1 for v in xs if v % {k} == 0)", tuple(range(2, 13))),
    Family("prefix_sums", "hard", "ints", (
        "Given a list of integers, output their prefix sums.",
        "Output the running totals of the numbers in the list.",
        "For each position, output the sum of the integers up to and including it.",
        "Some numbers are given. Output the cumulative sums.",
    ), lambda x, k: [sum(x[: i + 1]) for i in range(len(x))], "list(itertools.accumulate(xs))"),
    Family("reverse_word", "easy", "word", (
        "Given a word, output it reversed.",
        "Output the letters of the word in reverse order.",
        "Reverse the given string.",
        "A word is given. How is it spelled backwards?",
    ), lambda x, k: x[::-1], "s[::-1]"),
    Family("upper_word", "easy", "word", (
        "Given a word, output it in upper case.",
        "Convert every letter of the word to a capital letter.",
        "Output the given string in uppercase.",
        "A word is given. Shout it: write it in capitals.",
    ), lambda x, k: x.upper(), "s.upper()"),
    Family("count_letter", "medium", "word", (
        "Given a word, output how many times the letter {k} occurs in it.",
        "Count the occurrences of {k} in the given string.",
        "Output the number of {k} characters in the word.",
        "A word is given. How often does {k} appear in it?",
    ), lambda x, k: x.count(k), "s.count('{k}')", tuple("abcdefghijklmnopqrstuvwxyz")),
    Family("repeat_word", "medium", "word", (
        "Given a word, output it repeated {k} times with nothing in between.",
        "Output the word written {k} times in a row.",
        "Concatenate {k} copies of the given string.",
        "A word is given. Say it {k} times without spaces.",
    ), lambda x, k: x * k, "s * {k}", tuple(range(2, 9))),
    Family("walk", "hard", "word", (
        "A robot starts at position {k} and reads a string of moves: R moves it one step right (+1), L one step "
        "left (-1). Output its final position.",
        "Start at {k}. For each character of the given string, add 1 for R and subtract 1 for L. Output the end.",
        "Simulate a walk that begins at {k}: every R is +1 and every L is -1. Output where it ends.",
        "A token sits at {k}. The string tells its moves, R for right and L for left. Where does it stop?",
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
        phrasings = [len(family.phrasings) - 1] if split == "heldout" else range(len(family.phrasings) - 1)
        for k in family.params:
            if len(family.params) > 1 and _heldout_param(family, k) != (split == "heldout"):
                continue
            out += [(family, k, p, form) for p in phrasings for form in ("stdio", "call")]
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
