"""Commentary captures -> clean passages.

A capture is the text of a web page as a browser would copy it: the article plus the
site around it (menus, share widgets, photo credits, by-lines, bios, related posts,
footers, subscription appeals). The cleaner works in layers, each testable alone:

1. :func:`segment_blocks` cuts the text into blocks (one per line; a line that
   plainly continues the one before, starting lower-case, is joined to it) and keeps
   each block's offsets into the raw text and its list or quote marker;
2. :class:`kb.ingest.commentary_page.Page` looks at each block on its own (furniture
   wherever it stands, prose, heading, caption, bio);
3. :func:`layout_blocks` finds the title, the first and last block of the article
   and decides for every block: kept (as heading, paragraph, list item or quote) or
   dropped, with the reason (``credit``, ``caption``, ``bio``, ``after-end`` ...);
4. :func:`parse_commentary` turns the kept blocks into :class:`~kb.model.Passage`
   objects with sentence spans (:func:`kb.ingest.sentences.split_sentences`) and source offsets.

Invariant (tested): for every passage, ``normalise(text[p.source.start:p.source.end])
== p.text``. The rules that say what furniture looks like are data
(``corpus/commentary_rules.toml``, see :mod:`kb.ingest.furniture`).

>>> from kb.model import DocumentMeta
>>> page = "Menu\\n\\nA Title About Face Rules\\n\\nBy Jane Doe\\n\\nThe draft bans it. Dr. Li agrees.\\n"
>>> parsed = parse_commentary(DocumentMeta(id="x", kind="commentary"), page, "x.txt")
>>> [(p.id, p.kind, p.text) for p in parsed.passages]
[('x/p_1', 'paragraph', 'The draft bans it. Dr. Li agrees.')]
>>> parsed.passages[0].sentences
((0, 18), (19, 33))
>>> dict(parsed.extracted)
{'title': 'A Title About Face Rules', 'authors': 'Jane Doe'}
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from kb.errors import EmptySource
from kb.ingest.commentary_blocks import Block, normalise, segment_blocks
from kb.ingest.commentary_page import (
    AFFILIATION,
    BARE_NAME,
    COLUMN_TAG,
    RULE_LINE,
    Page,
    answer_headers,
    author_box,
    box_authors,
    fold,
    full_name,
    fully_quoted,
    masthead_like,
    masthead_name,
    masthead_tagline,
    name_above_votes,
    names_by_outlet,
    repeats_title,
    trim_news_marks,
)
from kb.ingest.datelines import parse_date_line
from kb.ingest.furniture import (
    FurnitureRules,
    interviewer,
    is_title_case,
    load_rules,
    page_url,
    parse_byline,
)
from kb.ingest.headers import (
    CN_SITE_NAME,
    PUBLISHED_WORD,
    TITLE_BYLINE_WINDOW,
    TITLE_LABEL,
    TITLE_SHORT_UNITS,
    choose_date,
    choose_title,
    chrome_row,
    date_pieces,
    headline_shaped,
    menu_shaped,
    release_date,
    title_text,
)
from kb.ingest.learned_furniture import drop_learned_furniture
from kb.ingest.markup import NO_MARKS, Marks
from kb.ingest.outlets import page_outlet
from kb.ingest.sentences import split_sentences
from kb.model import DocumentMeta, ParsedCommentary, Passage, SourceSpan

__all__ = [
    "BlockDecision",
    "Layout",
    "PassageKind",
    "finish_decisions",
    "layout_blocks",
    "parse_commentary",
    "passages_from_layout",
    "trim_lead_and_end",
]

log = logging.getLogger(__name__)

PassageKind = Literal["paragraph", "heading", "list_item", "quote"]
Part = Literal["body", "newsletter-items"]

# ------------------------------------------------------------------ thresholds
MENU_LIKE_MAX_UNITS = 3  # before the article, lines this short are menus and labels
NAV_LIST_SHORT_UNITS = 4
NAV_LIST_SHORT_SHARE = 0.8  # of the items must be short for a list to be a menu ...
NAV_LIST_VOCAB_SHARE = 0.3  # ... and this many menu words, unless a menu label heads it
TITLE_MIN_SCORE = 3
END_TRAILING_PROSE_BLOCKS = 2  # an end marker followed by this much prose is a mid-article box
END_TRAILING_PROSE_CHARS = 400
HEADING_CHAIN_MAX = 3  # "Key Takeaways:" / "Why does China need ...?" / text


# -------------------------------------------------------------------- layout
@dataclass(frozen=True, slots=True)
class BlockDecision:
    """What became of one block: kept as ``kind`` in ``part``, or dropped for ``reason``."""

    block: Block
    keep: bool
    reason: str
    kind: PassageKind | None = None
    part: Part = "body"


@dataclass(frozen=True)
class Layout:
    decisions: tuple[BlockDecision, ...]
    sentences: tuple[tuple[tuple[int, int], ...], ...]  # per block
    title_index: int | None
    body_start: int
    body_end: int
    extracted: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# A Chinese news dateline naming its reporters: "…11月17日电 （记者 孙晗）", "本报讯（记者 孙悦 王五）".
_CN_DATELINE = re.compile(r"(?:\d{1,2}月\d{1,2}日电|讯)\s*[（(](?:本报|特约|见习)?记者\s*(?P<names>[^）)]{2,30})[）)]")
# The last word of a team's or desk's name signed under a help or news page.
_TEAM_NAME = re.compile(r"\b(?:support|team|desk|staff|editors|editorial|office|newsroom|service)$", re.I)


def _find_title(page: Page, first_prose: int, meta: DocumentMeta | None, marks: Marks) -> int | None:
    """The block holding the headline, looked for before the first paragraph of prose."""
    limit = min(first_prose + 1, len(page.blocks))
    if meta is not None and meta.title_en:
        wanted = fold(normalise(meta.title_en))
        for i in range(limit):
            if page.folds[i] == wanted:
                return i
    # the hand-scored choice below, then the learned choice over it (kb.ingest.headers), when fitted
    scored = _scored_title(page, first_prose)
    learned = choose_title(page, first_prose, marks, scored)
    return scored if learned is False else learned


def _byline_next(page: Page, i: int) -> bool:
    """A by-line right below block ``i`` or right above it (a forum post's "Posted by …")."""
    return any(0 <= j < len(page.blocks) and page.furniture[j] == "byline" for j in (i - 1, i + 1))


def _scored_title(page: Page, first_prose: int) -> int | None:
    """The hand-scored headline: points for title case, length, repeats, a by-line near ..."""
    best: tuple[int, int] | None = None
    first_candidate = True
    # The first "prose" line may itself be the headline (a question, a long Chinese title).
    first_block = next((j for j in range(len(page.blocks)) if page.furniture[j] is None), -1)
    for i in range(min(first_prose + 1, len(page.blocks))):
        b = page.blocks[i]
        # a pasted page's first line, or the line right over or under the by-line, read as a headline
        read_as_headline = (i == first_block or _byline_next(page, i)) and headline_shaped(b)
        shaped = page.heading_like(i) or read_as_headline
        if page.furniture[i] or not shaped or b.units < 2:
            continue
        if (
            page.rules.is_site_name(b.text)
            or COLUMN_TAG.match(b.text)  # "【直播回放·文字整理】": the column's tag
            or masthead_like(page, i, first_prose)
            or CN_SITE_NAME.match(masthead_name(b.text))
            or masthead_tagline(page, i, first_prose)
            or menu_shaped(b.text)  # "首页 职位 公司 APP下载": the site's menu
            or chrome_row(b.text)  # "Item 3 / 20 [Mark read] [Save]": a reader's controls
        ):
            continue  # the masthead or the menu, not the headline
        score = 0
        score += 2 if is_title_case(b.text) else 0
        score += 1 if b.units >= 4 else -2 if b.units <= TITLE_SHORT_UNITS else 0
        # repeated on the page, alone or as the running headers' left part ("<title>｜<section>")
        score += 3 if page.fold_counts[page.folds[i]] > 1 or page.folds[i] in page.running_titles else 0
        # A by-line or date line near it: after the headline, or before it in a newsletter's header.
        window = range(max(0, i - TITLE_BYLINE_WINDOW), min(i + 1 + TITLE_BYLINE_WINDOW, len(page.blocks)))
        score += 2 if any(page.furniture[j] in ("byline", "dateline") for j in window if j != i) else 0
        score += 1 if first_candidate else 0
        score += 1 if read_as_headline else 0
        score += 1 if i in page.marked_headings else 0  # "# Headline" in Markdown
        score += 2 if i + 1 < len(page.blocks) and RULE_LINE.match(page.blocks[i + 1].text) else 0  # set off by a rule
        score += 2 if TITLE_LABEL.match(b.text) else 0  # "Title: …", "标题：…": a feed's or a form's field says so
        first_candidate = False
        if score >= TITLE_MIN_SCORE and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


def _find_end(page: Page, body_start: int) -> int:
    """The first hard end marker, or related-posts/copyright marker not followed by article prose."""
    n = len(page.blocks)
    # Suffix sums of article-like prose after each block: blocks and characters.
    count_after = [0] * (n + 1)
    chars_after = [0] * (n + 1)
    for j in range(n - 1, -1, -1):
        prose = page.furniture[j] is None and page.is_prose(j) and not page.bio_subject(j)
        count_after[j] = count_after[j + 1] + prose
        chars_after[j] = chars_after[j + 1] + (len(page.blocks[j].text) if prose else 0)
    for c in range(body_start + 1, n):
        if page.furniture[c] == "end-marker":
            return c
        if page.furniture[c] not in ("related", "legal"):
            continue
        if count_after[c + 1] < END_TRAILING_PROSE_BLOCKS and chars_after[c + 1] < END_TRAILING_PROSE_CHARS:
            return c
    return n


def _nav_lists(page: Page, lo: int, hi: int) -> set[int]:
    """Indices of list items in [lo, hi) that form navigation menus, not article lists."""
    found: set[int] = set()
    i = lo
    while i < hi:
        if not page.blocks[i].marker:
            i += 1
            continue
        j = i
        while j < hi and page.blocks[j].marker:
            j += 1
        run = range(i, j)
        short = sum(1 for k in run if page.blocks[k].units <= NAV_LIST_SHORT_UNITS and not page.ends_sentence(k))
        vocab = sum(1 for k in run if page.rules.is_nav_item(page.blocks[k].text))
        labelled = i > 0 and page.furniture[i - 1] == "menu"
        if short >= NAV_LIST_SHORT_SHARE * len(run) and (labelled or vocab >= NAV_LIST_VOCAB_SHARE * len(run)):
            found.update(run)
        i = j
    return found


def _keep_heading_chains(decisions: list[BlockDecision]) -> None:
    """Drop headings with no article text under them (related-post titles, menu labels)."""
    depth: dict[int, int] = {}  # kept heading -> headings in its chain (itself included)
    for i in range(len(decisions) - 1, -1, -1):
        d = decisions[i]
        if not (d.keep and d.kind == "heading"):
            continue
        j = i + 1
        while j < len(decisions) and not decisions[j].keep and decisions[j].reason in ("caption", "credit"):
            j += 1  # a photo between a heading and its text
        ok = False
        if j < len(decisions) and decisions[j].keep:
            nxt = decisions[j]
            if nxt.kind != "heading":
                ok, depth[i] = True, 1
            elif j in depth and depth[j] < HEADING_CHAIN_MAX:
                ok, depth[i] = True, depth[j] + 1
        if not ok:
            decisions[i] = BlockDecision(d.block, False, "empty-heading")


def _body_kind(page: Page, i: int, previous: BlockDecision | None) -> PassageKind:
    b = page.blocks[i]
    if b.marker:
        return "list_item"
    if b.quote_marked or fully_quoted(b.text):
        return "quote"
    if page.heading_like(i):
        return "heading"
    if (
        previous is not None
        and previous.kind == "paragraph"
        and previous.block.text.endswith(":")
        and previous.block.units >= 6
    ):
        return "quote"  # the paragraph a lead-in like "... he writes:" introduces
    return "paragraph"


def layout_blocks(
    text: str,
    meta: DocumentMeta | None = None,
    rules: FurnitureRules | None = None,
    marks: Marks = NO_MARKS,
) -> Layout:
    """Decide for every block of a capture whether it is article text, and what kind.

    ``meta.title_en``, when given, helps find the headline, and ``meta.authors`` the author
    box; nothing else of ``meta`` is used. ``marks`` are the headings and footnotes the
    file's markup marks (:class:`kb.ingest.markup.Marks`).
    """
    rules = rules or load_rules()
    blocks = segment_blocks(text)
    page = Page(blocks, rules, marks)
    n = len(blocks)
    first_prose = next((i for i in range(n) if page.furniture[i] is None and page.is_prose(i)), n)
    title = _find_title(page, first_prose, meta, marks)
    memo = next((i for i in range(first_prose) if rules.line_is("memo_subject", blocks[i].text)), None)
    if memo is not None and title is not None and title > memo:
        title = None  # "Re: …" names the memo; "1. Background" after it is its first section
    if title is not None and title >= first_prose:
        first_prose = next((i for i in range(title + 1, n) if page.furniture[i] is None and page.is_prose(i)), n)
    body_start = first_prose if first_prose < n else (title + 1 if title is not None else 0)
    body_end = _find_end(page, body_start)
    title_fold = page.folds[title] if title is not None else None
    nav = _nav_lists(page, 0, n)
    answerer = answer_headers(page, body_end)
    body_span = max(1, body_end - body_start)
    # the by-line's names: an author box at the end may be about them
    by_line = [
        n for i in range(body_start) if page.furniture[i] == "byline" for n in parse_byline(blocks[i].text, rules) or ()
    ]

    decisions: list[BlockDecision] = []
    dek_open = title is not None  # the first line after the headline may be its standfirst
    for i, b in enumerate(blocks):
        reason: str | None = None
        if title is not None and i < title:
            reason = "before-title"
        elif i == title:
            reason = "title"
        elif i in page.marked_notes:
            reason = None  # a footnote: article text wherever it sits
        elif i >= body_end:
            reason = "after-end"
        elif page.furniture[i]:
            reason = page.furniture[i]
        elif i in answerer:
            reason = "byline"  # an answer's header: the answerer's name and headline
        elif title_fold is not None and repeats_title(page.folds[i], title_fold):
            reason = "title-repeat"
        elif page.is_caption(i):
            reason = "caption"
        elif i in nav:
            reason = "nav-list"
        elif (
            page.bio_subject(i)
            and (
                i < body_start
                or (
                    (i - body_start) / body_span >= 0.5
                    and (i + 1 >= body_end or page.furniture[i - 1] is not None or page.furniture[i + 1] is not None)
                    # a bio closes the article: last, or next to other furniture
                )
            )
        ) or (
            i >= body_start
            and (
                author_box(page, i, meta.authors if meta else ())
                or (
                    (i + 1 >= body_end or page.furniture[i - 1] is not None or page.furniture[i + 1] is not None)
                    and author_box(page, i, by_line, spaced=True)
                )
            )
        ):
            reason = "bio"
        elif page.heading_like(i) and page.fold_counts[page.folds[i]] > 1 and not _section_label(page, i):
            reason = "repeated"
        elif title is not None and title < i < body_start and rules.line_is("header_field", b.text):
            reason = "header-field"  # "文档编号：… 版本：…" under the title
        elif i < body_start and (b.units <= MENU_LIKE_MAX_UNITS or (b.marker and not page.is_prose(i))):
            reason = "menu-like"
        elif i < body_start and title is None and rules.is_site_name(b.text):
            reason = "masthead"
        if reason is not None:
            decisions.append(BlockDecision(b, False, reason))
            continue
        previous = next((d for d in reversed(decisions) if d.keep), None)
        kind = _body_kind(page, i, previous)
        if dek_open and i < body_start and kind == "heading" and i not in page.marked_headings:
            decisions.append(BlockDecision(b, True, "dek", "paragraph"))
        else:
            decisions.append(BlockDecision(b, True, "body", kind))
        dek_open = False

    decisions = finish_decisions(decisions, rules)
    extracted = _extract(page, decisions, title, body_start, body_end)
    sentences = trim_lead_and_end(decisions, list(page.sentences), text, rules)
    warnings = () if "title" in extracted else ("no title found in the text",)
    return Layout(tuple(decisions), tuple(sentences), title, body_start, body_end, extracted, warnings)


def trim_lead_and_end(
    decisions: list[BlockDecision],
    sentences: list[tuple[tuple[int, int], ...]],
    raw: str,
    rules: FurnitureRules,
) -> list[tuple[tuple[int, int], ...]]:
    """Cut a news lead from the first kept paragraphs and an end mark from the last
    (:func:`~kb.ingest.commentary_page.trim_news_marks`), in place; ``sentences`` (per
    block index) updated and returned."""
    kept = [k for k, d in enumerate(decisions) if d.keep and d.kind == "paragraph" and d.part == "body"]
    for k in dict.fromkeys([*kept[:2], *kept[-1:]]):
        d = decisions[k]
        block = trim_news_marks(d.block, raw, rules)
        if block is not d.block:
            decisions[k] = BlockDecision(block, d.keep, d.reason, d.kind, d.part)
            sentences[block.index] = split_sentences(block.text, rules)
    return sentences


def finish_decisions(decisions: Sequence[BlockDecision], rules: FurnitureRules) -> list[BlockDecision]:
    """Drop headings with no text under them, then mark newsletter round-ups (see below)."""
    kept = drop_learned_furniture(decisions)  # the learned model's second opinion on what the rules keep
    _keep_heading_chains(kept)
    return _assign_parts(kept, rules)


def _assign_parts(decisions: list[BlockDecision], rules: FurnitureRules) -> list[BlockDecision]:
    """From a newsletter round-up heading on, kept blocks are ``newsletter-items``."""
    out: list[BlockDecision] = []
    part: Part = "body"
    for d in decisions:
        if d.keep and d.kind == "heading" and rules.line_is("newsletter_heading", d.block.text):
            part = "newsletter-items"
        out.append(BlockDecision(d.block, d.keep, d.reason, d.kind, part if d.keep else "body"))
    return out


# ---------------------------------------------------------------- extraction
def _extract(
    page: Page, decisions: Sequence[BlockDecision], title: int | None, body_start: int, body_end: int
) -> dict[str, str]:
    """Title, subtitle, authors, date, outlet and affiliation as the text states them."""
    blocks, rules = page.blocks, page.rules
    out: dict[str, str] = {}
    if title is not None:
        out["title"] = title_text(blocks[title].text)
    # "Re: …" in a memo's header above the text: the subject is the title, over a line
    # above it ("INTERNAL – CONFIDENTIAL") or a section heading after it ("1. Background")
    memo = next((m for i in range(body_start) if (m := rules.line_match("memo_subject", blocks[i].text))), None)
    if memo is not None:
        out["title"] = memo.group("subject")
    dek = next((d.block.text for d in decisions if d.keep and d.reason == "dek"), None)
    if dek:
        out["subtitle"] = dek
    # Look next to the headline first, then in the article: never in related posts.
    # (a newsletter's header may put the by-line and date above the headline)
    top = range(max(0, title - TITLE_BYLINE_WINDOW) if title is not None else 0, body_start)
    rest = range(body_start, body_end)
    authors: list[str] = []
    for zone in (top, rest):
        for i in zone:
            if page.furniture[i] == "byline":
                authors.extend(a for a in parse_byline(blocks[i].text, rules) or () if a not in authors)
        if authors:
            break
    bios = [i for i, d in enumerate(decisions) if d.reason == "bio"]
    if not authors:
        for i in bios:  # every bio sentence of a bio: "Jane Roe is …. John Doe is …."
            if not page.bio_subject(i):
                continue
            subjects = (rules.bio_subject(blocks[i].text[s:e]) for s, e in page.sentences[i])
            authors += [f for x in subjects if x and (f := full_name(x, blocks[i].text)) not in authors]
    if not authors:  # "About the author: Jane Roe is …", "作者简介：张三，…" after the text
        authors = box_authors(page, body_start)
    outlet = page_outlet(page, title)
    if not authors and outlet:  # "Jane Roe and John Doe | Pacific Ledger": names beside the site's name
        authors = [n for i in top for n in names_by_outlet(page, i, outlet)]
    if not authors:  # "Mara Lindqvist" on its own line above "Oct 02, 2025"
        authors = [n for i in top if (n := _name_by_dateline(page, i))][:1]
    if not authors:  # "陆某某" / "执业律师，……" / "1,286 人赞同了该回答": an answer's header
        authors = [n for i in range(body_end) if (n := name_above_votes(page, i))][:1]
    if not authors:  # "人民网北京11月17日电 （记者 孙晗）", "本报讯（记者 孙悦）"
        datelines = (_CN_DATELINE.search(blocks[i].text[:60]) for i in rest[:3])
        m = next((m for m in datelines if m), None)
        if m:
            authors = [n for n in re.split(r"[\s、，,]+", m.group("names")) if n and n not in rules.byline_roles]
    if authors:
        out["authors"] = "; ".join(authors)
    for i in bios:
        for s, e in page.sentences[i]:
            sentence = blocks[i].text[s:e]
            subject = rules.bio_subject(sentence)
            # The last "at X" names the institution: "a fellow with the Chair ... at the Institute".
            found = list(AFFILIATION.finditer(sentence, len(subject))) if subject else []
            if found:
                out.setdefault("affiliation", found[-1].group("org").strip())
    learned = choose_date(page, title, body_start, body_end)  # the learned choice (kb.ingest.headers)
    date = _rules_date(page, top, rest) if learned is False else learned
    if date:
        out["date"] = date
    if outlet:
        out["outlet"] = outlet
    # "Saved from: https://…": the page's address (its path may hold the date)
    url = next((u for b in blocks if (u := page_url(b.text, rules))), None)
    if url:
        out["url"] = url
    if asker := next((w for i in top if (w := interviewer(blocks[i].text, rules))), None):
        out["interviewer"] = asker  # "Interview by Jane Roe": who asks the "Q:" turns
    return out


def _rules_date(page: Page, top: Sequence[int], rest: Sequence[int]) -> str | None:
    """The rules' date, when no learned date choice is loaded: a date line, or the date in a
    by-line ("By Zhang Wei | March 3, 2021"). A by-line is metadata through and through, so its
    words may each be the date: "原创 张三 某某观察 2024年3月5日 08:30 北京"."""
    blocks = page.blocks
    pieces = (piece for i in (*top, *rest) for piece in date_pieces(blocks[i].text, page.furniture[i] == "byline"))
    dates = [d for piece in pieces if (d := parse_date_line(piece))]
    # "BRIEFING | NOVEMBER 2026" over "4 November 2026": the full date the month's line agrees with
    date = next((d for d in dates if len(d) == 10 and d.startswith(dates[0])), dates[0]) if dates else None
    if date is None:  # "SHENZHEN, China, November 12, 2025 — …": a press release's dateline
        date = next((d for i in rest[:3] if (d := release_date(blocks[i].text))), None)
    if date is None:  # "编辑于 2025-09-14 21:37" under an answer: a labelled date line anywhere
        date = next(
            (d for b in blocks if PUBLISHED_WORD.match(b.text) and (d := parse_date_line(b.text))),
            None,
        )
    return date


_BRACKETED_LABEL = re.compile(r"^\s*[【［\[]\s*[^】］\]]{2,10}\s*[】］\]]\s*$")


def _section_label(page: Page, i: int) -> bool:
    """Block ``i`` is a bracketed label each part of a structured page repeats (【基本案情】,
    【裁判结果】 in every case of a case digest): every line with its text has prose right below
    it. A repeated line that is no such label ("只看该作者" above each post) stays furniture."""
    if not _BRACKETED_LABEL.match(page.blocks[i].text):
        return False
    same = [j for j, f in enumerate(page.folds) if f == page.folds[i]]
    return all(j + 1 < len(page.blocks) and page.is_prose(j + 1) for j in same)


def _name_by_dateline(page: Page, i: int) -> str | None:
    """Block ``i`` is a bare person's name beside a date line: the author."""
    b = page.blocks[i]
    if page.furniture[i] is not None or not BARE_NAME.match(b.text):
        return None
    near = [j for j in (i - 1, i + 1) if 0 <= j < len(page.blocks)]
    if not any(page.furniture[j] == "dateline" for j in near):
        return None
    if i + 1 < len(page.blocks) and page.is_prose(i + 1):
        return None  # "September 2025" / "Executive Summary" / prose: a section's heading
    names = parse_byline("By " + b.text, page.rules)
    if not names or len(names) != 1 or _TEAM_NAME.search(names[0]):
        return None  # "Example Pay Support" beside the date: a team, not an author
    return names[0]


# ------------------------------------------------------------------- passages
def parse_commentary(
    meta: DocumentMeta,
    text: str,
    path: str,
    *,
    rules: FurnitureRules | None = None,
    marks: Marks = NO_MARKS,
) -> ParsedCommentary:
    """Clean one capture into passages ``<meta.id>/p_<n>`` (n from 1, document order).

    ``text`` is the decoded file, ``path`` its path relative to the source root (kept
    in each passage's :class:`~kb.model.SourceSpan`). ``extracted`` holds what the text
    says of itself: ``title``, ``subtitle``, ``authors`` (``"; "``-separated), ``date``
    (ISO), ``outlet``, ``affiliation``; ``meta`` is not changed.

    Raises :class:`~kb.errors.EmptySource` when no article text is found.
    """
    layout = layout_blocks(text, meta, rules, marks)
    passages = passages_from_layout(meta.id, layout, path)
    dropped = Counter(d.reason for d in layout.decisions if not d.keep)
    log.debug("%s: %d passages; dropped %s", path, len(passages), dict(dropped))
    warnings = tuple(f"{path}: {w}" for w in layout.warnings)
    return ParsedCommentary(meta=meta, passages=passages, extracted=layout.extracted, warnings=warnings)


def passages_from_layout(doc_id: str, layout: Layout, path: str) -> tuple[Passage, ...]:
    """The kept blocks of ``layout`` as passages ``<doc_id>/p_<n>``, sources in ``path``.

    Raises :class:`~kb.errors.EmptySource` when no article text is kept.
    """
    passages: list[Passage] = []
    section: str | None = None
    for d in layout.decisions:
        if not d.keep or d.kind is None:
            continue
        b = d.block
        passages.append(
            Passage(
                doc_id=doc_id,
                n=len(passages) + 1,
                text=b.text,
                kind=d.kind,
                section=section,
                part=d.part,
                sentences=layout.sentences[b.index],
                source=SourceSpan(path, b.start, b.end),
            )
        )
        if d.kind == "heading":
            section = b.text
    if not any(p.part == "body" and p.kind != "heading" for p in passages):
        raise EmptySource(f"no article text found ({len(layout.decisions)} blocks, all page furniture)", path=path)
    return tuple(passages)
