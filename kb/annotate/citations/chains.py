"""Pinpoint chains: ``第十三条第一款第（四）项、第十四条`` and ``Articles 13(1)(iv) and 14``.

A chain is a list of elements (with ranges, 第三十四条至第三十七条); each element is a path
(article, paragraph, item, subitem) not yet tied to a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.annotate.citations.patterns import (
    EN_ARTICLE_KEYWORD,
    EN_ELEMENT,
    EN_INNER_BEFORE,
    EN_KEYWORD_REPEATED,
    EN_LIST_SEP,
    EN_ORDINALS,
    EN_PAREN,
    EN_PAREN_RANGE,
    EN_RANGE_SEP,
    ROMAN_ITEM,
    ZH_ARTICLE,
    ZH_BARE_UNIT,
    ZH_ITEM,
    ZH_LIST_SEP,
    ZH_PARAGRAPH,
    ZH_RANGE_SEP,
    ZH_SHARED_LIST,
    ZH_SHARED_REST,
    ZH_SUBITEM,
    ZH_UNIT_START,
)
from kb.ids import Eid
from kb.text.numerals import cn_to_int, roman_to_int

# ---------------------------------------------------------------------------- paths

# The levels of a path, outermost first.
ART, PARA, ITEM, SUB = range(4)
# A path is (article, paragraph, item, subitem); article is (n, sub), sub 0 for none.
Pinpoint = tuple[Any, Any, Any, Any]


# The eid kind of each level of a path.
PATH_KINDS = {ART: "art", PARA: "para", ITEM: "item", SUB: "subitem"}
_LEVEL_OF_KIND = {kind: level for level, kind in PATH_KINDS.items()}


def pinpoint_eid(path: Pinpoint) -> str:
    """The eid of a path: ``((13, 0), 1, 4, None)`` -> ``art_13__para_1__item_4``."""
    art, para, item, sub = path
    eid = Eid.build("article", f"{art[0]}-{art[1]}" if art[1] else art[0])
    for level, value in ((PARA, para), (ITEM, item), (SUB, sub)):
        if value is None:
            break
        eid = eid.child(PATH_KINDS[level], value)
    return str(eid)


def parse_pinpoint(eid: str) -> Pinpoint | None:
    """The path of an eid made of article, paragraph, item and subitem; None for any other."""
    parsed = Eid.try_parse(eid)
    if parsed is None:
        return None
    values: list[Any] = [None, None, None, None]
    for unit in parsed.units:
        level = _LEVEL_OF_KIND.get(unit.kind)
        if level is None:
            return None
        values[level] = (unit.main, unit.sub) if level == ART else unit.main
    if values[ART] is None:
        return None
    return (values[0], values[1], values[2], values[3])


@dataclass
class Element:
    """One pinpoint of a chain: its units, and the units of a range end if any."""

    start: int
    end: int
    top: int  # the highest level the element states
    units: dict[int, Any]
    range_units: dict[int, Any] | None = None
    para_or_item: int | None = None  # English "(4)" that may be a paragraph or an item
    restart: bool = False  # English: the list repeats the keyword here ("… and Art. 1035")


@dataclass
class Chain:
    start: int
    end: int
    lang: str
    elements: list[Element]


# ---------------------------------------------------------------------------- chains


def _zh_units(text: str, pos: int) -> tuple[dict[int, Any], int, list[Element]] | None:
    """Units in descending level order from ``pos``: 第十三条第一款第（四）项.

    A shared list ends the units: 第十三条第一款第二、三项 gives the units up to item 2 and,
    as further elements, item 3 (each with the span of its number).
    """
    units: dict[int, Any] = {}
    last = -1
    for level, rx in ((ART, ZH_ARTICLE), (PARA, ZH_PARAGRAPH), (ITEM, ZH_ITEM), (SUB, ZH_SUBITEM)):
        m = rx.match(text, pos)
        if level <= last:
            continue
        if not m:
            shared = ZH_SHARED_LIST.match(text, pos)
            if shared and "条款项目".index(shared.group("unit")) == level:
                return _zh_shared(units, level, shared)
            continue
        try:
            n = cn_to_int(m.group("n"))
            value: Any = (n, cn_to_int(m.group("sub")) if m.group("sub") else 0) if level == ART else n
        except ValueError:
            return None
        units[level] = value
        last = level
        pos = m.end()
    return (units, pos, []) if units else None


def _zh_shared(units: dict[int, Any], level: int, m: re.Match[str]) -> tuple[dict[int, Any], int, list[Element]] | None:
    def value(numeral: str) -> Any:
        n = cn_to_int(numeral)
        return (n, 0) if level == ART else n

    try:
        first = {**units, level: value(m.group("n"))}
        rest = [
            (r.start("n"), r.end(), value(r.group("n")))
            for r in ZH_SHARED_REST.finditer(m.group(0), m.start("rest") - m.start(), m.end("rest") - m.start())
        ]
    except ValueError:
        return None
    extras = [Element(m.start() + a, m.start() + b, level, {level: v}) for a, b, v in rest]
    extras[-1].end = m.end()  # the last number takes the unit: "二十九条"
    return first, m.end("n"), extras


def _zh_bare_unit(text: str, pos: int) -> tuple[dict[int, Any], int, list[Element]] | None:
    m = ZH_BARE_UNIT.match(text, pos)
    if not m:
        return None
    level = "条款项目".index(m.group("unit"))
    try:
        n = cn_to_int(m.group("n"))
    except ValueError:
        return None
    return {level: (n, 0) if level == ART else n}, m.end(), []


def _zh_chain(text: str, pos: int) -> Chain | None:
    first = _zh_units(text, pos)
    if not first:
        return None
    elements: list[Element] = []
    start = pos
    units, end, extras = first
    while True:
        elem = Element(start, end, min(units), units)
        rng = ZH_RANGE_SEP.match(text, end) if not extras else None
        if rng:
            nxt = _zh_units(text, rng.end()) or _zh_bare_unit(text, rng.end())
            if nxt and min(nxt[0]) >= elem.top:
                elem.range_units, end = nxt[0], nxt[1]
                elem.end = end
        elements.append(elem)
        if extras:
            elements += extras
            end = extras[-1].end
        sep = ZH_LIST_SEP.match(text, end)
        if not sep or not ZH_UNIT_START.match(text, sep.end()):
            break
        nxt = _zh_units(text, sep.end())
        if not nxt:
            break
        start = sep.end()
        units, end, extras = nxt
    return Chain(pos, elements[-1].end, "zh", elements)


def _en_element(text: str, pos: int) -> Element | None:
    m = EN_ELEMENT.match(text, pos)
    if not m:
        return None
    units: dict[int, Any] = {ART: (int(m.group("n")), 0)}
    parens = EN_PAREN.findall(m.group("parens") or "")
    para_or_item: int | None = None
    if len(parens) == 1:
        token = parens[0]
        if ROMAN_ITEM.match(token):
            units[ITEM] = roman_to_int(token)
        else:
            para_or_item = int(token)
    elif len(parens) >= 2:
        units[PARA] = int(parens[0])
        units[ITEM] = roman_to_int(parens[1]) if ROMAN_ITEM.match(parens[1]) else int(parens[1])
        if len(parens) >= 3:
            units[SUB] = roman_to_int(parens[2]) if ROMAN_ITEM.match(parens[2]) else int(parens[2])
    if m.group("para"):
        units[PARA] = int(m.group("para"))
        para_or_item = None
    if m.group("item"):
        token = m.group("item")
        units[ITEM] = roman_to_int(token) if ROMAN_ITEM.match(token) else int(token)
        if para_or_item is not None:  # "Article 13(1), item (ii)"
            units.setdefault(PARA, para_or_item)
            para_or_item = None
    return Element(pos, m.end(), ART, units, para_or_item=para_or_item)


def _number(token: str) -> int:
    return roman_to_int(token) if ROMAN_ITEM.match(token) else int(token)


def _inner_before(text: str, elem: Element) -> None:
    """ "paragraph 2 of Article 47", "item (ii) of paragraph 1 of Article 13": the units
    written before the article join it, and so does their text."""
    for rx in EN_INNER_BEFORE:
        m = rx.search(text, max(0, elem.start - 90), elem.start)
        if not m:
            continue
        groups = m.groupdict()
        para = int(groups["para"]) if groups.get("para") else None
        if groups.get("ord"):
            para = EN_ORDINALS.index(groups["ord"].casefold()) + 1
        item = _number(groups["item"]) if groups.get("item") else None
        if para is not None and (PARA in elem.units or elem.para_or_item is not None):
            return
        if item is not None and ITEM in elem.units:
            return
        if para is not None:
            elem.units[PARA] = para
        if item is not None:
            if elem.para_or_item is not None:  # "item 3 of Article 13(1)"
                elem.units[PARA] = elem.para_or_item
                elem.para_or_item = None
            elem.units[ITEM] = item
        elem.start = m.start()
        return


def _paren_range(text: str, elem: Element) -> None:
    """ "Article 13(1)(ii)-(iv)": a range of the deepest unit the element states."""
    m = EN_PAREN_RANGE.match(text, elem.end)
    if not m:
        return
    token = m.group("n")
    if SUB in elem.units:
        level = SUB
    elif ITEM in elem.units or (elem.para_or_item is None and PARA not in elem.units):
        level = ITEM
    elif elem.para_or_item is not None and ROMAN_ITEM.match(token):  # "13(1)-(iii)": read as items of paragraph 1
        elem.units[PARA], elem.para_or_item, level = elem.para_or_item, None, ITEM
    else:
        return
    if level not in elem.units:
        return
    elem.range_units = {level: _number(token)}
    elem.end = m.end()


def _en_chain(text: str, kw: re.Match[str]) -> Chain | None:
    elem = _en_element(text, kw.end())
    if not elem:
        return None
    elem.start = kw.start()
    _inner_before(text, elem)
    elements = [elem]
    while True:
        _paren_range(text, elem)
        rng = EN_RANGE_SEP.match(text, elem.end) if elem.range_units is None else None
        if rng:
            end_elem = _en_element(text, rng.end())
            if end_elem:
                a, b = elem.units[ART][0], end_elem.units[ART][0]
                hyphen = text[elem.end : rng.end()] in ("-", "‐", "‑")
                if hyphen and b < a and len(elem.units) == 1 and elem.para_or_item is None:
                    # "Article 17-1(2)": 第十七条之一第二款
                    elem.units = {**end_elem.units, ART: (a, b)}
                    elem.para_or_item = end_elem.para_or_item
                else:
                    elem.range_units = {ART: end_elem.units[ART]}
                elem.end = end_elem.end
        sep = EN_LIST_SEP.match(text, elem.end)
        if not sep:
            break
        nxt = _en_element(text, sep.end())
        comma_only = not re.search(r"\b(?:and|or)\b|&", text[elem.end : sep.end()])
        if not nxt or (comma_only and nxt.units[ART][0] >= 1900):
            break  # "Article 13, 2021": a year, not an article
        again = EN_KEYWORD_REPEATED.search(text, elem.end, sep.end())
        nxt.start = again.start() if again else sep.end()
        nxt.restart = again is not None
        elements.append(nxt)
        elem = nxt
    return Chain(elements[0].start, elements[-1].end, "en", elements)


# ---------------------------------------------------------------------------- anchors


class Coverage:
    """Which characters of the text are already taken (headings, titles, anchors, chains)."""

    def __init__(self, size: int) -> None:
        self._bits = bytearray(size)

    def add(self, start: int, end: int) -> None:
        self._bits[start:end] = b"\x01" * (end - start)

    def hits(self, start: int, end: int) -> bool:
        return self._bits.find(1, start, end) != -1


def find_chains(text: str, taken: Coverage) -> list[Chain]:
    """Every Chinese and English pinpoint chain outside the taken spans, in order."""
    chains: list[Chain] = []
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
