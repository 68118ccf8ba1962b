"""Where a page says which site or newsletter it is from: every name it states
(:func:`outlet_sources`, in the rules' order of preference) and the one chosen
(:func:`page_outlet`, the learned choice of :func:`kb.ingest.headers.choose_outlet` when fitted).

The sources: the account a by-line names, a 来源 line, a wire dateline, a 首发于 note, a
masthead or site line above the headline, an issue title (``Name #163:``), a breadcrumb's
first crumb, a © holder or a named publisher. After them, the wider sources of
:func:`region_sources`: the page's header and footer lines (its first and last blocks) read for
a labelled field naming the publisher (``[line.outlet_field]``), a 版权归…所有 note, a channel's
name before its ``(@handle)``, an organisation's name by its ending (…日报, …实验室, … Institute),
a name standing in both the header and the footer, and a header name that is the page's web
address's domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.ingest.commentary_blocks import ENDS_SENTENCE
from kb.ingest.commentary_page import (
    Page,
    cjk_site_owner,
    masthead_like,
    masthead_name,
    named_publisher,
    wire_service,
)
from kb.ingest.furniture import copyright_holder, is_title_case, source_name, without_channel
from kb.ingest.headers import CN_SITE_NAME, choose_outlet
from kb.ingest.normalize import is_cjk_text

__all__ = ["outlet_sources", "page_outlet", "region_sources"]

_ISSUE_TITLE = re.compile(r"^(?P<name>[A-Z][\w&.' -]{1,40}?)\s*#\s*\d+\s*[:|–—-]")
# "本文首发于个人博客「阿满的自留地」": where a repost first appeared.
_FIRST_PUBLISHED_IN = re.compile(
    r"(?:首发于|原载于|原文刊于|转载自).{0,10}?[「《“\"](?P<name>[^」》”\"]{2,24})[」》”\"]"
)
# "本文由某某商业原创，转载请联系授权": the outlet that wrote it, in its reprint note.
_ORIGINAL_BY = re.compile(r"本文(?:由|为|系)(?P<name>[^\s，,。：:“”「」《》]{2,16}?)(?:独家)?原创")


# A breadcrumb trail's first crumb is the site ("Site › Section › Page"), unless it says "Home".
_BREADCRUMB_SITE = re.compile(r"^(?P<name>[^›>»|｜\n]{2,40}?)\s*[›>»]\s*[^›>»]+[›>»]")
_META_LINE_MAX_UNITS = 40  # a page's line of labelled fields (来源：… 浏览次数：…) is short, with no 。
_CRUMB_HOME = frozenset({"home", "首页", "主页", "当前位置", "您现在的位置", "位置"})

HEADER_BLOCKS = 8  # a page's header region: its first blocks (a feed's, a chat export's fields)
FOOTER_BLOCKS = 6  # its footer region: its last blocks (a maintainer line, a © note, a disclaimer)
_REGION_LINE_MAX_UNITS = 40  # a header's or footer's line is short and ends no sentence
# Where a field's value or a header's segment ends: a bar, a middle dot, two spaces, a bracket.
_SEGMENT_END = re.compile(r"\s+[|｜·•/›»—–-]\s+|[|｜·•]|\s{2,}|\u3000|\s*[(（\[【]|[，,。;；]")
# "版权归某某日报社所有", "本白皮书版权归某某联盟所有": the holder of a Chinese rights note.
_RIGHTS_HELD_BY = re.compile(r"版权(?:归|属于?)(?P<name>[^\s，,。；;：:]{2,24}?)(?:所有|享有)")
# "📡 某某观察 (@handle)": a channel's or an account's name before its handle.
_BEFORE_HANDLE = re.compile(r"^[^\w@]*(?P<name>[^\s@()（）][^@()（）]{0,38}?)\s*[(（]@\w{2,}[)）]")
# An organisation's name by its ending, after a boundary (the line's start, a space, a colon):
# a paper, a lab, an institute, an alliance, a law firm; "Example Vision Lab", "Example Policy Review".
_ORG_NAME = re.compile(
    r"(?:^|(?<=[\s:：，,、(（「《“]))(?P<name>[\u4e00-\u9fff]{2,12}?"
    r"(?:日报|晚报|早报|报社|杂志社|出版社|电视台|电台|实验室|研究院|研究所|研究中心|联盟|协会|学会|律师事务所|基金会))"
    r"|(?P<en>(?:[A-Z][\w&'-]*\s+){1,4}(?:Lab|Labs|Laboratory|Institute|Review|Journal|Times|Post|Daily|Gazette|Herald|Tribune|Foundation|Alliance|Association|Society|Centre|Center))\b"
)
_URL_HOST = re.compile(r"https?://(?:www\.)?(?P<host>[\w.-]+)")
REGION_SOURCES = ("field", "handle", "rights", "domain", "recurring", "org_name")  # the rules' order
_NAME_MAX_CJK = 16  # a publisher's name: at most this many Chinese characters ...
_NAME_MAX_WORDS = 7  # ... or words ("Lattice Institute for Technology and Society" is 6)


def _short_name(page: Page, i: int) -> bool:
    """A name of one to four capitalised words, with no sentence or date in it, that the
    site's menu follows ("Pagoda Privacy" / "Subscribe" / "Sign in")."""
    b = page.blocks[i]
    words = b.text.split()
    return (
        1 <= len(words) <= 4
        and is_title_case(b.text)
        and not any(ch.isdigit() for ch in b.text)
        and not ENDS_SENTENCE.search(b.text)
        and i + 1 < len(page.blocks)
        and page.furniture[i + 1] in ("menu", "subscribe", "menu-label")
    )


