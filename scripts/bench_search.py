"""Search engines side by side on the full corpus: quality, latency, throughput, memory, build time, size.

    .venv/bin/python scripts/bench_search.py --db var/scale.sqlite
    .venv/bin/python scripts/bench_search.py --db var/scale.sqlite --engine memory --engine fts5 --json-out /tmp/s.json

Candidates (``--engine``, repeatable; default all three), each answering the same
``kb.search.search`` (same planning, expansion, coordination, versions, kinds) with its
per-word ``(unit, rowid, BM25)`` rows:

* ``fts5``: SQLite's FTS5 index in the database file, one ``MATCH`` per word scored by
  ``bm25()`` (the search before the in-memory index; ``use_database_index``);
* ``memory``: :mod:`kb.search.index`, an inverted index held as numpy arrays (compressed
  sparse rows, as ``bm25s`` keeps them), built from ``search_units`` when the reader opens;
* ``tantivy``: the Rust engine (``pip install tantivy``), the same tokens in two fields,
  one boolean query per word, every hit collected (its BM25 differs from FTS5's in small
  ways: per-field lengths, ``ln(1 + ...)`` IDF). Skipped, with a note, when not installed.

Each is also run as plain BM25, top 100 for the query's content words with no
kb ranking (``…-bm25``): what the engine does on its own.

For each: quality (Recall@10, Recall@100, MRR) on the lay questions of
``corpus/eval/retrieval.jsonl`` (``dev``+``heldout``, the tuning splits, and ``fresh``,
blind: reported, never tuned on) and on the ``dev`` ids of ``corpus/eval/stard_split.json``
(STARD's ``train.jsonl`` under the source root); p50 / p95 latency of one search (the
API's default request, in this process); throughput with ``--clients`` threads for
``--seconds``; the process's resident memory added by the engine; its build time and
its size. Memory is private resident memory (``RssAnon``): SQLite maps the database file,
whose pages are the OS's shared file cache. Quality figures are deterministic; timings depend on the machine's load
(compare candidates within one run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import percentile
from bench_retrieval import article_ids, db_candidates, map_ref
from retrieval_lib import Question, Ref, load_questions, summarise

import kb.search.engine as search_engine
from kb.errors import KBError
from kb.read.query import open_reader
from kb.search import search, warm_up
from kb.search.index import build_index, index_keys, index_of, use_database_index
from kb.search.plan import SearchParams, Unit, plan_query
from kb.search.scoring import concepts
from kb.settings import PROJECT_ROOT, Settings, database_url_from, get_settings
from kb.store.reader import Reader
from kb.store.search_index import search_unit_pages
from kb.text.numerals import NUMERAL_CHARS, cn_to_int

RETRIEVAL = PROJECT_ROOT / "corpus" / "eval" / "retrieval.jsonl"
STARD_SPLIT = PROJECT_ROOT / "corpus" / "eval" / "stard_split.json"
ENGINES = ("fts5", "memory", "tantivy")
TOP_K = 100
_STARD_REF = re.compile(rf"^(?P<law>.+?)第(?P<n>[{NUMERAL_CHARS}]+)条(?:之(?P<sub>[{NUMERAL_CHARS}]+))?$")
Relevant = dict[str, frozenset[str]]


# ---------------------------------------------------------------- questions


def stard_questions(split_file: Path, source: Path, split: str) -> list[Question]:
    """STARD's questions of one split of ``corpus/eval/stard_split.json``: any version of each cited article."""
    ids = set(json.loads(split_file.read_text(encoding="utf-8"))["splits"][split])
    out = []
    for line in source.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if raw["id"] not in ids:
            continue
        refs = []
        for cited in raw["relevant"]:
            m = _STARD_REF.match(cited)
            if m:
                sub = cn_to_int(m["sub"]) if m["sub"] else None
                refs.append(Ref(m["law"], cn_to_int(m["n"]), sub=sub, any_version=True))
        out.append(Question(f"s{raw['id']}", raw["question"], "zh", tuple(refs), split=f"stard-{split}"))
    return out


