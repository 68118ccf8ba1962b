"""Anchors: what a pinpoint chain hangs from.

Document names, 《书名号》 titles, self references (本法, 本规定), relative references
(本条, 前款, 前两款) and short forms ("the Specification").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from kb.annotate.citations.chains import ART, ITEM, PARA, Coverage, Pinpoint, parse_pinpoint
from kb.annotate.citations.index import CitationIndex, en_key, zh_key
from kb.annotate.citations.patterns import (
    EN_AS_WRITTEN_TEMPLATE,
    EN_BACK_TEMPLATE,
    EN_SHORT_FORM,
    EN_WORD_BEFORE,
    EN_YEAR,
    ZH_BACK_TEMPLATE,
    ZH_BOOK_TITLE,
    ZH_HEADING,
    ZH_LATEST_PREFIX,
    ZH_RELATIVE,
    ZH_SELF_TEMPLATE,
    ZH_TRAILING_PARENS,
    ZH_YEAR_PREFIX,
    ZH_YEAR_SUFFIX_TEMPLATE,
    CitationPatterns,
    words_regex,
)
from kb.text.numerals import cn_to_int


@dataclass(frozen=True)
class Anchor:
    """Something a chain can hang from: a document, the citing provision, or nothing known."""

    start: int
    end: int
    kind: Literal["name", "title", "unknown", "self", "relative", "back"]
    docs: frozenset[str] = frozenset()
    year: int | None = None
    paths: tuple[tuple[Any, ...], ...] = ()  # relative: base paths (article, para, item, subitem)
    level: int = 0  # relative: the deepest level the base fixes
    note: str | None = None
    head: str | None = None  # English names: the last word ("specification"), for short forms
    latest: bool = False  # "the amended CSL", 修正后的网络安全法: the latest version at the citing date
    alone: bool = True  # a citation even when no article hangs from it ("the same law" is not)
    described: bool = False  # a description ("the SPC's 2021 interpretation"), not a name


def _zh_title_anchor(m: re.Match[str], index: CitationIndex) -> Anchor | None:
    title = m.group("title").strip()
    year: int | None = None
    candidate = title
    while True:
        docs = index.zh_names.get(zh_key(candidate)) or index.en_names.get(en_key(candidate))
        if docs:
            return Anchor(m.start(), m.end(), "title", docs, year, latest=_zh_latest(m.string, m.start()))
        trailing = ZH_TRAILING_PARENS.search(candidate)
        if not trailing:
            break
        y = EN_YEAR.search(trailing.group(0))
        if y and year is None:
            year = int(y.group(1))
        candidate = candidate[: trailing.start()].rstrip()
    bare = re.sub(r"[（(][^（）()]*[）)]", "", title)
    if bare.endswith(index.patterns.title_suffixes):
        return Anchor(m.start(), m.end(), "unknown", note=f"《{title}》 is not in the knowledge base")
    return None


@lru_cache(maxsize=8)
def _year_suffix(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(ZH_YEAR_SUFFIX_TEMPLATE.format(words=alternatives))


def _zh_latest(text: str, start: int) -> bool:
    """修正后的 / 新修订的 right before a Chinese name or title."""
    return ZH_LATEST_PREFIX.search(text, max(0, start - 8), start) is not None


def _foreign(text: str, start: int, patterns: CitationPatterns) -> bool:
    m = EN_WORD_BEFORE.search(text, max(0, start - 40), start)
    if not m:
        return False
    word = m.group("word")
    if word in patterns.domestic_possessives or word.replace("’", "'") in patterns.domestic_possessives:
        return False
    if word in patterns.foreign_qualifiers:
        return True
    return bool(re.match(r"^[A-Z][\w.]*['’]s$", word))  # "Vietnam's": a capitalised possessive


def _foreign_law_anchors(text: str, patterns: CitationPatterns) -> list[Anchor]:
    """Names of foreign laws (``foreign_laws``): documents not in the knowledge base, so that an
    article after one is that law's ("the GDPR ... Article 9")."""
    if not patterns.foreign_laws:
        return []
    regex = words_regex(patterns.foreign_laws, EN_AS_WRITTEN_TEMPLATE)
    return [
        Anchor(
            m.start(),
            m.end(),
            "unknown",
            note=f"{m.group(0)} (a foreign law) is not in the knowledge base",
            alone=False,
        )
        for m in regex.finditer(text)
    ]