def _region(page: Page) -> list[int]:
    """The page's header and footer lines: its first :data:`HEADER_BLOCKS` and last
    :data:`FOOTER_BLOCKS` blocks that are short and end no sentence."""
    n = len(page.blocks)
    return [
        i
        for i in range(n)
        if (i < HEADER_BLOCKS or i >= n - FOOTER_BLOCKS)
        and page.blocks[i].units <= _REGION_LINE_MAX_UNITS
        and "。" not in page.blocks[i].text
    ]


def first_segment(value: str) -> str:
    """A field's value up to its first separator, a name's shape or empty.

    >>> first_segment("某某日报 · 评论频道 (RSS 2.0)"), first_segment("Example Home Retail  ·  exported")
    ('某某日报', 'Example Home Retail')
    >>> first_segment("2026-01-15"), first_segment("Jane Roe said she would not sign it, and left")
    ('', '')
    """
    name = _SEGMENT_END.split(value.strip(), maxsplit=1)[0].strip(" \t:：-–—")
    return name if _name_shaped(name) else ""


def _name_shaped(name: str) -> bool:
    """A publisher's name by its shape: letters, no digit-only run and no sentence's end; at most
    :data:`_NAME_MAX_CJK` Chinese characters, or one word or a few in Title Case (at most
    :data:`_NAME_MAX_WORDS`)."""
    cjk = is_cjk_text(name)
    words = name.split()
    return (
        len(name) >= 2
        and (
            len(name) <= _NAME_MAX_CJK
            if cjk
            else len(words) == 1 or (len(words) <= _NAME_MAX_WORDS and is_title_case(name))
        )
        and any(c.isalpha() for c in name)
        and not ENDS_SENTENCE.search(name)
        and not re.fullmatch(r"[\d\s.:/-]+", name)
        and not re.search(r"[【】\[\]［］]", name)  # a bracketed label (【基本案情】) or a button, no name
    )


def _several_units(name: str) -> bool:
    """Two words or more, or four Chinese characters: a single word ("Asia") recurs by chance."""
    return len(name) >= 4 if is_cjk_text(name) else len(name.split()) >= 2


def region_sources(page: Page) -> Iterator[tuple[str, int, str]]:
    """Names the page's header and footer lines state (see the module docstring), as
    (source, block, name), by kind: ``field``, ``handle``, ``rights``, ``domain``,
    ``recurring``, ``org_name``."""
    blocks, region = page.blocks, _region(page)
    n = len(blocks)
    found: dict[str, list[tuple[int, str]]] = {k: [] for k in REGION_SOURCES}
    half = n // 2  # on a short page, the header is its first half and the footer its second
    header = [i for i in region if i < min(HEADER_BLOCKS, half)]
    footer_text = " ".join(blocks[i].text for i in region if i >= max(n - FOOTER_BLOCKS, half))
    hosts = {
        label.casefold()
        for i in range(min(n, HEADER_BLOCKS))
        for m in _URL_HOST.finditer(blocks[i].text)
        for label in m.group("host").split(".")[:-1]
        if len(label) >= 4
    }
    for i in region:
        text = blocks[i].text
        if (m := page.rules.line_match("outlet_field", text)) and (name := first_segment(m.group("name"))):
            found["field"].append((i, without_channel(name)))
        if i < 3 and (m := _BEFORE_HANDLE.match(text)) and _name_shaped(m.group("name").strip()):
            found["handle"].append((i, m.group("name").strip()))
        if (m := _RIGHTS_HELD_BY.search(text)) and _name_shaped(m.group("name")):
            found["rights"].append((i, m.group("name")))
        for m in _ORG_NAME.finditer(text):
            found["org_name"].append((i, (m.group("name") or m.group("en")).strip()))
        if i not in header:
            continue
        for seg in (part.strip() for part in _SEGMENT_END.split(text)):
            words = seg.split()
            for k in range(1, min(len(words), 4) + 1):  # "Example new | threads": the site before its menu
                run = " ".join(words[:k])
                if "".join(run.split()).casefold() in hosts:
                    found["domain"].append((i, run))
            # "Slack export · #channel · Example Retail" … "Do not forward outside Example Retail."
            if (
                _name_shaped(seg)
                and _several_units(seg)
                and not seg[0].islower()
                and re.search(rf"(?<!\w){re.escape(seg)}(?!\w)", footer_text)
            ):
                found["recurring"].append((i, seg))
    for kind in REGION_SOURCES:
        for i, name in found[kind]:
            yield kind, i, name


