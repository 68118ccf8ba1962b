"""Full-text search over articles and commentary passages, ranked by BM25 and more.

One index (``search_fts``, see ``kb.search.fts``) covers both languages: a Chinese
query matches the jieba tokens of an article, an English query matches the English
translations of articles and the commentary passages, so "facial recognition"
finds Chinese provisions through their translations.

How a query is matched (``mode``):

* ``all`` (the default): every term of a keyword query must match. Question words and
  other stopwords (``corpus/search/stopwords.txt``: 吗, 怎么, how, can ...) are dropped
  first, unless the query has nothing else. A question or sentence (a query that had
  stopwords, or more than :data:`~kb.search.plan.MAX_ALL_WORDS` words) is ranked as in ``any`` mode,
  and so is a query that nothing matches in full: the result says ``"match": "any"``.
* ``any``: any content term; a result that has more of the query's distinct terms
  ranks higher (a coordination factor, below).
* ``raw``: FTS5 syntax (PostgreSQL: ``to_tsquery`` syntax) passed through; a syntax
  error is an :class:`~kb.errors.InvalidQuery`, never a crash. No expansion.

User input is escaped into quoted terms in ``all`` and ``any``, so quotes, ``NEAR(``,
``*`` or ``-`` from a user are plain text.

How results are ranked (``score``, larger is better):

1. each query word (and each expansion phrase) runs as its own index query whose
   score is the index's relevance: FTS5's BM25, computed over the in-memory index
   (:mod:`kb.search.index`) on either database.
   BM25 is a sum over terms, so the sum of the per-word scores is the
   BM25 score of the whole query, and we also learn how many words each row has. A
   word is a compound, not also its parts (:func:`~kb.search.scoring.concepts`: 未成年人, not 成年人);
2. ``main`` = that sum times (matched words / query words) ** :data:`~kb.search.rank.COORD_EXPONENT`:
   a row with three of the four words beats a row that repeats one rare word;
3. query expansion (``expand=True``, ``kb.search.expand``): the legal phrases that
   ``corpus/search/synonyms.toml`` maps the query's lay words to ("刷脸" -> 人脸识别)
   are searched as well, each phrase as one unit (all of its words), and add
   :data:`~kb.search.plan.EXPANSION_WEIGHT` x their score. They are never required: in ``all`` mode
   they only re-rank what has every query term; in ``any`` mode a row that has only an
   expansion phrase is a result too. The response lists them as ``expanded_terms``;
4. local regulations (55% of a national corpus, and verbose on generic words) are
   scaled by :data:`~kb.search.groups.KIND_FACTORS` unless the query names a place that has them
   (a province or city in a local regulation's title or metadata);
5. versions: one result per article of a work (same ``work``, same ``eid``) across
   its versions, ranked by its best-scoring version; the version shown is the one in
   force, else the newest, of those that matched, and the others are listed in its
   ``also_in``. ``count`` counts these results.

Pages are keyset pages: the opaque ``next`` cursor holds the score and rowid of the
last result and a fingerprint of the query, so it cannot be replayed on another one.
Snippets are the display text, HTML-escaped, with ``<mark>`` around the query's
content terms and the expansion phrases (``kb.search.highlight``).

SQLite and PostgreSQL share everything: the per-word rows and scores, and the doc and topic
filters, come from :mod:`kb.search.index`, built from ``search_units`` when a reader first
searches, so both find the same rows with the same scores. Only ``mode=raw`` runs on the
database's own index (FTS5 syntax on SQLite, tsquery on PostgreSQL: :func:`kb.search.sql.search_sql`),
as every query did before (``kb.search.index.use_database_index``, for comparisons). The combination
above is array arithmetic (numpy) over the matched rows, with a per-database cache of
each row's version group, kind, type and status (:func:`kb.search.groups.unit_groups`), which also
serves the type and status filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.errors import InvalidQuery, NotFound
from kb.learn.ranker import LearnedRanker
from kb.read.lookups import document_metas, topic_rows
from kb.search.cursor import Cursor, decode_cursor, encode_cursor
from kb.search.expand import names_place
from kb.search.fts import QueryMode
from kb.search.groups import UnitGroups, unit_groups
from kb.search.highlight import mentions, snippet
from kb.search.index import UnitMemo, index_of, sorted_in
from kb.search.learned import Candidates, applies, fuse, learned_features_of, learned_ranking, ranker_for, with_votes
from kb.search.plan import LANGS, MAX_LIMIT, QueryPlan, ResultType, SearchParams, Unit, highlight_terms, plan_query
from kb.search.rank import Scores, combine_scores, rank_rows
from kb.search.scoring import any_units, concepts, run_units, scores_include_within
from kb.search.sql import execute
from kb.store.reader import Reader

__all__ = ["learned_candidates", "matching_rows", "search", "warm_up"]


def warm_up(reader: Reader) -> None:
    """Load the segmenter and expansion data, fill the search's caches: the first search is not slow.

    The read side's caches (``warm_caches`` of the read queries) are not the search's: the app warms both.
    """
    plan_query("人脸识别 warm-up")
    document_metas(reader)
    topic_rows(reader)
    unit_groups(reader)
    index_of(reader)
    ranker_for(reader)  # the learned tables and every row's law and article key


def _validate(reader: Reader, params: SearchParams, max_query_length: int) -> None:
    if len(params.q) > max_query_length:
        raise InvalidQuery(f"longer than {max_query_length} characters", parameter="q")
    if not params.q.strip():
        raise InvalidQuery("empty query", parameter="q")
    if not 1 <= params.limit <= MAX_LIMIT:
        raise InvalidQuery(f"must be between 1 and {MAX_LIMIT}", parameter="limit")
    if params.lang is not None and params.lang not in LANGS:
        raise InvalidQuery(f"must be one of {', '.join(LANGS)}", parameter="lang")
    if params.mode not in ("all", "any", "raw"):
        raise InvalidQuery("must be all, any or raw", parameter="mode")
    if params.topic is not None and params.topic not in topic_rows(reader):
        raise NotFound(f"no topic {params.topic!r}")
    if params.doc is not None and params.doc not in document_metas(reader):
        raise NotFound(f"no document {params.doc!r}")


def _result(
    row: Mapping[str, Any], terms: Sequence[str], own: Sequence[str], lang: str | None, score: float
) -> dict[str, Any]:
    """One hit, with its snippet in the language that matched (Chinese text first).

    ``own`` are the query's own words: the snippet is in the language they matched in,
    so an English query that matched an article's translation shows the translation
    even when expansion terms matched its Chinese text; ``terms`` are all marked.
    """
    texts = []
    if row["lang"] == "zh" and lang != "en":
        texts.append((row["text"], "zh", 120))
    if row["en_text"] and not (lang == "zh" and texts):  # lang=zh matched the Chinese text
        texts.append((row["en_text"], "en", 240))
    if not texts:
        texts.append((row["text"], row["lang"], 120))
    chosen = texts[0] if len(texts) == 1 else None  # one text: nothing to choose
    for words in (own, terms) if chosen is None else ():
        chosen = next((t for t in texts if _mentions(t[0], words)), None)
        if chosen is not None:
            break
    text_, snip_lang, width = chosen or texts[-1]
    return {
        "id": row["id"],
        "type": row["type"],
        "doc_id": row["doc_id"],
        "label": row["label"],
        "document_title": row["title_zh"] or row["title_en"],
        "doc_status": row["doc_status"],
        "score": float(f"{score:.6g}"),
        "snippet": snippet(text_, terms, width=width),
        "snippet_lang": snip_lang,
        "topics": row["topics"].split() if row["topics"] else [],
        "also_in": [],
    }


def _mentions(text_: str, words: Sequence[str]) -> bool:
    """Whether a snippet of ``text_`` would mark one of ``words`` (cheaper than making it)."""
    return mentions(text_, words)


_ROW_COLUMNS = (
    "rowid",
    "id",
    "type",
    "doc_id",
    "doc_status",
    "lang",
    "text",
    "en_text",
    "topics",
    "label",
)
_ROWS_SQL = (
    "SELECT su.rowid, su.id, su.type, su.doc_id, su.doc_status, su.lang, su.text, su.en_text, su.topics, "
    "p.label FROM search_units su LEFT JOIN provisions p ON p.id = su.id "
)


def _rows(reader: Reader, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The display rows of these rowids (tuples from the driver: Row objects cost more than the query),
    with their document's titles (from the cached documents, not a join)."""
    if not rowids:
        return {}
    names = {f"r{i}": r for i, r in enumerate(rowids)}
    sql = _ROWS_SQL + "WHERE su.rowid IN (" + ", ".join(f":{n}" for n in names) + ")"
    metas = document_metas(reader)
    out = {}
    for r in execute(reader, sql, names):
        row = dict(zip(_ROW_COLUMNS, r, strict=True))
        meta = metas.get(row["doc_id"])
        row["title_zh"], row["title_en"] = (meta.title_zh, meta.title_en) if meta else (None, None)
        out[int(r[0])] = row
    return out


