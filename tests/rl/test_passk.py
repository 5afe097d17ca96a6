"""pass@k against values computed by hand from 1 - C(n-c, k) / C(n, k)."""

from __future__ import annotations

from fractions import Fraction
from math import comb

import pytest

from rl.passk import group_pass_at_k, pass_at_k, summarize


@pytest.mark.parametrize(
    "n, c, k, expected",
    [
        (5, 0, 1, 0.0),
        (5, 5, 3, 1.0),
        (10, 3, 1, 0.3),  # pass@1 is the pass rate
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
        (8, 2, 4, 55 / 70),  # 1 - C(6,4)/C(8,4) = 1 - 15/70
        (8, 2, 8, 1.0),  # n - c < k: every draw of 8 holds a pass
        (3, 1, 3, 1.0),
    ],
)
def test_hand_computed_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_stable_where_the_binomials_are_huge():
    n, c, k = 1000, 7, 500
    exact = 1 - Fraction(comb(n - c, k), comb(n, k))
    assert pass_at_k(n, c, k) == pytest.approx(float(exact), rel=1e-12)


def test_rejects_impossible_arguments():
    with pytest.raises(ValueError, match="k <= n"):
        pass_at_k(4, 1, 8)
    with pytest.raises(ValueError, match="c <= n"):
        pass_at_k(4, 5, 1)


def test_group_mean_leaves_out_problems_with_too_few_samples():
    out = group_pass_at_k([(4, 1), (4, 0), (2, 2)], [1, 4])
    assert out["pass@1"] == pytest.approx((0.25 + 0 + 1) / 3)
    assert out["pass@4"] == pytest.approx((1 + 0) / 2) and out["excluded@4"] == 1
    assert out["problems"] == 3 and out["samples"] == 10 and out["passed"] == 3


def test_summary_breaks_down_by_source_and_difficulty():
    rows = [{"n": 2, "c": 1, "source": "a", "difficulty": "easy"}, {"n": 2, "c": 0, "source": "b", "difficulty": None}]
    out = summarize(rows, [1])
    assert out["overall"]["pass@1"] == 0.25
    assert out["by_source"]["a"]["pass@1"] == 0.5 and out["by_source"]["b"]["pass@1"] == 0.0
    assert set(out["by_difficulty"]) == {"easy", "-"}
