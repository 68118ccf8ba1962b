"""What real questions taught the search: learned expansion, related-question candidates, a learned ranker.

``corpus/search/learned.json`` (written by ``scripts/train_search.py`` from the STARD
training questions only, see :mod:`kb.learn.associations`, :mod:`kb.learn.neighbours`,
:mod:`kb.learn.translation` and :mod:`kb.learn.ranker`) holds counted tables, the training
questions' words and answers, a translation model and the weights of a linear ranker. For a Chinese question (a query
ranked in ``match=any``), the engine

1. adds the learned lay -> legal words of its words as expansion units
   (:func:`expansion_units`, weighted by :data:`~kb.search.plan.EXPANSION_WEIGHT` times
   their learned weight), next to ``synonyms.toml``'s;
2. adds the rows of the articles similar training questions were answered by
   (:func:`with_votes`), and
3. ranks every candidate row by the learned score instead of the word score alone
   (:func:`learned_ranking`); the two features that need each row's words (its length,
   the translation model's score) come from the in-memory index (:func:`row_features`).

A question the tables know too little of (:meth:`LearnedRanker.knows`: facial recognition
is not what STARD's lay questions ask about) is ranked by the fallback weights over its own
words (no learned expansion, no votes), and, when the file asks for it and the law
classifier is sure enough of a law (:meth:`LearnedRanker.fuses`), also as above, the two
rankings fused by their articles' reciprocal places (:func:`fuse`: the fallback's place
counts more). Keyword queries (``match=all``), raw queries and queries with no Chinese
character rank as before, and so does every query on a database that lacks most of the
articles the tables were learned about (:data:`MIN_COVERAGE`, :func:`ranker_for`): the
default FRT corpus. The arithmetic is numpy over the rows the index matched, the same on
SQLite and PostgreSQL. Set
``KB_LEARNED_SEARCH=0`` (``Settings.learned_search``) to turn it off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field, ValidationError
from sqlalchemy import text

from kb.datafiles import RuleModel, rule_error
from kb.errors import ConfigError
from kb.learn.associations import Associations, law_key
from kb.learn.neighbours import Neighbours
from kb.learn.ranker import FEATURES, LearnedRanker, RowKeys, row_keys
from kb.learn.translation import Translation
from kb.search.groups import UnitGroups
from kb.search.index import index_keys, index_of, sorted_in
from kb.search.plan import QueryPlan
from kb.search.rank import Scores, word_score
from kb.settings import get_settings
from kb.store.reader import Reader, paged_rows

__all__ = [
    "LEARNED_FILE",
    "Candidates",
    "LearnedFile",
    "applies",
    "coverage",
    "fuse",
    "group_places",
    "learned_features_of",
    "learned_ranker",
    "learned_ranking",
    "load_learned",
    "ranker_for",
    "reader_row_keys",
    "shortlist",
    "vouched_rows",
    "with_votes",
]

LEARNED_FILE = "search/learned.json"
# The tables describe what people asked of a corpus: used only on a database that holds at
# least this share of the articles they were asked about (counted with repetition). The
# full corpus holds all of them; the default FRT corpus holds the Civil Code but few of the
# others, and there the priors and votes pull Civil Code articles over the ones a
# facial-recognition question wants (FR-domain dev and heldout questions, Chinese: R@10 .78
# -> .57 with the tables applied anyway).
MIN_COVERAGE = 0.9
# How many of a question's matched rows (by word score) the ranker scores, besides the rows
# related questions vouch for (:func:`learned_ranking`). STARD dev, 189 questions: every row
# .604/.768/.470 (R@10/R@100/MRR@10); 1000 .605/.779/.470; 500 .600/.780/.469; 300
# .600/.779/.469 at half the ranking's cost (train: .983/1.000/.872 for each).
SHORTLIST = 300
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class LearnedFile(RuleModel):
    """The shape of ``corpus/search/learned.json``."""

    about: str
    source_sha256: str
    seed: int
    questions: int
    votes: int
    expansion_limit: int
    min_known: float
    weights: dict[str, float]
    # for questions the tables do not know (LearnedRanker.fallback)
    fallback: dict[str, float] = Field(default_factory=dict)
    # the fusion of both rankings for such questions (LearnedRanker.fusion_k, fusion_weight)
    fusion_k: int = Field(default=0, ge=0)
    fusion_weight: float = Field(default=0.0, ge=0.0)
    fusion_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    laws: list[str]
    articles: list[str]
    law_prior: list[int]
    article_prior: list[int]
    term_df: dict[str, int]
    term_article: dict[str, list[tuple[int, int]]]
    term_law: dict[str, list[tuple[int, int]]]
    term_terms: dict[str, list[tuple[str, float]]]
    # the training questions' content words and their answers (positions in ``articles``)
    neighbours: list[tuple[list[str], list[int]]] = Field(default_factory=list)
    neighbours_k: int = 10
    # question word -> its likeliest source words in answers, t(q | a); P(q)
    translation: dict[str, list[tuple[str, float]]] = Field(default_factory=dict)
    background: dict[str, float] = Field(default_factory=dict)
    dev: dict[str, Any] = Field(default_factory=dict)


def load_learned(path: Path) -> LearnedRanker:
    """The ranker stored at ``path``; a missing or malformed file is a ConfigError naming it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: learned search data not found") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not JSON: {exc}") from None
    try:
        data = LearnedFile.model_validate(raw)
    except ValidationError as exc:
        raise rule_error(path, exc) from None
    unknown = (set(data.weights) | set(data.fallback)) - {*FEATURES, "bias"}
    if unknown:
        raise ConfigError(f"{path}: weights/fallback: unknown features {sorted(unknown)}")
    if len(data.laws) != len(data.law_prior) or len(data.articles) != len(data.article_prior):
        raise ConfigError(f"{path}: laws/articles and their priors differ in length")
    try:
        term_article = {t: {data.articles[i]: n for i, n in v} for t, v in data.term_article.items()}
        term_law = {t: {data.laws[i]: n for i, n in v} for t, v in data.term_law.items()}
        neighbours = [(words, [data.articles[i] for i in answers]) for words, answers in data.neighbours]
    except IndexError:
        raise ConfigError(
            f"{path}: term_article/term_law/neighbours: a position past the list of articles or laws"
        ) from None
    if set(data.translation) - set(data.background):
        raise ConfigError(f"{path}: translation: a question word without its background probability")
    tables = Associations(
        questions=data.questions,
        law_prior=dict(zip(data.laws, data.law_prior, strict=True)),
        article_prior=dict(zip(data.articles, data.article_prior, strict=True)),
        term_df=data.term_df,
        term_article=term_article,
        term_law=term_law,
        term_terms={k: tuple(v) for k, v in data.term_terms.items()},
    )
    return LearnedRanker(
        tables,
        data.weights,
        votes=data.votes,
        expansion_limit=data.expansion_limit,
        min_known=data.min_known,
        neighbours=Neighbours.fit(neighbours, data.neighbours_k) if neighbours else None,
        translation=Translation({q: tuple(v) for q, v in data.translation.items()}, data.background)
        if data.translation
        else None,
        fallback=data.fallback,
        fusion_k=data.fusion_k,
        fusion_weight=data.fusion_weight,
        fusion_confidence=data.fusion_confidence,
    )


