"""Plain frozen dataclasses that the pipeline stages exchange.

Data flows one way: ``kb.ingest`` produces :class:`DocumentMeta`, :class:`Provision`
and :class:`Passage`; ``kb.annotate`` adds :class:`Annotation`; ``kb.link`` adds
:class:`Link`; ``kb.store`` persists a :class:`Corpus`. None of these classes know
about SQL.

Identifiers are deterministic and stable across rebuilds:

* provision ids are ``<doc_id>/<eid>``, e.g. ``pipl-2021/art_13__para_1__item_4``;
* passage ids are ``<doc_id>/p_<n>``, e.g. ``wsj-draft-rules-2023/p_3``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.ids import passage_id, provision_id

__all__ = [
    "CONTAINER_LEVELS",
    "Annotation",
    "Citation",
    "CitationStatus",
    "Corpus",
    "DocKind",
    "DocumentMeta",
    "Level",
    "Link",
    "LinkKind",
    "ParsedCommentary",
    "ParsedStatute",
    "Passage",
    "Provision",
    "SourceRef",
    "SourceSpan",
    "Topic",
    "Translation",
]

DocKind = Literal[
    "law",
    "administrative-regulation",
    "departmental-rule",
    "judicial-interpretation",
    "local-regulation",
    "standard",
    "draft",
    "commentary",
    "other",
]

Level = Literal[
    "book",  # 编
    "subbook",  # 分编
    "chapter",  # 章
    "section",  # 节
    "preamble",  # text before the first article (SPC interpretations, 序言)
    "article",  # 条
    "paragraph",  # 款
    "item",  # 项
    "subitem",  # 目
]

CONTAINER_LEVELS: frozenset[str] = frozenset({"book", "subbook", "chapter", "section"})

LinkKind = Literal[
    "cites",  # provision/passage -> provision or document, found by citation extraction
    "discusses",  # passage -> provision, found by the linker (score + evidence)
    "mentions",  # passage -> document (document-level reference)
    "aligned",  # provision -> provision in another version of the same work
    "version_of",  # document -> document (later version -> earlier version)
]

CitationStatus = Literal["resolved", "ambiguous", "not_found", "text_absent"]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A third-party source file, relative to the source root (POSIX separators)."""

    path: str
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Character offsets ``[start, end)`` into a source file's decoded text."""

    path: str
    start: int
    end: int


@dataclass(frozen=True)
class DocumentMeta:
    """One manifest entry: a statute, a draft, a standard or a commentary text."""

    id: str
    kind: DocKind
    title_zh: str | None = None
    title_en: str | None = None
    short_names: tuple[str, ...] = ()  # abbreviations: PIPL, CSL, 个保法
    aliases_zh: tuple[str, ...] = ()
    aliases_en: tuple[str, ...] = ()
    descriptions_en: tuple[str, ...] = ()  # "the national privacy law passed in 2021"
    issuer: str | None = None
    adopted: str | None = None  # ISO dates; unknown stays None
    promulgated: str | None = None
    effective: str | None = None
    date: str | None = None  # commentary publication date (ISO, may be partial: 2021, 2020-05)
    status: str = "unknown"
    url: str | None = None
    sources: tuple[SourceRef, ...] = ()
    work: str | None = None  # the work this is a version of: all CSL versions share "csl"
    supersedes: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    discusses: tuple[str, ...] = ()
    province: str | None = None
    notes: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def text_available(self) -> bool:
        return bool(self.sources)

    @property
    def is_commentary(self) -> bool:
        return self.kind == "commentary"

    @property
    def in_force_from(self) -> str | None:
        """The date a citing text must be on or after for this version to apply."""
        return self.effective or self.promulgated or self.adopted or self.date


@dataclass(frozen=True, slots=True)
class Provision:
    """A node of a statute's tree: a container, an article or a part of one.

    ``text`` is the published text of the node without its own number label for
    articles (``第十三条``), and *with* the marker for items (``（一）…``) and
    sub-items (``1.…``) because that is how they are printed and quoted.
    An article's text is its paragraphs joined by newlines; a paragraph's text
    includes the items under it.
    """

    doc_id: str
    eid: str
    level: Level
    ordinal: int  # document order, 0-based, over all nodes
    text: str = ""
    number: int | None = None
    label: str = ""  # 第十三条, 第二款, （四）, 第一章
    heading: str | None = None  # container title: 总则
    parent_eid: str | None = None
    source: SourceSpan | None = None

    @property
    def id(self) -> str:
        return provision_id(self.doc_id, self.eid)

    @property
    def parent_id(self) -> str | None:
        return provision_id(self.doc_id, self.parent_eid) if self.parent_eid else None


@dataclass(frozen=True, slots=True)
class Passage:
    """A clean unit of commentary: a paragraph, list item, heading or block quote."""

    doc_id: str
    n: int  # 1-based position among the document's passages
    text: str
    kind: Literal["paragraph", "heading", "list_item", "quote"] = "paragraph"
    section: str | None = None  # the heading the passage sits under
    part: Literal["body", "newsletter-items"] = "body"
    sentences: tuple[tuple[int, int], ...] = ()  # spans into ``text``
    source: SourceSpan | None = None  # where the passage is in the raw capture

    @property
    def id(self) -> str:
        return passage_id(self.doc_id, self.n)


@dataclass(frozen=True)
class Annotation:
    """A typed span ``[start, end)`` into the text of a provision or passage.

    ``kind`` is ``topic`` (label = topic id), ``citation`` (label = resolved id or
    ``""``), ``quote`` (label = normalised speaker), ``stance`` (label = stance,
    data carries the topic and cue words) or ``term``.
    """

    target_id: str
    kind: str
    label: str
    start: int
    end: int
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A graph edge with a score in ``[0, 1]`` and JSON-able evidence."""

    src: str
    dst: str
    kind: LinkKind
    score: float = 1.0
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label_en: str
    label_zh: str
    definition: str


@dataclass(frozen=True, slots=True)
class Translation:
    """Our own unofficial English working translation of one article."""

    doc_id: str
    eid: str
    text_en: str
    status: str = "unofficial"

    @property
    def provision_id(self) -> str:
        return provision_id(self.doc_id, self.eid)


@dataclass(frozen=True)
class Citation:
    """One citation found in free text by :func:`kb.annotate.citations.find_citations`."""

    text: str
    start: int
    end: int
    status: CitationStatus
    ids: tuple[str, ...] = ()  # provision ids, or document ids for document-level refs
    doc_id: str | None = None
    pinpoint: str | None = None  # eid of the pinpoint, when there is one
    note: str | None = None


@dataclass(frozen=True)
class ParsedStatute:
    meta: DocumentMeta
    provisions: tuple[Provision, ...]
    header_notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedCommentary:
    meta: DocumentMeta
    passages: tuple[Passage, ...]
    extracted: Mapping[str, str] = field(default_factory=dict)  # title/author/date/outlet found in text
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Corpus:
    """Everything one build writes."""

    documents: tuple[DocumentMeta, ...]
    provisions: tuple[Provision, ...] = ()
    passages: tuple[Passage, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    links: tuple[Link, ...] = ()
    topics: tuple[Topic, ...] = ()
    translations: tuple[Translation, ...] = ()
    header_notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source_hashes: Mapping[str, str] = field(default_factory=dict)  # path -> sha256
    warnings: tuple[str, ...] = ()
