"""Writing a built :class:`~kb.model.Corpus` into a fresh database.

Only this module and ``kb.store.query`` know SQLAlchemy. The caller (``kb.pipeline``)
decides where the database goes and swaps it in atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.orm import Session

from kb.annotate.nlp import tokens_for_index
from kb.model import Corpus
from kb.store.fts import create_fts_sql
from kb.store.rows import (
    annotation_row,
    build_info_rows,
    document_rows,
    link_row,
    passage_row,
    provision_row,
    search_unit_rows,
    stance_by_passage,
    topic_rows,
    topics_by_target,
)
from kb.store.schema import (
    AnnotationRow,
    Base,
    BuildInfoRow,
    DocumentRow,
    LinkRow,
    PassageRow,
    ProvisionRow,
    SearchUnitRow,
    SourceFileRow,
    TopicRow,
)

__all__ = ["create_write_engine", "write_corpus"]

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[str, int, int], None]
_BATCH = 2000


def create_write_engine(url: str) -> Engine:
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


def _batches(rows: Iterable[T], size: int = _BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for batch in _batches(rows):
        session.execute(insert(model), batch)
        count += len(batch)
    return count


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
    Base.metadata.create_all(engine)
    translations = {t.provision_id: t for t in corpus.translations}
    stances = stance_by_passage(corpus.annotations)
    passage_ids = {p.id for p in corpus.passages}
    speakers = passage_speakers or {}
    steps = 7
    with Session(engine) as session:
        _tick(progress, "documents", 1, steps)
        _insert(session, DocumentRow, document_rows(corpus.documents, corpus.header_notes, extracted or {}))
        _insert(session, SourceFileRow, (dict(m) for m in source_meta))
        _tick(progress, "provisions", 2, steps)
        _insert(session, ProvisionRow, (provision_row(p, translations) for p in corpus.provisions))
        _tick(progress, "passages", 3, steps)
        _insert(
            session,
            PassageRow,
            (passage_row(p, speakers.get(p.id, {}), stances.get(p.id)) for p in corpus.passages),
        )
        _insert(session, TopicRow, topic_rows(corpus.topics))
        _tick(progress, "annotations", 4, steps)
        _insert(
            session,
            AnnotationRow,
            (annotation_row(a, "passage" if a.target_id in passage_ids else "provision") for a in corpus.annotations),
        )
        _tick(progress, "links", 5, steps)
        _insert(session, LinkRow, (link_row(lk) for lk in corpus.links))
        _tick(progress, "search index", 6, steps)
        units = search_unit_rows(
            corpus.provisions,
            corpus.passages,
            first_rowid=1,
            doc_status={d.id: d.status for d in corpus.documents},
            translations=translations,
            topics=topics_by_target(corpus.annotations),
            zh_tokens=lambda p: tokens_for_index(f"{p.label} {p.text}"),
        )
        _insert(session, SearchUnitRow, units)
        _insert(session, BuildInfoRow, build_info_rows(build_info))
        session.commit()
    if engine.dialect.name in ("sqlite", "postgresql"):
        with engine.begin() as conn:
            for stmt in create_fts_sql(engine.dialect.name):
                conn.exec_driver_sql(stmt)
    _tick(progress, "done", steps, steps)


def _tick(progress: Progress | None, what: str, done: int, total: int) -> None:
    if progress is not None:
        progress(what, done, total)
