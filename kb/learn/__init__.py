"""Learning from real questions, without a neural model (used by :mod:`kb.search.learned`).

* :mod:`kb.learn.associations` — tables counted from (question words, answering articles) pairs;
* :mod:`kb.learn.neighbours` — the training questions nearest a new one, and their answers;
* :mod:`kb.learn.translation` — IBM Model 1 from question words to the words of their answers;
* :mod:`kb.learn.ranker` — a linear ranker over cheap per-row features.

A bottom-level package: it imports nothing from the rest of ``kb`` but ``kb.ids`` and ``kb.text``.
This module only re-exports.
"""

from __future__ import annotations

from kb.learn.associations import Associations, fit, law_key, law_of
from kb.learn.neighbours import Neighbours
from kb.learn.ranker import FEATURES, LearnedRanker, RowKeys, row_keys
from kb.learn.translation import Translation

__all__ = [
    "FEATURES",
    "Associations",
    "LearnedRanker",
    "Neighbours",
    "RowKeys",
    "Translation",
    "fit",
    "law_key",
    "law_of",
    "row_keys",
]
