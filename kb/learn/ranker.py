"""A small learned ranker for questions: what real questions taught, over the engine's candidates.

The engine (``kb.search``) finds and scores rows by their words (BM25, coordination,
expansion). For a question in Chinese, :class:`LearnedRanker` then

1. adds candidates: the articles that similar training questions were answered by
   (:meth:`Associations.vote_articles`, the best :attr:`LearnedRanker.votes` of them,
   every version), which the words alone may not reach;
2. scores every candidate row by a linear model over cheap features (:data:`FEATURES`):
   the engine's score (scaled so the best row has 1), its place among the scores, whether
   the words matched it at all, the share of the query's words it
   has, how often its law and its article were asked about, the related-question votes
   for its article and its law, whether the question names its law, and whether it is a
   local regulation or out of force; the nearest questions' votes for its article and
   law, the naive-Bayes probability of its law (:meth:`Associations.law_posterior`),
   the translation model's score (:mod:`kb.learn.translation`), how much of the
   question its law's title has, its length and its article number; and the word score
   times five of these (:data:`PRODUCTS`). The weights are fitted offline from the training
   questions by ``scripts/train_search.py`` (logistic regression) and stored with the
   tables in ``corpus/search/learned.json``.

Everything here is arrays over rows: :class:`RowKeys` (computed once per database) says,
for every row, which law and which article key (``民法典#art_54``) it is.

>>> FEATURES[:4]
('base', 'rank', 'matched', 'coord')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from kb.ids import Eid
from kb.learn.associations import Associations
from kb.learn.neighbours import Neighbours
from kb.learn.translation import Translation

__all__ = ["FEATURES", "PRODUCTS", "ROW_FEATURES", "WORD_FEATURES", "LearnedRanker", "RowKeys", "row_keys"]

FEATURES = (
    "base",
    "rank",
    "matched",
    "coord",
    "law_prior",
    "article_prior",
    "vote_article",
    "vote_law",
    "named",
    "local",
    "in_force",
    "neighbour_article",
    "neighbour_law",
    "law_posterior",
    "translation",
    "title_match",
    "length",
    "position",
    # the word score times each piece of learned evidence: evidence for a row the words also
    # found counts for more (dev MRR@10 .492 -> .512 with all five, chosen as one bundle)
    "base_x_vote",
    "base_x_neighbour",
    "base_x_translation",
    "base_x_posterior",
    "base_x_coord",
)
# Products of two features: name -> (feature, feature).
PRODUCTS = {
    "base_x_vote": ("base", "vote_article"),
    "base_x_neighbour": ("base", "neighbour_article"),
    "base_x_translation": ("base", "translation"),
    "base_x_posterior": ("base", "law_posterior"),
    "base_x_coord": ("base", "coord"),
}
# What the fallback ranker uses (LearnedRanker.fallback): nothing the training questions vouch for.
WORD_FEATURES = (
    "base",
    "rank",
    "matched",
    "coord",
    "local",
    "in_force",
    "translation",
    "title_match",
    "length",
    "position",
    "base_x_translation",
    "base_x_coord",
)
# Computed by the caller, which has the index (kb.search.learned): per candidate row.
ROW_FEATURES = ("translation", "length")
# The floor of law_posterior: a law no training question was answered by.
POSTERIOR_FLOOR = -30.0
# Added to a law's count before the log: a law nobody asked about is unlikely, not impossible.
PRIOR_SMOOTHING = 0.5


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key
class RowKeys:
    """Per row (index = rowid): its law (index into ``laws``) and article (index into ``articles``), -1 for none.

    ``laws`` are the law keys of every document (``kb``-independent: title without
    ``中华人民共和国``, no whitespace); ``articles`` the article keys (``<law>#<eid>``) of
    every article row; ``rows_of`` the rows of each article key (all its versions).
    """

    law: npt.NDArray[np.int32]
    article: npt.NDArray[np.int32]
    laws: tuple[str, ...]
    articles: tuple[str, ...]
    rows_of: Mapping[str, tuple[int, ...]]
    law_index: Mapping[str, int] = field(default_factory=dict)
    article_index: Mapping[str, int] = field(default_factory=dict)
    # per article (and a last slot for none): log(1 + its number in its law), 0 when it has none
    position: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(1))

    def at(self, rowid: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        known = rowid < len(self.law)
        index = np.where(known, rowid, 0)
        return np.where(known, self.law[index], -1), np.where(known, self.article[index], -1)


def row_keys(rows: Sequence[tuple[int, str, str]], size: int) -> RowKeys:
    """RowKeys from ``(rowid, law key, eid or '')`` per row (an empty eid: not an article)."""
    law = np.full(size, -1, dtype=np.int32)
    article = np.full(size, -1, dtype=np.int32)
    laws: dict[str, int] = {}
    articles: dict[str, int] = {}
    rows_of: dict[str, list[int]] = {}
    for rowid, law_key, eid in rows:
        law[rowid] = laws.setdefault(law_key, len(laws))
        if eid:
            key = f"{law_key}#{eid}"
            article[rowid] = articles.setdefault(key, len(articles))
            rows_of.setdefault(key, []).append(rowid)
    position = np.zeros(len(articles) + 1)
    for key, at in articles.items():
        parsed = Eid.try_parse(key.partition("#")[2])
        position[at] = math.log1p(parsed.units[-1].main) if parsed is not None else 0.0
    return RowKeys(
        law, article, tuple(laws), tuple(articles), {k: tuple(v) for k, v in rows_of.items()}, laws, articles, position
    )


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key
class LearnedRanker:
    """The learned tables, the ranker's weights (one per feature, and ``bias``), and how many votes to add."""

    tables: Associations
    weights: Mapping[str, float]
    votes: int = 30
    expansion_limit: int = 8
    # Used only for a question the tables know this much of (Associations.known_share).
    min_known: float = 0.0
    neighbours: Neighbours | None = None
    translation: Translation | None = None
    # The weights for a question the tables do not know (:meth:`knows`): features of the row's
    # words only (:data:`WORD_FEATURES`), no votes and no learned expansion; empty: rank by words.
    fallback: Mapping[str, float] = field(default_factory=dict)
    # For a question the tables do not know, the fallback's ranking fused with this one's
    # (reciprocal ranks, :func:`kb.search.learned.fuse`): the ``k`` of 1 / (k + place) and the
    # fallback's weight; a weight of 0: the fallback's ranking alone.
    fusion_k: int = 0
    fusion_weight: float = 0.0
    # ... only when the law classifier gives the likeliest law at least this probability
    fusion_confidence: float = 0.0

    def fuses(self, terms: Sequence[str]) -> bool:
        """Whether a question the tables do not know (these words) is ranked by both rankings, fused:
        fusion is on and the classifier is sure enough of a law the training questions asked about."""
        if self.fusion_weight <= 0 or not self.fallback:
            return False
        posterior = self.tables.law_posterior(terms) if self.fusion_confidence > 0 else {}
        return (
            self.fusion_confidence <= 0
            or math.exp(max(posterior.values(), default=-math.inf)) >= self.fusion_confidence
        )

    def for_unknown(self) -> LearnedRanker | None:
        """The ranker for a question the tables do not know: the fallback weights, no votes (None without them).

        The same object every time (the caches keyed by ranker stay warm).
        """
        return self._unknown

    @cached_property
    def _unknown(self) -> LearnedRanker | None:
        return replace(self, weights=self.fallback, votes=0, fallback={}) if self.fallback else None

    def knows(self, terms: Sequence[str]) -> bool:
        """Whether the tables know enough of a question (its content words) to rank it."""
        return self.tables.known_share(terms) >= self.min_known

    def uses(self, feature: str) -> bool:
        """Whether the score needs ``feature``: it (or a product of it) has a weight, or there are no weights
        yet (collecting for training). A feature it does not need is 0, and not computed."""
        if not self.weights:
            return True
        return bool(
            self.weights.get(feature) or any(self.weights.get(p) for p, pair in PRODUCTS.items() if feature in pair)
        )

    def vote_rows(self, keys: RowKeys, terms: Sequence[str]) -> list[int]:
        """The rows of the articles that similar training questions vouch for, best first."""
        if self.votes <= 0:
            return []
        votes = self.tables.vote_articles(terms)
        best = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[: self.votes]
        return [r for key, v in best if v > 0 for r in keys.rows_of.get(key, ())]

    def features(
        self,
        keys: RowKeys,
        terms: Sequence[str],
        question: str,
        rowid: npt.NDArray[np.int64],
        base: npt.NDArray[np.float64],
        coord: npt.NDArray[np.float64],
        local: npt.NDArray[np.bool_],
        in_force: npt.NDArray[np.bool_],
        row: Mapping[str, npt.NDArray[np.float64]] | None = None,
    ) -> npt.NDArray[np.float64]:
        """The feature matrix (rows x :data:`FEATURES`) of the candidate rows.

        ``row`` holds the :data:`ROW_FEATURES` the caller computed (0 for one it lacks).
        """
        law, article = keys.at(rowid)
        # index -1 (no law, no article) reads the last slot of each per-key array
        law = np.where(law >= 0, law, len(keys.laws))
        article = np.where(article >= 0, article, len(keys.articles))
        law_log, art_log = _priors(self.tables, keys)
        vote_a = near_a = np.zeros(len(keys.articles) + 1)
        vote_l = near_l = np.zeros(len(keys.laws) + 1)
        if self.uses("vote_article") or self.uses("vote_law"):
            vote_a = _per_key(self.tables.vote_articles(terms), keys.article_index, len(keys.articles))
            vote_l = _per_key(self.tables.vote_laws(terms), keys.law_index, len(keys.laws))
        if self.neighbours is not None and (self.uses("neighbour_article") or self.uses("neighbour_law")):
            near_a = _per_key(self.neighbours.vote_articles(terms), keys.article_index, len(keys.articles))
            near_l = _per_key(self.neighbours.vote_laws(terms), keys.law_index, len(keys.laws))
        distinct, at = np.unique(law, return_inverse=True)
        names = [keys.laws[i] if i < len(keys.laws) else "" for i in distinct.tolist()]
        named = np.array([1.0 if len(k) >= 2 and k in question else 0.0 for k in names])[at]
        long_words = [t for t in dict.fromkeys(terms) if len(t) >= 2]
        title = np.array([sum(1 for t in long_words if t in k) / max(len(long_words), 1) for k in names])[at]
        posterior = self.tables.law_posterior(terms) if self.uses("law_posterior") else {}
        floor = max(min(posterior.values(), default=POSTERIOR_FLOOR) - 1.0, POSTERIOR_FLOOR)
        law_post = np.array([posterior.get(k, floor) for k in names])[at]
        position = keys.position[article]
        law_log, art_log, vote_a, near_a = law_log[law], art_log[article], vote_a[article], near_a[article]
        vote_l, near_l = vote_l[law], near_l[law]
        row = row or {}
        top = float(base.max()) if len(base) and base.max() > 0 else 1.0
        # 1 / the row's place among the distinct word scores (versions of one text share one)
        _, place = np.unique(-base, return_inverse=True)
        rank = np.where(base > 0, 1.0 / (place + 1.0), 0.0)
        columns = {
            "base": base / top,
            "rank": rank,
            "matched": (base > 0).astype(np.float64),
            "coord": coord,
            "law_prior": law_log,
            "article_prior": art_log,
            "vote_article": vote_a,
            "vote_law": vote_l,
            "named": named,
            "local": local.astype(np.float64),
            "in_force": in_force.astype(np.float64),
            "neighbour_article": near_a,
            "neighbour_law": near_l,
            "law_posterior": law_post,
            "title_match": title,
            "position": position,
            **{f: row.get(f, np.zeros(len(rowid))) for f in ROW_FEATURES},
        }
        columns.update({name: columns[a] * columns[b] for name, (a, b) in PRODUCTS.items()})
        return np.column_stack([columns[f] for f in FEATURES]) if len(rowid) else np.empty((0, len(FEATURES)))

    def score(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The linear score of each row (larger is better)."""
        w = np.array([self.weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)
        return np.asarray(features @ w + self.weights.get("bias", 0.0), dtype=np.float64)


@lru_cache(maxsize=8)
def _priors(tables: Associations, keys: RowKeys) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per law and per article of ``keys`` (and a last slot for none): the log priors, computed once."""
    n = max(tables.questions, 1)
    laws = [*keys.laws, ""]
    law_log = np.array([math.log((tables.law_prior.get(k, 0) + PRIOR_SMOOTHING) / (n + 1)) for k in laws])
    art_log = np.zeros(len(keys.articles) + 1)
    for key, count in tables.article_prior.items():
        at = keys.article_index.get(key)
        if at is not None:
            art_log[at] = math.log1p(count)
    return law_log, art_log


def _per_key(votes: Mapping[str, float], index: Mapping[str, int], size: int) -> npt.NDArray[np.float64]:
    """Votes scaled so the best is 1, as an array over the keys of ``index`` (and a last slot of 0)."""
    out = np.zeros(size + 1)
    top = max(votes.values(), default=0.0) or 1.0
    for key, v in votes.items():
        at = index.get(key)
        if at is not None:
            out[at] = v / top
    return out
