"""Writing a built :class:`~kb.model.Corpus` into a fresh database.

There is one write path, :class:`kb.store.stream.CorpusWriter`; :func:`write_corpus` feeds
it a whole corpus held in memory (tests, :func:`kb.store.pg.build_postgres`), while the
pipeline streams statutes into it as the workers finish them. The caller (``kb.pipeline``)
decides where the database goes and swaps it in atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, create_engine, event

from kb.annotate.nlp import tokens_for_index
from kb.model import Corpus
from kb.store import pg
from kb.store.rows import SEARCH_LEVELS
from kb.store.stream import CorpusWriter

__all__ = ["create_write_engine", "write_corpus"]

Progress = Callable[[str, int, int], None]


def create_write_engine(url: str) -> Engine:
    if pg.is_postgres(url):
        pg.require_driver()
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # The file is private until it is swapped in: speed over durability here;
            # the pipeline fsyncs it before the swap.
            cur.execute("PRAGMA journal_mode=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def write_corpus(
    engine: Engine,
    corpus: Corpus,
    build_info: Mapping[str, str],
    *,
    progress: Progress | None = None,
    extracted: Mapping[str, Mapping[str, str]] | None = None,
    passage_speakers: Mapping[str, Mapping[str, str | None]] | None = None,
    source_meta: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Create the schema and write every row of ``corpus``."""

    def tick(what: str, done: int) -> None:
        if progress is not None:
            progress(what, done, 4)

    passage_ids = {p.id for p in corpus.passages}
    writer = CorpusWriter(engine, corpus.translations)
    try:
        tick("documents", 1)
        writer.start(
            corpus.documents,
            corpus.topics,
            header_notes=corpus.header_notes,
            extracted=extracted or {},
            source_meta=source_meta,
        )
        tick("provisions", 2)
        writer.add_statute(
            corpus.provisions,
            [a for a in corpus.annotations if a.target_id not in passage_ids],
            corpus.links,
            {p.id: tokens_for_index(f"{p.label} {p.text}") for p in corpus.provisions if p.level in SEARCH_LEVELS},
        )
        tick("passages", 3)
        writer.add_commentary(
            corpus.passages,
            [a for a in corpus.annotations if a.target_id in passage_ids],
            passage_speakers or {},
        )
        writer.finish(build_info)
    except BaseException:
        writer.close()
        raise
    tick("done", 4)