@lru_cache(maxsize=4)
def _cached(path: Path) -> LearnedRanker | None:
    return load_learned(path) if path.exists() else None


def learned_ranker() -> LearnedRanker | None:
    """The project's learned ranker (None when turned off or when the corpus has no learned file)."""
    settings = get_settings()
    if not settings.learned_search:
        return None
    return _cached(settings.corpus_dir / LEARNED_FILE)


def coverage(reader: Reader, ranker: LearnedRanker) -> float:
    """The share of the tables' asked-about articles (with repetition) the reader's database holds."""

    def compute() -> float:
        prior = ranker.tables.article_prior
        held = reader_row_keys(reader).rows_of
        total = sum(prior.values())
        return sum(n for k, n in prior.items() if k in held) / total if total else 0.0

    cache: dict[int, float] = reader.cached("search.learned_coverage", dict)
    if id(ranker) not in cache:
        cache[id(ranker)] = compute()
    return cache[id(ranker)]


def ranker_for(reader: Reader) -> LearnedRanker | None:
    """The learned ranker, if there is one and the reader's database holds what it learned about."""
    ranker = learned_ranker()
    return ranker if ranker is not None and coverage(reader, ranker) >= MIN_COVERAGE else None


def applies(q: str, match_mode: str) -> bool:
    """Whether the learned ranking is used: a question ranked by any of its words, with Chinese in it."""
    return match_mode == "any" and bool(_CJK.search(q))