def _name_anchors(text: str, index: CitationIndex, masked: Coverage) -> list[Anchor]:
    anchors: list[Anchor] = []
    for m in index.zh_regex.finditer(text) if index.zh_regex is not None else ():
        if masked.hits(m.start(), m.end()):
            continue
        docs = index.zh_names.get(zh_key(m.group("name")))
        if not docs:
            continue
        start, year = m.start(), None
        if m.group("year"):
            year = int(m.group("year"))
        prefix = ZH_YEAR_PREFIX.search(text, max(0, start - 12), start)
        if prefix and year is None:
            year, start = int(prefix.group("year")), prefix.start()
        anchors.append(Anchor(start, m.end(), "name", docs, year, latest=_zh_latest(text, start)))
    if index.en_regex is not None:
        for m in index.en_regex.finditer(text):
            if masked.hits(m.start(), m.end()):
                continue
            docs = index.en_names.get(en_key(m.group("name")))
            if not docs and m.group("name")[-1:] in "sS":  # a plural of a plural_heads name
                docs = index.en_names.get(en_key(m.group("name")[:-1]))
            if not docs or _foreign(text, m.start(), index.patterns):
                continue
            years = EN_YEAR.findall(m.group("full"))
            year = int(years[0]) if years else None
            head = _head_word(m.group("name"))
            latest = bool(m.group("latest"))
            anchors.append(Anchor(m.start(), m.end(), "name", docs, year, head=head, latest=latest))
    return anchors


@lru_cache(maxsize=8)
def _self_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(ZH_SELF_TEMPLATE.format(words=alternatives))


def is_statute(index: CitationIndex, doc_id: str | None) -> bool:
    """Whether the citing text is a statute of the index (not commentary, not unknown)."""
    doc = index.documents.get(doc_id) if doc_id else None
    return doc is not None and not doc.is_commentary


def _self_anchors(text: str, index: CitationIndex, context_doc: str | None) -> list[Anchor]:
    """本法 in a statute is the statute; anywhere else (commentary, a free sentence) it is,
    like 同法 and 该法, the document named last: a back reference, resolved later."""
    out: list[Anchor] = []
    patterns = index.patterns
    statute = is_statute(index, context_doc)
    if patterns.self_references:
        for m in _self_regex(patterns.self_references).finditer(text):
            if statute and context_doc:
                out.append(Anchor(m.start(), m.end(), "self", frozenset({context_doc})))
            else:
                out.append(Anchor(m.start(), m.end(), "back"))
    if patterns.back_references:
        out += [
            Anchor(m.start(), m.end(), "back")
            for m in words_regex(patterns.back_references, ZH_BACK_TEMPLATE).finditer(text)
        ]
    if patterns.en_back_references:
        rx = words_regex(patterns.en_back_references, EN_BACK_TEMPLATE)
        out += [Anchor(m.start(), m.end(), "back", alone=False) for m in rx.finditer(text)]
    if patterns.en_note_references:
        rx = words_regex(patterns.en_note_references, EN_AS_WRITTEN_TEMPLATE)
        out += [Anchor(m.start(), m.end(), "back", alone=False) for m in rx.finditer(text)]
    return out


def _relative_anchors(text: str, index: CitationIndex, doc: str | None, eid: str | None) -> list[Anchor]:
    anchors: list[Anchor] = []
    here = parse_pinpoint(eid) if eid else None
    for m in ZH_RELATIVE.finditer(text):
        word = m.group(0)
        if here is None or doc is None:
            anchors.append(Anchor(m.start(), m.end(), "relative", note=f"{word} needs the citing provision"))
            continue
        art, para, item, _ = here
        count = cn_to_int(m.group("k")) if m.group("k") else 1
        paths: list[Pinpoint] = []
        level = ART
        note = None
        if word == "本条":
            paths, level = [(art, None, None, None)], ART
        elif word == "本款" and para is not None:
            paths, level = [(art, para, None, None)], PARA
        elif word == "本项" and item is not None:
            paths, level = [(art, para, item, None)], ITEM
        elif m.group("unit") == "条":
            earlier = [a for a in index.articles.get(doc, ()) if a < art] or [
                (n, 0) for n in range(max(1, art[0] - count), art[0])
            ]
            paths, level = [(a, None, None, None) for a in earlier[-count:]], ART
        elif m.group("unit") == "款" and para is not None:
            paths = [(art, p, None, None) for p in range(max(1, para - count), para)]
            level = PARA
        elif m.group("unit") == "项" and item is not None:
            paths = [(art, para, i, None) for i in range(max(1, item - count), item)]
            level = ITEM
        if not paths:
            note = f"{word} has nothing to point at from {eid}"
        anchors.append(Anchor(m.start(), m.end(), "relative", frozenset({doc}), None, tuple(paths), level, note))
    return anchors


def _head_word(name: str) -> str:
    """The last word of a name, lower case and singular: "Specifications" -> "specification"."""
    words = re.findall(r"[A-Za-z]+", name)
    return words[-1].casefold().removesuffix("s") if words else ""


