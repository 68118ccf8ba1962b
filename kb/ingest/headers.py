"""A page's header read by learned choices: which line is its title, which date is its date,
which name is its outlet.

Each field is a choice among candidates (:meth:`kb.learn.linear.LinearModel.choice`, a softmax
over the candidates and "none"). The candidates come from today's rules, which still find
them; each is described by features (its shape, position, what stands around it, what the
rules say of it), and weights fitted on the labelled pages choose. The weights are data,
``corpus/commentary_headers.toml``, written by ``scripts/fit_page_headers.py`` (which also
prints their leave-one-set-out cross-validation); a field with no table there is chosen by
the rules as before. Shipped: the date only (cross-validated 163/165 against the rules' 161;
the title's learned choice cross-validated below the rules' and the outlet's equal to them,
docs/COMMENTARY_QUALITY.md).

Title candidates (:func:`title_candidates`): the heading-shaped blocks before the first
paragraph of prose, and a file's first line read as a headline. Date candidates
(:func:`date_candidates`): every date a header line, a by-line, the text's first and last
blocks or a labelled date line states. Outlet candidates (:func:`outlet_candidates`): the names
:func:`kb.ingest.outlets.outlet_sources` yields.

:data:`RECORDER` lets the fitting script collect each page's candidates as the pipeline sees
them; :data:`OVERRIDE` lets it score with weights fitted inside a fold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import model_validator

from kb.datafiles import RuleModel, load_rules
from kb.ingest.commentary_blocks import Block
from kb.ingest.commentary_page import (
    BARE_NAME,
    COLUMN_TAG,
    RULE_LINE,
    TITLE_TAG,
    Page,
    masthead_like,
    masthead_name,
    masthead_tagline,
)
from kb.ingest.datelines import parse_date_line
from kb.ingest.furniture import is_title_case
from kb.ingest.markup import NO_MARKS, Marks
from kb.ingest.normalize import is_cjk_text
from kb.learn.linear import LinearModel
from kb.settings import get_settings
from kb.text.datelines import dateline

__all__ = [
    "CN_SITE_NAME",
    "HEADERS_PATH",
    "OVERRIDE",
    "RECORDER",
    "TITLE_FEATURES",
    "TITLE_LABEL",
    "HeaderModels",
    "choose_title",
    "chrome_row",
    "headline_shaped",
    "load_header_models",
    "menu_shaped",
    "title_candidates",
    "title_text",
]

V = TypeVar("V")  # a candidate value: a block's index, a date, a name

HEADERS_PATH = Path("commentary_headers.toml")  # relative to settings.corpus_dir

CJK_HEADLINE_MAX_CHARS = 48  # "住酒店时前台要求必须刷脸才能办入住，不刷就不给开房，这合法吗？" is 31
EN_QUESTION_HEADLINE_MAX_WORDS = 25
TITLE_SHORT_UNITS = 2  # "China Power", "Recent Features": section names, rarely headlines
TITLE_BYLINE_WINDOW = 5  # a title is followed by its by-line or date within this many blocks

# A wire service's slug before a headline: "UPDATE 2-", "EXCLUSIVE-", "REFILE-".
WIRE_PREFIX = re.compile(
    r"^(?:UPDATE|REFILE|CORRECTED|EXCLUSIVE|WRAPUP|ANALYSIS|FACTBOX|EXPLAINER)(?:\s*\d+)?\s*-\s*(?=\S)"
)
# A Chinese site's own name above the headline: a school, court, paper or office.
CN_SITE_NAME = re.compile(
    r"^[\u4e00-\u9fff]{2,16}(?:大学|学院|小学|中学|学校|幼儿园|法院|检察院|研究院|研究所|研究中心|网|报|日报|晚报|杂志|律师事务所|委员会|网信办|政府)$"
)
_LABEL_PREFIX = re.compile(r"^[^\s:：]{1,12}[:：]\s*\S")  # "FW: …", "对话标题：…", "Re: …"
_SYMBOL_START = re.compile(r"^[^\w\s\"“‘'(（【\[《「]")  # "← 返回", "» Home", "© 2026"
_URL = re.compile(r"https?://|www\.|\.(?:com|cn|org|net)\b", re.I)
_INNER_COMMA = re.compile(r"[，,、]")
# A field's label before the headline: "标题：…", "对话标题：…", "Title: …".
TITLE_LABEL = re.compile(r"^\s*(?:[\u4e00-\u9fff]{0,4}标题|主题|题目|案由|Title|Subject)\s*[:：]\s*(?=\S)", re.I)
_BRACKETED = re.compile(r"^\s*(?:【[^【】]+】|\[[^\[\]]+\])\s*$")
# A button's label in brackets ("[Mark read]", "【收藏】"); a count or a counter ("1.2k", "8,734", "3/20").
_BUTTON = re.compile(r"\[[^\[\]]{1,24}\]|【[^【】]{1,12}】")
_COUNTER = re.compile(r"[+#]?\d[\d,.]*[kKmMwW万千]?\+?(?:/\d+)?")
MENU_MIN_ITEMS = 4  # "首页 职位 公司 校园 APP下载": a menu row has several items ...
MENU_ITEM_MAX_CHARS = 5  # ... each a word or two of Chinese ("APP下载", "登录/注册")
_SENTENCE_MARK = re.compile(r"[.,;:!?。，；：！？、“”\"()（）《》]")

TITLE_FEATURES: tuple[str, ...] = (
    "heading_like",  # the page's heading test (short, no full stop at the end, ...)
    "headline_first",  # the file's first line, shaped as a headline though not set as one
    "title_case",
    "long",  # four units or more
    "short",  # two units or fewer
    "log_units",  # log(1 + units) / 4
    "repeated",  # the same line again further down
    "byline_near",  # a by-line or date line within five blocks
    "byline_next",  # ... right after it
    "first_shaped",  # the first heading-shaped candidate
    "first_block",  # the first block that is no furniture
    "marked_top",  # a Markdown "# heading" of the page's highest level ("# Title" over "## Section")
    "marked_sub",  # ... of a lower level
    "rule_after",  # a rule line under it
    "site_name",  # the rules' site names
    "column_tag",  # "【直播回放·文字整理】"
    "masthead",  # a name in capitals with a longer headline after it
    "cn_site",  # "某某大学法学院", "某某日报"
    "tagline",  # the line under a masthead
    "prose",  # the first paragraph of prose itself
    "ends_stop",  # ends with . 。 ; …
    "question",
    "label_prefix",  # "FW: …", "对话标题：…"
    "symbol_start",  # "← 返回发现页"
    "url",
    "digits",
    "inner_comma",
    "nav_item",  # the rules' menu words
    "cjk",
    "multiline",
    "position",  # rank among the candidates / 10
    "rule_candidate",  # the hand-scored finder's filter passes it: shaped, no masthead or site name
    "name_line",  # a bare person's name ("Daniel Hsu"): a by-line without its "By"
    "longest",  # the most units of the heading-shaped candidates
    "bracketed",  # wrapped whole in 【】 or []
    "menu_shaped",  # a Chinese line of several short items between spaces, no punctuation: a menu
    "en_title_case",  # English in Title Case (Chinese has no case: "title_case" alone mixes the two)
    "en_sentence_case",  # English, not in Title Case
    "next_shaped",  # the next block that is no furniture is heading-shaped too (a headline over its dek)
    "prev_shaped",  # ... and the one before (a dek under its headline)
    "rule_pick",  # the hand-scored finder's choice (kb.ingest.commentary._scored_title)
    "chrome_row",  # a row of buttons, icons and counters ("Item 3 / 20 [Mark read] [Save]")
)


class _Choice(RuleModel):
    """One learned choice: its weights and what they were fitted on."""

    trained_on: str = ""
    bias: float
    weights: dict[str, float]


class _HeadersFile(RuleModel):
    version: int = 1
    title: _Choice | None = None
    date: _Choice | None = None
    outlet: _Choice | None = None

    @model_validator(mode="after")
    def _known(self) -> _HeadersFile:
        for name, choice, known in (
            ("title", self.title, TITLE_FEATURES),
            ("date", self.date, DATE_FEATURES),
            ("outlet", self.outlet, OUTLET_FEATURES),
        ):
            if choice is not None and (unknown := sorted(set(choice.weights) - set(known))):
                raise ValueError(f"unknown {name} feature(s) {unknown}; known: {', '.join(known)}")
        return self


@dataclass(frozen=True)
class HeaderModels:
    """The learned choices; a field left None is chosen by the rules."""

    title: LinearModel | None = None
    date: LinearModel | None = None
    outlet: LinearModel | None = None


@lru_cache(maxsize=4)
def load_header_models(path: Path | None = None) -> HeaderModels:
    """The learned choices, ``<corpus_dir>/commentary_headers.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / HEADERS_PATH
    if not path.exists():
        return HeaderModels()
    data = load_rules(path, _HeadersFile, "page header weights file")
    title = LinearModel(data.title.bias, dict(data.title.weights)) if data.title else None
    date = LinearModel(data.date.bias, dict(data.date.weights)) if data.date else None
    outlet = LinearModel(data.outlet.bias, dict(data.outlet.weights)) if data.outlet else None
    return HeaderModels(title=title, date=date, outlet=outlet)


