"""Writing a corpus into a fresh database piece by piece, as the build produces it.

:func:`kb.store.write.write_corpus` takes a whole :class:`~kb.model.Corpus`; for the
whole body of Chinese law (150,000 articles, a million annotations) holding it all
first would double the build's memory. :class:`CorpusWriter` writes the same rows in
the same shape, one statute at a time::

    writer = CorpusWriter(engine, translations)
    writer.start(documents, topics, header_notes=..., extracted=..., source_meta=...)
    for statute in ...:                      # in document order
        writer.add_statute(provisions, annotations, links, zh_tokens)
    writer.add_commentary(passages, annotations, speakers)
    writer.add_links(links)
    writer.finish(build_info)                # commit, then the full-text index and the search's

Rows are inserted in batches inside one transaction, on one SQLAlchemy connection; the caller
owns the file (a private temp file, swapped in after :meth:`CorpusWriter.finish`).
Search units are numbered in the order statutes arrive, then passages, as
:func:`kb.store.write.write_corpus` feeds it a whole in-memory corpus the same way.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection, Engine

from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Topic, Translation
from kb.store.fts_schema import create_fts_sql
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
from kb.store.search_index import IndexBuilder, write_search_index

__all__ = ["CorpusWriter"]

_BATCH = 2000
_CACHE_KIB = 256 * 1024  # SQLite page cache of the writing connection


class CorpusWriter:
    """Streams a corpus into a database created by :meth:`start`; see the module docstring."""

    def __init__(self, engine: Engine, translations: Iterable[Translation] = ()) -> None:
        self.engine = engine
        self.translations = {t.provision_id: t for t in translations}
        self._conn: Connection | None = None
        self._status: dict[str, str] = {}
        self._rowid = 0
        self.counts: dict[str, int] = defaultdict(int)
        self._index = IndexBuilder()  # the search's index, fed the units as they are inserted

    # -- plumbing
    def _insert(self, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
        """Insert ``rows`` (dicts keyed by column name) in batches.

        Straight to the driver's ``executemany``: for a million rows SQLAlchemy's
        per-row parameter processing would cost more than SQLite's own work. JSON
        columns are serialised as SQLAlchemy's JSON type does (``json.dumps``), so the
        database is the one ``write_corpus`` writes.
        """
        if self._conn is None:
            raise RuntimeError("CorpusWriter.start() first")
        count = 0
        statement: _Statement | None = None
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            if statement is None:
                statement = _statement(model, tuple(row), self.engine.dialect.paramstyle)
            batch.append(statement.values(row))
            if len(batch) >= _BATCH:
                self._conn.exec_driver_sql(statement.sql, batch)
                count += len(batch)
                batch = []
        if batch and statement is not None:
            self._conn.exec_driver_sql(statement.sql, batch)
            count += len(batch)
        self.counts[model.__tablename__] += count
        return count

    # -- the stream
    def start(
        self,
        documents: Sequence[DocumentMeta],
        topics: Sequence[Topic],
        *,
        header_notes: Mapping[str, Sequence[str]],
        extracted: Mapping[str, Mapping[str, str]],
        source_meta: Sequence[Mapping[str, Any]],
    ) -> None:
        """Create the schema; write documents, their source files and the topics."""
        Base.metadata.create_all(self.engine)
        self._conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            # A million rows go into indexed tables: with SQLite's default 2 MB page
            # cache every insert into an index reads its pages from disk again.
            self._conn.exec_driver_sql(f"PRAGMA cache_size = -{_CACHE_KIB}")
            self._conn.commit()
        self._conn.begin()
        self._status = {d.id: d.status for d in documents}
        self._insert(DocumentRow, document_rows(documents, header_notes, extracted))
        self._insert(SourceFileRow, (dict(m) for m in source_meta))
        self._insert(TopicRow, topic_rows(topics))

    def add_statute(
        self,
        provisions: Sequence[Provision],
        annotations: Sequence[Annotation],
        links: Sequence[Link],
        zh_tokens: Mapping[str, str],
    ) -> None:
        """One statute's provisions, their annotations and links, and its search units.

        ``zh_tokens`` maps each article and preamble id to its full-text tokens
        (:func:`kb.annotate.nlp.tokens_for_index` of ``f"{label} {text}"``).
        """
        self._insert(ProvisionRow, (provision_row(p, self.translations) for p in provisions))
        self._insert(AnnotationRow, (annotation_row(a, "provision") for a in annotations))
        self.add_links(links)
        self._add_search_units(provisions, (), annotations, zh_tokens)

    def add_commentary(
        self,
        passages: Sequence[Passage],
        annotations: Sequence[Annotation],
        speakers: Mapping[str, Mapping[str, str | None]],
    ) -> None:
        """Passages (with speaker and stance), their annotations and search units."""
        stances = stance_by_passage(annotations)
        self._insert(PassageRow, (passage_row(p, speakers.get(p.id, {}), stances.get(p.id)) for p in passages))
        ids = {p.id for p in passages}
        self._insert(
            AnnotationRow, (annotation_row(a, "passage" if a.target_id in ids else "provision") for a in annotations)
        )
        self._add_search_units((), passages, annotations, {})

    def add_links(self, links: Iterable[Link]) -> None:
        self._insert(LinkRow, (link_row(lk) for lk in links))

    def _add_search_units(
        self,
        provisions: Sequence[Provision],
        passages: Sequence[Passage],
        annotations: Sequence[Annotation],
        zh_tokens: Mapping[str, str],
    ) -> None:
        units = search_unit_rows(
            provisions,
            passages,
            first_rowid=self._rowid + 1,
            doc_status=self._status,
            translations=self.translations,
            topics=topics_by_target(annotations),
            zh_tokens=lambda p: zh_tokens[p.id],
        )
        self._rowid += self._insert(SearchUnitRow, self._indexed(units))

    def _indexed(self, units: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for unit in units:
            self._index.add(unit["rowid"], unit["zh_tokens"], unit["en_text"], unit["doc_id"], unit["topics"])
            yield unit

    def finish(self, build_info: Mapping[str, str]) -> None:
        """Write the build info, commit, and build the full-text index and the search's index."""
        self._insert(BuildInfoRow, build_info_rows(build_info))
        if self._conn is None:
            raise RuntimeError("CorpusWriter.start() first")
        self._conn.commit()
        self._conn.close()
        self._conn = None
        dialect = self.engine.dialect.name
        if dialect in ("sqlite", "postgresql"):
            with self.engine.begin() as conn:
                for stmt in create_fts_sql(dialect):
                    conn.exec_driver_sql(stmt)
            write_search_index(self.engine, self._index.finish())

    def close(self) -> None:
        """Give up: drop the connection without committing (the caller deletes the file)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True)
class _Statement:
    sql: str
    columns: tuple[str, ...]
    json_columns: frozenset[str]

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(json.dumps(row[c]) if c in self.json_columns else row[c] for c in self.columns)


@lru_cache(maxsize=64)
def _statement(model: type[Base], columns: tuple[str, ...], paramstyle: str = "qmark") -> _Statement:
    """A positional INSERT in the driver's own placeholder style (sqlite3: ?, psycopg: %s)."""
    table = model.__table__
    json_columns = frozenset(c.name for c in table.columns if isinstance(c.type, JSON) and c.name in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    mark = "?" if paramstyle == "qmark" else "%s"
    marks = ", ".join(mark for _ in columns)
    return _Statement(f'INSERT INTO "{model.__tablename__}" ({names}) VALUES ({marks})', columns, json_columns)
