"""What page furniture looks like: rules loaded from ``corpus/commentary_rules.toml``.

A web capture mixes the article with the site around it. This module knows the
*kinds* of furniture by their generic wording (subscribe/share/cookie vocabulary,
photo credits, by-lines, bios, menu labels, end-of-article markers) and answers
questions about one line or sentence; :mod:`kb.ingest.commentary` decides from the
page's structure which blocks are the article.

>>> rules = load_rules()
>>> rules.sentence_cue("Please subscribe here to support us.")
'subscribe'
>>> rules.line_is("credit", "Credit: AP Photo/John Doe")
True
>>> parse_byline("By John Roe, Mary Major and Richard Miles", rules)
('John Roe', 'Mary Major', 'Richard Miles')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from kb.datafiles import RuleModel, rule_error
from kb.datafiles import load_rules as load_rule_file
from kb.ingest.datelines import parse_date_line
from kb.ingest.frontmatter import NAME_SEPARATORS
from kb.settings import get_settings

__all__ = [
    "LINE_RULES",
    "RULES_NAME",
    "CueRule",
    "CueRuleModel",
    "FurnitureFile",
    "FurnitureRules",
    "all_examples",
    "interviewer",
    "is_breadcrumb",
    "is_title_case",
    "load_rules",
    "page_url",
    "parse_byline",
    "rules_from_mapping",
    "source_name",
    "text_units",
    "url_date",
    "without_channel",
]

RULES_NAME = "commentary_rules.toml"

# The [line.*] sections the code relies on; a rules file without one is refused.
LINE_RULES = (
    "credit",
    "staff_credit",
    "news_lead",
    "news_tail",
    "menu_label",
    "end_marker",
    "related_marker",
    "newsletter_heading",
    "byline",
    "breadcrumb_label",
    "page_url",
    "url_date",
    "interviewer",
    "memo_subject",
    "stamp",
    "header_field",
    "outlet_field",
)

# Separators of breadcrumb trails ("China Power | Society | East Asia",
# "Asia Program > Data Governance"); spaces on both sides, so "Guardian/Wikipedia"
# and "U.S.-China" are not trails.
_BREADCRUMB_SPLIT = re.compile(r"\s+(?:>>|>|»|›|\||::|→|·)\s+")
_BREADCRUMB_MAX_SEGMENT_WORDS = 8
_SLASH_SPLIT = re.compile(r"\s+/\s+")
_SLASH_TRAIL_MIN = 3
_SLASH_CRUMB_MAX_UNITS = 4  # words, or Chinese characters

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_][\w’'.&-]*")
# Short function words that stay lower-case in a title-case headline.
_MINOR_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "up",
        "via",
        "vs",
        "with",
        "within",
    ]
)


def text_units(text: str) -> int:
    """Length in words, counting each CJK character as one (Chinese has no spaces).

    >>> text_units("By Jane Doe"), text_units("人工智能应用准则")
    (3, 8)
    """
    cjk = len(_CJK_CHAR.findall(text))
    words = len(_CJK_CHAR.sub(" ", text).split())
    return words + cjk


def is_title_case(text: str) -> bool:
    """True when nearly every word but short function words is capitalised.

    >>> is_title_case("Into Focus: The New Rules on Faces")
    True
    >>> is_title_case("A crowded street with cameras on every corner")
    False
    """
    words = _WORD.findall(text)
    content = [w for w in words[1:] if w.lower() not in _MINOR_WORDS] if len(words) > 1 else words
    if not content:
        return bool(words) and words[0][0].isupper()
    capitalised = sum(1 for w in content if w[0].isupper())
    return capitalised / len(content) >= 0.75


def is_breadcrumb(text: str) -> bool:
    """A trail of short section names joined by ``>``, ``|``, ``»`` ... without a sentence end.

    >>> is_breadcrumb("China Power | Society | East Asia")
    True
    >>> is_breadcrumb("The score was 3 > 2, he said.")
    False

    Slashes join a trail of at least three short crumbs ("首页 / 快讯 / 深度", "Home / News /
    Tech"), so "consent / notice" in a heading is no trail:

    >>> is_breadcrumb("首页 / 快讯 / 深度 / 创投"), is_breadcrumb("Consent / notice")
    (True, False)
    """
    crumbs = _SLASH_SPLIT.split(text.strip())
    if len(crumbs) >= _SLASH_TRAIL_MIN and all(0 < text_units(c) <= _SLASH_CRUMB_MAX_UNITS for c in crumbs):
        return True
    parts = _BREADCRUMB_SPLIT.split(text.strip())
    if len(parts) < 2 or text.rstrip().endswith((".", "!", "?", "。")):
        return False
    return all(0 < len(p.split()) <= _BREADCRUMB_MAX_SEGMENT_WORDS for p in parts)


def interviewer(text: str, rules: FurnitureRules) -> str | None:
    """Who asked an interview's questions, as its by-line says (``[line.interviewer]``).

    >>> interviewer("Interview by Jane Roe", load_rules()), interviewer("采访：张三", load_rules())
    ('Jane Roe', '张三')
    """
    m = rules.line_match("interviewer", text)
    return m.group("names") if m else None


def page_url(text: str, rules: FurnitureRules) -> str | None:
    """The address a labelled line gives for the page (``[line.page_url]``), else None.

    >>> page_url("Saved from: https://forum.example/t/2026/07/02/x-1", load_rules())
    'https://forum.example/t/2026/07/02/x-1'
    """
    m = rules.line_match("page_url", text)
    return m.group("url") if m else None


def url_date(url: str | None, rules: FurnitureRules) -> str | None:
    """The date a page address's path holds (``[line.url_date]``): ISO, the month alone when
    the path gives no day; None when there is none or it is no calendar date.

    >>> rules = load_rules()
    >>> url_date("https://x.example/news/2026/11/20/a", rules), url_date("https://x.example/a/20261023/b.html", rules)
    ('2026-11-20', '2026-10-23')
    >>> url_date("https://x.example/2026/02/30/a", rules), url_date("https://x.example/t/48213", rules)
    (None, None)
    """
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip(), flags=re.I)  # the host is no date
    m = rules.line_match("url_date", path)
    if m is None:
        return None
    year, month, day = int(m.group("year")), int(m.group("month")), m.groupdict().get("day")
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, int(day)).isoformat()
    except ValueError:
        return None


_CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,6}$")
_COMMA = re.compile(r",\s+")
_AUTHOR_BARS = re.compile(r"\s+\|\s+")  # between authors in a labelled by-line
# A word of a personal name: capitalised, a particle, or two to six Chinese characters.
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w’'.-]*|de|da|van|von|der|del|bin|al-\w+|[\u4e00-\u9fff·]{2,6})$")


# A menu pasted as one line: at least this many items, a Chinese item at most this long.
_NAV_ROW_MIN_ITEMS = 3
_NAV_ROW_MAX_CJK = 6  # "建议提案办理"
_NAV_ROW_SPLIT = re.compile(r"[\s|｜•·]+")  # between a Chinese menu's items
_SENTENCE_MARK = re.compile(r"[.,;:!?。，；：！？、“”\"()（）]")

# Between the items of a row of share or page-tool widgets.
_WIDGET_SEPARATORS = re.compile(r"[|｜·•：:，,/]")

# "来源：某某晚报": where a Chinese text comes from (its outlet).
_SOURCE_NAME = re.compile(
    r"(?:^|\s)(?:(?:来源|文章来源|本文来源|信息来源|发布机构|发布单位)\s*[:：]|【(?:来源|信息来源|发布机构|发布单位)】)\s*"
    r"(?P<name>[^\s，,。|｜【】]{2,20})"
)


_CHANNEL = re.compile(r"[－—–-][^－—–-]{1,10}(?:频道|栏目|专栏|板块)$")  # "某某网－法治频道"
# "[From the U.S. Government Publishing Office]": a printed record's provenance line.
_FROM_BRACKET = re.compile(r"^\[\s*(?i:from|source:)\s+(?i:the\s+)?(?P<name>[A-Z][^\[\]]{2,80}?)\s*\]$")


def source_name(text: str, *, alone: bool = False) -> str | None:
    """The outlet a ``来源：`` label names in ``text`` (``alone``: the label is the whole line).

    >>> source_name("2025-04-01 07:15 来源：南湖日报 记者 郑可欣"), source_name("来源：南湖日报 记者", alone=True)
    ('南湖日报', None)

    A channel of the site after its name is not the outlet:

    >>> source_name("2026年11月18日08:21 | 来源：某某网－法治频道")
    '某某网'

    An archive's bracketed provenance line names the publisher too:

    >>> source_name("[From the Example Publishing Office]", alone=True)
    'Example Publishing Office'

    A bracketed label is a label too: ``【来源】某某晚报　【作者】…``.

    >>> source_name("【来源】某某晚报 【作者】记者 某某")
    '某某晚报'
    """
    if m := _FROM_BRACKET.match(text.strip()):
        return m.group("name")
    m = _SOURCE_NAME.match(text) if alone else _SOURCE_NAME.search(text)
    if m is None or (alone and text[m.end() :].strip()):
        return None
    return without_channel(m.group("name"))


def without_channel(name: str) -> str:
    """A site's name without the channel a source line adds after it ("某某网－法治频道")."""
    return _CHANNEL.sub("", name) or name


# The holder a copyright notice names: "© 2026 Example Post. All rights reserved.", "(c) Example
# Times | Terms", "Copyright 2024-2026 Centre for X, Example University."; a decimal point ends no
# name, an apposition after it is no part of it ("© 2026 Example FM 97.3, a … station").
_COPYRIGHT_HOLDER = re.compile(
    r"(?:©|\([cC]\)|\b[Cc]opyright\b)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"(?![Aa]ll\s+[Rr]ights\b)(?P<name>[A-Z](?:[^.|©\n]|\.(?=\d)){1,60}?)"
    r"(?:,?\s*(?:\.(?!\d)|\||\s[Aa]ll\s+[Rr]ights\b|$)|,\s+(?:a|an|part of)\s)"
    # the name before the sign, its company form dropped: "… · Example, Inc. © 2026."
    r"|(?:^|[·|•]\s*)(?!Copyright\b)(?P<before>[A-Z][\w&’'-]*(?: [A-Z][\w&’'-]*){0,3}),?\s+"
    r"(?:Inc\.|LLC|Ltd\.?|Limited)?\s*©\s*\d{4}"
)


def copyright_holder(text: str) -> str | None:
    """The holder a copyright notice in ``text`` names, when it names one in Latin letters.

    >>> copyright_holder("© 2026 Example Post. All rights reserved.")
    'Example Post'
    >>> copyright_holder("Copyright 2024-2026 Centre for X, Example University")
    'Centre for X, Example University'
    >>> copyright_holder("(c) Example Times | Terms"), copyright_holder("© 2026 Example Post All rights reserved")
    ('Example Times', 'Example Post')
    >>> copyright_holder("© 2026 All rights reserved."), copyright_holder("copyrighted")
    (None, None)
    >>> copyright_holder("Example Rules · Privacy Policy · Example, Inc. © 2026. All rights reserved.")
    'Example'
    >>> copyright_holder("Copyright © 2026")
    >>> copyright_holder("© 2026 Example FM 97.3, a Example Media station. All rights reserved.")
    'Example FM 97.3'
    """
    m = _COPYRIGHT_HOLDER.search(text)
    return (m.group("name") or m.group("before")).strip() if m else None


def parse_byline(text: str, rules: FurnitureRules) -> tuple[str, ...] | None:
    """The names in a by-line (``By A, B and C``), or None when ``text`` is not one; a courtesy
    title before a full name is not part of it (``[vocab] byline_name_prefixes``).

    >>> rules = load_rules()
    >>> parse_byline("Posted by Prof. Jane Roe", rules), parse_byline("By Dr John Doe and Ms. Mary Major", rules)
    (('Jane Roe',), ('John Doe', 'Mary Major'))
    >>> parse_byline("By Dr. Roe", rules), parse_byline("作者：王晓 律师、陈静", rules)
    (('Dr. Roe',), ('王晓', '陈静'))
    """
    m = rules.line_match("byline", text)
    if m is not None and m.groupdict().get("handle"):
        return (m.group("handle"),)  # a forum user's name, as it is: "rainyday_88"
    if m is None or not m.groupdict().get("names"):  # a meta line may give only 来源 and a date
        return None
    names: list[str] = []
    after_role = False
    written = m.group("names")
    # "By Jane Roe, March 2, 2026": the date after a comma is no name
    cut = next((c.start() for c in _COMMA.finditer(written) if parse_date_line(written[c.end() :])), len(written))
    for chunk in NAME_SEPARATORS.split(_AUTHOR_BARS.sub("; ", written[:cut].strip().rstrip("."))):
        if rules.is_byline_role(chunk):
            after_role = True
            continue  # "By Jane Roe, Partner, and John Doe, Associate", "By Jane Roe, Senior Reviewer"
        if after_role and len(chunk.split()) == 1:
            continue  # "Jane Roe, Partner, Shanghai": the office's city after the role
        after_role = False
        chunk = _cjk_name_alone(chunk, rules)
        # roles and a Chinese name's title standing apart ("王晓 律师") are no names
        tokens = [
            t.rstrip("*†‡")
            for t in chunk.split()
            if t not in rules.byline_roles and t not in rules.byline_name_suffixes
        ]
        while len(tokens) > 2 and tokens[0].removesuffix(".") in rules.byline_name_prefixes:
            tokens = tokens[1:]  # "Prof. Jane Roe", "Dr Jane Roe": the name without its courtesy title
        if not tokens:
            continue
        if all(_CJK_NAME.match(t) for t in tokens):  # "记者 张三 通讯员 李四": one name each
            names.extend(tokens)
            continue
        if not (1 <= len(tokens) <= 5 and all(_NAME_TOKEN.match(t) for t in tokens)):
            return None
        names.append(" ".join(tokens))
    return tuple(names) or None


_BRACKETED_TAIL = re.compile(r"\s*[（(][^（()）]{1,40}[）)]$")


def _cjk_name_alone(chunk: str, rules: FurnitureRules) -> str:
    """A Chinese name without what a by-line says after it: "王五律师（某某律师事务所）" is
    王五 (``[vocab] byline_name_suffixes`` are the titles cut); other chunks as they are.

    >>> _cjk_name_alone("王五律师（某某律师事务所）", load_rules()), _cjk_name_alone("Jane Roe", load_rules())
    ('王五', 'Jane Roe')
    """
    bare = _BRACKETED_TAIL.sub("", chunk.strip())
    for suffix in rules.byline_name_suffixes:
        if bare.endswith(suffix) and _CJK_NAME.match(bare[: -len(suffix)]) and len(bare) - len(suffix) <= 4:
            return bare[: -len(suffix)]
    return bare if _CJK_NAME.match(bare) else chunk


@dataclass(frozen=True)
class CueRule:
    """One named kind of furniture: compiled patterns plus the examples that document it."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    max_units: int | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    def match(self, text: str) -> re.Match[str] | None:
        """The first pattern match in ``text``, if ``text`` is short enough to be this kind."""
        if self.max_units is not None and text_units(text) > self.max_units:
            return None
        for pattern in self.patterns:
            m = pattern.search(text)
            if m:
                return m
        return None


@dataclass(frozen=True)
class FurnitureRules:
    """Everything in ``commentary_rules.toml``, compiled."""

    sentence_cues: tuple[CueRule, ...]
    lines: Mapping[str, CueRule]
    bio: CueRule
    nav_items: frozenset[str]
    widget_items: frozenset[str]
    org_words: frozenset[str]
    abbrev_titles: frozenset[str]
    abbrev_before_numbers: frozenset[str]
    abbrev_ambiguous: frozenset[str]
    sentence_starters: frozenset[str]
    byline_roles: frozenset[str] = frozenset()
    byline_role_modifiers: frozenset[str] = frozenset()
    byline_name_suffixes: tuple[str, ...] = ()
    byline_name_prefixes: frozenset[str] = frozenset()

    def is_byline_role(self, chunk: str) -> bool:
        """A job title in a by-line: a role word (Partner, 记者), perhaps after modifiers
        ("Senior Reviewer", "Contributing Tech Writer").

        >>> rules = load_rules()
        >>> rules.is_byline_role("Senior Reviewer"), rules.is_byline_role("记者"), rules.is_byline_role("Jane Roe")
        (True, True, False)
        """
        words = chunk.split()
        if not words or chunk.strip() in self.byline_roles:
            return bool(words)
        return words[-1] in self.byline_roles and all(
            w in self.byline_role_modifiers or w in self.byline_roles for w in words[:-1]
        )

    def sentence_cue(self, sentence: str) -> str | None:
        """The name of the first furniture cue the sentence carries, if any."""
        text = sentence.strip()
        for rule in self.sentence_cues:
            if rule.match(text):
                return rule.name
        return None

    def line_match(self, name: str, text: str) -> re.Match[str] | None:
        return self.lines[name].match(text.strip())

    def line_is(self, name: str, text: str) -> bool:
        return self.line_match(name, text) is not None

    def is_nav_item(self, text: str) -> bool:
        return text.strip().casefold().rstrip(":") in self.nav_items

    def is_widget(self, text: str) -> bool:
        """One widget item, or a row of them ("分享到：微信 微博 QQ空间", "Share | Tweet | Copy link")."""
        line = text.strip().casefold().rstrip(":：").lstrip("+＋")  # "＋关注": a follow button
        if line in self.widget_items:
            return True
        chunks = [c.strip() for c in _WIDGET_SEPARATORS.split(line) if c.strip()]
        if len(chunks) < 2 and len(line.split()) < 2:
            return False
        return all(c in self.widget_items or all(w in self.widget_items for w in c.split()) for c in chunks)

    def is_nav_row(self, text: str) -> bool:
        """A site's menu or a row of buttons pasted as one line of short items between spaces:
        "首页 发现 消息", "立即沟通 感兴趣 举报" (a Chinese row of short items, some perhaps in Latin
        letters, one of them a menu or widget word), "Home News Opinion About" (most items menu words).

        >>> rules = load_rules()
        >>> rules.is_nav_row("首页　会员　发现　等你来答"), rules.is_nav_row("Home News Opinion Podcasts")
        (True, True)
        >>> rules.is_nav_row("首页　职位　APP下载　登录/注册"), rules.is_nav_row("Home Office rules tighten")
        (True, False)
        >>> rules.is_nav_row("某某网信 · 首页 ｜ 政务公开 ｜ 互动交流"), rules.is_nav_row("深度 ｜ 刷脸进小区 业主说不")
        (True, False)
        >>> rules.is_nav_row("首页 上的 按钮，点了 没反应"), rules.is_nav_row("职位　公司　校园　APP下载")
        (False, False)
        """
        items = text.split()
        if len(items) < _NAV_ROW_MIN_ITEMS or _SENTENCE_MARK.search(text):
            return False
        if any(_CJK_CHAR.fullmatch(ch) for ch in text):
            items = [item for item in _NAV_ROW_SPLIT.split(text) if item]  # "首页 ｜ 政务公开 ｜ 互动交流"
            menu_word = any(item in self.nav_items or item in self.widget_items for item in items)
            return menu_word and all(len(item) <= _NAV_ROW_MAX_CJK for item in items)
        return 2 * sum(1 for item in items if item.casefold() in self.nav_items) > len(items)

    def is_site_name(self, text: str) -> bool:
        """A short title-case name with an organisation word: the site's masthead."""
        words = [w.casefold() for w in _WORD.findall(text)]
        return (
            0 < len(words) <= 8 and ":" not in text and is_title_case(text) and any(w in self.org_words for w in words)
        )

    def bio_subject(self, sentence: str) -> str | None:
        """The person an author-bio sentence is about ("Lauren Dudley is a ..."), else None."""
        m = self.bio.match(sentence.strip())
        return m.group("name") if m else None


class CueRuleModel(RuleModel):
    """One ``[sentence_cue.*]``, ``[line.*]`` or ``[bio]`` table of the rules file."""

    patterns: tuple[str, ...] = Field(min_length=1)
    case_sensitive: bool = False
    max_units: int | None = None
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad pattern {pattern!r}: {exc}") from None
        return patterns


class VocabModel(RuleModel):
    """``[vocab]``: words of navigation, widgets and site names."""

    nav_items: tuple[str, ...] = ()
    widget_items: tuple[str, ...] = ()
    org_words: tuple[str, ...] = ()
    byline_roles: tuple[str, ...] = ()
    byline_role_modifiers: tuple[str, ...] = ()
    byline_name_suffixes: tuple[str, ...] = ()
    byline_name_prefixes: tuple[str, ...] = ()


class SentencesModel(RuleModel):
    """``[sentences]``: abbreviations that do not end a sentence, and words that start one."""

    titles: tuple[str, ...] = ()
    before_numbers: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    sentence_starters: tuple[str, ...] = ()


class FurnitureFile(RuleModel):
    """The whole of ``commentary_rules.toml``."""

    version: int = 1
    sentence_cue: dict[str, CueRuleModel] = Field(default_factory=dict)
    line: dict[str, CueRuleModel]
    bio: CueRuleModel
    vocab: VocabModel = VocabModel()
    sentences: SentencesModel = SentencesModel()

    @field_validator("line")
    @classmethod
    def _has_every_line_rule(cls, lines: dict[str, CueRuleModel]) -> dict[str, CueRuleModel]:
        missing = [name for name in LINE_RULES if name not in lines]
        if missing:
            raise ValueError(f"missing [line.{missing[0]}]")
        return lines


def _cue_rule(name: str, rule: CueRuleModel) -> CueRule:
    flags = 0 if rule.case_sensitive else re.IGNORECASE
    return CueRule(
        name=name,
        patterns=tuple(re.compile(p, flags) for p in rule.patterns),
        max_units=rule.max_units,
        examples=rule.examples,
        counter_examples=rule.counter_examples,
    )


def _compile(rules: FurnitureFile) -> FurnitureRules:
    vocab, sentences = rules.vocab, rules.sentences
    return FurnitureRules(
        sentence_cues=tuple(_cue_rule(k, v) for k, v in rules.sentence_cue.items()),
        lines={k: _cue_rule(k, v) for k, v in rules.line.items()},
        bio=_cue_rule("bio", rules.bio),
        nav_items=frozenset(s.casefold() for s in vocab.nav_items),
        widget_items=frozenset(s.casefold() for s in vocab.widget_items),
        org_words=frozenset(s.casefold() for s in vocab.org_words),
        abbrev_titles=frozenset(sentences.titles),
        abbrev_before_numbers=frozenset(sentences.before_numbers),
        abbrev_ambiguous=frozenset(sentences.ambiguous),
        sentence_starters=frozenset(sentences.sentence_starters),
        byline_roles=frozenset(vocab.byline_roles),
        byline_role_modifiers=frozenset(vocab.byline_role_modifiers),
        byline_name_suffixes=tuple(sorted(vocab.byline_name_suffixes, key=len, reverse=True)),
        byline_name_prefixes=frozenset(vocab.byline_name_prefixes),
    )


def rules_from_mapping(raw: Mapping[str, Any], origin: str = RULES_NAME) -> FurnitureRules:
    """Validate and compile a parsed rules file; a ConfigError names ``origin``, the entry and the field."""
    try:
        return _compile(FurnitureFile.model_validate(raw))
    except ValidationError as exc:
        raise rule_error(origin, exc) from None


def _default_rules_path() -> Path:
    # The rules live in the corpus directory in use (KB_CORPUS_DIR), like every other rule file.
    return get_settings().corpus_dir / RULES_NAME


@lru_cache(maxsize=4)
def _load_rules_cached(path: Path) -> FurnitureRules:
    return _compile(load_rule_file(path, FurnitureFile, "commentary rules file"))


def load_rules(path: Path | None = None) -> FurnitureRules:
    """The compiled furniture rules (cached per path)."""
    return _load_rules_cached((path or _default_rules_path()).resolve())


def all_examples(rules: FurnitureRules) -> Sequence[tuple[CueRule, str, bool]]:
    """Every (rule, example, should_match) the rules file documents, for the tests."""
    every = (*rules.sentence_cues, *rules.lines.values(), rules.bio)
    return [(r, e, True) for r in every for e in r.examples] + [
        (r, e, False) for r in every for e in r.counter_examples
    ]
