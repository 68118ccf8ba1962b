"""Writing a built :class:`~kb.model.Corpus` into a fresh database.

Only this module and ``kb.store.query`` know SQLAlchemy. The caller (``kb.pipeline``)
decides where the database goes and swaps it in atomically.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, insert
from sqlalchemy.orm import Session

from kb.annotate.nlp import tokens_for_index
from kb.model import CONTAINER_LEVELS, Corpus, DocumentMeta, Passage, Provision
from kb.store.fts import create_fts_sql
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
    topics_by_target: dict[str, set[str]] = defaultdict(set)
    for ann in corpus.annotations:
        if ann.kind == "topic":
            topics_by_target[ann.target_id].add(ann.label)
    stance_by_passage: dict[str, str] = {}
    for ann in corpus.annotations:
        if ann.kind == "stance" and ann.target_id not in stance_by_passage:
            stance_by_passage[ann.target_id] = ann.label
    passage_ids = {p.id for p in corpus.passages}
    speakers = passage_speakers or {}
    steps = 7
    with Session(engine) as session:
        _tick(progress, "documents", 1, steps)
        _insert(session, DocumentRow, _document_rows(corpus, extracted or {}))
        _insert(session, SourceFileRow, (dict(m) for m in source_meta))
        _tick(progress, "provisions", 2, steps)
        _insert(session, ProvisionRow, (_provision_row(p, translations) for p in corpus.provisions))
        _tick(progress, "passages", 3, steps)
        _insert(
            session,
            PassageRow,
            (_passage_row(p, speakers.get(p.id, {}), stance_by_passage.get(p.id)) for p in corpus.passages),
        )
        _insert(
            session,
            TopicRow,
            ({**dataclasses.asdict(t), "ordinal": i} for i, t in enumerate(corpus.topics)),
        )
        _tick(progress, "annotations", 4, steps)
        _insert(
            session,
            AnnotationRow,
            (
                {
                    "target_id": a.target_id,
                    "target_type": "passage" if a.target_id in passage_ids else "provision",
                    "kind": a.kind,
                    "label": a.label,
                    "start": a.start,
                    "end": a.end,
                    "text": a.text,
                    "data": dict(a.data),
                }
                for a in corpus.annotations
            ),
        )
        _tick(progress, "links", 5, steps)
        _insert(
            session,
            LinkRow,
            (
                {
                    "src": lk.src,
                    "dst": lk.dst,
                    "kind": lk.kind,
                    "score": lk.score,
                    "evidence": dict(lk.evidence),
                }
                for lk in corpus.links
            ),
        )
        _tick(progress, "search index", 6, steps)
        status = {d.id: d.status for d in corpus.documents}
        _insert(session, SearchUnitRow, _search_units(corpus, translations, topics_by_target, status))
        _insert(session, BuildInfoRow, ({"key": k, "value": v} for k, v in build_info.items()))
        session.commit()
    if engine.dialect.name in ("sqlite", "postgresql"):
        with engine.begin() as conn:
            for stmt in create_fts_sql(engine.dialect.name):
                conn.exec_driver_sql(stmt)
    _tick(progress, "done", steps, steps)


def _tick(progress: Progress | None, what: str, done: int, total: int) -> None:
    if progress is not None:
        progress(what, done, total)


def _document_rows(corpus: Corpus, extracted: Mapping[str, Mapping[str, str]]) -> Iterator[dict[str, Any]]:
    for i, doc in enumerate(corpus.documents):
        yield {
            "id": doc.id,
            "ordinal": i,
            "kind": doc.kind,
            "status": doc.status,
            "title_zh": doc.title_zh,
            "title_en": doc.title_en or extracted.get(doc.id, {}).get("title"),
            "work": doc.work,
            "supersedes": doc.supersedes,
            "adopted": doc.adopted,
            "promulgated": doc.promulgated,
            "effective": doc.effective,
            "date": doc.date,
            "text_available": doc.text_available,
            "meta": meta_to_json(doc),
            "header_notes": list(corpus.header_notes.get(doc.id, ())),
            "extracted": dict(extracted.get(doc.id, {})),
        }


def meta_to_json(doc: DocumentMeta) -> dict[str, Any]:
    data = dataclasses.asdict(doc)
    data["sources"] = [dataclasses.asdict(s) for s in doc.sources]
    data["extra"] = dict(doc.extra)
    data["text_available"] = doc.text_available
    return data


def _provision_row(p: Provision, translations: Mapping[str, Any]) -> dict[str, Any]:
    tr = translations.get(p.id)
    return {
        "id": p.id,
        "doc_id": p.doc_id,
        "eid": p.eid,
        "parent_id": p.parent_id,
        "level": p.level,
        "number": p.number,
        "label": p.label,
        "heading": p.heading,
        "text": p.text,
        "text_en": tr.text_en if tr else None,
        "translation_status": tr.status if tr else None,
        "ordinal": p.ordinal,
        "source_path": p.source.path if p.source else None,
        "source_start": p.source.start if p.source else None,
        "source_end": p.source.end if p.source else None,
    }


def _passage_row(p: Passage, speaker: Mapping[str, str | None], stance: str | None) -> dict[str, Any]:
    return {
        "id": p.id,
        "doc_id": p.doc_id,
        "n": p.n,
        "text": p.text,
        "kind": p.kind,
        "section": p.section,
        "part": p.part,
        "speaker": speaker.get("name"),
        "speaker_role": speaker.get("role"),
        "speaker_kind": speaker.get("kind"),
        "stance": stance,
        "sentences": [list(s) for s in p.sentences],
        "source_path": p.source.path if p.source else None,
        "source_start": p.source.start if p.source else None,
        "source_end": p.source.end if p.source else None,
    }


def _search_units(
    corpus: Corpus,
    translations: Mapping[str, Any],
    topics: Mapping[str, set[str]],
    status: Mapping[str, str],
) -> Iterator[dict[str, Any]]:
    """Articles and preambles (with their translations) and passages, as index units."""
    rowid = 0
    for p in corpus.provisions:
        if p.level in CONTAINER_LEVELS or p.level not in ("article", "preamble"):
            continue
        rowid += 1
        tr = translations.get(p.id)
        yield {
            "rowid": rowid,
            "id": p.id,
            "type": "provision",
            "doc_id": p.doc_id,
            "doc_status": status.get(p.doc_id, ""),
            "lang": "zh",
            "text": p.text,
            "zh_tokens": tokens_for_index(f"{p.label} {p.text}"),
            "en_text": tr.text_en if tr else "",
            "topics": " ".join(sorted(topics.get(p.id, ()))),
        }
    for passage in corpus.passages:
        rowid += 1
        yield {
            "rowid": rowid,
            "id": passage.id,
            "type": "passage",
            "doc_id": passage.doc_id,
            "doc_status": status.get(passage.doc_id, ""),
            "lang": "en",
            "text": passage.text,
            "zh_tokens": "",
            "en_text": passage.text,
            "topics": " ".join(sorted(topics.get(passage.id, ()))),
        }
