"""Response schemas: what each endpoint returns, as pydantic models (and so in OpenAPI).

They mirror the dicts ``kb.read.query`` / ``kb.search`` / ``kb.read.citeformat``
return; they are separate from the storage schema so the database can change without
changing the API. Lists come in an envelope ``{"results": [...], "count": n}``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AlignedArticle",
    "Annotation",
    "BuildFacts",
    "CitationRecord",
    "CitationStrings",
    "CiteLink",
    "CommentaryLink",
    "Comparison",
    "Document",
    "DocumentDetail",
    "DocumentList",
    "DocumentRef",
    "DocumentSummary",
    "FoundCitation",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "Health",
    "PassageDetail",
    "PassageItem",
    "PassageList",
    "Problem",
    "ProblemError",
    "ProblemType",
    "ProblemTypeList",
    "ProvisionDetail",
    "ProvisionLink",
    "ResolveResponse",
    "SearchHit",
    "SearchResponse",
    "Speaker",
    "TopicDetail",
    "TopicList",
    "TopicSummary",
    "Viewpoints",
]

JSONObject = dict[str, Any]


class Schema(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ---------------------------------------------------------------- problems


class ProblemError(Schema):
    """One invalid parameter."""

    detail: str
    parameter: str | None = None
    location: str | None = Field(default=None, description="query, path or header")
    type: str | None = None


class Problem(Schema):
    """An RFC 9457 problem detail (``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/api/v1/problems#not-found",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "no provision 'pipl-2021/art_999'",
                    "instance": "/api/v1/provisions/pipl-2021/art_999",
                }
            ]
        }
    )

    type: str = Field(description="A URI reference naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemError] | None = None


class ProblemType(Schema):
    type: str
    title: str
    status: int
    description: str


class ProblemTypeList(Schema):
    results: list[ProblemType]
    count: int


# ---------------------------------------------------------------- documents


class DocumentSummary(Schema):
    id: str
    kind: str
    status: str
    title_zh: str | None = None
    title_en: str | None = None
    date: str | None = None
    text_available: bool


class Document(Schema):
    id: str
    kind: str
    status: str
    title_zh: str | None = None
    title_en: str | None = None
    short_names: list[str] = []
    work: str | None = None
    supersedes: str | None = None
    issuer: str | None = None
    adopted: str | None = None
    promulgated: str | None = None
    effective: str | None = None
    date: str | None = None
    url: str | None = None
    outlet: str | None = None
    authors: list[str] = []
    discusses: list[str] = []
    doc_number: str | None = None
    notes: str | None = None
    text_available: bool
    text_status: str
    header_notes: list[Any] = []
    counts: dict[str, int] = Field(default_factory=dict, description="provisions per level, passages")


class SourceFile(Schema):
    path: str
    sha256: str
    size: int
    encoding: str


class TocEntry(Schema):
    id: str
    eid: str
    level: str
    label: str
    heading: str | None = None
    parent_id: str | None = None


class DocumentDetail(Document):
    sources: list[SourceFile] = []
    toc: list[TocEntry] = Field(default_factory=list, description="containers, preamble and articles in order")
    versions: list[DocumentSummary] = Field(default_factory=list, description="other versions of the same work")
    extracted: JSONObject = Field(default_factory=dict, description="metadata found in the text (commentary)")


class DocumentList(Schema):
    results: list[Document]
    count: int


# ---------------------------------------------------------------- passages


class Speaker(Schema):
    name: str | None = None
    role: str | None = None
    kind: str | None = Field(default=None, description="quoted, reported, author or outlet")


class PassageItem(Schema):
    id: str
    n: int
    text: str
    kind: str
    section: str | None = None
    part: str
    speaker: Speaker
    topics: list[str]
    stance: str | None = None


class PassageList(Schema):
    document: DocumentSummary
    results: list[PassageItem]
    count: int


class Span(Schema):
    start: int
    end: int
    text: str
    data: JSONObject = {}


class TopicTag(Schema):
    id: str
    label: str
    label_en: str | None = None
    label_zh: str | None = None
    evidence: list[Span] = Field(description="the spans of the text that carry the topic")


class Annotation(Schema):
    target_id: str
    kind: str
    label: str
    start: int
    end: int
    text: str
    data: JSONObject = {}


class StanceTag(Schema):
    stance: str
    topic: str | None = None
    start: int
    end: int
    text: str
    data: JSONObject = {}


class ProvisionLink(Schema):
    provision_id: str
    kind: str
    score: float
    evidence: JSONObject = {}
    label: str | None = None
    heading: str | None = None
    level: str | None = None
    document_title: str | None = None


class DocumentRef(Schema):
    doc_id: str
    kind: str
    score: float
    evidence: JSONObject = {}
    document_title: str | None = None


class SourceLocation(Schema):
    path: str | None = None
    start: int | None = None
    end: int | None = None


class PassageDetail(Schema):
    id: str
    doc_id: str
    n: int
    text: str
    kind: str
    section: str | None = None
    part: str
    document: DocumentSummary
    speaker: Speaker
    stance: str | None = None
    stances: list[StanceTag] = Field(description="stance annotations, per topic, with their cues")
    sentences: list[list[int]] = []
    topics: list[TopicTag]
    annotations: list[Annotation]
    links: list[ProvisionLink] = Field(description="links to provisions, best score first")
    documents: list[DocumentRef] = Field(description="references to whole documents")
    source: SourceLocation


# ---------------------------------------------------------------- provisions


class PathEntry(Schema):
    id: str
    eid: str
    level: str
    label: str
    heading: str | None = None


class Child(PathEntry):
    text: str


class CiteLink(Schema):
    """A ``cites`` link, with what is at its other end."""

    src: str
    dst: str
    kind: str
    score: float
    evidence: JSONObject = {}
    type: str = Field(description="document, provision or passage: the other end")
    label: str | None = None
    heading: str | None = None
    level: str | None = None
    document_title: str | None = None
    doc_id: str | None = None
    excerpt: str | None = None
    speaker: Speaker | None = None
    stance: str | None = None


class VersionLink(Schema):
    provision_id: str | None = Field(description="the article in the other version; null when added or removed")
    doc_id: str
    direction: Literal["earlier", "later"]
    status: str | None = None
    score: float
    diff: list[JSONObject] = []
    old_id: str | None = None
    new_id: str | None = None
    moved: bool = False


class CommentaryLink(Schema):
    passage_id: str
    src: str
    target_id: str = Field(description="the provision (this one or a paragraph or item of it) the link points at")
    kind: str
    score: float
    evidence: JSONObject = {}
    doc_id: str | None = None
    document_title: str | None = None
    excerpt: str | None = None
    speaker: Speaker | None = None
    stance: str | None = None


class CitationStrings(Schema):
    zh: str | None = None
    en: str
    url: str = Field(description="the provision's page, for people")
    api_url: str | None = Field(default=None, description="the provision in this API")


class AsOf(Schema):
    as_of: str = Field(description="the date asked for")
    requested: str = Field(description="the provision id asked for")
    version: str = Field(description="the version (document id) in force on that date")
    in_force_from: str | None = None
    id: str = Field(description="the provision in that version (articles may be renumbered)")


class ProvisionDetail(Schema):
    id: str
    doc_id: str
    eid: str
    level: str
    number: int | None = None
    label: str
    heading: str | None = None
    text: str
    text_en: str | None = None
    translation_status: str = Field(description="unofficial, or none when there is no English")
    document: DocumentSummary
    path: list[PathEntry] = Field(description="book, chapter, section ... above the provision")
    children: list[Child]
    topics: list[TopicTag]
    annotations: list[Annotation]
    cites: list[CiteLink]
    cited_by: list[CiteLink]
    versions: list[VersionLink]
    commentary: list[CommentaryLink]
    citation: CitationStrings
    source: SourceLocation
    as_of: AsOf | None = Field(default=None, description="with ?as_of=: which version was chosen")


class HistoryEntry(Schema):
    doc_id: str
    title_zh: str | None = None
    title_en: str | None = None
    status: str
    adopted: str | None = None
    promulgated: str | None = None
    effective: str | None = None
    in_force_from: str | None = None
    text_available: bool
    id: str | None = Field(description="the article in this version; null when removed or not reached")
    eid: str | None = None
    label: str | None = None
    text: str | None = None
    change: Literal["added", "unchanged", "changed", "removed", "unknown"] = Field(
        description="against the previous version; formatting-only differences are unchanged"
    )
    renumbered: bool
    diff: list[JSONObject] = Field(default=[], description="word-level edit script when changed")


class ProvisionHistory(Schema):
    id: str
    article_id: str = Field(description="the article whose history this is (a paragraph's or item's article)")
    work: str | None = None
    versions: list[str] = Field(description="every version of the work, oldest first")
    results: list[HistoryEntry]
    count: int
    changes: int = Field(description="entries whose text changed")


# ---------------------------------------------------------------- search


class SearchHit(Schema):
    id: str
    type: Literal["provision", "passage"]
    doc_id: str
    label: str | None = None
    document_title: str | None = None
    doc_status: str
    score: float = Field(description="Relevance (BM25 with expansion and ranking factors), larger is better")
    snippet: str = Field(description="HTML: escaped text with <mark> around matched terms")
    snippet_lang: str
    topics: list[str]
    also_in: list[str] = Field(
        default_factory=list, description="The same article in other versions of the work that also match"
    )


class SearchResponse(Schema):
    query: str
    mode: Literal["all", "any", "raw"]
    match: Literal["all", "any", "raw"] = Field(
        description="'any' when the query was ranked by any of its words (no result had every word, or it is longer "
        "than three words)"
    )
    terms: list[str] = Field(description="The words marked in snippets: the query's, then the expansion's")
    expanded_terms: list[str] = Field(
        default_factory=list, description="Legal terms added to the query for its lay words (optional, weighted less)"
    )
    results: list[SearchHit]
    count: int = Field(description="hits over all pages")
    next: str | None = Field(default=None, description="cursor of the next page")
    next_url: str | None = None


# ---------------------------------------------------------------- topics


class TopicCounts(Schema):
    provisions: int
    passages: int


class TopicBase(Schema):
    id: str
    label_en: str
    label_zh: str
    definition: str


class TopicSummary(TopicBase):
    counts: TopicCounts


class TopicList(Schema):
    results: list[TopicSummary]
    count: int


class TopicProvision(Schema):
    id: str
    doc_id: str
    eid: str
    label: str
    document_title: str | None = None
    document_status: str | None = None
    excerpt: str
    text_en: str | None = None
    evidence: list[str]


class TopicPassage(Schema):
    id: str
    doc_id: str
    document_title: str | None = None
    date: str | None = None
    excerpt: str
    speaker: Speaker
    stance: str | None = None
    evidence: list[str]


class TopicDetail(TopicBase):
    counts: TopicCounts
    provisions: list[TopicProvision]
    passages: list[TopicPassage]


class ViewpointPassage(Schema):
    id: str
    n: int
    text: str
    section: str | None = None
    stance: str | None = None
    stance_evidence: JSONObject = {}


class DiscussedProvision(Schema):
    id: str
    doc_id: str
    label: str | None = None
    heading: str | None = None
    level: str | None = None
    document_title: str | None = None
    score: float
    passages: list[str]


class SpeakerView(Schema):
    speaker: Speaker
    stance: str | None = Field(default=None, description="the speaker's most frequent stance on the topic")
    stances: dict[str, int]
    passages: list[ViewpointPassage]
    provisions: list[DiscussedProvision] = Field(description="provisions the passages discuss, best first")


class DocumentView(Schema):
    document: DocumentSummary
    outlet: str | None = None
    authors: list[str] = []
    speakers: list[SpeakerView]


class Viewpoints(Schema):
    topic: TopicBase
    documents: list[DocumentView]
    count: int = Field(description="passages on the topic")


# ---------------------------------------------------------------- citations


class CitationTarget(Schema):
    id: str
    type: str
    label: str | None = None
    document_title: str | None = None
    citation_zh: str | None = None
    citation_en: str | None = None


class ResolvedVersion(Schema):
    doc_id: str
    work: str | None = None
    in_force_from: str | None = None
    status: str


class FoundCitation(Schema):
    text: str
    span: list[int] = Field(min_length=2, max_length=2, description="[start, end) into the text")
    start: int
    end: int
    status: Literal["resolved", "ambiguous", "not_found", "text_absent"]
    ids: list[str]
    doc_id: str | None = None
    pinpoint: str | None = None
    note: str | None = None
    version: ResolvedVersion | None = Field(default=None, description="the version of the work it resolved to")
    targets: list[CitationTarget]


class ResolveResponse(Schema):
    results: list[FoundCitation]
    count: int
    as_of: str | None = Field(default=None, description="the date that chose the versions, if one was given")


class CitationRecord(Schema):
    id: str
    doc_id: str
    eid: str | None = None
    zh: str | None = Field(default=None, description="《中华人民共和国个人信息保护法》第十三条第一款第（四）项")
    en: str = Field(description="PIPL art. 13(1)(iv)")
    pinpoint_zh: str | None = None
    pinpoint_en: str | None = None
    three_script: str = Field(
        description="汉字 title (pinyin) [English title] 第四十一条 (art. 41), version of 2016-11-07"
    )
    version_date: str | None = Field(default=None, description="the date that names the version cited")
    url: str = Field(description="the page of the cited document or provision, for people")
    api_url: str = Field(description="the same in this API (JSON)")
    source_url: str | None = Field(default=None, description="the official publication, when known")
    text_available: bool
    bibtex_key: str = Field(description="ASCII, stable and unique (pinyin for Chinese ids)")
    csl: JSONObject = Field(description="one CSL-JSON item")
    bibtex: str
    ris: str


# ---------------------------------------------------------------- versions and graph


class AlignedArticle(Schema):
    old_id: str | None = None
    new_id: str | None = None
    old_label: str | None = None
    new_label: str | None = None
    status: str | None = Field(default=None, description="unchanged, renumbered, modified, added, removed ...")
    score: float
    moved: bool = False
    diff: list[JSONObject] = []


class Comparison(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: DocumentSummary = Field(alias="from")
    to: DocumentSummary
    summary: dict[str, int] = Field(description="articles per status")
    results: list[AlignedArticle]
    count: int


class GraphNode(Schema):
    id: str
    type: Literal["document", "provision", "passage"]
    hop: int
    label: str | None = None
    doc_id: str | None = None


class GraphEdge(Schema):
    id: int
    source: str
    target: str
    kind: str
    score: float


class Graph(Schema):
    node: str
    depth: int
    kinds: list[str]
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = Field(description="true when the neighbourhood had more than max_nodes nodes")
    max_nodes: int


# ---------------------------------------------------------------- health


class BuildFacts(Schema):
    corpus_hash: str | None = None
    code_version: str | None = None
    built_at: str | None = None
    schema_version: str | None = None


class Health(Schema):
    status: Literal["ok"]
    build: BuildFacts
    documents: int
