"""Where a page says which site or newsletter it is from: every name it states
(:func:`outlet_sources`, in the rules' order of preference) and the one chosen
(:func:`page_outlet`, the learned choice of :func:`kb.ingest.headers.choose_outlet` when fitted).

The sources: the account a by-line names, a 来源 line, a wire dateline, a 首发于 note, a
masthead or site line above the headline, an issue title (``Name #163:``), a breadcrumb's
first crumb, a © holder or a named publisher.
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

__all__ = ["outlet_sources", "page_outlet"]

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