def _match(
    reader: Reader,
    params: SearchParams,
    plan: QueryPlan,
    words: Sequence[tuple[str, ...]],
    match_mode: QueryMode,
    *,
    fallback: bool,
    memo: UnitMemo | None = None,
) -> tuple[QueryMode, Scores]:
    """Run a (non-raw) query's index queries in ``match_mode``: the mode it ended in, and the scores.

    With ``fallback`` (a first page), ``all`` becomes ``any`` for a question or a
    sentence, and when no row has every word (a single lay word that only its
    expansion finds, 刷脸); a later page keeps the mode its cursor says.
    """
    subtract = scores_include_within(reader)
    if match_mode == "all" and fallback and plan.is_sentence():
        match_mode = "any"
    if match_mode == "all":
        # Every word at once: a small set, usually, and exact.
        required = tuple(t for c in words for t in c)
        units = [Unit(required)]
        units += [Unit(u.terms, u.weight, main=False, within=required) for u in plan.expansion]
        scores = combine_scores(run_units(reader, params, units, memo=memo), units, subtract_within=subtract)
        scores = replace(scores, matched=np.where(scores.matched > 0, len(words), 0))  # all of them
        if scores.matched.any() or not fallback:
            return match_mode, scores
        match_mode = "any"
    units = any_units(reader, words, plan, params.lang)
    return match_mode, combine_scores(run_units(reader, params, units, memo=memo), units, subtract_within=subtract)