def page_outlet(page: Page, title: int | None) -> str | None:
    """The site or newsletter name: the learned choice among :func:`outlet_sources` when fitted
    (:func:`kb.ingest.headers.choose_outlet`), else the first of them."""
    return choose_outlet(title, outlet_sources(page, title))


def outlet_sources(page: Page, title: int | None) -> Iterator[tuple[str, int, str]]:
    """Every site or newsletter name the page states, as (source, block, name), the rules'
    preference first: the account a by-line names (a WeChat header), a 来源 line, a wire
    dateline, a 首发于 note, the first line above the headline when it is a masthead or a
    site's name, ``Name #163:`` issue title, a breadcrumb's first crumb, or a © holder."""
    blocks = page.blocks
    for i, b in enumerate(blocks):
        m = page.rules.line_match("byline", b.text) if page.furniture[i] == "byline" else None
        if m is not None and m.groupdict().get("outlet"):
            yield "byline", i, without_channel(m.group("outlet"))
        meta_line = page.furniture[i] is not None or ("。" not in b.text and b.units <= _META_LINE_MAX_UNITS)
        if name := source_name(b.text, alone=not meta_line):  # a meta line: "发布机构：… 浏览次数：…"
            yield "source", i, name
        if name := wire_service(b.text, [a.text for a in blocks[:i]]):
            yield "wire", i, name
        if i < 8 and (m := _FIRST_PUBLISHED_IN.search(b.text)):
            yield "first_published", i, m.group("name").strip()
        if m := _ORIGINAL_BY.search(b.text):
            yield "original_by", i, m.group("name")
    # a line above the headline ("某某法治报 · 以案说法" reads as a breadcrumb)
    first = next((i for i in range(len(blocks)) if page.furniture[i] in (None, "breadcrumb")), None)
    if first is not None and title is not None and first < title:
        if masthead_like(page, first, title):
            yield "masthead", first, masthead_name(blocks[first].text).title()  # THE FACE LEDGER
        elif CN_SITE_NAME.match(masthead_name(blocks[first].text)) or _short_name(page, first):
            yield "site_line", first, masthead_name(blocks[first].text)  # 西湖政法大学法学院; "Pagoda Privacy"
    for i in range(title if title is not None else 0):
        if page.rules.is_site_name(blocks[i].text) and not blocks[i].marker:
            yield "site_name", i, masthead_name(blocks[i].text)
    if title is not None and (m := _ISSUE_TITLE.match(blocks[title].text)):
        yield "issue_title", title, m.group("name").strip()
    for i in range(min(title if title is not None else 0, 3)):  # "ShanghaiExpat Forums › Work › Legal"
        crumb = c.group("name").strip() if (c := _BREADCRUMB_SITE.match(blocks[i].text)) else ""
        if crumb and re.split(r"[:：]\s*", crumb)[-1].casefold() not in _CRUMB_HOME:  # "当前位置：首页 > …"
            yield "breadcrumb", i, masthead_name(crumb)
    for i, b in enumerate(blocks):
        if name := copyright_holder(b.text):
            yield "copyright", i, name
        if name := cjk_site_owner(b.text):
            yield "copyright", i, masthead_name(name)
    for i, b in enumerate(blocks):
        if name := named_publisher(b.text):
            yield "source", i, name
    yield from region_sources(page)
