"""Statute retrieval on real lay questions (STARD) over the full corpus: kb search against BM25.

    .venv/bin/python scripts/bench_stard.py --db var/scale.sqlite                 # train and dev
    .venv/bin/python scripts/bench_stard.py --db var/scale.sqlite --split test    # once, at the end

For every question of ``<source root>/eval/stard/train.jsonl`` in the chosen splits of
``corpus/eval/stard_split.json`` (see ``scripts/stard_lib.py``):

1. its labels (``<law title>第N条``) are mapped to the article provision ids of every
   version of that law in the database (labels the database lacks are dropped and
   counted; a question left with none is skipped);
2. ``kb.search.search`` runs it, provisions only, top 100: ``kb`` is the default
   search (``mode=all``, which ranks a question in ``any`` mode, query expansion on, and
   the learned ranking of ``kb.search.learned``; ``KB_LEARNED_SEARCH=0`` measures the
   search without it), ``kb-noexp`` the same without expansion;
3. ``bm25`` ranks the same article units with ``bm25s`` (k1=1.2, b=0.75 like FTS5) over
   the same jieba tokens (``scripts/bench_retrieval.py``'s baseline); ``bm25+bigram``
   adds every character bigram of the Chinese text to both sides (candidate (a) of issue 15).

Prints Recall@10, Recall@100 and MRR@10 per system and split. By default the ``test``
split is left out: tune on train and dev, and run ``--split test`` once.

Measured on train+dev (1,053 questions) before any learning: kb .434/.615/.336 (with the
``中华人民共和国``-inside-titles labels still unmapped), BM25 .417/.600/.326, and
``bm25+bigram`` .382/.570/.308: bigrams of words longer than two characters, weighted like
words, cost here what the issue measured them to gain (not kept).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from kb.errors import KBError
from kb.search import MAX_LIMIT, search
from kb.search.fts import query_terms
from kb.settings import Settings, database_url_from, get_settings
from kb.store.reader import Reader, open_reader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from retrieval_lib import recall_at
from stard_lib import STARD_REL, StardQuestion, article_index, load_split, load_stard, relevant_ids

TOP_K = MAX_LIMIT
BM25_K1, BM25_B = 1.2, 0.75
Ranker = Callable[[str], list[str]]
Relevant = Mapping[str, frozenset[str]]


def mrr_at(ranked: Sequence[str], relevant: Relevant, k: int = 10) -> float:
    wanted = frozenset().union(*relevant.values())
    for i, rid in enumerate(ranked[:k], start=1):
        if rid in wanted:
            return 1.0 / i
    return 0.0


def figures(runs: Sequence[tuple[Sequence[str], Relevant]]) -> dict[str, float]:
    n = len(runs) or 1
    return {
        "n": len(runs),
        "R@10": sum(recall_at(r, rel, 10) for r, rel in runs) / n,
        "R@100": sum(recall_at(r, rel, 100) for r, rel in runs) / n,
        "MRR@10": sum(mrr_at(r, rel) for r, rel in runs) / n,
    }


def kb_ranker(reader: Reader, *, expand: bool = True, **options: Any) -> Ranker:
    def rank(q: str) -> list[str]:
        try:
            page = search(reader, q, type="provision", limit=TOP_K, expand=expand, **options)
        except KBError:
            return []
        return [r["id"] for r in page["results"]]

    return rank


def bigrams(tokens: Sequence[str]) -> list[str]:
    """Character bigrams of the Chinese tokens, marked so they never equal a word."""
    out = []
    for tok in tokens:
        if len(tok) > 2 and all("\u4e00" <= c <= "\u9fff" for c in tok):
            out.extend("~" + tok[i : i + 2] for i in range(len(tok) - 1))
    return out


def bm25_ranker(reader: Reader, *, with_bigrams: bool = False) -> Ranker:
    """BM25 over the provision units (zh tokens + English tokens), ties by rowid."""
    import bm25s  # type: ignore[import-untyped]
    import numpy as np

    from kb.annotate.nlp import tokens_for_index

    sql = "SELECT id, zh_tokens, en_text FROM search_units WHERE type = 'provision' ORDER BY rowid"
    with reader.engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    ids = [r[0] for r in rows]
    corpus = []
    for r in rows:
        toks = r[1].split() + (tokens_for_index(r[2]).split() if r[2] else [])
        corpus.append(toks + bigrams(r[1].split()) if with_bigrams else toks)
    retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    retriever.index(corpus, show_progress=False)
    vocab: Mapping[str, int] = retriever.vocab_dict

    def rank(q: str) -> list[str]:
        toks = query_terms(q)
        terms = [t for t in [*toks, *(bigrams(toks) if with_bigrams else [])] if t in vocab]
        if not terms:
            return []
        scores = retriever.get_scores(terms)
        order = np.argsort(-scores, kind="stable")[:TOP_K]
        return [ids[i] for i in order if scores[i] > 0]

    return rank


def run(
    systems: Mapping[str, Ranker], questions: Sequence[StardQuestion], rel: Mapping[int, Relevant]
) -> dict[str, dict[str, dict[str, float]]]:
    """system -> split -> figures (and ``all``)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, rank in systems.items():
        start = time.perf_counter()
        ranked = {q.id: rank(q.question) for q in questions if rel[q.id]}
        by_split: dict[str, list[tuple[Sequence[str], Relevant]]] = {}
        for q in questions:
            if q.id in ranked:
                by_split.setdefault(q.split, []).append((ranked[q.id], rel[q.id]))
                by_split.setdefault("all", []).append((ranked[q.id], rel[q.id]))
        out[name] = {s: figures(runs) for s, runs in sorted(by_split.items())}
        print(f"# {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return out


def print_table(results: Mapping[str, Mapping[str, Mapping[str, float]]]) -> None:
    width = max(len(s) for s in results)
    print(f"{'system':<{width}}  {'split':<6} {'n':>5}  {'R@10':>6} {'R@100':>6} {'MRR@10':>6}")
    for name, by_split in results.items():
        for split, f in by_split.items():
            print(
                f"{name:<{width}}  {split:<6} {int(f['n']):>5}  {f['R@10']:6.3f} {f['R@100']:6.3f} {f['MRR@10']:6.3f}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="a database built from the full corpus (path or URL)")
    parser.add_argument("--questions", type=Path, default=None, help=f"default: <source root>/{STARD_REL}")
    parser.add_argument(
        "--split", action="append", choices=("train", "dev", "test"), help="repeatable; default: train and dev"
    )
    parser.add_argument(
        "--system", action="append", help="only these systems (kb, kb-noexp, bm25, bm25+bigram); repeatable"
    )
    parser.add_argument("--json-out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    splits = args.split or ["train", "dev"]
    path = args.questions or get_settings().source_root / STARD_REL
    questions = [q for q in load_stard(path, load_split()) if q.split in splits]
    settings = Settings(database_url=database_url_from(args.db), query_timeout_seconds=60.0)
    with open_reader(settings) as reader:
        index = article_index(reader)
        missing: list[str] = []
        rel = {q.id: relevant_ids(q, index, missing) for q in questions}
        builders: dict[str, Callable[[], Ranker]] = {
            "kb": lambda: kb_ranker(reader),
            "kb-noexp": lambda: kb_ranker(reader, expand=False),
            "bm25": lambda: bm25_ranker(reader),
            "bm25+bigram": lambda: bm25_ranker(reader, with_bigrams=True),
        }
        chosen = args.system or list(builders)
        results = run({name: builders[name]() for name in chosen}, questions, rel)
    skipped = sum(1 for q in questions if not rel[q.id])
    print(
        f"questions: {len(questions)} ({', '.join(splits)}) · skipped: {skipped} · labels not in the DB: {len(missing)}"
    )
    print_table(results)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