def _candidates(scores: Scores, match_mode: QueryMode) -> npt.NDArray[np.bool_]:
    """mode=all (and raw): the rows with the query's own words; any: expansion-only rows too."""
    return scores.matched > 0 if match_mode != "any" else np.ones(len(scores.rowid), dtype=bool)


def _results(
    scores: Scores, match_mode: QueryMode, groups: UnitGroups, type: ResultType | None, status: str | None
) -> npt.NDArray[np.bool_]:
    """The candidate rows that are results: of the kind and status asked for (no filter: all)."""
    candidates = _candidates(scores, match_mode)
    if type is not None or status is not None:
        candidates &= groups.keep(scores.rowid, type, status)
    return candidates


def matching_rows(
    reader: Reader, q: str, *, match: QueryMode, lang: str | None = None, expand: bool = True
) -> npt.NDArray[np.int64]:
    """The rowids :func:`search` ranks for ``q`` when it matches in ``match`` (the ``match``
    of its result), with no filter but ``lang``: what facet counts are counted over."""
    params = SearchParams(q=q, mode=match, lang=lang, expand=expand)
    if match == "raw":
        units = [Unit((), raw=q.strip())]
        scores = combine_scores(run_units(reader, params, units, raw=True), units)
    else:
        plan = plan_query(q, expand=expand)
        if not plan.content:
            return np.empty(0, dtype=np.int64)
        _, scores = _match(reader, params, plan, concepts(reader, plan, lang), match, fallback=False)
    return scores.rowid[_candidates(scores, match)]


def learned_candidates(reader: Reader, q: str, ranker: LearnedRanker) -> Candidates:
    """The rows :func:`search` ranks for a question with ``ranker`` (no filters), with their features.

    For fitting the ranker (``scripts/train_search.py``): what the search would score, before scoring.
    """
    params = SearchParams(q=q, mode="any")
    plan = plan_query(q, expand=True, learned=ranker)
    groups = unit_groups(reader)
    words = concepts(reader, plan, None)
    _, scores = _match(reader, params, plan, words, "any", fallback=False) if plan.content else ("any", None)
    if scores is None:
        scores = Scores.of({}, {}, {})
    local_penalty = not names_place(q, groups.places)
    return learned_features_of(reader, ranker, q, plan, scores, len(words), groups, local_penalty=local_penalty)


def _fused(
    reader: Reader,
    params: SearchParams,
    ranker: LearnedRanker,
    fallback: tuple[Scores, npt.NDArray[np.float64]],
    local_penalty: bool,
    votes: bool,
    memo: UnitMemo,
) -> tuple[Scores, npt.NDArray[np.float64]]:
    """A question the tables know too little of (:meth:`LearnedRanker.fuses`), ranked by its own
    words (``fallback``: the fallback ranker over the rows of the question's words and phrases)
    and by ``ranker`` (over the rows of its plan with the learned expansion and the related
    questions' answers): those rows, each with the fused score (:func:`kb.search.learned.fuse`)."""
    groups = unit_groups(reader)
    plan = plan_query(params.q, expand=params.expand, learned=ranker)
    words = concepts(reader, plan, params.lang)
    _, scores = _match(reader, params, plan, words, "any", fallback=False, memo=memo)  # most units: the first match's
    scores, score = learned_ranking(
        reader, ranker, params.q, plan, scores, len(words), groups, local_penalty=local_penalty, votes=votes
    )

    extra = fallback[0].rowid[~sorted_in(fallback[0].rowid, scores.rowid)]  # both ascending, distinct
    if len(extra):  # rows only the fallback's plan matched: last in the learned ranking
        merged = with_votes(scores, extra.tolist())
        lowest = np.full(len(merged.rowid), float(score.min(initial=0.0)) - 1.0)
        lowest[np.searchsorted(merged.rowid, scores.rowid)] = score
        scores, score = merged, lowest

    fused = fuse(
        (scores, score, _results(scores, "any", groups, params.type, params.status)),
        (*fallback, _results(fallback[0], "any", groups, params.type, params.status)),
        groups,
        ranker.fusion_k,
        ranker.fusion_weight,
    )
    return scores, fused


