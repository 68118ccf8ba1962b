"""Resolution: chains and anchors become citations, checked against the eids that exist.

The public functions: :func:`find_citations`, and the annotations and links made from
the citations found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kb.annotate.citations.anchors import Anchor, find_anchors
from kb.annotate.citations.chains import (
    ART,
    ITEM,
    PARA,
    PATH_KINDS,
    Chain,
    Coverage,
    Element,
    Pinpoint,
    find_chains,
    parse_pinpoint,
    pinpoint_eid,
)
from kb.annotate.citations.index import CitationIndex, has_cjk
from kb.annotate.citations.patterns import (
    EN_GAP_AFTER,
    EN_UNKNOWN_TITLE_TEMPLATE,
    ZH_CLAUSE_BREAK,
)
from kb.errors import InvalidId
from kb.ids import Eid, doc_of, part_of, provision_id, split_provision_id
from kb.model import Annotation, Citation, CitationStatus, Link

# ---------------------------------------------------------------------------- resolution


@dataclass
class _Found:
    start: int
    end: int
    status: CitationStatus
    ids: tuple[str, ...] = ()
    doc_id: str | None = None
    pinpoint: str | None = None
    note: str | None = None


def _merge(base: Pinpoint | None, elem_units: Mapping[int, Any], top: int) -> Pinpoint:
    values: list[Any] = [None, None, None, None]
    if base is not None:
        for level in range(top):
            values[level] = base[level]
    for level, value in elem_units.items():
        values[level] = value
    return (values[0], values[1], values[2], values[3])


def _lookup(
    index: CitationIndex, doc_id: str, path: Pinpoint, para_or_item: int | None
) -> tuple[list[str], str | None]:
    """The eids ``path`` names in ``doc_id`` (several when it is ambiguous), and a note."""
    eids = index.eids[doc_id]
    art, para, item, sub = path
    if art is None:
        return [], "no article"
    art_eid = pinpoint_eid((art, None, None, None))
    if art_eid not in eids:
        return [], f"{doc_id} has no {art_eid}"
    if para_or_item is not None:
        out = []
        if pinpoint_eid((art, para_or_item, None, None)) in eids:
            out.append(pinpoint_eid((art, para_or_item, None, None)))
        out += _items_anywhere(index, doc_id, (art, None, para_or_item, sub))
        return out, f"({para_or_item}) may be a paragraph or an item" if len(out) > 1 else None
    if para is None and item is not None:
        found = _items_anywhere(index, doc_id, path)
        return found, None if found else f"{doc_id} {art_eid} has no item {item}"
    eid = pinpoint_eid(path)
    return ([eid], None) if eid in eids else ([], f"{doc_id} has no {eid}")


def _items_anywhere(index: CitationIndex, doc_id: str, path: Pinpoint) -> list[str]:
    art, _, item, sub = path
    art_eid = pinpoint_eid((art, None, None, None))
    paras = index.children[doc_id].get(art_eid, ())
    return [pinpoint_eid((art, p, item, sub)) for p in paras if pinpoint_eid((art, p, item, sub)) in index.eids[doc_id]]


def _truncate(path: Pinpoint, level: int) -> Pinpoint:
    """``path`` above ``level`` only."""
    values = [v if i < level else None for i, v in enumerate(path)]
    return (values[0], values[1], values[2], values[3])


def _expand(index: CitationIndex, doc_id: str, start: Pinpoint, end_units: Mapping[int, Any]) -> list[str]:
    """Every existing provision from ``start`` to the range end, at the range end's level."""
    level = min(end_units)
    lo, hi = start[level], end_units[level]
    if level == ART:
        return [pinpoint_eid((a, None, None, None)) for a in index.articles[doc_id] if lo <= a <= (hi[0], hi[1])]
    parent = pinpoint_eid(_truncate(start, level))
    if level == ITEM and start[PARA] is None:
        candidates = _items_anywhere(index, doc_id, start)
        if not candidates:
            return []
        parent = str(Eid.parse(candidates[0]).parent)
    kids = index.children[doc_id].get(parent, ())
    kind = PATH_KINDS[level]
    return [str(Eid.build(kind, k, parent)) for k in kids if lo <= k <= hi]