# Set by the fitting script: weights fitted inside a fold, and a list that collects candidates.
OVERRIDE: ContextVar[HeaderModels | None] = ContextVar("header_models_override", default=None)
RECORDER: ContextVar[list[tuple[str, list[tuple[str, dict[str, float]]]]] | None] = ContextVar(
    "header_recorder", default=None
)


def _models() -> HeaderModels:
    return OVERRIDE.get() or load_header_models()


def headline_shaped(b: Block) -> bool:
    """A file's first line that reads as a headline though it is not set as one: a long
    Chinese headline (a question, two clauses; one line, no full stop at its end, at most
    :data:`CJK_HEADLINE_MAX_CHARS` characters), or an English question of at most
    :data:`EN_QUESTION_HEADLINE_MAX_WORDS` words (a forum thread's, a Q&A page's)."""
    text = b.text.rstrip("”’\"')]»")
    if b.lines != 1 or b.marker or text.endswith(("。", "；", "，", "…", ".", ";", ",", ":")):
        return False
    if is_cjk_text(text):
        return b.units <= CJK_HEADLINE_MAX_CHARS
    # a forum thread's or a Q&A page's question: "My employer wants … - can I say no?"
    return text.endswith("?") and len(text.split()) <= EN_QUESTION_HEADLINE_MAX_WORDS