def question_sets(reader: Reader, source_root: Path) -> dict[str, list[tuple[str, Relevant]]]:
    """Set name -> (question, relevant article ids) of the questions the database can answer."""
    lay = load_questions(RETRIEVAL)
    sets = {
        "lay-dev": [q for q in lay if q.split in ("dev", "heldout")],
        "lay-fresh": [q for q in lay if q.split == "fresh"],
        "stard-dev": stard_questions(STARD_SPLIT, source_root / "eval" / "stard" / "train.jsonl", "dev"),
    }
    candidates, articles, warnings = db_candidates(reader), article_ids(reader), []
    out: dict[str, list[tuple[str, Relevant]]] = {}
    for name, questions in sets.items():
        rows = []
        for q in questions:
            rel = {r.key: ids for r in q.relevant if (ids := map_ref(r, candidates, articles, warnings))}
            if rel:
                rows.append((q.question, rel))
        out[name] = rows
    return out


# ---------------------------------------------------------------- tantivy


class Tantivy:
    """The same tokens in a tantivy index (two fields, whitespace-split), one doc per row, in rowid order."""

    def __init__(self, reader: Reader, where: Path) -> None:
        import tantivy

        self.t = tantivy
        builder = tantivy.SchemaBuilder()
        for field in ("zh", "en"):
            builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
        builder.add_unsigned_field("rowid", fast=True)
        self.schema = builder.build()
        started = time.perf_counter()
        where.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(where))
        writer = index.writer(heap_size=400_000_000, num_threads=1)
        with reader.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT rowid, zh_tokens, en_text FROM search_units ORDER BY rowid")
            self.rowids = []
            for rowid, zh, en in rows:
                doc = {"zh": " ".join(index_keys(zh or "")), "en": " ".join(index_keys(en or "")), "rowid": rowid}
                writer.add_document(tantivy.Document.from_dict(doc, self.schema))
                self.rowids.append(rowid)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self.build_seconds = time.perf_counter() - started
        self.searcher = index.searcher()
        if self.searcher.num_segments != 1:  # DocAddress.doc is the row's position only in one segment
            raise RuntimeError(f"tantivy index has {self.searcher.num_segments} segments")
        self.rowid_of = np.array(self.rowids, dtype=np.int64)
        self.size = sum(f.stat().st_size for f in where.rglob("*") if f.is_file())

    def _term(self, term: str, fields: Sequence[str]) -> Any:
        q, occur = self.t.Query, self.t.Occur
        keys = index_keys(term)
        per_key = [q.boolean_query([(occur.Should, q.term_query(self.schema, f, k)) for f in fields]) for k in keys]
        return per_key[0] if len(per_key) == 1 else q.boolean_query([(occur.Must, p) for p in per_key])

    def run_units(self, reader: Reader, params: SearchParams, units: Sequence[Unit], *, raw: bool = False) -> Any:
        q, occur = self.t.Query, self.t.Occur
        fields = ("zh", "en") if params.lang is None else (params.lang,)
        parts = []
        for u, unit in enumerate(units):
            if not unit.terms:
                continue
            scored = [(occur.Must, self._term(t, fields)) for t in unit.terms]
            filters = [(occur.Must, q.const_score_query(self._term(t, fields), 0.0)) for t in unit.within]
            if unit.within_any:
                groups = [q.boolean_query([(occur.Must, self._term(t, fields)) for t in g]) for g in unit.within_any]
                either = q.boolean_query([(occur.Should, g) for g in groups])
                filters.append((occur.Must, q.const_score_query(either, 0.0)))
            query = q.boolean_query(scored + filters)
            n = self.searcher.search(query, limit=1, count=True).count
            if not n:
                continue
            hits = self.searcher.search(query, limit=n, count=False).hits
            block = np.empty((len(hits), 3))
            block[:, 0] = u
            block[:, 1] = self.rowid_of[[a.doc for _, a in hits]]
            block[:, 2] = [s for s, _ in hits]
            parts.append(block)
        if params.doc or params.topic:
            raise ValueError("the tantivy candidate has no doc or topic filters")
        return np.concatenate(parts) if parts else np.empty((0, 3))

    def top(self, words: Sequence[str]) -> list[int]:
        q, occur = self.t.Query, self.t.Occur
        query = q.boolean_query([(occur.Should, self._term(w, ("zh", "en"))) for w in words])
        return [self.rowids[a.doc] for _, a in self.searcher.search(query, limit=TOP_K).hits]


