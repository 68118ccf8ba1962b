"""A page's header read by learned choices: which line is its title, which date is its date.

Each field is a choice among candidates (:func:`kb.learn.linear.LinearModel.choice`, a softmax
over the candidates and "none"). The candidates come from today's rules, which still find
them; each is described by features (its shape, position, length, what stands around it, what
the rules say of it), and weights fitted on the labelled pages choose. The weights are data,
``corpus/commentary_headers.toml``, written by ``scripts/fit_page_headers.py`` (which also
prints their leave-one-set-out cross-validation); a field whose table is absent is chosen by
the rules as before.

Title candidates (:func:`title_candidates`): every block before the first paragraph of prose
(and that paragraph: a long Chinese headline, a forum question, reads as prose) that is no
furniture, has letters and at least two units. The features name what today's hand-scored
title finder looked at (title case, length, repeats, a by-line near, first candidate, a
Markdown heading, a rule line after) and what it excluded (a site's name, a column tag, a
masthead and its tagline), with a few more of the line's shape.

:data:`RECORDER` lets the fitting script collect each page's candidates as the pipeline sees
them; :data:`OVERRIDE` lets it score with weights fitted inside a fold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
from kb.ingest.furniture import is_title_case
from kb.ingest.markup import NO_MARKS, Marks
from kb.ingest.normalize import is_cjk_text
from kb.learn.linear import LinearModel
from kb.settings import get_settings

__all__ = [
    "CN_SITE_NAME",
    "HEADERS_PATH",
    "OVERRIDE",
    "RECORDER",
    "TITLE_FEATURES",
    "HeaderModels",
    "choose_title",
    "headline_shaped",
    "load_header_models",
    "title_candidates",
    "title_text",
]

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
_TITLE_LABEL = re.compile(r"^\s*(?:[\u4e00-\u9fff]{0,4}标题|主题|题目|Title|Subject)\s*[:：]\s*(?=\S)", re.I)
_BRACKETED = re.compile(r"^\s*(?:【[^【】]+】|\[[^\[\]]+\])\s*$")

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
    "en_title_case",  # English in Title Case (Chinese has no case: "title_case" alone mixes the two)
    "en_sentence_case",  # English, not in Title Case
    "next_shaped",  # the next block that is no furniture is heading-shaped too (a headline over its dek)
    "prev_shaped",  # ... and the one before (a dek under its headline)
    "rule_pick",  # the hand-scored finder's choice (kb.ingest.commentary._scored_title)
)


class _Choice(RuleModel):
    """One learned choice: its weights and what they were fitted on."""

    trained_on: str = ""
    bias: float
    weights: dict[str, float]


class _HeadersFile(RuleModel):
    version: int = 1
    title: _Choice | None = None

    @model_validator(mode="after")
    def _known(self) -> _HeadersFile:
        if self.title is not None and (unknown := sorted(set(self.title.weights) - set(TITLE_FEATURES))):
            raise ValueError(f"unknown title feature(s) {unknown}; known: {', '.join(TITLE_FEATURES)}")
        return self


@dataclass(frozen=True)
class HeaderModels:
    """The learned choices; a field left None is chosen by the rules."""

    title: LinearModel | None = None


@lru_cache(maxsize=4)
def load_header_models(path: Path | None = None) -> HeaderModels:
    """The learned choices, ``<corpus_dir>/commentary_headers.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / HEADERS_PATH
    if not path.exists():
        return HeaderModels()
    data = load_rules(path, _HeadersFile, "page header weights file")
    title = LinearModel(data.title.bias, dict(data.title.weights)) if data.title else None
    return HeaderModels(title=title)


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


def title_text(line: str) -> str:
    """The headline a title line states: without a wire slug ("UPDATE 2-") or a tag ("【独家】"),
    or a field's label ("对话标题：…")."""
    return TITLE_TAG.sub("", WIRE_PREFIX.sub("", _TITLE_LABEL.sub("", line)))


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
        shaped = heading or first_line
        if not shaped:
            continue  # the rules' candidates: heading-shaped lines, or a file's first line read as a headline
        window = range(max(0, i - TITLE_BYLINE_WINDOW), min(i + 1 + TITLE_BYLINE_WINDOW, n))
        masthead = (
            page.rules.is_site_name(b.text)
            or bool(COLUMN_TAG.match(b.text))
            or masthead_like(page, i, first_prose)
            or bool(CN_SITE_NAME.match(masthead_name(b.text)))
            or masthead_tagline(page, i, first_prose)
        )
        eligible = shaped and not masthead
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
) -> int | bool | None:
    """The learned choice of the headline's block (None: no headline), or False when no title
    weights are loaded (the caller's rules choose)."""
    model = _models().title
    recorder = RECORDER.get()
    if model is None and recorder is None:
        return False
    candidates = title_candidates(page, first_prose, marks)
    for i, f in candidates:
        f["rule_pick"] = float(i == rule_pick)
    if recorder is not None:
        recorder.append(("title", [(title_text(page.blocks[i].text), f) for i, f in candidates]))
    if model is None or not candidates:
        return False if model is None else None
    shares = model.choice([f for _, f in candidates])
    best = max(range(len(candidates)), key=shares.__getitem__)
    return candidates[best][0] if shares[best] > 1.0 - sum(shares) else None


def features_table(features: Mapping[str, float]) -> str:
    """One candidate's non-zero features, for a report."""
    return " ".join(f"{k}={v:g}" for k, v in features.items() if v)