def menu_shaped(text: str) -> bool:
    """A line that reads as a site's menu, by its shape alone: at least :data:`MENU_MIN_ITEMS`
    items between spaces, each at most :data:`MENU_ITEM_MAX_CHARS` characters, with Chinese
    in it and no punctuation of a sentence. Never a headline (an English headline of short
    words has that shape, so English lines are left to the menu words of the rules).

    >>> menu_shaped("首页　　职位　　公司　　校园　　APP下载　　登录/注册"), menu_shaped("刷脸 进小区 该不该")
    (True, False)
    >>> menu_shaped("New Rules For Face Scans"), menu_shaped("人脸识别 新规 今起 施行，这些 变化")
    (False, False)
    """
    items = text.split()
    return (
        len(items) >= MENU_MIN_ITEMS
        and is_cjk_text(text)
        and all(len(item) <= MENU_ITEM_MAX_CHARS for item in items)
        and not _SENTENCE_MARK.search(text)
    )


def chrome_row(text: str) -> bool:
    """A row of a reader's or a site's controls, by its shape: bracketed button labels, icons,
    counters and numbers make up at least half of its items, with two buttons or icons at least
    ("[Mark read] [Save]", "Item 3 / 20 [Mark read] [Save]", "★ 1.2k · ⬇ 8,734"). Never a headline.

    >>> chrome_row("Item 3 / 20 [Mark read] [Read later]"), chrome_row("⭐ 收藏 1.2k ⬇ 下载 8,734 许可：仅限学术研究")
    (True, True)
    >>> chrome_row("[Updated] 5 rules for 2026"), chrome_row("3 takeaways from the 2026 draft rules")
    (False, False)
    """
    buttons = len(_BUTTON.findall(text))
    tokens = _BUTTON.sub(" ", text).split()
    icons = sum(1 for t in tokens if not any(c.isalnum() for c in t))
    numbers = sum(1 for t in tokens if _COUNTER.fullmatch(t))
    controls = buttons + icons + numbers
    return buttons + icons >= 2 and controls >= len(tokens) - icons - numbers


