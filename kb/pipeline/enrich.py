"""Annotate and link an ingested corpus: topics, citations, speakers, stance, links.

This is the glue between the stages; each step calls one public function of
``kb.annotate`` or ``kb.link`` and collects its rows into the :class:`Corpus`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kb.annotate.citations import CitationIndex, citation_annotations, citation_links, find_citations
from kb.annotate.speakers import find_quotes, find_reported_speech, passage_speakers
from kb.annotate.stance import stance_annotations
from kb.annotate.topics import load_taxonomy, tag_text
from kb.annotate.translations import load_translations
from kb.link.passages import link_passages
from kb.link.versions import align_versions, alignment_links, version_links
from kb.model import (
    Annotation,
    Corpus,
    DocumentMeta,
    Link,
    ParsedCommentary,
    ParsedStatute,
    Provision,
)

__all__ = ["enrich"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]

# Levels whose own text is annotated. Articles are tagged on their full text too, so an
# article carries the tags of its paragraphs and items, with spans into its own text.
_TAGGED_LEVELS = frozenset({"preamble", "article", "paragraph", "item", "subitem"})


def enrich(
    *,
    documents: Sequence[DocumentMeta],
    statutes: Sequence[ParsedStatute],
    commentary: Sequence[ParsedCommentary],
    corpus_dir: Path,
    progress: Progress | None = None,
) -> tuple[Corpus, dict[str, Any]]:
    def tick(what: str, i: int, n: int) -> None:
        if progress:
            progress(what, i, n)

    provisions = [p for s in statutes for p in s.provisions]
    passages = [p for c in commentary for p in c.passages]
    taxonomy = load_taxonomy(corpus_dir)
    translations = load_translations(corpus_dir)
    known = {p.id for p in provisions}
    translations = tuple(t for t in translations if t.provision_id in known)
    annotations: list[Annotation] = []
    links: list[Link] = []
    warnings: list[str] = [w for s in statutes for w in s.warnings] + [
        w for c in commentary for w in c.warnings
    ]

    # Topics
    tagged = [p for p in provisions if p.level in _TAGGED_LEVELS and p.text]
    for i, prov in enumerate(tagged, 1):
        if i % 500 == 0 or i == len(tagged):
            tick("topics: provisions", i, len(tagged))
        annotations.extend(tag_text(prov.id, prov.text, "zh", taxonomy))
    for i, passage in enumerate(passages, 1):
        tick("topics: passages", i, len(passages))
        annotations.extend(tag_text(passage.id, passage.text, "en", taxonomy))
    topics_of: dict[str, list[str]] = defaultdict(list)
    for ann in annotations:
        if ann.kind == "topic" and ann.label not in topics_of[ann.target_id]:
            topics_of[ann.target_id].append(ann.label)

    # Citations
    eids: dict[str, set[str]] = defaultdict(set)
    for prov in provisions:
        eids[prov.doc_id].add(prov.eid)
    index = CitationIndex.build(documents, {k: frozenset(v) for k, v in eids.items()})
    meta_of = {d.id: d for d in documents}
    cite_targets = [p for p in provisions if p.level in ("preamble", "paragraph")]
    for i, prov in enumerate(cite_targets, 1):
        if i % 500 == 0 or i == len(cite_targets):
            tick("citations: provisions", i, len(cite_targets))
        date = meta_of[prov.doc_id].in_force_from
        ctx: dict[str, Any] = {"date": date, "context_doc": prov.doc_id, "context_eid": prov.eid}
        annotations.extend(citation_annotations(prov.id, prov.text, index, **ctx))
        src = _article_id(prov)
        links.extend(_dedupe(citation_links(src, find_citations(prov.text, index, **ctx)), src))
    for c in commentary:
        for passage in c.passages:
            annotations.extend(citation_annotations(passage.id, passage.text, index, date=c.meta.date))
            links.extend(citation_links(passage.id, find_citations(passage.text, index, date=c.meta.date)))

    # Speakers and stance
    speakers: dict[str, dict[str, str | None]] = {}
    for i, c in enumerate(commentary, 1):
        tick("speakers and stance", i, len(commentary))
        quotes = find_quotes(c.passages, c.meta)
        annotations.extend(quotes)
        annotations.extend(find_reported_speech(c.passages, c.meta))
        for pid, info in passage_speakers(c.passages, c.meta, quotes).items():
            speakers[pid] = {"name": info.name, "role": info.role, "kind": info.kind}
        for passage in c.passages:
            annotations.extend(stance_annotations(passage, topics_of.get(passage.id, [])))

    # Links: versions and commentary -> provisions
    tick("links: versions", 0, 1)
    by_doc: dict[str, list[Provision]] = defaultdict(list)
    for prov in provisions:
        by_doc[prov.doc_id].append(prov)
    for doc in documents:
        old = doc.supersedes
        if old and by_doc.get(old) and by_doc.get(doc.id):
            alignments = align_versions(by_doc[old], by_doc[doc.id])
            links.extend(alignment_links(old, doc.id, alignments))
    links.extend(version_links(documents))
    tick("links: commentary", 0, 1)
    for c in commentary:
        links.extend(
            link_passages(
                c.passages, provisions, annotations, documents, translations, commentary_date=c.meta.date
            )
        )

    corpus = Corpus(
        documents=tuple(documents),
        provisions=tuple(provisions),
        passages=tuple(passages),
        annotations=tuple(annotations),
        links=tuple(links),
        topics=taxonomy.topics,
        translations=translations,
        header_notes={s.meta.id: s.header_notes for s in statutes},
        warnings=tuple(warnings),
    )
    extras: dict[str, Any] = {
        "extracted": {c.meta.id: dict(c.extracted) for c in commentary},
        "speakers": speakers,
    }
    return corpus, extras


def _article_id(prov: Provision) -> str:
    """Cross-references are edges between articles (or the preamble)."""
    if prov.level == "preamble":
        return prov.id
    return f"{prov.doc_id}/{prov.eid.split('__')[0]}"


def _dedupe(links: Sequence[Link], src: str) -> list[Link]:
    """Drop self-references (本条) and repeats within one article."""
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        if link.dst == src or link.dst.startswith(src + "__"):
            continue
        key = (link.src, link.dst)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out