def reader_row_keys(reader: Reader) -> RowKeys:
    """The law and article key of every row of the reader's database (computed once per reader).

    Read in pages by rowid, each a short query of its own: one query over every unit (149,000 at
    full scale) could pass the reader's statement deadline on a loaded server's first search.
    """

    def compute() -> RowKeys:
        with reader.engine.connect() as conn:
            titles = {r[0]: law_key(r[1] or r[0]) for r in conn.execute(text("SELECT id, title_zh FROM documents"))}
            size = int(conn.execute(text("SELECT coalesce(max(rowid), -1) + 1 FROM search_units")).scalar_one())
        rows = [
            (int(rowid), titles.get(doc_id, doc_id), uid[len(doc_id) + 1 :] if level == "article" else "")
            for rowid, uid, doc_id, level in _unit_levels(reader)
        ]
        return row_keys(rows, size)

    return reader.cached("search.learned_row_keys", compute)


def _unit_levels(reader: Reader) -> Iterator[Any]:
    """``(rowid, id, doc_id, provision level or None)`` of every search unit, a page of rows per query."""
    return paged_rows(
        reader,
        "SELECT su.rowid, su.id, su.doc_id, p.level FROM search_units su LEFT JOIN provisions p ON p.id = su.id "
        "WHERE su.rowid > :after ORDER BY su.rowid LIMIT :n",
    )


def with_votes(scores: Scores, extra_rows: list[int]) -> Scores:
    """``scores`` with the rows of ``extra_rows`` that it lacks added, matched by nothing (all zero)."""
    extra = np.array(sorted(set(extra_rows)), dtype=np.int64)
    new = extra[~sorted_in(extra, scores.rowid)]  # rowid: ascending, distinct
    if not len(new):
        return scores
    rowid = np.concatenate([scores.rowid, new])
    order = np.argsort(rowid, kind="stable")
    zeros = np.zeros(len(new))
    return Scores(
        rowid[order],
        np.concatenate([scores.main, zeros])[order],
        np.concatenate([scores.matched, np.zeros(len(new), dtype=np.int64)])[order],
        np.concatenate([scores.extra, zeros])[order],
    )


@dataclass(frozen=True)
class Candidates:
    """A question's candidate rows (``rowid``, ascending), their version ``group`` and learned ``features``."""

    rowid: npt.NDArray[np.int64]
    group: npt.NDArray[np.int64]
    features: npt.NDArray[np.float64]
    scores: Scores


def _features(
    reader: Reader,
    ranker: LearnedRanker,
    keys: RowKeys,
    groups: UnitGroups,
    q: str,
    plan: QueryPlan,
    scores: Scores,
    n_main: int,
    *,
    local_penalty: bool,
) -> npt.NDArray[np.float64]:
    rowid = scores.rowid
    base = word_score(scores, n_main, groups, local_penalty=local_penalty)
    coord = scores.matched / max(n_main, 1)
    known = rowid < len(groups.factor)
    index = np.where(known, rowid, 0)
    local = known & (np.frombuffer(groups.factor, dtype=np.float64)[index] != 1.0)
    code = groups.codes.get("status:in_force", -2)
    in_force = known & (np.frombuffer(groups.status, dtype=np.int8)[index] == code)
    return ranker.features(
        keys, plan.content, q, rowid, base, coord, local, in_force, row_features(reader, ranker, plan, rowid)
    )