def title_text(line: str) -> str:
    """The headline a title line states: without a wire slug ("UPDATE 2-") or a tag ("【独家】"),
    or a field's label ("对话标题：…")."""
    return TITLE_TAG.sub("", WIRE_PREFIX.sub("", TITLE_LABEL.sub("", line)))


def _heading_levels(page: Page, marks: Marks) -> dict[int, int]:
    """The marked headings' levels: the width of the mark before the text ("## " is 3)."""
    levels: dict[int, int] = {}
    for i in page.marked_headings:
        start = page.blocks[i].start
        levels[i] = next((start - s for s, e in marks.headings if s <= start < e), 0)
    return levels


def title_candidates(page: Page, first_prose: int, marks: Marks = NO_MARKS) -> list[tuple[int, dict[str, float]]]:
    """Block indices that may hold the headline, each with its features (see the module docstring)."""
    n = len(page.blocks)
    levels = _heading_levels(page, marks)
    top_level = min(levels.values(), default=0)
    first_block = next((j for j in range(n) if page.furniture[j] is None), -1)
    out: list[tuple[int, dict[str, float]]] = []
    seen_shaped = False
    longest = max(
        (
            page.blocks[j].units
            for j in range(min(first_prose + 1, n))
            if not page.furniture[j] and page.heading_like(j)
        ),
        default=0,
    )
    for i in range(min(first_prose + 1, n)):
        b = page.blocks[i]
        if page.furniture[i] or b.units < 2 or not any(c.isalpha() for c in b.text):
            continue
        text = b.text.rstrip("”’\"')]»")
        heading = page.heading_like(i)
        first_line = i == first_block and headline_shaped(b)
        by_byline = any(0 <= j < n and page.furniture[j] == "byline" for j in (i - 1, i + 1)) and headline_shaped(b)
        shaped = heading or first_line or by_byline
        if not shaped:
            continue  # the rules' candidates: heading-shaped lines, or a file's first line (or a line
            # beside the by-line) read as a headline
        window = range(max(0, i - TITLE_BYLINE_WINDOW), min(i + 1 + TITLE_BYLINE_WINDOW, n))
        masthead = (
            page.rules.is_site_name(b.text)
            or bool(COLUMN_TAG.match(b.text))
            or masthead_like(page, i, first_prose)
            or bool(CN_SITE_NAME.match(masthead_name(b.text)))
            or masthead_tagline(page, i, first_prose)
        )
        menu = menu_shaped(b.text)
        chrome = chrome_row(b.text)
        eligible = shaped and not masthead and not menu and not chrome
        cjk = is_cjk_text(b.text)
        f = {
            "heading_like": heading,
            "headline_first": first_line,
            "title_case": is_title_case(b.text),
            "long": b.units >= 4,
            "short": b.units <= TITLE_SHORT_UNITS,
            "log_units": math.log1p(b.units) / 4,
            "repeated": page.fold_counts[page.folds[i]] > 1,
            "byline_near": any(page.furniture[j] in ("byline", "dateline") for j in window if j != i),
            "byline_next": i + 1 < n and page.furniture[i + 1] in ("byline", "dateline"),
            "first_shaped": eligible and not seen_shaped,
            "first_block": i == first_block,
            "marked_top": i in levels and levels[i] == top_level,
            "marked_sub": i in levels and levels[i] > top_level,
            "rule_after": i + 1 < n and bool(RULE_LINE.match(page.blocks[i + 1].text)),
            "site_name": page.rules.is_site_name(b.text),
            "column_tag": bool(COLUMN_TAG.match(b.text)),
            "masthead": masthead_like(page, i, first_prose),
            "cn_site": bool(CN_SITE_NAME.match(masthead_name(b.text))),
            "tagline": masthead_tagline(page, i, first_prose),
            "prose": i == first_prose,
            "ends_stop": text.endswith((".", "。", ";", "；", "…", ",", "，")),
            "question": text.endswith(("?", "？")),
            "label_prefix": bool(_LABEL_PREFIX.match(b.text)),
            "symbol_start": bool(_SYMBOL_START.match(b.text)),
            "url": bool(_URL.search(b.text)),
            "digits": any(c.isdigit() for c in b.text),
            "inner_comma": bool(_INNER_COMMA.search(b.text)),
            "nav_item": page.rules.is_nav_item(b.text),
            "cjk": cjk,
            "multiline": b.lines > 1,
            "position": min(len(out), 10) / 10,
            "rule_candidate": eligible,
            "name_line": bool(BARE_NAME.match(b.text)),
            "longest": heading and b.units == longest,
            "bracketed": bool(_BRACKETED.match(b.text)),
            "menu_shaped": menu,
            "chrome_row": chrome,
            "en_title_case": not cjk and is_title_case(b.text),
            "en_sentence_case": not cjk and not is_title_case(b.text),
            "next_shaped": _neighbour_shaped(page, i, 1),
            "prev_shaped": _neighbour_shaped(page, i, -1),
        }
        seen_shaped = seen_shaped or eligible
        out.append((i, {k: float(v) for k, v in f.items()}))
    return out


