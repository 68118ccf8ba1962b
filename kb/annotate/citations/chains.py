"""Pinpoint chains: ``第十三条第一款第（四）项、第十四条`` and ``Articles 13(1)(iv) and 14``.

A chain is a list of elements (with ranges, 第三十四条至第三十七条); each element is a path
(article, paragraph, item, subitem) not yet tied to a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.annotate.citations.patterns import (
    _ART,
    _ITEM,
    _PARA,
    _ROMAN_ITEM,
    _SUB,
    EN_ARTICLE_KEYWORD,
    EN_ELEMENT,
    EN_LIST_SEP,
    EN_PAREN,
    EN_RANGE_SEP,
    ZH_ARTICLE,
    ZH_BARE_UNIT,
    ZH_ITEM,
    ZH_LIST_SEP,
    ZH_PARAGRAPH,
    ZH_RANGE_SEP,
    ZH_SUBITEM,
    ZH_UNIT_START,
)
from kb.ids import Eid
from kb.text.numerals import cn_to_int, roman_to_int

# ---------------------------------------------------------------------------- paths

# A path is (article, paragraph, item, subitem); article is (n, sub), sub 0 for none.
_Path = tuple[Any, Any, Any, Any]


# The eid kind of each level of a path.
_KIND_OF_LEVEL = {_ART: "art", _PARA: "para", _ITEM: "item", _SUB: "subitem"}
_LEVEL_OF_KIND = {kind: level for level, kind in _KIND_OF_LEVEL.items()}


def _eid(path: _Path) -> str:
    """The eid of a path: ``((13, 0), 1, 4, None)`` -> ``art_13__para_1__item_4``."""
    art, para, item, sub = path
    eid = Eid.build("article", f"{art[0]}-{art[1]}" if art[1] else art[0])
    for level, value in ((_PARA, para), (_ITEM, item), (_SUB, sub)):
        if value is None:
            break
        eid = eid.child(_KIND_OF_LEVEL[level], value)
    return str(eid)


def _parse_eid(eid: str) -> _Path | None:
    """The path of an eid made of article, paragraph, item and subitem; None for any other."""
    parsed = Eid.try_parse(eid)
    if parsed is None:
        return None
    values: list[Any] = [None, None, None, None]
    for unit in parsed.units:
        level = _LEVEL_OF_KIND.get(unit.kind)
        if level is None:
            return None
        values[level] = (unit.main, unit.sub) if level == _ART else unit.main
    if values[_ART] is None:
        return None
    return (values[0], values[1], values[2], values[3])


@dataclass
class _Element:
    """One pinpoint of a chain: its units, and the units of a range end if any."""

    start: int
    end: int
    top: int  # the highest level the element states
    units: dict[int, Any]
    range_units: dict[int, Any] | None = None
    para_or_item: int | None = None  # English "(4)" that may be a paragraph or an item


@dataclass
class _Chain:
    start: int
    end: int
    lang: str
    elements: list[_Element]


# ---------------------------------------------------------------------------- chains


def _zh_units(text: str, pos: int) -> tuple[dict[int, Any], int] | None:
    """Units in descending level order from ``pos``: 第十三条第一款第（四）项."""
    units: dict[int, Any] = {}
    last = -1
    for level, rx in ((_ART, ZH_ARTICLE), (_PARA, ZH_PARAGRAPH), (_ITEM, ZH_ITEM), (_SUB, ZH_SUBITEM)):
        m = rx.match(text, pos)
        if not m or level <= last:
            continue
        try:
            n = cn_to_int(m.group("n"))
            value: Any = (n, cn_to_int(m.group("sub")) if m.group("sub") else 0) if level == _ART else n
        except ValueError:
            return None
        units[level] = value
        last = level
        pos = m.end()
    return (units, pos) if units else None


def _zh_bare_unit(text: str, pos: int) -> tuple[dict[int, Any], int] | None:
    m = ZH_BARE_UNIT.match(text, pos)
    if not m:
        return None
    level = "条款项目".index(m.group("unit"))
    try:
        n = cn_to_int(m.group("n"))
    except ValueError:
        return None
    return {level: (n, 0) if level == _ART else n}, m.end()


def _zh_chain(text: str, pos: int) -> _Chain | None:
    first = _zh_units(text, pos)
    if not first:
        return None
    elements: list[_Element] = []
    start = pos
    units, end = first
    while True:
        elem = _Element(start, end, min(units), units)
        rng = ZH_RANGE_SEP.match(text, end)
        if rng:
            nxt = _zh_units(text, rng.end()) or _zh_bare_unit(text, rng.end())
            if nxt and min(nxt[0]) >= elem.top:
                elem.range_units, end = nxt
                elem.end = end
        elements.append(elem)
        sep = ZH_LIST_SEP.match(text, end)
        if not sep or not ZH_UNIT_START.match(text, sep.end()):
            break
        nxt = _zh_units(text, sep.end())
        if not nxt:
            break
        start = sep.end()
        units, end = nxt
    return _Chain(pos, elements[-1].end, "zh", elements)


def _en_element(text: str, pos: int) -> _Element | None:
    m = EN_ELEMENT.match(text, pos)
    if not m:
        return None
    units: dict[int, Any] = {_ART: (int(m.group("n")), 0)}
    parens = EN_PAREN.findall(m.group("parens") or "")
    para_or_item: int | None = None
    if len(parens) == 1:
        token = parens[0]
        if _ROMAN_ITEM.match(token):
            units[_ITEM] = roman_to_int(token)
        else:
            para_or_item = int(token)
    elif len(parens) >= 2:
        units[_PARA] = int(parens[0])
        units[_ITEM] = roman_to_int(parens[1]) if _ROMAN_ITEM.match(parens[1]) else int(parens[1])
        if len(parens) >= 3:
            units[_SUB] = roman_to_int(parens[2]) if _ROMAN_ITEM.match(parens[2]) else int(parens[2])
    if m.group("para"):
        units[_PARA] = int(m.group("para"))
        para_or_item = None
    if m.group("item"):
        token = m.group("item")
        units[_ITEM] = roman_to_int(token) if _ROMAN_ITEM.match(token) else int(token)
    return _Element(pos, m.end(), _ART, units, para_or_item=para_or_item)


def _en_chain(text: str, kw: re.Match[str]) -> _Chain | None:
    elem = _en_element(text, kw.end())
    if not elem:
        return None
    elem.start = kw.start()
    elements = [elem]
    while True:
        rng = EN_RANGE_SEP.match(text, elem.end)
        if rng:
            end_elem = _en_element(text, rng.end())
            if end_elem:
                a, b = elem.units[_ART][0], end_elem.units[_ART][0]
                hyphen = text[elem.end : rng.end()] in ("-", "‐", "‑")
                if hyphen and b < a and len(elem.units) == 1 and elem.para_or_item is None:
                    elem.units[_ART] = (a, b)  # "Article 17-1": 第十七条之一
                else:
                    elem.range_units = {_ART: end_elem.units[_ART]}
                elem.end = end_elem.end
        sep = EN_LIST_SEP.match(text, elem.end)
        if not sep:
            break
        nxt = _en_element(text, sep.end())
        comma_only = not re.search(r"\b(?:and|or)\b|&", text[elem.end : sep.end()])
        if not nxt or (comma_only and nxt.units[_ART][0] >= 1900):
            break  # "Article 13, 2021": a year, not an article
        nxt.start = sep.end()
        elements.append(nxt)
        elem = nxt
    return _Chain(kw.start(), elements[-1].end, "en", elements)


# ---------------------------------------------------------------------------- anchors


class _Coverage:
    """Which characters of the text are already taken (headings, titles, anchors, chains)."""

    def __init__(self, size: int) -> None:
        self._bits = bytearray(size)

    def add(self, start: int, end: int) -> None:
        self._bits[start:end] = b"\x01" * (end - start)

    def hits(self, start: int, end: int) -> bool:
        return self._bits.find(1, start, end) != -1


def _chains(text: str, taken: _Coverage) -> list[_Chain]:
    """Every Chinese and English pinpoint chain outside the taken spans, in order."""
    chains: list[_Chain] = []
    for m in ZH_UNIT_START.finditer(text):
        if taken.hits(m.start(), m.end()):
            continue
        chain = _zh_chain(text, m.start())
        if chain:
            chains.append(chain)
            taken.add(chain.start, chain.end)
    for kw in EN_ARTICLE_KEYWORD.finditer(text):
        if taken.hits(kw.start(), kw.end()):
            continue
        chain = _en_chain(text, kw)
        if chain:
            chains.append(chain)
            taken.add(chain.start, chain.end)
    return sorted(chains, key=lambda c: c.start)
