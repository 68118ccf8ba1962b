"""The outputs made from citations: annotations on the citing text and ``cites`` links."""

from __future__ import annotations

from collections.abc import Iterable

from kb.annotate.citations.chains import parse_pinpoint
from kb.annotate.citations.index import CitationIndex
from kb.annotate.citations.resolve import find_citations
from kb.errors import InvalidId
from kb.ids import doc_of, part_of, split_provision_id
from kb.model import Annotation, Citation, Link

# ---------------------------------------------------------------------------- outputs


def _split_target(target_id: str, index: CitationIndex) -> tuple[str | None, str | None]:
    doc = doc_of(target_id)
    if doc not in index.documents:
        return None, None
    try:
        eid = split_provision_id(target_id)[1]
    except InvalidId:  # a document id
        eid = ""
    return doc, (eid if eid and parse_pinpoint(eid) is not None else None)


def citation_annotations(
    target_id: str,
    text: str,
    index: CitationIndex,
    *,
    date: str | None = None,
    context_doc: str | None = None,
    context_eid: str | None = None,
) -> list[Annotation]:
    """Citation annotations on the text of ``target_id`` (a provision or passage id).

    The context defaults to ``target_id`` itself: ``pipl-2021/art_13__para_2`` gives
    context_doc ``pipl-2021`` and context_eid ``art_13__para_2``.
    """
    doc, eid = _split_target(target_id, index)
    citations = find_citations(text, index, date=date, context_doc=context_doc or doc, context_eid=context_eid or eid)
    return citation_annotations_from(target_id, citations)


def citation_annotations_from(target_id: str, citations: Iterable[Citation]) -> list[Annotation]:
    """The annotations of citations already found on the text of ``target_id``.

    For callers that need the citations for links too (:func:`citation_links`): the
    finder runs once. The label is the first id cited (empty when none resolved).
    """
    return [
        Annotation(
            target_id=target_id,
            kind="citation",
            label=c.ids[0] if c.ids else "",
            start=c.start,
            end=c.end,
            text=c.text,
            data={"status": c.status, "ids": list(c.ids), "pinpoint": c.pinpoint}
            | ({"note": c.note} if c.note else {}),
        )
        for c in citations
    ]


_LINK_SCORE: dict[str, float] = {"resolved": 1.0, "text_absent": 1.0, "ambiguous": 0.5}


def citation_links(src_id: str, citations: Iterable[Citation]) -> list[Link]:
    """``cites`` links from ``src_id`` to every id its citations name; not_found is skipped.

    A link to ``src_id`` itself, to a part of it (本条第二款 from an article) or to its own
    document (本法 standing alone) says nothing and is left out; one link per
    destination, the best score and first evidence kept.
    """
    own_doc = doc_of(src_id)
    links: dict[str, Link] = {}
    for c in citations:
        score = _LINK_SCORE.get(c.status)
        if score is None:
            continue
        for dst in c.ids:
            if dst == own_doc or part_of(dst, src_id):
                continue
            if dst in links and links[dst].score >= score:
                continue
            links[dst] = Link(
                src=src_id,
                dst=dst,
                kind="cites",
                score=score,
                evidence={"text": c.text, "span": [c.start, c.end], "status": c.status},
            )
    return list(links.values())