def _neighbour_shaped(page: Page, i: int, step: int) -> bool:
    j = i + step
    while 0 <= j < len(page.blocks) and page.furniture[j] is not None:
        j += step
    return 0 <= j < len(page.blocks) and page.heading_like(j)


def choose_title(
    page: Page, first_prose: int, marks: Marks = NO_MARKS, rule_pick: int | None = None
) -> int | Literal[False] | None:
    """The learned choice of the headline's block (None: no headline), or False when no title
    weights are loaded (the caller's rules choose)."""

    def candidates() -> list[tuple[int, dict[str, float]]]:
        found = title_candidates(page, first_prose, marks)
        for i, f in found:
            f["rule_pick"] = float(i == rule_pick)
        return found

    return _learned_choice("title", _models().title, candidates, lambda i: title_text(page.blocks[i].text))


def _learned_choice(
    field: str,
    model: LinearModel | None,
    candidates: Callable[[], Sequence[tuple[V, dict[str, float]]]],
    shown: Callable[[V], str] = str,
) -> V | Literal[False] | None:
    """The candidate value the model gives a larger share than "none" (None when none does),
    or False when no model is loaded; the candidates (each value as ``shown``) go to the
    fitting script's recorder."""
    recorder = RECORDER.get()
    if model is None and recorder is None:
        return False
    found = candidates()
    if recorder is not None:
        recorder.append((field, [(shown(v), f) for v, f in found]))
    if model is None or not found:
        return False if model is None else None
    shares = model.choice([f for _, f in found])
    best = max(range(len(found)), key=shares.__getitem__)
    return found[best][0] if shares[best] > 1.0 - sum(shares) else None


def features_table(features: Mapping[str, float]) -> str:
    """One candidate's non-zero features, for a report."""
    return " ".join(f"{k}={v:g}" for k, v in features.items() if v)


# ------------------------------------------------------------------------ date
_BYLINE_PARTS = re.compile(r"\s+[|•·]\s+")
_BYLINE_ON = re.compile(r",?\s+on\s+|,\s+")  # "By Jane Roe on July 29, 2026", "By Jane Roe, 23.10.2026"
_CLAUSES = re.compile(r"[，。；;！？]|\s{2,}|\u3000+")
PUBLISHED_WORD = re.compile(r"^\s*(?:published|posted|updated|发布|发表|编辑于|更新于|首发)", re.I)
_UPDATED_WORD = re.compile(r"updated|modified|revised|更新|修改|修订", re.I)
_ISSUED_WORD = re.compile(r"published|posted|released|date|发布|发表|日期|时间|印发|首发|刊发", re.I)
_COMMENT_WORD = re.compile(r"comment|repl(?:y|ied)|评论|回复|留言|跟帖", re.I)
_YEAR_END = re.compile(r"\d{4}$")
DATE_LINE_MAX_UNITS = 40  # a date line, a by-line or a page's line of fields is this short
DATE_WINDOW_WORDS = 4  # "Tuesday, March 3, 2026" is four words
DATE_END_BLOCKS = 4  # the last blocks of the text: a letter's 落款, a notice's signature date


def release_date(text: str) -> str | None:
    """The date of a press release's dateline with its year ("SHENZHEN, China, November 12, 2025 — ")."""
    m = dateline(text)
    return parse_date_line(m.group("date")) if m and _YEAR_END.search(m.group("date")) else None


def date_pieces(text: str, byline: bool) -> list[str]:
    """The parts of a block that may each be a date: the line, its parts between bars, and a
    by-line's words and what follows its "on" or comma ("Posted by Jane Roe on July 29, 2026")."""
    parts = _BYLINE_PARTS.split(text)
    return [
        *parts,
        *(text.split() if byline else ()),
        *(p[m.end() :] for p in (parts if byline else ()) for m in _BYLINE_ON.finditer(p)),
    ]


