"""Annotate and link the commentary, once the statutes are known.

Each step calls one public function of ``kb.annotate`` or ``kb.link``:

* :func:`annotate_commentary` — topics, citations (resolved against every statute of
  the corpus), quotations, reported speech, speakers and stance;
* :func:`link_commentary` — which provisions each passage discusses, compared with the
  article-level provisions of the whole corpus (one :class:`ProvisionIndex` for all
  commentary documents);
* :func:`enrich_commentary` — both, as the build runs them: the citations and the linker
  in the build process, then a document per task on the worker processes (which inherit
  the linker and the topic matchers when forked), with the same result as one process.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field

from kb.annotate.citations import CitationIndex, citation_annotations_from, citation_links, find_citations
from kb.annotate.speakers import find_quotes, find_reported_speech, passage_speakers
from kb.annotate.speakers.zh import (
    find_quotes_zh,
    find_reported_speech_zh,
    is_chinese_document,
    passage_speakers_zh,
)
from kb.annotate.stance import stance_annotations
from kb.annotate.stance_zh import stance_annotations_zh
from kb.annotate.topics import Taxonomy, compile_taxonomy, tag_text
from kb.ids import article_eid, doc_of, node_type, provision_id, split_provision_id
from kb.ingest.normalize import is_cjk_text
from kb.link.passages import PassageLinker, ProvisionIndex
from kb.model import Annotation, DocumentMeta, Link, ParsedCommentary, Provision, Translation
from kb.pipeline.parallel import ordered_map

__all__ = [
    "CommentaryAnnotations",
    "TopicsByArticle",
    "annotate_commentary",
    "annotate_document",
    "commentary_linker",
    "document_citations",
    "enrich_commentary",
    "link_commentary",
    "linked_documents",
]

log = logging.getLogger(__name__)


@dataclass
class CommentaryAnnotations:
    annotations: list[Annotation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # citation links from passages
    speakers: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def extend(self, other: CommentaryAnnotations) -> None:
        self.annotations.extend(other.annotations)
        self.links.extend(other.links)
        self.speakers.update(other.speakers)


def annotate_commentary(
    commentary: Sequence[ParsedCommentary], index: CitationIndex, taxonomy: Taxonomy
) -> CommentaryAnnotations:
    """Every annotation of the commentary passages, and their citation links, in one process.

    Document by document; per passage the annotations come in a fixed order: topics,
    citations, quotations, reported speech, stance. :func:`enrich_commentary` gives the
    same, on several cores.
    """
    out = CommentaryAnnotations()
    for c in commentary:
        cited = document_citations(c, index)
        out.links.extend(cited.links)
        out.extend(annotate_document(c, cited.annotations, taxonomy))
    return out


def document_citations(c: ParsedCommentary, index: CitationIndex) -> CommentaryAnnotations:
    """The citation annotations and links of one commentary document's passages.

    The commentary is the context: its date picks versions, and 本法 or a bare
    "Article 15" takes the law the passage named before it.
    """
    out = CommentaryAnnotations()
    prior: str | None = None  # the document the commentary named last, for 本法 / 同法
    for passage in c.passages:
        found = find_citations(passage.text, index, date=c.meta.date, context_doc=c.meta.id, prior_doc=prior)
        out.annotations.extend(citation_annotations_from(passage.id, found))
        out.links.extend(citation_links(passage.id, found))
        prior = next((f.doc_id for f in reversed(found) if f.doc_id), prior)
    return out


def annotate_document(
    c: ParsedCommentary, citations: Sequence[Annotation], taxonomy: Taxonomy
) -> CommentaryAnnotations:
    """One document's annotations (its ``citations`` already found), in a fixed order:
    topics, citations, quotations, reported speech, stance; and its speakers."""
    out = CommentaryAnnotations()
    topics_of: dict[str, list[str]] = defaultdict(list)
    for passage in c.passages:
        for ann in tag_text(passage.id, passage.text, "zh" if is_cjk_text(passage.text) else "en", taxonomy):
            out.annotations.append(ann)
            if ann.label not in topics_of[passage.id]:
                topics_of[passage.id].append(ann.label)
    out.annotations.extend(citations)
    if is_chinese_document(c.passages, c.meta):
        _speakers_zh(c, out)
    else:
        quotes = find_quotes(c.passages, c.meta)
        out.annotations.extend(quotes)
        out.annotations.extend(find_reported_speech(c.passages, c.meta))
        for pid, info in passage_speakers(c.passages, c.meta, quotes).items():
            out.speakers[pid] = {"name": info.name, "role": info.role, "kind": info.kind}
    for passage in c.passages:
        topics = topics_of.get(passage.id, [])
        if is_cjk_text(passage.text):
            out.annotations.extend(stance_annotations_zh(passage, topics))
        else:
            out.annotations.extend(stance_annotations(passage, topics))
    return out


def _speakers_zh(c: ParsedCommentary, out: CommentaryAnnotations) -> None:
    """Quotations, reported speech and voices of a Chinese document."""
    quotes = find_quotes_zh(c.passages, c.meta)
    out.annotations.extend(quotes)
    out.annotations.extend(find_reported_speech_zh(c.passages, c.meta))
    for pid, info in passage_speakers_zh(c.passages, c.meta, quotes).items():
        out.speakers[pid] = {"name": info.name, "role": info.role, "kind": info.kind}


class TopicsByArticle:
    """The topic labels of each article (from the article and all its parts), gathered
    while statutes stream past, for the passage linker's topic signal."""

    def __init__(self) -> None:
        self._labels: dict[str, set[str]] = defaultdict(set)

    def add(self, annotations: Iterable[Annotation]) -> None:
        for ann in annotations:
            if ann.kind == "topic" and node_type(ann.target_id) != "document":
                doc, eid = split_provision_id(ann.target_id)
                self._labels[provision_id(doc, article_eid(eid))].add(ann.label)

    def as_annotations(self) -> list[Annotation]:
        """One stand-in topic annotation per (article, label): all the linker reads."""
        return [
            Annotation(target_id=art, kind="topic", label=label, start=0, end=0, text="")
            for art, labels in self._labels.items()
            for label in sorted(labels)
        ]


