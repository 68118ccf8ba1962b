"""Query planning: a search request, the terms of a query, its expansion phrases and its index queries (units).

A query is segmented as the index was (:func:`kb.search.fts.query_terms`); stopwords are
dropped (:func:`kb.search.expand.content_terms`) and the expansion phrases of
``corpus/search/synonyms.toml`` become optional, lower-weighted units, and so do the learned
lay -> legal words of a Chinese query (``learned``, :mod:`kb.search.learned`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kb.learn.ranker import LearnedRanker
from kb.search.expand import content_terms, expansion_terms
from kb.search.fts import QueryMode, maximal_terms, query_terms

__all__ = [
    "EXPANSION_WEIGHT",
    "LANGS",
    "MAX_ALL_WORDS",
    "MAX_LIMIT",
    "QueryPlan",
    "ResultType",
    "SearchParams",
    "Unit",
    "highlight_terms",
    "plan_query",
]

MAX_LIMIT = 100
LANGS = ("zh", "en")
ResultType = Literal["provision", "passage"]
# An expansion phrase counts this much of a query term: it is our guess at what the
# user meant, not what they typed (measured on the dev questions, scripts/bench_retrieval.py).
EXPANSION_WEIGHT = 0.3

# mode=all requires every word of a keyword query of at most this many words (content
# words, a compound counted once). A longer query, or one with stopwords (吗, how, the),
# is a question or a sentence, which no article repeats word for word: it is ranked by
# any word instead, results with more of its words first (``match: any``).
MAX_ALL_WORDS = 3
# FTS5 operators and punctuation, dropped from a raw query to find the words to mark.
_RAW_SYNTAX = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b|[{}():^*+\"]|\b\w+\s*:")
# A prefix term of a raw query: consen*
_RAW_PREFIX = re.compile(r"([^\W_]+)\*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class SearchParams:
    """A validated search request."""

    q: str
    mode: QueryMode = "all"
    type: ResultType | None = None
    doc: str | None = None
    topic: str | None = None
    lang: str | None = None
    status: str | None = None
    limit: int = 20
    expand: bool = True

    def fingerprint(self) -> str:
        """Ties a cursor to the query and filters it was issued for (not the limit)."""
        key = json.dumps(
            [self.q, self.type, self.doc, self.topic, self.lang, self.status, self.expand], ensure_ascii=False
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Unit:
    """One index query: rows with every one of ``terms`` (or the ``raw`` expression).

    ``main`` units are the query's own terms (they count for coordination); the
    others are expansion phrases, weighted by ``weight``. ``within``: terms a row must
    also have, which do not count in this unit's score (an expansion phrase in
    ``mode=all`` only re-ranks rows that have every query term: the index need not
    score it anywhere else); ``within_any``: term groups a row must have one of (all of
    its terms), likewise: a common word scores only rows that have a rarer word of the
    query. The terms of ``within``/``within_any`` must be the terms of the statement's
    unconditional units, whose scores :func:`~kb.search.rank.combine_scores` takes off again.
    """

    terms: tuple[str, ...]
    weight: float = 1.0
    main: bool = True
    raw: str | None = None
    within: tuple[str, ...] = ()
    within_any: tuple[tuple[str, ...], ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.within or self.within_any)


@dataclass(frozen=True)
class QueryPlan:
    """A query taken apart: its tokens, the content terms, and the expansion phrases."""

    terms: tuple[str, ...]
    content: tuple[str, ...]
    expanded: tuple[str, ...] = ()
    expansion: tuple[Unit, ...] = ()

    def is_sentence(self) -> bool:
        """A question or a sentence rather than keywords: it has stopwords, or many words."""
        return len(self.content) < len(self.terms) or len(maximal_terms(self.content)) > MAX_ALL_WORDS

    def highlight(self) -> list[str]:
        """The words to mark: content terms, then the expansion phrases' words."""
        seen = dict.fromkeys(self.content)
        for unit in self.expansion:
            seen.update(dict.fromkeys(unit.terms))
        return list(seen)


@lru_cache(maxsize=1024)
def plan_query(q: str, *, expand: bool = True, learned: LearnedRanker | None = None) -> QueryPlan:
    """The terms of a (non-raw) query, and its expansion units when ``expand``.

    >>> p = plan_query("小区能强制刷脸吗")
    >>> "吗" in p.terms, "吗" in p.content, "人脸识别" in p.expanded
    (True, False, True)
    >>> [u.terms for u in p.expansion][0]
    ('人脸识别',)
    """
    terms = query_terms(q)
    content = content_terms(terms)
    if not expand:
        return QueryPlan(tuple(terms), tuple(content))
    expanded: list[str] = []
    units: dict[tuple[str, ...], Unit] = {}
    for phrase in expansion_terms(q):
        words = tuple(maximal_terms(content_terms(query_terms(phrase))))
        # A one-character word of a longer phrase (建筑物管理人 -> 建筑物 管理 人) is in a
        # good part of the corpus: requiring it costs a long posting list and adds nothing.
        words = tuple(w for w in words if len(w) > 1) or words
        if words and words not in units:
            units[words] = Unit(words, weight=EXPANSION_WEIGHT, main=False)
            expanded.append(phrase)
    if learned is not None and _CJK.search(q):
        # Learned lay -> legal words (kb.learn.associations), each weighted by its association.
        for word, weight in learned.tables.expansion(content, learned.expansion_limit):
            if (word,) not in units:
                units[(word,)] = Unit((word,), weight=round(EXPANSION_WEIGHT * weight, 6), main=False)
                expanded.append(word)
    return QueryPlan(tuple(terms), tuple(content), tuple(expanded), tuple(units.values()))


def highlight_terms(q: str, mode: QueryMode) -> list[str]:
    """The words of a query to mark in snippets (stopwords and FTS5 operators dropped)."""
    if mode != "raw":
        return content_terms(query_terms(q))
    prefixes = [f"{p.lower()}*" for p in _RAW_PREFIX.findall(q)]
    return [*query_terms(_RAW_SYNTAX.sub(" ", _RAW_PREFIX.sub(" ", q))), *prefixes]