DATE_FEATURES: tuple[str, ...] = (
    "top",  # in the header: from a few blocks above the title to the text's start
    "lead",  # in the text's first three blocks
    "body",  # elsewhere in the text
    "end",  # in its last blocks (a letter's 落款)
    "after",  # after the text's end (related posts, comments, the footer)
    "byline",  # in a by-line
    "dateline",  # a line the rules call a date line
    "release",  # a press release's or wire story's dateline ("SHENZHEN, China, November 12, 2025 —")
    "alone",  # the block is a date and nothing more (parse_date_line reads it whole)
    "short_line",  # a short line with no full stop (a page's line of fields)
    "clause",  # only a clause of a longer line states it
    "issued_word",  # "published", "发布", "日期" in its block
    "updated_word",  # "updated", "更新" in its block
    "comment_word",  # "comment", "回复" in its block
    "full",  # a day, not only a month
    "count",  # blocks stating it (capped at 3) / 3
    "first",  # the first date of the page
    "earliest",
    "latest",
)


def _clauses(text: str) -> list[str]:
    """A short line's clauses and every run of one to four of its words: "数据通讯 2026年第9期
    2026年09月30日" states its date in its last word."""
    words = text.split()
    runs = [" ".join(words[a : a + k]) for k in range(1, DATE_WINDOW_WORDS + 1) for a in range(len(words) - k + 1)]
    return [*_CLAUSES.split(text), *runs]


def date_candidates(page: Page, title: int | None, body_start: int, body_end: int) -> dict[str, dict[str, float]]:
    """Every date the page states in a line, a clause of one, a by-line or a dateline, with the
    features of where it stands (see :data:`DATE_FEATURES`)."""
    blocks = page.blocks
    top_start = max(0, title - TITLE_BYLINE_WINDOW) if title is not None else 0
    found: dict[str, dict[str, float]] = {}
    for i, b in enumerate(blocks):
        byline = page.furniture[i] == "byline"
        short = b.units <= DATE_LINE_MAX_UNITS and "。" not in b.text
        lead = body_start <= i < body_start + 3
        header = top_start <= i < body_start or page.furniture[i] in ("byline", "dateline", "stamp")
        labelled = bool(_ISSUED_WORD.search(b.text))
        end = body_end - DATE_END_BLOCKS <= i < body_end
        if i >= body_end and not PUBLISHED_WORD.match(b.text):
            continue  # after the text: related posts, comments, a forum's sidebar ("Created Mar 14, 2011")
        if not (lead or end or (short and (header or labelled))):
            continue  # a date in the text's own sentences and lists is what it reports, not when
        dates: dict[str, str] = {}  # date -> how it was read
        whole = parse_date_line(b.text)
        if whole:
            dates[whole] = "alone"
        for piece in date_pieces(b.text, byline):
            if d := parse_date_line(piece):
                dates.setdefault(d, "piece")
        header_line = short and (header or bool(PUBLISHED_WORD.match(b.text))) and not page.is_prose(i)
        for clause in _clauses(b.text) if header_line else _CLAUSES.split(b.text):
            if d := parse_date_line(clause):
                dates.setdefault(d, "clause")
        if lead and (d := release_date(b.text)):
            dates.setdefault(d, "release")
        for d, how in dates.items():
            f = found.setdefault(d, {k: 0.0 for k in DATE_FEATURES} | {"first": float(not found)})
            zone = (
                "after"
                if i >= body_end
                else "end"
                if i >= body_end - DATE_END_BLOCKS and i >= body_start + 3
                else "lead"
                if lead
                else "top"
                if top_start <= i < body_start
                else "body"
            )
            f[zone] = 1.0
            f["byline"] = max(f["byline"], float(byline))
            f["dateline"] = max(f["dateline"], float(page.furniture[i] == "dateline"))
            kind = how if how != "piece" else "short_line" if short else None
            if kind is not None:
                f[kind] = 1.0
            f["issued_word"] = max(f["issued_word"], float(labelled))
            f["updated_word"] = max(f["updated_word"], float(bool(_UPDATED_WORD.search(b.text))))
            f["comment_word"] = max(f["comment_word"], float(bool(_COMMENT_WORD.search(b.text))))
            f["full"] = float(len(d) == 10)
            f["count"] = min(f["count"] + 1 / 3, 1.0)
    if found:
        lo, hi = min(found), max(found)
        for d, f in found.items():
            f["earliest"], f["latest"] = float(d == lo and lo != hi), float(d == hi and lo != hi)
    return found


