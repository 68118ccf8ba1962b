"""Resolution: chains and anchors become citations, checked against the eids that exist.

The public function is :func:`find_citations`; which document a chain belongs to is
decided in :mod:`kb.annotate.citations.attach`, the annotations and links made from the
citations found in :mod:`kb.annotate.citations.links`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.annotate.citations.anchors import Anchor, find_anchors, is_statute
from kb.annotate.citations.attach import attach_chains
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
from kb.annotate.citations.defined import apply_definitions
from kb.annotate.citations.index import CitationIndex
from kb.annotate.citations.patterns import ZH_CLAUSE_BREAK
from kb.ids import Eid, provision_id, split_provision_id
from kb.model import Citation, CitationStatus

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
        # "Article 28(2)": a paragraph when the article has it (as kb.read.citeformat prints
        # paragraphs), else an item ("Article 62(2)" of a one-paragraph article).
        para_eid = pinpoint_eid((art, para_or_item, None, None))
        if para_eid in eids:
            return [para_eid], None
        found = _items_anywhere(index, doc_id, (art, None, para_or_item, sub))
        return found, None if found else f"{doc_id} {art_eid} has no paragraph or item {para_or_item}"
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
    *,
    spans: bool = True,
) -> tuple[list[_Found], tuple[tuple[str, ...], Pinpoint] | None]:
    """The citations of one chain, and what a following bare 第X项 in the same clause inherits.

    With ``spans`` the anchor's text joins the citation's span (it is part of it).
    """
    base: Pinpoint | None = None
    docs: tuple[str, ...] = ()
    fail: str | None = None
    version_note: str | None = None
    if anchor is not None and anchor.kind in ("name", "title"):
        docs, version_note = index.choose(
            anchor.docs, year=anchor.year, date=ctx.date, exclude_later=ctx.strict, latest=anchor.latest
        )
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
            if ctx.strict and ctx.doc:
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
        if spans and anchor is not None and i == 0 and not anchor_after:
            start = min(start, anchor.start)
        if spans and anchor is not None and i == len(chain.elements) - 1 and anchor_after:
            end = max(end, anchor.end)
        if fail is not None or not docs:
            # a bare "Article 19" naming no document keeps its pinpoint: the linker weighs
            # that article of each document the commentary may mean
            bare = (fail or _NO_DOCUMENT) == _NO_DOCUMENT and ART in elem.units
            pinpoint = pinpoint_eid(_merge(None, elem.units, elem.top)) if bare else None
            out.append(_Found(start, end, "not_found", pinpoint=pinpoint, note=fail or _NO_DOCUMENT))
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
        docs, note = index.choose(a.docs, year=a.year, date=ctx.date, exclude_later=ctx.strict, latest=a.latest)
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
    return _Context(date, doc_id, eid, strict=is_statute(index, doc_id))


def find_citations(
    text: str,
    index: CitationIndex,
    *,
    date: str | None = None,
    context_doc: str | None = None,
    context_eid: str | None = None,
    prior_doc: str | None = None,
) -> list[Citation]:
    """Every citation in ``text``, in order, each resolved against ``index``.

    ``date`` is the citing text's date (ISO, may be partial); when it is None and
    ``context_doc`` is known, that document's date is used (a commentary's publication
    date, a statute's). When ``context_doc`` is a statute it resolves 本法/本规定 and bare
    第X条; anywhere else 本法 is, like 同法 and "the same law", the document named last,
    and a bare "Article 15" / 第十五条 takes the one work named before it in its sentence
    or text. ``context_eid`` (e.g. ``art_13__para_2``) resolves 本条, 前款, 前两款 and a
    bare 第X款. ``prior_doc`` is the document named last before ``text`` (the previous
    passage's), for a back reference with nothing named before it in ``text``.

    >>> from kb.model import DocumentMeta, SourceRef
    >>> d = DocumentMeta(id="x", kind="law", sources=(SourceRef("x"),))
    >>> ix = CitationIndex.build([d], {"x": frozenset({"art_1", "art_1__para_1", "art_1__para_2"})})
    >>> [c.ids for c in find_citations("前款规定", ix, context_doc="x", context_eid="art_1__para_2")]
    [('x/art_1__para_1',)]
    """
    ctx = _context(index, date, context_doc, context_eid)
    taken = Coverage(len(text))
    anchors = find_anchors(text, index, ctx.doc, ctx.eid, taken, ctx.date)
    anchors = apply_definitions(text, anchors, taken, index.patterns.self_references)
    chains = find_chains(text, taken)
    attached, anchors = attach_chains(text, chains, anchors, index, statute=ctx.strict, prior=prior_doc)

    used: set[int] = set()
    found: list[_Found] = []
    carry: tuple[tuple[str, ...], Pinpoint] | None = None
    carry_end = 0
    for item in attached:
        chain, anchor = item.chain, item.anchor
        if anchor is not None and not item.implied:
            used.add(anchor.start)
        if item.unknown is not None:
            found += [_Found(e.start, e.end, "not_found", note=item.unknown) for e in chain.elements]
            carry = None
            continue
        inherit = carry if carry and not ZH_CLAUSE_BREAK.search(text, carry_end, chain.start) else None
        chain_found, carry = _chain_citations(index, chain, anchor, item.after, ctx, inherit, spans=not item.implied)
        found += chain_found
        carry_end = chain.end
    for a in anchors:
        if a.start in used or not a.alone:
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