def _document_status(index: CitationIndex, docs: tuple[str, ...]) -> CitationStatus:
    if len(docs) > 1:
        return "ambiguous"
    return "resolved" if index.documents[docs[0]].text_available else "text_absent"


def _resolve_element(
    index: CitationIndex,
    docs: tuple[str, ...],
    base: Pinpoint | None,
    elem: Element,
    start: int,
    end: int,
) -> _Found:
    path = _merge(base, elem.units, elem.top)
    if path[ART] is None:
        return _Found(start, end, "not_found", note="pinpoint without an article")
    if len(docs) == 1 and not index.documents[docs[0]].text_available:
        doc_id = docs[0]
        return _Found(
            start,
            end,
            "text_absent",
            (doc_id,),
            doc_id,
            None if elem.range_units else pinpoint_eid(path),
            f"the text of {doc_id} is not in the corpus",
        )
    ids: list[str] = []
    notes: list[str] = []
    for doc_id in docs:
        if doc_id not in index.eids:  # text exists but its eids were not given: trust the pinpoint
            ids.append(provision_id(doc_id, pinpoint_eid(path)))
            notes.append("pinpoint not verified")
            continue
        if elem.range_units is not None:
            if path[min(elem.range_units)] is None:
                notes.append("range start is incomplete")
                continue
            found = _expand(index, doc_id, path, elem.range_units)
            note = None if found else f"{doc_id} has nothing in the range"
        else:
            found, note = _lookup(index, doc_id, path, elem.para_or_item)
        ids += [provision_id(doc_id, e) for e in found]
        if note:
            notes.append(note)
    note = "; ".join(notes) or None
    if not ids:
        return _Found(start, end, "not_found", (), docs[0] if len(docs) == 1 else None, None, note)
    multi_doc = len(docs) > 1
    single = len(ids) == 1
    ambiguous = multi_doc or (elem.range_units is None and not single)
    pinpoint = split_provision_id(ids[0])[1] if single else None
    return _Found(
        start, end, "ambiguous" if ambiguous else "resolved", tuple(ids), None if multi_doc else docs[0], pinpoint, note
    )


_NO_DOCUMENT = "no document is named"


@dataclass(frozen=True, slots=True)
class _Context:
    """Where the citing text sits: its date, document and provision."""

    date: str | None = None
    doc: str | None = None
    eid: str | None = None
    strict: bool = False  # the citing text is a statute: it cannot cite what came after it


def _chain_citations(
    index: CitationIndex,
    chain: Chain,
    anchor: Anchor | None,
    anchor_after: bool,
    ctx: _Context,
    inherit: tuple[tuple[str, ...], Pinpoint] | None,
) -> tuple[list[_Found], tuple[tuple[str, ...], Pinpoint] | None]:
    """The citations of one chain, and what a following bare 第X项 in the same clause inherits."""
    base: Pinpoint | None = None
    docs: tuple[str, ...] = ()
    fail: str | None = None
    version_note: str | None = None
    if anchor is not None and anchor.kind in ("name", "title"):
        docs, version_note = index.choose(anchor.docs, year=anchor.year, date=ctx.date, exclude_later=ctx.strict)
        if not docs:
            fail = f"no version in the corpus existed on {ctx.date}"
    elif anchor is not None and anchor.kind == "self":
        docs, fail = tuple(sorted(anchor.docs)), anchor.note
    elif anchor is not None and anchor.kind == "unknown":
        fail = anchor.note
    elif anchor is not None and anchor.kind == "relative":
        if not anchor.paths:
            fail = anchor.note
        else:
            docs = tuple(sorted(anchor.docs))
            base = anchor.paths[-1]
            if chain.elements[0].top <= anchor.level:  # "本条第十三条" makes no sense: ignore the anchor
                base = None
    elif inherit is not None and chain.elements[0].top > ART:
        # "第三百九十五条第一款第一项至第三项规定的财产或者第五项": the clause's last citation
        docs, base = inherit
    else:
        top = chain.elements[0].top
        if top == ART:
            fail = _NO_DOCUMENT
            if ctx.doc and ctx.doc in index.documents and not index.documents[ctx.doc].is_commentary:
                docs, fail = (ctx.doc,), None
        else:  # 第二款 / 第三项 alone: inside the citing article
            here = parse_pinpoint(ctx.eid) if ctx.eid else None
            if ctx.doc and here is not None:
                docs, base = (ctx.doc,), here
            else:
                fail = "a paragraph or item alone needs the citing provision"
    out: list[_Found] = []
    prev: Pinpoint | None = base
    for i, elem in enumerate(chain.elements):
        start, end = elem.start, elem.end
        if anchor is not None and i == 0 and not anchor_after:
            start = min(start, anchor.start)
        if anchor is not None and i == len(chain.elements) - 1 and anchor_after:
            end = max(end, anchor.end)
        if fail is not None or not docs:
            out.append(_Found(start, end, "not_found", note=fail or _NO_DOCUMENT))
            continue
        found = _resolve_element(index, docs, prev, elem, start, end)
        if version_note:
            found.note = f"{found.note}; {version_note}" if found.note else version_note
        out.append(found)
        prev = _merge(prev, elem.units, elem.top)
    carry = (docs, prev) if docs and prev is not None and prev[ART] is not None else None
    return out, carry