def linked_documents(
    commentary: Sequence[ParsedCommentary], annotations: Iterable[Annotation], core: Iterable[str]
) -> set[str]:
    """The statutes whose articles the passage linker compares passages with.

    The ``core`` documents (the manifest's), those a commentary ``discusses``, and
    every document a passage cites: a commentary that names the Criminal Law reaches
    its articles, while the thousands of laws no passage names stay out of the
    comparison (and out of its term statistics, so adding a folder of unrelated laws
    does not move the links of the curated corpus).
    """
    docs = set(core)
    for c in commentary:
        docs.update(c.meta.discusses)
    for ann in annotations:
        if ann.kind == "citation":
            docs.update(doc_of(str(target)) for target in ann.data.get("ids", ()))
    return docs


def commentary_linker(
    commentary: Sequence[ParsedCommentary],
    articles: Iterable[Provision],
    article_topics: TopicsByArticle,
    annotations: Sequence[Annotation],
    documents: Sequence[DocumentMeta],
    translations: Sequence[Translation],
    *,
    core: Iterable[str] | None = None,
) -> PassageLinker:
    """The :class:`PassageLinker` :func:`link_commentary` links with (one index for all
    the commentary; with ``core``, only the articles of :func:`linked_documents`).
    ``scripts/links_lib.py`` measures the links through it."""
    if core is not None:
        keep = linked_documents(commentary, annotations, core)
        articles = [a for a in articles if a.doc_id in keep]
    index = ProvisionIndex.build(articles, translations, article_topics.as_annotations())
    return PassageLinker(index, documents)


def link_commentary(
    commentary: Sequence[ParsedCommentary],
    articles: Iterable[Provision],
    article_topics: TopicsByArticle,
    annotations: Sequence[Annotation],
    documents: Sequence[DocumentMeta],
    translations: Sequence[Translation],
    *,
    core: Iterable[str] | None = None,
) -> list[Link]:
    """``discusses`` and ``mentions`` links of every commentary passage.

    ``articles`` are the article- and preamble-level provisions of the statutes;
    ``annotations`` those of the passages. With ``core`` (document ids), only the
    articles of :func:`linked_documents` are compared with the passages.
    """
    if not commentary:
        return []
    linker = commentary_linker(commentary, articles, article_topics, annotations, documents, translations, core=core)
    by_passage: Mapping[str, list[Annotation]] = _by_target(annotations)
    links: list[Link] = []
    for c in commentary:
        anns = [a for p in c.passages for a in by_passage.get(p.id, ())]
        links.extend(linker.link(c.passages, anns, commentary_date=c.meta.date))
    return links


@dataclass(frozen=True)
class _EnrichState:
    """What each worker of :func:`enrich_commentary` reads (inherited on fork, never sent)."""

    commentary: Sequence[ParsedCommentary]
    citations: Sequence[CommentaryAnnotations]
    taxonomy: Taxonomy
    linker: PassageLinker


_STATE: dict[str, _EnrichState] = {}


def _init_enrich(state: _EnrichState) -> None:
    _STATE["enrich"] = state


def _enrich_document(i: int) -> tuple[CommentaryAnnotations, list[Link]]:
    """Annotate and link the ``i``-th commentary document (in a worker)."""
    state = _STATE["enrich"]
    c = state.commentary[i]
    notes = annotate_document(c, state.citations[i].annotations, state.taxonomy)
    by_passage = _by_target(notes.annotations)
    anns = [a for p in c.passages for a in by_passage.get(p.id, ())]
    return notes, state.linker.link(c.passages, anns, commentary_date=c.meta.date)


def enrich_commentary(
    commentary: Sequence[ParsedCommentary],
    index: CitationIndex,
    taxonomy: Taxonomy,
    articles: Iterable[Provision],
    article_topics: TopicsByArticle,
    documents: Sequence[DocumentMeta],
    translations: Sequence[Translation],
    *,
    core: Iterable[str] | None = None,
    workers: int = 1,
) -> tuple[CommentaryAnnotations, list[Link]]:
    """:func:`annotate_commentary` and :func:`link_commentary` together, a document per
    task on ``workers`` processes, with the same result as one process gives.

    Here: every document's citations (they choose the statutes the linker compares with),
    the linker and the topic matchers. The workers inherit those (fork) and annotate and
    link one document each; results come back in document order.
    """
    notes = CommentaryAnnotations()
    if not commentary:
        return notes, []
    citations = [document_citations(c, index) for c in commentary]
    cited = [a for found in citations for a in found.annotations]
    linker = commentary_linker(commentary, articles, article_topics, cited, documents, translations, core=core)
    compile_taxonomy(taxonomy)  # once, here, rather than in every worker
    for found in citations:
        notes.links.extend(found.links)
    links: list[Link] = []
    state = _EnrichState(commentary, citations, taxonomy, linker)
    results = ordered_map(
        _enrich_document, range(len(commentary)), workers=workers, initializer=_init_enrich, initargs=(state,)
    )
    with closing(results):
        for doc_notes, doc_links in results:
            notes.extend(doc_notes)
            links.extend(doc_links)
    return notes, links


def _by_target(annotations: Iterable[Annotation]) -> dict[str, list[Annotation]]:
    out: dict[str, list[Annotation]] = defaultdict(list)
    for ann in annotations:
        out[ann.target_id].append(ann)
    return out
