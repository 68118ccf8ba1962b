"""Learning from real questions, without a neural model (used by :mod:`kb.search.learned`).

* :mod:`kb.learn.associations` — tables counted from (question words, answering articles) pairs;
* :mod:`kb.learn.ranker` — a linear ranker over cheap per-row features.

A bottom-level package: it imports nothing from the rest of ``kb``. This module only re-exports.
"""

from __future__ import annotations

from kb.learn.associations import Associations, fit, law_key, law_of
from kb.learn.ranker import FEATURES, LearnedRanker, RowKeys, row_keys

__all__ = ["FEATURES", "Associations", "LearnedRanker", "RowKeys", "fit", "law_key", "law_of", "row_keys"]