def _anchor_citation(index: CitationIndex, a: Anchor, ctx: _Context) -> _Found | None:
    if a.kind in ("name", "title"):
        docs, note = index.choose(a.docs, year=a.year, date=ctx.date, exclude_later=ctx.strict)
        if not docs:  # a generic phrase ("draft rules") before any such document: no citation
            if a.kind == "title" or ctx.strict:
                return _Found(a.start, a.end, "not_found", note=f"no version in the corpus existed on {ctx.date}")
            return None
        status = _document_status(index, docs)
        if status == "text_absent":
            note = "; ".join(filter(None, (f"the text of {docs[0]} is not in the corpus", note)))
        return _Found(a.start, a.end, status, docs, docs[0] if len(docs) == 1 else None, None, note)
    if a.kind == "unknown":
        return _Found(a.start, a.end, "not_found", note=a.note)
    if a.kind == "self":
        if not a.docs:
            return _Found(a.start, a.end, "not_found", note=a.note)
        doc_id = next(iter(a.docs))
        return _Found(a.start, a.end, _document_status(index, (doc_id,)), (doc_id,), doc_id)
    # relative, standing alone: 前款规定, 本条
    if not a.paths:
        return _Found(a.start, a.end, "not_found", note=a.note)
    doc_id = next(iter(a.docs))
    eids = index.eids.get(doc_id)
    wanted = [pinpoint_eid(p) for p in a.paths]
    found = [e for e in wanted if eids is None or e in eids]
    if not found:
        return _Found(a.start, a.end, "not_found", (), doc_id, None, f"{doc_id} has no {', '.join(wanted)}")
    ids = tuple(provision_id(doc_id, e) for e in found)
    return _Found(a.start, a.end, "resolved", ids, doc_id, found[0] if len(found) == 1 else None)


def _context(index: CitationIndex, date: str | None, doc_id: str | None, eid: str | None) -> _Context:
    doc = index.documents.get(doc_id) if doc_id else None
    if doc is None:
        return _Context(date, doc_id, eid)
    if date is None:  # the date the citing text was written
        date = doc.date or doc.promulgated or doc.adopted or doc.effective
    return _Context(date, doc_id, eid, strict=not doc.is_commentary)


def _skip_space_back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos


def _unrecognised_name_before(text: str, pos: int, index: CitationIndex) -> bool:
    """ "民事诉讼法第六十四条": a document name we do not know ends right before the chain."""
    before = text[max(0, pos - 6) : pos]
    return bool(before) and has_cjk(before[-1:]) and before.endswith(index.patterns.title_suffixes)


