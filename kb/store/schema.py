"""SQLAlchemy 2.0 typed models: the knowledge-base graph.

Documents own source files, provisions (a tree through ``parent_id``) and passages.
Everything else is rows in two generic tables, so later stages add rows, not tables:

* ``annotations``: typed spans into a provision's or passage's text (topic, citation,
  quote, stance, term);
* ``links``: graph edges ``src -> dst`` with a kind, a score and JSON evidence
  (cites, discusses, mentions, aligned, version_of).

``search_units`` holds the pre-segmented text that the full-text index covers; on
SQLite an FTS5 external-content table ``search_fts`` indexes it (see ``kb.store.fts_schema``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AnnotationRow",
    "Base",
    "BuildInfoRow",
    "DocumentRow",
    "LinkRow",
    "PassageRow",
    "ProvisionRow",
    "SearchIndexRow",
    "SearchUnitRow",
    "SourceFileRow",
    "TopicRow",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(40), index=True)
    title_zh: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    work: Mapped[str | None] = mapped_column(String(200), index=True)
    supersedes: Mapped[str | None] = mapped_column(String(200))
    adopted: Mapped[str | None] = mapped_column(String(10))
    promulgated: Mapped[str | None] = mapped_column(String(10))
    effective: Mapped[str | None] = mapped_column(String(10))
    date: Mapped[str | None] = mapped_column(String(10))
    text_available: Mapped[bool] = mapped_column(Boolean)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)  # the full manifest entry
    header_notes: Mapped[list[Any]] = mapped_column(JSON)
    extracted: Mapped[dict[str, Any]] = mapped_column(JSON)  # metadata found in the text


class SourceFileRow(Base):
    __tablename__ = "source_files"

    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(20))


class ProvisionRow(Base):
    __tablename__ = "provisions"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    eid: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(String(300), index=True)
    level: Mapped[str] = mapped_column(String(20), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    heading: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    translation_status: Mapped[str | None] = mapped_column(String(20))
    ordinal: Mapped[int] = mapped_column(Integer)
    source_path: Mapped[str | None] = mapped_column(String(500))
    source_start: Mapped[int | None] = mapped_column(Integer)
    source_end: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_provisions_doc_ordinal", "doc_id", "ordinal"),)


class PassageRow(Base):
    __tablename__ = "passages"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    doc_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    section: Mapped[str | None] = mapped_column(Text)
    part: Mapped[str] = mapped_column(String(30))
    speaker: Mapped[str | None] = mapped_column(String(200), index=True)
    speaker_role: Mapped[str | None] = mapped_column(Text)
    speaker_kind: Mapped[str | None] = mapped_column(String(20))
    stance: Mapped[str | None] = mapped_column(String(20))
    sentences: Mapped[list[Any]] = mapped_column(JSON)
    source_path: Mapped[str | None] = mapped_column(String(500))
    source_start: Mapped[int | None] = mapped_column(Integer)
    source_end: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_passages_doc_n", "doc_id", "n"),)


class TopicRow(Base):
    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    label_en: Mapped[str] = mapped_column(Text)
    label_zh: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)


class AnnotationRow(Base):
    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_id: Mapped[str] = mapped_column(String(300), index=True)
    target_type: Mapped[str] = mapped_column(String(20))  # provision | passage
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_annotations_kind_label", "kind", "label"),)


class LinkRow(Base):
    __tablename__ = "links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    src: Mapped[str] = mapped_column(String(300), index=True)
    dst: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)


class SearchUnitRow(Base):
    """One searchable unit: an article (with its English translation) or a passage."""

    __tablename__ = "search_units"

    rowid: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(300), unique=True)
    type: Mapped[str] = mapped_column(String(20), index=True)  # provision | passage
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    doc_status: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))  # language of ``text``
    text: Mapped[str] = mapped_column(Text)  # display text
    zh_tokens: Mapped[str] = mapped_column(Text)  # jieba tokens, space-joined
    en_text: Mapped[str] = mapped_column(Text)  # English (translation or passage)
    topics: Mapped[str] = mapped_column(Text)  # space-joined topic ids, for filtering


class SearchIndexRow(Base):
    """The search's inverted index, as named arrays (``kb.store.search_index``)."""

    __tablename__ = "search_index"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class BuildInfoRow(Base):
    __tablename__ = "build_info"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