def _short_form_anchors(text: str, anchors: list[Anchor], index: CitationIndex, taken: Coverage) -> list[Anchor]:
    """ "the Specification" after "the Personal Information Security Specification": the same document.

    Only a capitalised head word after "the", and only when a document named earlier in the
    same text ends in that word; the latest such document wins.
    """
    heads = {h.casefold().removesuffix("s") for h in index.patterns.title_heads}
    named = [a for a in anchors if a.kind == "name" and a.head]
    if not named:
        return []
    out: list[Anchor] = []
    for m in EN_SHORT_FORM.finditer(text):
        head = m.group("head").casefold().removesuffix("s")
        if head not in heads or taken.hits(m.start("head"), m.end()):
            continue
        earlier = [a for a in named if a.end <= m.start() and a.head == head]
        if earlier:
            a = earlier[-1]
            out.append(Anchor(m.start("head"), m.end(), "name", a.docs, a.year, head=head, latest=a.latest))
    return out


def _choose_anchors(candidates: list[Anchor], taken: Coverage) -> list[Anchor]:
    """Non-overlapping anchors, longest first (本条例 beats 本条, 中华人民共和国民法典 beats 民法典)."""
    chosen: list[Anchor] = []
    for a in sorted(candidates, key=lambda a: (-(a.end - a.start), a.start)):
        if not taken.hits(a.start, a.end):
            chosen.append(a)
            taken.add(a.start, a.end)
    return sorted(chosen, key=lambda a: a.start)


def _drop_abbreviation_definitions(text: str, anchors: list[Anchor]) -> list[Anchor]:
    """ "the Data Security Law (DSL)": the bracketed short name defines, it does not cite again."""
    out: list[Anchor] = []
    for a in anchors:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.docs == a.docs
            and re.fullmatch(r"\s*[（(]\s*", text[prev.end : a.start])
            and re.match(r"\s*[）)]", text[a.end :])
        ):
            continue
        out.append(a)
    return out


def _description_anchors(
    text: str, index: CitationIndex, named: list[Anchor], taken: Coverage, date: str | None
) -> list[Anchor]:
    """Documents described, not named ("the SPC's 2021 interpretation", 2025年《办法》): the one
    work that fits at ``date``; of several, the one named last before if it fits; else unknown
    (no citation alone, but an article after it is not found)."""
    descriptions = index.descriptions
    out: list[Anchor] = []
    for d in descriptions.find(text, taken):
        fitting = descriptions.fits(d, date)
        works = descriptions.works(fitting)
        if len(works) > 1:
            before = [a for a in named if a.end <= d.start and a.kind in ("name", "title") and a.docs]
            if before and (last := set(fitting) & before[-1].docs):
                fitting, works = sorted(last), descriptions.works(last)
        if len(works) == 1:
            out.append(Anchor(d.start, d.end, "name", frozenset(fitting), d.year, head=d.head, described=True))
            continue
        what = f"{len(works)} documents fit" if works else "no document of the knowledge base fits"
        note = f"{text[d.start : d.end]!r} describes a document: {what}"
        out.append(Anchor(d.start, d.end, "unknown", note=note, alone=False, described=True))
    return out


def find_anchors(
    text: str, index: CitationIndex, doc: str | None, eid: str | None, taken: Coverage, date: str | None = None
) -> list[Anchor]:
    """Every anchor in ``text``, in order; their spans (and article headings) become taken.

    ``doc`` and ``eid`` are the citing document and provision (for 本法, 本条, 前款); ``date``
    the citing text's (a description names what existed then).
    """
    for m in ZH_HEADING.finditer(text):
        taken.add(m.start(), m.end())
    titles: list[Anchor] = []
    for m in ZH_BOOK_TITLE.finditer(text):
        title_anchor = _zh_title_anchor(m, index)
        if title_anchor is not None:
            year = _year_suffix(index.patterns.version_words).match(text, m.end())
            if year:  # 《网络安全法》（2016年）第四十一条
                title_anchor = replace(title_anchor, end=year.end(), year=title_anchor.year or int(year.group("year")))
                taken.add(year.start(), year.end())
            titles.append(title_anchor)
        taken.add(m.start(), m.end())  # names inside an unknown title are not citations
    candidates = [
        a
        for a in (
            _name_anchors(text, index, taken)
            + _foreign_law_anchors(text, index.patterns)
            + _self_anchors(text, index, doc)
            + _relative_anchors(text, index, doc, eid)
        )
        if not taken.hits(a.start, a.end)
    ]
    # Titles were taken above only to hide what is inside them; choose them first.
    anchors = sorted(titles, key=lambda a: a.start) + _choose_anchors(candidates, taken)
    anchors.sort(key=lambda a: a.start)
    described = _choose_anchors(_description_anchors(text, index, anchors, taken, date), Coverage(len(text)))
    for a in described:  # 2025年《办法》: the description, not the unknown title 《办法》
        anchors = [b for b in anchors if not (b.kind == "unknown" and a.start <= b.start and b.end <= a.end)]
        taken.add(a.start, a.end)
    anchors = _drop_abbreviation_definitions(text, sorted(anchors + described, key=lambda a: a.start))
    short_forms = _short_form_anchors(text, anchors, index, taken)
    for a in short_forms:
        taken.add(a.start, a.end)
    return sorted(anchors + short_forms, key=lambda a: a.start)
