"""Learning from labelled data, without a neural model (kb.search.learned and the weight-fitting scripts use it).

* :mod:`kb.learn.associations` — tables counted from (question words, answering articles) pairs;
* :mod:`kb.learn.neighbours` — the training questions nearest a new one, and their answers;
* :mod:`kb.learn.translation` — IBM Model 1 from question words to the words of their answers;
* :mod:`kb.learn.ranker` — a linear ranker over cheap per-row features;
* :mod:`kb.learn.linear` — the one home of small linear models: the binary and the
  softmax-with-none fits, and scoring by feature name.

A bottom-level package: it imports nothing from the rest of ``kb`` but ``kb.ids`` and ``kb.text``.
This module only re-exports.
"""

from __future__ import annotations

from kb.learn.associations import Associations, fit, law_key, law_of
from kb.learn.linear import LinearModel, fit_binary, fit_choice
from kb.learn.neighbours import Neighbours
from kb.learn.ranker import FEATURES, LearnedRanker, RowKeys, row_keys
from kb.learn.translation import Translation

__all__ = [
    "FEATURES",
    "Associations",
    "LearnedRanker",
    "LinearModel",
    "Neighbours",
    "RowKeys",
    "Translation",
    "fit",
    "fit_binary",
    "fit_choice",
    "law_key",
    "law_of",
    "row_keys",
]
