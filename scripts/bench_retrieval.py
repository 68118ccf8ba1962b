"""Statute retrieval quality: kb search against a BM25 baseline on lay questions.

    .venv/bin/python scripts/bench_retrieval.py --db /tmp/ret.sqlite
    .venv/bin/python scripts/bench_retrieval.py --db var/scale.sqlite --json-out /tmp/ret.json

For every question of ``corpus/eval/retrieval.jsonl`` (see ``scripts/retrieval_lib.py``):

1. its relevant (title, date, article) references are mapped to article provision ids of
   the database (``documents.title_zh`` and date fields, ``<doc_id>/art_N``); references
   to documents the database does not hold are dropped, and a question left with none
   is skipped (listed at the end);
2. ``kb.search.search`` runs it, restricted to provisions, top 100: ``kb`` is the
   default search (``mode=all``, query expansion on: everything
   ``kb.search`` does), ``kb-any`` the same in ``mode=any`` and ``kb-noexp``
   the default without query expansion;
3. a BM25 baseline (``bm25s``, k1=1.2, b=0.75 like FTS5) ranks the same article units
   (``search_units`` of type provision: ``zh_tokens`` plus the tokens of ``en_text``),
   with the query tokenised by ``kb.search.fts.query_terms``, so both see the same tokens;
4. unless ``--baseline-only``, ``bm25+prop`` adds to that baseline what was proposed
   before it was built into kb: the expansion terms of ``corpus/search/synonyms.toml``
   as a second BM25 query weighted 0.3, one result per article across the versions of
   a work, local regulations' scores x0.8.

Prints Recall@10, Recall@100 and MRR per system, overall, per language and per split
(``dev`` questions were in view while the synonyms were written, ``heldout`` ones were
written after them, ``test`` ones later still by someone who had not read the synonyms or
the search code, since spent by tuning; ``fresh`` ones replace them, written blind and kept
out of tuning runs with ``--split``), then the
first relevant rank of every question for every system ("-" when not in the top 100).
Deterministic: no timing, ties broken by row order.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import text

from kb.errors import KBError
from kb.read.query import Reader, open_reader
from kb.search import MAX_LIMIT, search
from kb.search.fts import query_terms
from kb.settings import PROJECT_ROOT, Settings, database_url_from

sys.path.insert(0, str(Path(__file__).resolve().parent))
from retrieval_lib import (
    SPLITS,
    Candidate,
    Question,
    Ref,
    SynonymEntry,
    collapse_versions,
    expansion_terms,
    first_rank,
    load_questions,
    load_synonyms,
    matching,
    summarise,
    version_groups,
)

DEFAULT_SET = PROJECT_ROOT / "corpus" / "eval" / "retrieval.jsonl"
DEFAULT_SYNONYMS = PROJECT_ROOT / "corpus" / "search" / "synonyms.toml"
TOP_K = MAX_LIMIT  # 100: the most one search page returns
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() constants

Ranker = Callable[[str], list[str]]
Scored = list[tuple[str, float]]  # (provision id, score: higher is better), best first
Scorer = Callable[[str], Scored]
EXPANSION_WEIGHT = 0.3  # chosen once, not tuned on the held-out questions
# Local regulations are 55% of the scale corpus and outrank national law on generic words.
KIND_FACTORS = {"local-regulation": 0.8}
RelevantMap = dict[str, frozenset[str]]


# ---------------------------------------------------------------- relevance in the database


def db_candidates(reader: Reader) -> list[Candidate]:
    sql = "SELECT id, title_zh, adopted, promulgated, effective, date FROM documents WHERE title_zh IS NOT NULL"
    with reader.engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    return [
        Candidate(key=r[0], title=r[1], dates=frozenset(d for d in r[2:] if d))
        for r in sorted(rows, key=lambda r: r[0])
    ]


def article_ids(reader: Reader) -> set[str]:
    with reader.engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT id FROM provisions WHERE level = 'article'"))}


def map_ref(ref: Ref, candidates: Sequence[Candidate], articles: set[str], warnings: list[str]) -> frozenset[str]:
    """The article provision ids of ``ref`` in the database (empty when it has none)."""
    docs = matching(ref, candidates)
    if docs and not ref.date and not ref.any_version and len(version_groups(docs)) > 1:
        warnings.append(f"{ref.key}: several versions in the database, all counted: {[d.key for d in docs]}")
    return frozenset(f"{d.key}/{ref.eid}" for d in docs) & articles


def relevant_maps(
    questions: Sequence[Question], candidates: Sequence[Candidate], articles: set[str], warnings: list[str]
) -> tuple[dict[str, RelevantMap], list[str]]:
    """Per question, reference key -> provision ids; and the references the DB lacks."""
    out: dict[str, RelevantMap] = {}
    missing: list[str] = []
    for q in questions:
        rel: RelevantMap = {}
        for ref in q.relevant:
            ids = map_ref(ref, candidates, articles, warnings)
            if ids:
                rel[ref.key] = ids
            else:
                missing.append(f"{q.id} {ref.key}")
        out[q.id] = rel
    return out, missing


# ---------------------------------------------------------------- systems


def kb_scorer(reader: Reader, mode: str, *, expand: bool = True) -> Scorer:
    def score(q: str) -> Scored:
        try:
            page = search(reader, q, mode=mode, type="provision", limit=TOP_K, expand=expand)  # type: ignore[arg-type]
        except KBError:
            return []
        return [(r["id"], float(r["score"])) for r in page["results"]]

    return score


def bm25_scorer(reader: Reader) -> Scorer:
    """BM25 over the provision search units, ties broken by rowid."""
    import bm25s  # type: ignore[import-untyped]
    import numpy as np

    from kb.annotate.nlp import tokens_for_index

    sql = "SELECT id, zh_tokens, en_text FROM search_units WHERE type = 'provision' ORDER BY rowid"
    with reader.engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    ids = [r[0] for r in rows]
    corpus = [r[1].split() + (tokens_for_index(r[2]).split() if r[2] else []) for r in rows]
    retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    retriever.index(corpus, show_progress=False)
    vocab: Mapping[str, int] = retriever.vocab_dict

    def score(q: str) -> Scored:
        terms = [t for t in query_terms(q) if t in vocab]
        if not terms:
            return []
        scores = retriever.get_scores(terms)
        order = np.argsort(-scores, kind="stable")[:TOP_K]
        return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]

    return score


def works(reader: Reader) -> dict[str, str]:
    with reader.engine.connect() as conn:
        return {r[0]: r[1] for r in conn.execute(text("SELECT id, work FROM documents WHERE work IS NOT NULL"))}


def kinds(reader: Reader) -> dict[str, str]:
    with reader.engine.connect() as conn:
        return {r[0]: r[1] for r in conn.execute(text("SELECT id, kind FROM documents"))}


def kind_prior(scorer: Scorer, kind_of: Mapping[str, str], factors: Mapping[str, float]) -> Scorer:
    """Scores multiplied by a per-document-kind factor (1 for kinds not listed), re-sorted."""

    def score(q: str) -> Scored:
        rescored = [(doc, s * factors.get(kind_of.get(doc.partition("/")[0], ""), 1.0)) for doc, s in scorer(q)]
        return sorted(rescored, key=lambda kv: -kv[1])

    return score


def collapsed(ranker: Ranker, work_of: Mapping[str, str]) -> Ranker:
    return lambda q: collapse_versions(ranker(q), work_of)


def plain(scorer: Scorer) -> Ranker:
    return lambda q: [doc for doc, _ in scorer(q)]


def weighted(scorer: Scorer, entries: Sequence[SynonymEntry], weight: float) -> Ranker:
    """score(query) + weight * score(expansion terms), over the union of both top 100s."""

    def rank(q: str) -> list[str]:
        total: dict[str, float] = {}
        for doc, s in scorer(q):
            total[doc] = s
        extra = expansion_terms(q, entries)
        if extra:
            for doc, s in scorer(" ".join(extra)):
                total[doc] = total.get(doc, 0.0) + weight * s
        # Stable sort: equal scores keep first-seen order (original query first).
        return [doc for doc, _ in sorted(total.items(), key=lambda kv: -kv[1])][:TOP_K]

    return rank


# ---------------------------------------------------------------- report


def _fmt_rank(rank: int | None) -> str:
    return str(rank) if rank else "-"


def evaluate(
    questions: Sequence[Question], rel: Mapping[str, RelevantMap], systems: Mapping[str, Ranker]
) -> dict[str, dict[str, list[str]]]:
    """system -> question id -> ranked provision ids (top 100)."""
    return {name: {q.id: rank(q.question) for q in questions if rel[q.id]} for name, rank in systems.items()}


def report(
    questions: Sequence[Question],
    rel: Mapping[str, RelevantMap],
    runs: Mapping[str, Mapping[str, list[str]]],
    *,
    db: str,
    missing: Sequence[str],
    warnings: Sequence[str],
) -> dict[str, Any]:
    scored = [q for q in questions if rel[q.id]]
    groups = {
        "all": scored,
        "en": [q for q in scored if q.lang == "en"],
        "zh": [q for q in scored if q.lang == "zh"],
        **{split: [q for q in scored if q.split == split] for split in SPLITS},
    }
    groups = {name: qs for name, qs in groups.items() if qs}
    summary = {
        name: {g: asdict(summarise([(ranked[q.id], rel[q.id]) for q in qs])) for g, qs in groups.items()}
        for name, ranked in runs.items()
    }
    per_question = [
        {
            "id": q.id,
            "lang": q.lang,
            "split": q.split,
            "question": q.question,
            "relevant": sum(len(ids) for ids in rel[q.id].values()),
            "first_rank": {name: first_rank(ranked[q.id], rel[q.id]) for name, ranked in runs.items()},
        }
        for q in scored
    ]
    return {
        "db": db,
        "questions": len(questions),
        "scored": len(scored),
        "skipped": [q.id for q in questions if not rel[q.id]],
        "missing_refs": list(missing),
        "warnings": list(warnings),
        "summary": summary,
        "per_question": per_question,
    }


def print_report(data: Mapping[str, Any]) -> None:
    print(f"database: {data['db']}")
    print(
        f"questions: {data['questions']} · scored: {data['scored']} · skipped (no relevant article in the DB): "
        f"{len(data['skipped'])} · relevant references not in the DB: {len(data['missing_refs'])}"
    )
    systems = list(data["summary"])
    width = max(len(s) for s in systems)
    print()
    print(f"{'system':<{width}}  {'set':<7} {'n':>3}  {'R@10':>6} {'R@100':>6} {'MRR':>6}")
    for name in systems:
        for group, s in data["summary"][name].items():
            print(
                f"{name:<{width}}  {group:<7} {s['n']:>3}  {s['recall_10']:6.3f} {s['recall_100']:6.3f} {s['mrr']:6.3f}"
            )
    print()
    print("first relevant rank per question ('-': not in the top 100)")
    cols = "  ".join(f"{s:>{max(len(s), 4)}}" for s in systems)
    print(f"{'id':<4} {'ln':<2} {'sp':<2} {'rel':>3}  {cols}  question")
    for row in data["per_question"]:
        ranks = "  ".join(f"{_fmt_rank(row['first_rank'][s]):>{max(len(s), 4)}}" for s in systems)
        head = f"{row['id']:<4} {row['lang']:<2} {row['split'][0]:<2} {row['relevant']:>3}"
        print(f"{head}  {ranks}  {row['question'][:60]}")
    if data["skipped"]:
        print(f"\nskipped: {' '.join(data['skipped'])}")
    for line in data["warnings"]:
        print(f"warning: {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="built database (path or SQLAlchemy URL)")
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="question set (JSON Lines)")
    parser.add_argument("--synonyms", type=Path, default=DEFAULT_SYNONYMS, help="query expansion data")
    parser.add_argument("--baseline-only", action="store_true", help="only the kb systems and bm25")
    parser.add_argument("--json-out", type=Path, help="also write the full report as JSON here")
    parser.add_argument(
        "--split",
        action="append",
        choices=SPLITS,
        help="only the questions of this split (repeatable; default: all); keep 'fresh' out of tuning runs",
    )
    parser.add_argument("--list-missing", action="store_true", help="print every reference the DB lacks")
    args = parser.parse_args(argv)

    questions = load_questions(args.set)
    if args.split:
        questions = [q for q in questions if q.split in args.split]
    settings = Settings(database_url=database_url_from(args.db), query_timeout_seconds=60.0)
    warnings: list[str] = []
    with open_reader(settings) as reader:
        rel, missing = relevant_maps(questions, db_candidates(reader), article_ids(reader), warnings)
        bm25 = bm25_scorer(reader)
        systems: dict[str, Ranker] = {
            "kb": plain(kb_scorer(reader, "all")),
            "kb-any": plain(kb_scorer(reader, "any")),
            "kb-noexp": plain(kb_scorer(reader, "all", expand=False)),
            "bm25": plain(bm25),
        }
        if not args.baseline_only:
            entries = load_synonyms(args.synonyms)
            w = EXPANSION_WEIGHT
            kind_of = kinds(reader)
            proposal = weighted(kind_prior(bm25, kind_of, KIND_FACTORS), entries, w)
            systems["bm25+prop"] = collapsed(proposal, works(reader))
        runs = evaluate(questions, rel, systems)
    data = report(questions, rel, runs, db=args.db, missing=missing, warnings=warnings)
    print_report(data)
    if args.list_missing:
        for line in missing:
            print(f"missing: {line}")
    if args.json_out:
        args.json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