@lru_cache(maxsize=8)
def _unknown_title_regex(heads: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(EN_UNKNOWN_TITLE_TEMPLATE.format(heads="|".join(re.escape(h) for h in heads)))


def _unknown_en_title_after(text: str, pos: int, index: CitationIndex) -> re.Match[str] | None:
    heads = index.patterns.title_heads
    return _unknown_title_regex(heads).match(text, pos) if heads else None


def _attach(
    text: str, chain: Chain, by_start: Mapping[int, Anchor], by_end: Mapping[int, Anchor]
) -> tuple[Anchor | None, bool]:
    """The anchor a chain hangs from, and whether it comes after the chain (English "of the PIPL")."""
    if chain.lang == "zh":
        return by_end.get(_skip_space_back(text, chain.start)), False
    gap = EN_GAP_AFTER.match(text, chain.end)
    after = by_start.get(gap.end()) if gap else None
    if after is not None and after.kind in ("name", "title"):
        return after, True
    k = _skip_space_back(text, chain.start)
    if k > 0 and text[k - 1] == "(":  # "PIPL (Art. 13)"
        k = _skip_space_back(text, k - 1)
    elif k < chain.start and text[k - 2 : k] in ("'s", "’s"):  # "the PIPL's Article 13"
        k -= 2
    before = by_end.get(k) if k < chain.start else None
    if before is not None and before.kind in ("name", "title"):
        return before, False
    return None, False


def _unknown_document(text: str, chain: Chain, index: CitationIndex) -> str | None:
    """A note when the chain belongs to a document we do not know, named next to it."""
    if chain.lang == "zh" and _unrecognised_name_before(text, chain.start, index):
        return "the document named before the article is not in the knowledge base"
    if chain.lang == "en":
        unknown = _unknown_en_title_after(text, chain.end, index)
        if unknown:
            return f"{unknown.group(0).strip()!r} is not in the knowledge base"
    return None


def find_citations(
    text: str,
    index: CitationIndex,
    *,
    date: str | None = None,
    context_doc: str | None = None,
    context_eid: str | None = None,
) -> list[Citation]:
    """Every citation in ``text``, in order, each resolved against ``index``.

    ``date`` is the citing text's date (ISO, may be partial); when it is None and
    ``context_doc`` is known, that document's date is used. ``context_doc`` resolves
    本法/本规定 and bare 第X条; ``context_eid`` (e.g. ``art_13__para_2``) resolves
    本条, 前款, 前两款 and a bare 第X款.

    >>> from kb.model import DocumentMeta, SourceRef
    >>> d = DocumentMeta(id="x", kind="law", sources=(SourceRef("x"),))
    >>> ix = CitationIndex.build([d], {"x": frozenset({"art_1", "art_1__para_1", "art_1__para_2"})})
    >>> [c.ids for c in find_citations("前款规定", ix, context_doc="x", context_eid="art_1__para_2")]
    [('x/art_1__para_1',)]
    """
    ctx = _context(index, date, context_doc, context_eid)
    taken = Coverage(len(text))
    anchors = find_anchors(text, index, ctx.doc, ctx.eid, taken)
    chains = find_chains(text, taken)

    by_end = {a.end: a for a in anchors}
    by_start = {a.start: a for a in anchors}
    used: set[int] = set()
    found: list[_Found] = []
    carry: tuple[tuple[str, ...], Pinpoint] | None = None
    carry_end = 0
    for chain in chains:
        anchor, after = _attach(text, chain, by_start, by_end)
        if anchor is not None:
            used.add(anchor.start)
        unknown = _unknown_document(text, chain, index) if anchor is None else None
        if unknown is not None:
            found += [_Found(e.start, e.end, "not_found", note=unknown) for e in chain.elements]
            carry = None
            continue
        inherit = carry if carry and not ZH_CLAUSE_BREAK.search(text, carry_end, chain.start) else None
        chain_found, carry = _chain_citations(index, chain, anchor, after, ctx, inherit)
        found += chain_found
        carry_end = chain.end
    for a in anchors:
        if a.start in used:
            continue
        citation = _anchor_citation(index, a, ctx)
        if citation is not None:
            found.append(citation)
    found.sort(key=lambda f: (f.start, f.end))
    for f in found:  # "Art. 13 (PIPL)": take the closing bracket too
        if text.count("(", f.start, f.end) > text.count(")", f.start, f.end) and text[f.end : f.end + 1] == ")":
            f.end += 1
    return [
        Citation(text[f.start : f.end], f.start, f.end, f.status, f.ids, f.doc_id, f.pinpoint, f.note) for f in found
    ]


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
