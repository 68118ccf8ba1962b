"""Attachment: which document each pinpoint chain belongs to.

A chain hangs from the anchor touching it: after it in English ("Article 41 of the
Cybersecurity Law", "Art. 21 DSL"), before it ("PIPL art. 13", 个人信息保护法第十三条),
or before it across a comma ("Data Security Law, Art. 35"). A chain listed between two
documents is split where the keyword is repeated: in "PIPL art. 13(1)(ii) and Art. 1035
of the Civil Code" the first pinpoint is the PIPL's, the second the Civil Code's.

Back references (同法, 该法, and 本法 outside a statute) take the document named last
before them. Outside a statute, an article cited alone ("Article 15", 第十四条) takes the
one work named before it in its sentence, else the one work named before it in the
text; with several works named, it stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from kb.annotate.citations.anchors import Anchor
from kb.annotate.citations.chains import ART, Chain
from kb.annotate.citations.described import fits_noun
from kb.annotate.citations.index import CitationIndex, has_cjk
from kb.annotate.citations.patterns import (
    EN_DESCRIBED_TEMPLATE,
    EN_GAP_AFTER,
    EN_GAP_BEFORE,
    EN_UNKNOWN_BEFORE,
    EN_UNKNOWN_TITLE_TEMPLATE,
    SENTENCE_END,
    words_regex,
)

_DOCUMENT_KINDS = ("name", "title", "back")
_EN_POSSESSIVE = re.compile(r"[A-Z][\w.]*['’]s\s+")  # "the EU's GDPR"  # a back reference becomes a name, or unknown


@dataclass(frozen=True)
class Attached:
    """A chain (or the part of one) and what it hangs from.

    ``after``: the anchor follows the chain ("of the PIPL"). ``implied``: the anchor is a
    document named earlier in the sentence or text, not part of the citation's span.
    ``unknown``: a note when the chain belongs to a document the index does not know.
    """

    chain: Chain
    anchor: Anchor | None = None
    after: bool = False
    implied: bool = False
    unknown: str | None = None


@dataclass(frozen=True)
class _Mention:
    """A document named in the text: ``docs`` empty for one the index does not know."""

    start: int
    end: int
    docs: frozenset[str]
    year: int | None = None
    latest: bool = False


# ---------------------------------------------------------------------------- unknown names


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


def _unknown_document(
    text: str, chain: Chain, index: CitationIndex, by_start: Mapping[int, Anchor] | None = None
) -> str | None:
    """A note when the chain belongs to a document we do not know, named next to it."""
    if chain.lang == "zh" and _unrecognised_name_before(text, chain.start, index):
        return "the document named before the article is not in the knowledge base"
    if chain.lang == "en":
        # "Article 9 of the GDPR", "Article 9 of the EU's GDPR", "Article 9 GDPR": a foreign law after it
        gap = EN_GAP_AFTER.match(text, chain.end)
        if gap is not None and by_start:
            owner = _EN_POSSESSIVE.match(text, gap.end())
            after = by_start.get(owner.end() if owner else gap.end())
            if after is not None and after.kind == "unknown" and after.note:
                return after.note
        heads = index.patterns.title_heads
        unknown = _unknown_title_regex(heads).match(text, chain.end) if heads else None
        if unknown:
            return f"{unknown.group(0).strip()!r} is not in the knowledge base"
        before = EN_UNKNOWN_BEFORE.search(text, max(0, chain.start - 40), chain.start)
        if before:
            return f"{before.group(0).strip()!r} is not in the knowledge base"
    return None


# ---------------------------------------------------------------------------- adjacent anchors


# How closely a name is tied to the chain next to it: "Article 41 of the CSL", "Art. 13
# (PIPL)" (words or a bracket) beat "PIPL art. 13" / "Art. 28 PIPL" (space) beat
# "Data Security Law, Art. 35" / "Art. 28, PIPL" (a comma).
_STRONG, _SPACE, _COMMA = 2, 1, 0


def _anchor_after(text: str, chain: Chain, by_start: Mapping[int, Anchor]) -> tuple[Anchor | None, int]:
    """The document named right after an English chain, and how closely it is tied."""
    if chain.lang != "en":
        return None, _COMMA
    gap = EN_GAP_AFTER.match(text, chain.end)
    after = by_start.get(gap.end()) if gap else None
    if after is None and gap is not None and gap.group("the"):  # "of the same law": "the" is the anchor's
        after = by_start.get(gap.start("the"))
    if gap is None or after is None or not (after.kind in _DOCUMENT_KINDS or after.described):
        return None, _COMMA
    between = gap.group(0)
    return after, _STRONG if re.search(r"[A-Za-z(]", between) else _COMMA if "," in between else _SPACE


def _anchor_before(text: str, chain: Chain, by_end: Mapping[int, Anchor]) -> tuple[Anchor | None, int]:
    """The document named right before the chain, and how closely it is tied."""
    if chain.lang == "zh":
        return by_end.get(_skip_space_back(text, chain.start)), _STRONG
    k = _skip_space_back(text, chain.start)
    if k > 0 and text[k - 1] == "(":  # "PIPL (Art. 13)"
        k = _skip_space_back(text, k - 1)
    elif k < chain.start and text[k - 2 : k] in ("'s", "’s"):  # "the PIPL's Article 13"
        k -= 2
    elif k < chain.start and text[k - 2 : k] in ("s'", "s’"):  # "the 2025 Measures' Article 15"
        k -= 1
    before, tie = (by_end.get(k) if k < chain.start else None), _SPACE
    if before is None:  # "Data Security Law, Art. 35"
        gap = EN_GAP_BEFORE.search(text, max(0, chain.start - 24), chain.start)
        before, tie = (by_end.get(gap.start()) if gap else None), _COMMA
    if before is not None and (before.kind in _DOCUMENT_KINDS or before.described):
        return before, tie
    return None, tie


def _split(chain: Chain, at: int) -> tuple[Chain, Chain]:
    head, tail = chain.elements[:at], chain.elements[at:]
    return (
        Chain(chain.start, head[-1].end, chain.lang, head),
        Chain(tail[0].start, chain.end, chain.lang, tail),
    )


def _adjacent(
    text: str, chain: Chain, by_start: Mapping[int, Anchor], by_end: Mapping[int, Anchor], chain_starts: set[int]
) -> list[Attached]:
    """The chain with the anchor touching it; split when it runs from one document to another."""
    after, after_tie = _anchor_after(text, chain, by_start)
    before, before_tie = _anchor_before(text, chain, by_end)
    weak = after is not None and after_tie < _STRONG
    if weak and after is not None and (after.end in chain_starts or (before is not None and before_tie >= after_tie)):
        after = None  # "PIPL art. 13, DSL art. 21": the DSL has its own article
    if after is not None and before is not None:
        restarts = [i for i, e in enumerate(chain.elements) if i > 0 and e.restart]
        if restarts:  # "PIPL art. 13(1)(ii) and Art. 1035 of the Civil Code"
            head, tail = _split(chain, restarts[-1])
            return [Attached(head, before), Attached(tail, after, after=True)]
    if after is not None:
        return [Attached(chain, after, after=True)]
    return [Attached(chain, before)]


# ---------------------------------------------------------------------------- mentions


def _as_mention(a: Anchor) -> _Mention:
    return _Mention(a.start, a.end, a.docs if a.kind != "unknown" else frozenset(), a.year, a.latest)


def _mentions(anchors: Iterable[Anchor], unknown_chains: Iterable[Chain]) -> list[_Mention]:
    out = [_as_mention(a) for a in anchors if a.kind in ("name", "title", "self", "unknown")]
    out += [_Mention(c.start, c.end, frozenset()) for c in unknown_chains]
    return sorted(out, key=lambda m: (m.end, m.start))


def _resolve_back(anchor: Anchor, mentions: Sequence[_Mention], prior: str | None) -> Anchor:
    """A back reference as the document named last before it (or unknown); ``prior`` is
    the one named last before the text (in an earlier passage)."""
    earlier = [m for m in mentions if m.end <= anchor.start]
    if not earlier and prior is not None:
        return replace(anchor, kind="name", docs=frozenset({prior}))
    if not earlier:
        return replace(anchor, kind="unknown", note="a back reference with no document named before it")
    last = earlier[-1]
    if not last.docs:
        return replace(anchor, kind="unknown", note="refers back to a document not in the knowledge base")
    return replace(anchor, kind="name", docs=last.docs, year=last.year, latest=last.latest)


def _works(index: CitationIndex, mention: _Mention) -> str:
    if not mention.docs:
        return f"?{mention.start}"  # each unknown name counts as a work of its own
    return " ".join(sorted({index.documents[d].work or d for d in mention.docs}))


def _sentence_start(text: str, pos: int) -> int:
    start = 0
    for m in SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    return start


def _described_otherwise(text: str, chain: Chain, docs: frozenset[str], index: CitationIndex) -> str | None:
    """A note when the words after an English chain describe a document of another kind than
    ``docs`` ("Article 4 of the SPC's 2021 interpretation" after the Civil Code was named)."""
    nouns = index.descriptions.en_nouns
    if chain.lang != "en" or not nouns:
        return None
    m = words_regex(tuple(nouns), EN_DESCRIBED_TEMPLATE, re.IGNORECASE).match(text, chain.end)
    if m is None:
        return None
    noun = nouns[re.sub(r"\s+", " ", m.group("noun").casefold())]
    if any(d in index.documents and fits_noun(index.documents[d], noun) for d in docs):
        return None
    return f"{m.group(0).strip()!r} describes a document not named before it"


def _implied(text: str, chain: Chain, mentions: Sequence[_Mention], index: CitationIndex) -> Attached:
    """A bare article outside a statute: the one work named before it in its sentence, else in the
    text, unless the words after it describe a document of another kind."""
    earlier = [m for m in mentions if m.end <= chain.start]
    sentence = _sentence_start(text, chain.start)
    for scope in ([m for m in earlier if m.start >= sentence], earlier):
        works = {_works(index, m) for m in scope}
        if len(works) > 1:
            return Attached(chain)
        if works:
            last = scope[-1]
            if not last.docs:
                return Attached(chain, unknown="the document named before the article is not in the knowledge base")
            if note := _described_otherwise(text, chain, last.docs, index):
                return Attached(chain, unknown=note)
            anchor = Anchor(last.start, last.end, "name", last.docs, last.year, latest=last.latest)
            return Attached(chain, anchor, implied=True)
    return Attached(chain)


# ---------------------------------------------------------------------------- all chains


def attach_chains(
    text: str,
    chains: Sequence[Chain],
    anchors: Sequence[Anchor],
    index: CitationIndex,
    *,
    statute: bool,
    prior: str | None = None,
) -> tuple[list[Attached], list[Anchor]]:
    """Every chain with what it hangs from, and the anchors with back references resolved.

    ``statute``: the citing text is a statute, where a bare 第X条 is its own article (an
    English bare "Article 15" there still takes a law named before it, else the statute).
    ``prior``: the document named last before the text, for a back reference that finds
    none in it (本法 opening a commentary paragraph). A bare article does not use it.
    """
    by_start = {a.start: a for a in anchors}
    by_end = {a.end: a for a in anchors}
    # Where a chain would take a name before it: the name's end, across space or a comma.
    chain_starts = {_skip_space_back(text, c.start) for c in chains}
    attached: list[Attached] = []
    for chain in chains:
        for item in _adjacent(text, chain, by_start, by_end, chain_starts):
            unknown = _unknown_document(text, item.chain, index, by_start) if item.anchor is None else None
            attached.append(replace(item, unknown=unknown))
    mentions = _mentions(anchors, [a.chain for a in attached if a.unknown])
    resolved: dict[int, Anchor] = {}
    for a in sorted(anchors, key=lambda a: a.start):
        if a.kind == "back":
            back = resolved[a.start] = _resolve_back(a, mentions, prior if prior in index.documents else None)
            if back.kind == "name":  # 同法 names the law again: a later 同法 finds it
                mentions = sorted([*mentions, _as_mention(back)], key=lambda m: (m.end, m.start))
    final_anchors = [resolved.get(a.start, a) for a in anchors]
    out: list[Attached] = []
    for item in attached:
        if item.anchor is not None and item.anchor.start in resolved:
            item = replace(item, anchor=resolved[item.anchor.start])
        elif (
            item.anchor is None
            and item.unknown is None
            and item.chain.elements[0].top == ART
            and (
                not statute or item.chain.lang == "en"  # a Chinese statute's bare 第X条 is its own
            )
        ):
            item = _implied(text, item.chain, mentions, index)
        out.append(item)
    return out, final_anchors