def choose_date(page: Page, title: int | None, body_start: int, body_end: int) -> str | Literal[False] | None:
    """The learned choice of the page's date (None: it states none), or False when no date
    weights are loaded (the caller's rules choose)."""
    return _learned_choice(
        "date", _models().date, lambda: list(date_candidates(page, title, body_start, body_end).items())
    )


# ---------------------------------------------------------------------- outlet
OUTLET_SOURCES: tuple[str, ...] = (
    "byline",  # the account a by-line names
    "source",  # a 来源 line
    "wire",  # a wire service's dateline
    "first_published",  # "首发于「…」"
    "original_by",  # "本文由…原创"
    "masthead",  # a name in capitals above the headline
    "site_line",  # a site's name on the first line ("某某大学法学院", a name over its menu)
    "site_name",  # the rules' site names above the headline
    "issue_title",  # "Name #163: …"
    "breadcrumb",  # the first crumb of a trail
    "copyright",  # the © holder
    # the wider sources of the header's and footer's lines (kb.ingest.outlets.region_sources)
    "field",  # a labelled field naming the publisher: "Feed: …", "维护者：…"
    "rights",  # "版权归…所有"
    "handle",  # a channel's name before its "(@handle)"
    "org_name",  # a name by its ending: "…日报", "…实验室", "… Institute"
    "recurring",  # a header segment the footer states again
    "domain",  # a header segment that is the page's web address's domain
)
OUTLET_FEATURES: tuple[str, ...] = (
    *OUTLET_SOURCES,
    "first",  # the rules' preferred source (kb.ingest.outlets.outlet_sources' order)
    "count",  # sources naming it (capped at 3) / 3
    "above_title",
    "early",  # in the page's first five blocks
    "url_like",  # "www.example.com", "https://…"
    "section",  # a section after the name: "人民网－法治频道", "Example Times - Opinion"
    "company",  # a company's full style: "有限公司", "Co., Ltd."
    "long",  # more than five words or twelve Chinese characters
    "cjk",
)
_SECTION = re.compile(r"\s*[－—–]\s*|\s+-\s+")
_COMPANY = re.compile(r"有限公司|股份|集团|\b(?:Co\.|Ltd|Inc\.?|LLC|GmbH)\b", re.I)


def outlet_candidates(title: int | None, sources: Sequence[tuple[str, int, str]]) -> dict[str, dict[str, float]]:
    """Each name the rules' sources give (see :func:`kb.ingest.outlets.outlet_sources`), with features."""
    found: dict[str, dict[str, float]] = {}
    for rank, (source, i, name) in enumerate(sources):
        f = found.setdefault(name, {k: 0.0 for k in OUTLET_FEATURES})
        f[source] = 1.0
        f["first"] = max(f["first"], float(rank == 0))
        f["count"] = min(f["count"] + 1 / 3, 1.0)
        f["above_title"] = max(f["above_title"], float(title is not None and i < title))
        f["early"] = max(f["early"], float(i < 5))
        f["url_like"] = float(bool(_URL.search(name)))
        f["section"] = float(bool(_SECTION.search(name)))
        f["company"] = float(bool(_COMPANY.search(name)))
        f["cjk"] = float(is_cjk_text(name))
        f["long"] = float(len(name) > 12 if f["cjk"] else len(name.split()) > 5)
    return found


def choose_outlet(title: int | None, sources: Iterator[tuple[str, int, str]]) -> str | None:
    """The page's outlet among the rules' sources, in their order of preference: the learned
    choice (None: none of them) when outlet weights are loaded, else the first source's name
    (the rest are then never looked for)."""
    model = _models().outlet
    if model is None and RECORDER.get() is None:
        return next((name for _, _, name in sources), None)
    listed = list(sources)
    learned = _learned_choice("outlet", model, lambda: list(outlet_candidates(title, listed).items()))
    return next((name for _, _, name in listed), None) if learned is False else learned
