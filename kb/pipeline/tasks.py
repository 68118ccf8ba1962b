"""The work the build hands to worker processes, one statute (or one work) at a time.

Two passes over the statutes, both run through :func:`kb.pipeline.parallel.ordered_map`:

1. :func:`outline` reads and parses one statute and returns only what the rest of the
   build needs before annotation: the eids that exist (the citation finder checks every
   pinpoint against them), header notes and source facts. Small, so the parent holds
   them for 3,400 documents at no cost.
2. :func:`annotate_group` parses again (cheaper than shipping trees around) and
   annotates: topic tags, citations resolved against the whole corpus, the full-text
   tokens of articles, and the article alignment between versions of one work (a
   group holds all versions that supersede one another, so no alignment needs another
   task's provisions). Workers are prepared by :func:`init_worker`.

Every function is deterministic: a build gives the same rows with any number of workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.annotate.citations import CitationIndex, citation_annotations_from, citation_links, find_citations
from kb.annotate.nlp import tokens_for_index
from kb.annotate.topics import Taxonomy, compile_taxonomy, load_taxonomy
from kb.errors import KBError
from kb.ids import article_eid, provision_id
from kb.ingest.sources import SourceText, read_source
from kb.ingest.statute import parse_statute
from kb.link.versions import align_versions, alignment_links
from kb.model import Annotation, Citation, DocumentMeta, Link, ParsedStatute, Provision
from kb.pipeline.tagging import ProvisionTagger
from kb.store.rows import SEARCH_LEVELS  # the levels whose tokens the writer needs

__all__ = [
    "MAX_ALIGNED_ARTICLES",
    "SEARCH_LEVELS",
    "DocTask",
    "GroupResult",
    "Outline",
    "SourceInfo",
    "StatuteResult",
    "annotate_group",
    "citation_annotations_from",
    "init_worker",
    "outline",
    "share_taxonomy",
]

log = logging.getLogger(__name__)

# Levels whose text is cited from (cross-references are read paragraph by paragraph).
CITING_LEVELS = frozenset({"preamble", "paragraph"})
# Two versions are aligned only when neither has more articles than this: alignment is
# near-linear, but its diff evidence for a giant code would swamp the links table.
MAX_ALIGNED_ARTICLES = 5000


@dataclass(frozen=True, slots=True)
class DocTask:
    meta: DocumentMeta
    root: Path  # what its source paths are relative to
    strict: bool  # manifest documents: any problem stops the build


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    sha256: str
    size: int
    encoding: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outline:
    """Pass 1: what one statute holds, without its text."""

    doc_id: str
    sources: tuple[SourceInfo, ...] = ()  # empty when the files could not be read
    eids: frozenset[str] = frozenset()
    header_notes: tuple[str, ...] = ()
    problem: str | None = None  # why a folder document has no provisions


@dataclass(frozen=True)
class StatuteResult:
    """Pass 2: one statute, parsed and annotated."""

    meta: DocumentMeta
    provisions: tuple[Provision, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    links: tuple[Link, ...] = ()
    warnings: tuple[str, ...] = ()
    zh_tokens: Mapping[str, str] = field(default_factory=dict)  # search unit id -> tokens
    seconds: float = 0.0  # time spent reading, parsing and annotating it (the build report's slowest)


@dataclass(frozen=True)
class GroupResult:
    statutes: tuple[StatuteResult, ...]
    links: tuple[Link, ...] = ()  # aligned links between the group's versions


def _read(task: DocTask) -> list[SourceText]:
    return [read_source(task.root, s.path, expected_sha256=s.sha256) for s in task.meta.sources]


def _parse(task: DocTask, texts: Sequence[SourceText]) -> ParsedStatute:
    return parse_statute(task.meta, texts, strict=task.strict)


def outline(task: DocTask) -> Outline:
    """Pass 1 for one statute. Manifest problems raise; folder problems are reported."""
    try:
        texts = _read(task)
    except KBError as exc:
        if task.strict:
            raise
        return Outline(task.meta.id, problem=f"{task.meta.id}: skipped: {exc}")
    sources = tuple(SourceInfo(t.path, t.sha256, t.size, t.encoding, t.warnings) for t in texts)
    try:
        parsed = _parse(task, texts)
    except KBError as exc:
        if task.strict:
            raise
        return Outline(task.meta.id, sources, problem=f"{task.meta.id}: skipped: {exc}")
    return Outline(task.meta.id, sources, frozenset(p.eid for p in parsed.provisions), parsed.header_notes)


# ----------------------------------------------------------------------------- workers

_STATE: dict[str, object] = {}


def init_worker(documents: Sequence[DocumentMeta], eids: Mapping[str, frozenset[str]], corpus_dir: Path) -> None:
    """Prepare a worker for :func:`annotate_group`: taxonomy, tagger, citation index.

    The taxonomy holds spaCy matchers and a lock, which cannot be pickled: a forked
    worker inherits the one :func:`share_taxonomy` compiled in the build process; any
    other worker loads its own.
    """
    taxonomy = _STATE.get("taxonomy")
    if not isinstance(taxonomy, Taxonomy):
        taxonomy = load_taxonomy(corpus_dir)
    _STATE["tagger"] = ProvisionTagger(taxonomy)
    _STATE["index"] = CitationIndex.build(documents, eids)


def share_taxonomy(taxonomy: Taxonomy) -> None:
    """Compile ``taxonomy``'s matchers here, in the build process, for the workers to
    inherit when they are forked (with another start method each loads its own)."""
    compile_taxonomy(taxonomy, ["zh"])  # statutes are Chinese
    _STATE["taxonomy"] = taxonomy


def _worker_state() -> tuple[ProvisionTagger, CitationIndex]:
    tagger, index = _STATE.get("tagger"), _STATE.get("index")
    if not isinstance(tagger, ProvisionTagger) or not isinstance(index, CitationIndex):
        raise RuntimeError("annotate_group runs in a worker prepared by init_worker")
    return tagger, index


def annotate_group(tasks: Sequence[DocTask]) -> GroupResult:
    """Pass 2 for the versions of one work (often a single statute)."""
    tagger, index = _worker_state()
    results = [_annotate(task, tagger, index) for task in tasks]
    by_id = {r.meta.id: r for r in results}
    links: list[Link] = []
    for r in results:
        old_id = r.meta.supersedes
        old = by_id.get(old_id) if old_id else None
        if old is None or not old.provisions or not r.provisions:
            continue
        sizes = [sum(1 for p in x.provisions if p.level == "article") for x in (old, r)]
        if max(sizes) > MAX_ALIGNED_ARTICLES:
            log.warning("not aligning %s with %s: %s articles", old.meta.id, r.meta.id, max(sizes))
            continue
        links.extend(alignment_links(old.meta.id, r.meta.id, align_versions(old.provisions, r.provisions)))
    return GroupResult(tuple(results), tuple(links))


def _annotate(task: DocTask, tagger: ProvisionTagger, index: CitationIndex) -> StatuteResult:
    started = time.perf_counter()
    try:
        texts = _read(task)
        parsed = _parse(task, texts)
    except KBError:
        if task.strict:
            raise
        return StatuteResult(task.meta)  # pass 1 reported why
    warnings = [w for t in texts for w in t.warnings] + list(parsed.warnings)
    provisions = parsed.provisions
    annotations = list(tagger.tag_provisions(provisions))
    date = task.meta.in_force_from
    # Cross-references are edges between articles: the citations of all of an article's
    # paragraphs and items make its links, one per target.
    by_article: dict[str, list[Citation]] = {}
    for prov in provisions:
        if prov.level not in CITING_LEVELS or not prov.text:
            continue
        citations = find_citations(prov.text, index, date=date, context_doc=prov.doc_id, context_eid=prov.eid)
        annotations.extend(citation_annotations_from(prov.id, citations))
        by_article.setdefault(article_id(prov), []).extend(citations)
    links = [link for src, found in by_article.items() for link in citation_links(src, found)]
    tokens = {p.id: tokens_for_index(f"{p.label} {p.text}") for p in provisions if p.level in SEARCH_LEVELS}
    seconds = time.perf_counter() - started
    return StatuteResult(task.meta, provisions, tuple(annotations), tuple(links), tuple(warnings), tokens, seconds)


def article_id(prov: Provision) -> str:
    """Cross-references are edges between articles (or the preamble)."""
    if prov.level == "preamble":
        return prov.id
    return provision_id(prov.doc_id, article_eid(prov.eid))  # art_13__para_2 -> art_13