def search(
    reader: Reader,
    q: str,
    *,
    mode: QueryMode = "all",
    type: ResultType | None = None,
    doc: str | None = None,
    topic: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    max_query_length: int = 1000,
    expand: bool = True,
) -> dict[str, Any]:
    """Ranked provisions and passages for ``q``; see the module docstring.

    Returns ``{"query", "mode", "match", "terms", "expanded_terms", "results", "count",
    "next"}``: ``count`` is the number of results over all pages (versions of one
    article count once), ``next`` the cursor of the next page or None.
    """
    params = SearchParams(
        q=q, mode=mode, type=type, doc=doc, topic=topic, lang=lang, status=status, limit=limit, expand=expand
    )
    _validate(reader, params, max_query_length)
    after = decode_cursor(params, cursor) if cursor else None
    match_mode: QueryMode = after.match if after else mode
    groups = unit_groups(reader)
    ranker = ranker_for(reader) if expand and mode != "raw" and lang != "en" else None
    fused: LearnedRanker | None = None  # a question the tables do not know: the ranking fused with the fallback's
    memo: UnitMemo = {}  # the index queries' rows, for the fused ranking's second match

    if mode == "raw":
        if not q.strip():
            raise InvalidQuery("no searchable words (letters, digits or Chinese characters)", parameter="q")
        plan = QueryPlan(tuple(highlight_terms(q, "raw")), ())
        units: list[Unit] = [Unit((), raw=q.strip())]
        scores = combine_scores(run_units(reader, params, units, raw=True), units)
        n_main = 1
    else:
        plan = plan_query(q, expand=expand)
        if ranker is not None and ranker.knows(plan.content):
            plan = plan_query(q, expand=expand, learned=ranker)
        elif ranker is not None:
            fused = ranker if ranker.fuses(plan.content) and applies(q, "any") else None
            ranker = ranker.for_unknown()
        if not plan.content:
            raise InvalidQuery("no searchable words (letters, digits or Chinese characters)", parameter="q")
        words = concepts(reader, plan, lang)
        n_main = len(words)
        match_mode, scores = _match(reader, params, plan, words, match_mode, fallback=after is None, memo=memo)
    local_penalty = not names_place(q, groups.places)
    learned_score = None
    if ranker is not None and applies(q, match_mode):
        # related-question candidates only where no SQL filter (doc, topic) would have to vet them
        votes = doc is None and topic is None
        scores, learned_score = learned_ranking(
            reader, ranker, q, plan, scores, n_main, groups, local_penalty=local_penalty, votes=votes
        )
        if fused is not None:
            scores, learned_score = _fused(reader, params, fused, (scores, learned_score), local_penalty, votes, memo)
    candidates = _results(scores, match_mode, groups, type, status)
    ranked = rank_rows(scores, n_main, groups, local_penalty=local_penalty, candidates=candidates, score=learned_score)
    begin = ranked.after(after.score, after.rowid) if after is not None else 0
    positions = range(begin, min(begin + limit, len(ranked)))
    more = begin + limit < len(ranked)
    page = [(float(ranked.score[i]), int(ranked.rowid[i])) for i in positions]
    others = {int(ranked.rowid[i]): ranked.others(i) for i in positions}
    wanted = [r for _, r in page]
    wanted += [o for r in wanted for o in others[r]]
    shown = _rows(reader, wanted)
    terms = plan.highlight() if mode != "raw" else list(plan.terms)
    own = list(plan.content) if mode != "raw" else terms
    results = []
    for score, rowid in page:
        hit = _result(shown[rowid], terms, own, lang, score)
        hit["also_in"] = [shown[o]["id"] for o in others[rowid] if o in shown]
        results.append(hit)
    next_token = None
    if more and page:
        next_token = encode_cursor(params, Cursor(match=match_mode, score=page[-1][0], rowid=page[-1][1]))
    return {
        "query": q,
        "mode": mode,
        "match": match_mode,
        "terms": terms,
        "expanded_terms": list(plan.expanded),
        "results": results,
        "count": len(ranked),
        "next": next_token,
    }