# ---------------------------------------------------------------- measuring


def rss_mb() -> float:
    """This process's private resident memory (the database file's mapped pages are the OS's file cache)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fts5_build(db: Path, workdir: Path) -> tuple[float, int]:
    """Seconds to build the FTS5 index of ``search_units`` (a copy of its indexed columns) and its size."""
    from kb.store.fts_schema import create_fts_sql

    path = workdir / "fts.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("ATTACH DATABASE ? AS src", (f"file:{db}?mode=ro",))
    conn.execute(
        "CREATE TABLE search_units AS SELECT rowid AS rowid, zh_tokens, en_text FROM src.search_units ORDER BY rowid"
    )
    conn.commit()
    conn.execute("DETACH DATABASE src")
    before = path.stat().st_size
    started = time.perf_counter()
    for statement in create_fts_sql("sqlite"):
        conn.execute(statement)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.execute("VACUUM")
    conn.close()
    return seconds, path.stat().st_size - before


def ranked_ids(reader: Reader, q: str) -> list[str]:
    try:
        page = search(reader, q, type="provision", limit=TOP_K)
    except KBError:
        return []
    return [r["id"] for r in page["results"]]


def quality(rank: Callable[[str], list[str]], sets: Mapping[str, list[tuple[str, Relevant]]]) -> dict[str, Any]:
    out = {}
    for name, rows in sets.items():
        s = summarise([(rank(q), rel) for q, rel in rows])
        out[name] = {"n": s.n, "R@10": round(s.recall_10, 3), "R@100": round(s.recall_100, 3), "MRR": round(s.mrr, 3)}
    return out


def latency(run: Callable[[str], Any], queries: Sequence[str]) -> dict[str, float]:
    for q in queries[:10]:
        run(q)
    times = []
    for q in queries:
        started = time.perf_counter()
        run(q)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2)}


def throughput(run: Callable[[str], Any], queries: Sequence[str], clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def worker(n: int) -> None:
        i = n
        while time.monotonic() < stop:
            run(queries[i % len(queries)])
            i += clients
            done[n] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(sum(done) / (time.perf_counter() - started), 1)


def safe_search(reader: Reader) -> Callable[[str], Any]:
    def run(q: str) -> Any:
        try:
            return search(reader, q)
        except KBError:
            return None

    return run


def plain_top(reader: Reader) -> Callable[[str], list[str]]:
    """BM25 top 100 of the query's content words over the in-memory index, provisions only, no kb ranking."""
    index = index_of(reader)
    assert index is not None
    with reader.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT rowid, id, type FROM search_units").all()
    id_of = {r[0]: r[1] for r in rows if r[2] == "provision"}
    is_provision = np.zeros(len(index.length), dtype=bool)
    is_provision[list(id_of)] = True

    def rank(q: str) -> list[str]:
        plan = plan_query(q, expand=False)
        words = [w for c in concepts(reader, plan, None) for w in c]
        if not words:
            return []
        score = np.zeros(len(index.length))
        for word in words:
            for key in index_keys(word):
                rows_, tf = index.postings(key, None)
                norm = 1.2 * (0.25 + 0.75 * index.length[rows_] / index.avgdl)
                score[rows_] += index.idf(key, None) * tf * 2.2 / (tf + norm)
        score[~is_provision] = 0
        top = np.argsort(-score, kind="stable")[:TOP_K]
        return [id_of[int(r)] for r in top if score[r] > 0]

    return rank


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, type=Path, help="a SQLite database built by kb ingest")
    parser.add_argument("--engine", action="append", choices=ENGINES, help="candidates (default: all)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    db = args.db.expanduser().resolve()
    engines = args.engine or list(ENGINES)
    settings = Settings(database_url=database_url_from(str(db)), query_timeout_seconds=60.0)
    source_root = get_settings().source_root
    results: dict[str, Any] = {"database": str(db), "db_mb": round(db.stat().st_size / 1e6, 1), "engines": {}}
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    original_run_units, original_within = search_engine.run_units, search_engine.scores_include_within
    try:
        with open_reader(settings) as reader:
            base = rss_mb()
            sets = question_sets(reader, source_root)
            queries = [q for rows in sets.values() for q, _ in rows]
            results["questions"] = {name: len(rows) for name, rows in sets.items()}
            for name in engines:
                fresh = open_reader(settings)
                r = fresh.__enter__()
                try:
                    row: dict[str, Any] = {}
                    before = rss_mb()
                    if name == "fts5":
                        use_database_index(r)
                        row["build_s"], size = fts5_build(db, workdir)
                        row["index_mb"] = round(size / 1e6, 1)
                    elif name == "memory":
                        started = time.perf_counter()
                        index = index_of(r)  # loaded from the database, where kb ingest stored it
                        assert index is not None
                        row["load_s"] = round(time.perf_counter() - started, 2)
                        loaded = rss_mb() - before
                        row["stored"] = index.source == "stored"
                        row["index_mb"] = round(index.nbytes / 1e6, 1)
                        started = time.perf_counter()
                        build_index(search_unit_pages(r.engine))  # what kb ingest spends on it
                        row["build_s"] = round(time.perf_counter() - started, 2)
                        before = rss_mb() - loaded  # the build's garbage is not the server's
                    else:
                        try:
                            engine = Tantivy(r, workdir / "tantivy")
                        except ImportError:
                            results["engines"][name] = {"skipped": "tantivy is not installed (pip install tantivy)"}
                            continue
                        row["build_s"] = round(engine.build_seconds, 2)
                        row["index_mb"] = round(engine.size / 1e6, 1)
                        # document frequencies (which words are common) from FTS5; scores from tantivy's hits
                        use_database_index(r)
                        search_engine.run_units = engine.run_units  # type: ignore[assignment]
                        search_engine.scores_include_within = lambda reader: False  # type: ignore[assignment]
                    warm_up(r)
                    row["memory_mb"] = round(rss_mb() - before, 1)
                    row["quality"] = quality(lambda q, r=r: ranked_ids(r, q), sets)
                    row.update(latency(safe_search(r), queries))
                    row["qps"] = throughput(safe_search(r), queries, args.clients, args.seconds)
                    results["engines"][name] = row
                    print(name, json.dumps(row, ensure_ascii=False), flush=True)
                finally:
                    search_engine.run_units = original_run_units
                    search_engine.scores_include_within = original_within
                    fresh.__exit__(None, None, None)
            results["plain_bm25"] = quality(plain_top(reader), sets)
            results["base_rss_mb"] = round(base, 1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(results, args.clients)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def print_table(results: Mapping[str, Any], clients: int) -> None:
    print(f"\ndatabase {results['database']} ({results['db_mb']} MB) · questions {results['questions']}")
    print(f"{'engine':<8} {'set':<10} {'n':>4} {'R@10':>6} {'R@100':>6} {'MRR':>6}")
    rows = {**{k: v.get("quality", {}) for k, v in results["engines"].items()}, "bm25": results["plain_bm25"]}
    for name, sets in rows.items():
        for set_name, s in sets.items():
            print(f"{name:<8} {set_name:<10} {s['n']:>4} {s['R@10']:6.3f} {s['R@100']:6.3f} {s['MRR']:6.3f}")
    head = f"{'p50 ms':>7} {'p95 ms':>7} {f'q/s ({clients})':>9} {'mem MB':>7} {'build s':>8} {'size MB':>8} load s"
    print(f"\n{'engine':<8} {head}")
    for name, e in results["engines"].items():
        if "skipped" in e:
            print(f"{name:<8} skipped: {e['skipped']}")
            continue
        print(
            f"{name:<8} {e['p50_ms']:7.2f} {e['p95_ms']:7.2f} {e['qps']:9.1f} {e['memory_mb']:7.1f} "
            f"{e['build_s']:8.2f} {e['index_mb']:8.1f} {e.get('load_s', '-')}"
        )


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    raise SystemExit(main())
