"""kb.search.rank: one result per article, its versions in order of preference."""

from __future__ import annotations

import numpy as np
import pytest

from kb.search.rank import _by_group


@pytest.mark.parametrize("seed", range(20))
def test_grouping_orders_as_the_four_key_sort(seed: int) -> None:
    # Random candidate rows: many single-version articles, some with several versions, ties in score.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    rowid = np.sort(rng.choice(10_000, size=n, replace=False)).astype(np.int64)
    group = rng.integers(0, max(2, n // rng.integers(1, 4)), size=n).astype(np.int64)
    preference = rng.integers(0, 3, size=n).astype(np.int8)
    score = np.round(rng.random(n), 1)
    expected = np.lexsort((rowid, -score, preference, group))
    assert _by_group(group, preference, score, rowid).tolist() == expected.tolist()


def test_one_row() -> None:
    assert _by_group(np.array([7]), np.array([0]), np.array([1.0]), np.array([3])).tolist() == [0]