def row_features(
    reader: Reader, ranker: LearnedRanker, plan: QueryPlan, rowid: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[np.float64]]:
    """The :data:`~kb.learn.ranker.ROW_FEATURES` of the candidate rows (``rowid`` ascending), from the index:
    each row's length (log 1 + words) and the translation model's score of the question.

    None when the reader searches the database's own index (comparisons only: the ranker then
    sees 0 for both).
    """
    index = index_of(reader)
    if index is None or not len(rowid):
        return {}
    rows = rowid.astype(np.int32)
    known = rows < index.rows
    length = np.where(known, index.length[np.where(known, rows, 0)], 0.0).astype(np.float64)
    out = {"length": np.log1p(length)}
    if ranker.translation is not None and ranker.uses("translation"):

        def counts(words: Sequence[str]) -> npt.NDArray[np.float64]:
            # a word the index splits into several keys (a phrase) counts nowhere, as before
            keys = [k[0] if len(k) == 1 else "" for k in map(index_keys, words)]
            return index.counts_matrix(keys, rows)

        out["translation"] = ranker.translation.score(plan.content, counts, length)
    return out


def learned_features_of(
    reader: Reader,
    ranker: LearnedRanker,
    q: str,
    plan: QueryPlan,
    scores: Scores,
    n_main: int,
    groups: UnitGroups,
    *,
    local_penalty: bool,
    votes: bool = True,
) -> Candidates:
    """The matched rows of ``scores`` and, with ``votes``, the related-question rows, with their features."""
    keys = reader_row_keys(reader)
    if votes:
        scores = with_votes(scores, ranker.vote_rows(keys, plan.content))
    x = _features(reader, ranker, keys, groups, q, plan, scores, n_main, local_penalty=local_penalty)
    return Candidates(scores.rowid, groups.group_of(scores.rowid), x, scores)


def learned_ranking(
    reader: Reader,
    ranker: LearnedRanker,
    q: str,
    plan: QueryPlan,
    scores: Scores,
    n_main: int,
    groups: UnitGroups,
    *,
    local_penalty: bool,
    votes: bool = True,
) -> tuple[Scores, npt.NDArray[np.float64]]:
    """``scores`` with the related-question rows added (``votes``), and every row's learned score.

    Only the :data:`SHORTLIST` rows with the best word scores, and the related-question rows,
    are scored by the ranker (a question in ``any`` mode matches a median of 1,700 rows at full
    scale, and the row features cost per row); the others rank below all of them, by their
    word score. A shortlisted row's features are what they would be without the shortlist
    (``base`` and ``rank`` depend only on the rows above it). Rounded to 9 decimals, so that
    SQLite's and PostgreSQL's last-bit BM25 differences rank alike.
    """
    keys = reader_row_keys(reader)
    voted = ranker.vote_rows(keys, plan.content) if votes else []
    if votes:
        scores = with_votes(scores, voted)
    base = word_score(scores, n_main, groups, local_penalty=local_penalty)
    vouched = np.isin(scores.rowid, [*voted, *_neighbour_rows(ranker, keys, plan.content)])
    keep = shortlist(base, SHORTLIST, vouched)
    short = scores if keep is None else _take(scores, keep)
    found = learned_features_of(
        reader, ranker, q, plan, short, n_main, groups, local_penalty=local_penalty, votes=False
    )
    learned = np.round(ranker.score(found.features), 9)
    if keep is None:
        return scores, learned
    out = np.empty(len(scores.rowid))
    out[keep] = learned
    rest = base[~keep]
    floor = float(learned.min()) if len(learned) else 0.0
    out[~keep] = np.round(floor - 2.0 + rest / max(float(rest.max()), 1e-12), 9)
    return scores, out


