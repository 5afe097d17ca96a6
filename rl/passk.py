"""pass@k with the unbiased estimator of Chen et al. (2021), and its aggregation over problems and groups.

    from rl.passk import pass_at_k, summarize
    pass_at_k(n=8, c=2, k=4)            # 1 - C(6,4)/C(8,4) = 0.7857...

Pure Python (no torch): ``coderl eval`` and the data tools share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def pass_at_k(n: int, c: int, k: int) -> float:
    """The probability that at least one of ``k`` samples drawn without replacement from ``n`` passes.

    Computed as ``1 - prod_{i=n-c+1}^{n} (1 - k/i)``, which equals ``1 - C(n-c, k) / C(n, k)`` without the huge
    binomials (Chen et al. 2021, Codex paper, Figure 3).

    Args:
        n: samples drawn for the problem.
        c: samples among them that passed.
        k: the k of pass@k; must satisfy ``1 <= k <= n``.
    """
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k: need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k: need 1 <= k <= n, got n={n}, k={k} (draw at least k samples per problem)")
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def group_pass_at_k(counts: Iterable[tuple[int, int]], ks: list[int]) -> dict:
    """Mean pass@k over problems given ``(n, c)`` per problem.

    A problem with fewer than ``k`` usable samples (e.g. after sandbox errors were excluded) does not count for that
    ``k``; ``excluded@k`` says how many were left out so the number is never silently computed on fewer problems.
    """
    counts = list(counts)
    out: dict = {"problems": len(counts), "samples": sum(n for n, _ in counts), "passed": sum(c for _, c in counts)}
    for k in ks:
        values = [pass_at_k(n, c, k) for n, c in counts if n >= k]
        out[f"pass@{k}"] = sum(values) / len(values) if values else None
        if len(values) < len(counts):
            out[f"excluded@{k}"] = len(counts) - len(values)
    return out


def summarize(per_problem: list[dict], ks: list[int], groups: tuple[str, ...] = ("source", "difficulty")) -> dict:
    """pass@k overall and per value of each group field.

    Args:
        per_problem: one dict per problem with ``n`` (usable samples), ``c`` (passed) and the group fields.
        ks: the k values to report.
        groups: fields to break the results down by; problems without the field fall under ``"-"``.
    """
    result = {"overall": group_pass_at_k(((p["n"], p["c"]) for p in per_problem), ks)}
    for name in groups:
        buckets: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for p in per_problem:
            buckets[str(p.get(name) if p.get(name) is not None else "-")].append((p["n"], p["c"]))
        result[f"by_{name}"] = {key: group_pass_at_k(buckets[key], ks) for key in sorted(buckets)}
    return result