def group_places(
    rowid: npt.NDArray[np.int64], score: npt.NDArray[np.float64], groups: UnitGroups, keep: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Per row, the place (1 = first) of its article (version group) when the ``keep`` rows are
    ranked by ``score``, one result per article (its best version), ties by group; inf where not kept.

    >>> from array import array
    >>> g = UnitGroups(array("q", [0, 0, 1, 2]), array("b"), array("d"))
    >>> group_places(np.arange(4), np.array([0.1, 0.9, 0.5, 0.7]), g, np.array([1, 1, 1, 0], dtype=bool)).tolist()
    [1.0, 1.0, 2.0, inf]
    """
    distinct, at = np.unique(groups.group_of(rowid), return_inverse=True)
    best = np.full(len(distinct), -np.inf)
    np.maximum.at(best, at, np.where(keep, score, -np.inf))
    place = np.empty(len(distinct))
    place[np.lexsort((distinct, -best))] = np.arange(1, len(distinct) + 1)
    return np.where(keep, place[at], np.inf)


def fuse(
    ranked: tuple[Scores, npt.NDArray[np.float64], npt.NDArray[np.bool_]],
    other: tuple[Scores, npt.NDArray[np.float64], npt.NDArray[np.bool_]],
    groups: UnitGroups,
    k: int,
    weight: float,
) -> npt.NDArray[np.float64]:
    """Reciprocal-rank fusion of two rankings (scores, each row's score, the rows that are results)
    over the rows of the first: 1 / (k + its article's place) + ``weight`` / (k + its place in the other).

    A row the other ranking lacks gets nothing from it. Rounded to 9 decimals.
    """
    scores, score, keep = ranked
    first = 1.0 / (k + group_places(scores.rowid, score, groups, keep))
    places = group_places(other[0].rowid, other[1], groups, other[2])
    at = np.minimum(np.searchsorted(other[0].rowid, scores.rowid), max(len(places) - 1, 0))
    found = (other[0].rowid[at] == scores.rowid) if len(places) else np.zeros(len(scores.rowid), dtype=bool)
    second = np.where(found, weight / (k + (places[at] if len(places) else 0.0)), 0.0)
    return np.asarray(np.round(first + second, 9), dtype=np.float64)


def shortlist(base: npt.NDArray[np.float64], size: int, vouched: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_] | None:
    """The rows the ranker scores: the ``size`` best word scores (and all rows tied with the
    last of them) and the ``vouched`` rows (related questions' answers); None when that is all.

    >>> shortlist(np.array([0.5, 0.0, 2.0, 1.0, 1.0, 0.1]), 2, np.array([0, 1, 0, 0, 0, 0], dtype=bool)).tolist()
    [False, True, True, True, True, False]
    """
    if len(base) <= size:
        return None
    cut = np.partition(base, len(base) - size)[len(base) - size]
    keep: npt.NDArray[np.bool_] = (base >= cut) | vouched
    return None if keep.all() else keep


def vouched_rows(reader: Reader, ranker: LearnedRanker, plan: QueryPlan) -> list[int]:
    """The rows :func:`learned_ranking` scores whatever their word score (with ``votes``): related
    questions' answers, by word votes and by nearest questions."""
    keys = reader_row_keys(reader)
    return [*ranker.vote_rows(keys, plan.content), *_neighbour_rows(ranker, keys, plan.content)]


def _neighbour_rows(ranker: LearnedRanker, keys: RowKeys, terms: Sequence[str]) -> list[int]:
    """The rows of the articles the nearest training questions were answered by."""
    if ranker.neighbours is None:
        return []
    return [r for key in ranker.neighbours.vote_articles(terms) for r in keys.rows_of.get(key, ())]


def _take(scores: Scores, keep: npt.NDArray[np.bool_]) -> Scores:
    return Scores(scores.rowid[keep], scores.main[keep], scores.matched[keep], scores.extra[keep])
