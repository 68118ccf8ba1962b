"""The citation finder's patterns: every regex, and the words and names of ``corpus/citations/patterns.toml``.

The regexes are named constants here; the words they are built from and the names
documents go by beyond the manifest are data, read by :func:`load_patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import StringConstraints, ValidationError

from kb.datafiles import RuleModel, load_rules, rule_error
from kb.model import CitationStatus, DocKind
from kb.settings import get_settings
from kb.text.numerals import CN_COUNT_CHARS, NUMERAL_CHARS

PATTERNS_PATH = Path("citations") / "patterns.toml"  # relative to settings.corpus_dir

# ---------------------------------------------------------------------------- regexes
# Every regex of the finder is here. Names and words come from patterns.toml.

_CN_NUM = f"[{NUMERAL_CHARS}]+"

# One unit of a Chinese pinpoint. 条 may carry 之一 (第十七条之一 -> art_17-1); items are
# printed （四）, so citations write 第（四）项 as often as 第四项.
ZH_ARTICLE = re.compile(rf"第(?P<n>{_CN_NUM})条(?:之(?P<sub>{_CN_NUM}))?")
ZH_PARAGRAPH = re.compile(rf"第(?P<n>{_CN_NUM})款")
ZH_ITEM = re.compile(rf"第[（(]?(?P<n>{_CN_NUM})[）)]?项")
ZH_SUBITEM = re.compile(rf"第(?P<n>{_CN_NUM})目")
# Several numbers sharing one 第 and one unit: 第二十八、二十九条, 第二、三项.
_ZH_SHARED_SEP = r"(?:、|和|及|与|或者|或)"
ZH_SHARED_LIST = re.compile(
    rf"第[（(]?(?P<n>{_CN_NUM})[）)]?(?P<rest>(?:{_ZH_SHARED_SEP}[（(]?{_CN_NUM}[）)]?)+)(?P<unit>[条款项目])"
)
ZH_SHARED_REST = re.compile(rf"{_ZH_SHARED_SEP}[（(]?(?P<n>{_CN_NUM})[）)]?")
ZH_UNIT_START = re.compile(rf"第[（(]?{_CN_NUM}[）)]?(?:{_ZH_SHARED_SEP}[（(]?{_CN_NUM}[）)]?)*[条款项目]")
# A range end may drop its 第: 第四十一条至四十三条.
ZH_BARE_UNIT = re.compile(rf"[（(]?(?P<n>{_CN_NUM})[）)]?(?P<unit>[条款项目])")
# Between two pinpoints of a list (、, 和, 及, 或者) or a range (至).
ZH_LIST_SEP = re.compile(r"、|以及|及|和|与|或者|或")
ZH_RANGE_SEP = re.compile(r"至|到|～|~|—|－")
# 本条 / 本款 / 本项 and 前款 / 前条 / 前两款: relative to the citing provision.
ZH_RELATIVE = re.compile(rf"本条(?!例)|本款|本项(?!目)|前(?P<k>[{CN_COUNT_CHARS}])?(?P<unit>款|条|项)(?!目)")
# 同法第十四条 / 该法 / 该条例: the document named last (words from patterns.toml); not
# inside 合同法 (!), 不同法律, 相同法院, 会同法院, 应该, 该法定代理, 该法人, 该法规 (but 该法规定), 该法条 or 该法案.
ZH_BACK_TEMPLATE = r"(?<![不相应合共如等认协混连会赞])(?:{words})(?![律院官庭学定人条治案理制务]|规(?!定))"
# "Article 42 of the same law": the document named last (words from patterns.toml).
EN_BACK_TEMPLATE = r"(?<![\w\-])(?i:{words})(?![\w\-])"
EN_AS_WRITTEN_TEMPLATE = r"(?<![\w\-])(?:{words})(?![\w\-])"  # "Id.", "GDPR": as written
# A statute's own article heading at the start of a line, "第十三条 符合…": a label,
# not a citation.
ZH_HEADING = re.compile(rf"(?m)^[ \t\u3000]*第{_CN_NUM}条(?:之{_CN_NUM})?(?=[ \t\u3000\u00a0])")
# 《…》 (inner 〈…〉 allowed, as in 《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》).
ZH_BOOK_TITLE = re.compile(r"《(?P<title>[^《》\n]{1,120})》")
# A version marker right after a name or inside a title: （2025年修正）, (2016年).
ZH_YEAR_SUFFIX_TEMPLATE = r"[（(]\s*(?P<year>(?:19|20)\d{{2}})\s*年?\s*(?:{words})?\s*[）)]"
# A year right before a name: 2016年网络安全法, 2016年版《…》.
ZH_YEAR_PREFIX = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?:版|修正|修订)?的?$")
ZH_TRAILING_PARENS = re.compile(r"[（(][^（）()]*[）)]$")
ZH_PREFIX_PRC = "中华人民共和国"
# Punctuation that ends a clause: a bare 第五项 after it no longer continues the clause's
# last citation.
ZH_CLAUSE_BREAK = re.compile(r"[，。；：,;:\n]|\.\s")
# 本法, 本规定, … (words from patterns.toml); not inside 根本法 (fundamental law), 基本法
# (Basic Law) or 本法律.
ZH_SELF_TEMPLATE = r"(?<![根基])(?:{words})(?!律)"

# English article keyword: Article(s), Art./Arts., art./arts. (lower case needs the dot
# or the full word, so "arts 2020" is not a citation).
EN_ARTICLE_KEYWORD = re.compile(r"(?<![\w])(?:[Aa]rticles?|[Aa]rts?\.|Arts?(?=\s))\s*(?=\d)")
# One English pinpoint: 13, 13(1), 13(1)(iv), "13, paragraph 2, item 4".
EN_ELEMENT = re.compile(
    r"(?P<n>\d{1,4})(?![\d.]\d)"
    r"(?P<parens>(?:\s?\(\s*(?:\d{1,3}|[ivx]{1,6})\s*\))*)"
    r"(?:,?\s+(?:paragraph|para\.?)\s*(?P<para>\d{1,3}))?"
    r"(?:,?\s+(?:item|point|subparagraph|sub-paragraph)\s*\(?(?P<item>\d{1,3}|[ivx]{1,6})\)?)?"
)
EN_PAREN = re.compile(r"\(\s*(\d{1,3}|[ivx]{1,6})\s*\)")
# A range of items or sub-items inside one article: "13(1)(ii)-(iv)", "(ii) to (iv)".
EN_PAREN_RANGE = re.compile(r"\s*(?:[-–—‒]|to|through)\s*\(\s*(?P<n>\d{1,3}|[ivx]{1,6})\s*\)")
# The inner units written first: "paragraph 2 of Article 47", "the second paragraph of",
# "item (ii) of paragraph 1 of Article 13", "item 3 of Article 13(1)".
_EN_ITEM_WORDS = r"(?:sub-?)?(?:items?|points?|subparagraphs?|sub-paragraphs?)\s*\(?(?P<item>\d{1,3}|[ivx]{1,6})\)?"
_EN_PARA_WORDS = (
    r"(?:(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+paragraph"
    r"|(?:paragraph|para\.?)\s*(?P<para>\d{1,3}))"
)
_EN_OF = r"\s+(?:of|in|under)\s+(?:the\s+)?"
EN_INNER_BEFORE = (
    re.compile(rf"(?i:{_EN_ITEM_WORDS}{_EN_OF}{_EN_PARA_WORDS}{_EN_OF})$"),
    re.compile(rf"(?i:{_EN_PARA_WORDS}{_EN_OF})$"),
    re.compile(rf"(?i:(?<![\w-]){_EN_ITEM_WORDS}{_EN_OF})$"),
)
EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
EN_KEYWORD_AGAIN = r"(?:(?:[Aa]rticles?|[Aa]rts?\.?)\s*)?"
# A list separator that repeats the keyword ("13(1)(ii) and Art. 1035"): the list may
# change documents there.
EN_KEYWORD_REPEATED = re.compile(r"(?<![\w])[Aa]rt")
EN_LIST_SEP = re.compile(rf"(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|&)\s+){EN_KEYWORD_AGAIN}(?=\d)")
EN_RANGE_SEP = re.compile(rf"(?:\s*[-–—‒]\s*|\s+(?:to|through|thru)\s+{EN_KEYWORD_AGAIN})(?=\d)")
# Between a chain and the document named after it: "Article 41 of the Cybersecurity Law",
# "Art. 28 PIPL".
EN_GAP_AFTER = re.compile(r"\s*,?\s*\(?\s*(?:(?:of|in|under)\s+)?(?P<the>the\s+)?")
# Between a document named before a chain and the chain, beyond plain space: a comma
# ("Data Security Law, Art. 35") or a defining abbreviation ("the DSL (DSL), Art. 21").
EN_GAP_BEFORE = re.compile(r"(?:\s*\(\s*[A-Z][A-Za-z0-9]{1,11}\s*\))?\s*,\s*$")
# Right before a chain, a name we do not know: "GDPR Article 9", "the Act's Article 5".
EN_UNKNOWN_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z][\w.]*['’]s)\s+$")
# Where a sentence ends, for "the law mentioned just before it in the same sentence": not
# after "Art." / "arts." / "No." / "para." or an initial ("U.S."), which keep a sentence going.
SENTENCE_END = re.compile(r"[。！？!?]|(?<![Aa]rt)(?<![Aa]rts)(?<!\b[Nn]o)(?<!para)(?<!\b[A-Z])\.(?=\s)|\n\s*\n")
# A term the text defines for the document just named: 《…》（以下简称《办法》）,
# 个人信息保护法（下称“个保法”）, the Data Security Law (the “DSL”), (hereinafter "the Law").
ZH_DEFINITION = re.compile(
    r"\s*[（(]\s*(?:以下简称|以下称|下文简称|下称|简称)\s*[:：]?\s*[“\"《「『]?"
    r"(?P<term>[^（）()“”\"《》「」『』\n]{1,20}?)[”\"》」』]?\s*[）)]"
)
EN_DEFINITION = re.compile(
    r"\s*\(\s*(?:(?:hereinafter|hereafter)(?:\s+(?:referred\s+to\s+as|called))?\s*,?\s*)?(?:the\s+)?"
    r"[“\"‘'](?:the\s+)?(?P<term>[A-Za-z][^”\"’'()\n]{0,40})[”\"’']\s*\)"
)
# Later uses of a Chinese term: in 《》 or quotes, or right before an article (办法第五条).
ZH_TERM_USE_TEMPLATE = r"《{term}》|“{term}”|{term}(?=第)"
EN_TERM_USE_TEMPLATE = r"(?<![\w\-]){term}(?![\w\-])"
# Optional words around an English name that belong to the reference.
# "amended", "revised" before a name (group ``latest``): the latest version that
# existed at the citing date, in force yet or not.
EN_NAME_PREFIX = (
    r"(?:(?:China|PRC)['’]s\s+|PRC\s+|Chinese\s+)?(?:(?:19|20)\d{2}\s+)?"
    r"(?P<latest>(?:(?:newly|recently)\s+)?(?:amended|revised)\s+)?"
)
EN_NAME_SUFFIX = (
    r"(?:\s+of\s+(?:the\s+)?(?:People['’]s\s+Republic\s+of\s+China|PRC|China))?"
    r"(?:\s*\((?:19|20)\d{2}[^()\n]{0,24}\)|\s+of\s+(?:19|20)\d{2}\b"
    r"|\s*,?\s*\(?(?:as\s+)?(?:amended|revised)\s+(?:in\s+)?(?:19|20)\d{2}\)?)?"
)
# The same before a Chinese name: 修正后的网络安全法, 新修订的《网络安全法》.
ZH_LATEST_PREFIX = re.compile(r"(?:(?:新|最新)?(?:修正|修订|修改)后?的|新修[订正]的?|新版的?)$")
EN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A word before a name, to test for foreign qualifiers ("Vietnam's Cybersecurity Law").
EN_WORD_BEFORE = re.compile(r"(?P<word>(?:the\s+country['’]s|[\w.’']+))\s+(?:new\s+|draft\s+)?$")
# A short form of a document named earlier: "the Specification", "the Measures" (a capitalised
# head word, not followed by another capitalised word as in "the Law School").
EN_SHORT_FORM = re.compile(r"\b[Tt]he\s+(?P<head>[A-Z][a-z]+)\b(?!\s+[A-Z])")
# After a chain, a run of Capitalised Words ending in a title head is a document we do not
# know: "Article 5 of the Copyright Law". {heads} comes from patterns.toml.
EN_UNKNOWN_TITLE_TEMPLATE = r"\s+of\s+(?:the\s+)?(?:[A-Z][\w'’\-]*\s+){{0,8}}(?:{heads})\b"
# After a chain, a document described by its kind: "Article 4 of the SPC's 2021 interpretation"
# ({words}: the English words of patterns.toml's kind nouns).
EN_DESCRIBED_TEMPLATE = (
    r"\s+of\s+(?:the|this|that|these|those|its|their|a|an)\s+(?:[\w'’\-]+\s+){{0,6}}?(?P<noun>{words})\b"
)

# Descriptions ("the SPC's 2021 interpretation", 最高法2021年的司法解释; see described.py).
# A kind noun as a whole word ({words}: patterns.toml's kind nouns, English or Chinese).
EN_KIND_NOUN_TEMPLATE = r"(?<![\w\-])(?i:{words})(?![\w\-])"
ZH_KIND_NOUN_TEMPLATE = r"(?:{words})"
# Issuers ending right before a position, one or several ("the CAC/MPS", "the CAC and MPS's"),
# possessive or not ({words}: patterns.toml's issuer names).
EN_ISSUERS_BEFORE_TEMPLATE = r"(?<![\w\-])(?P<issuers>(?:{words})(?:\s*(?:/|&|,|\band\b)\s*(?:{words}))*)(?:['’]s)?\s+$"
ZH_ISSUERS_BEFORE_TEMPLATE = r"(?P<issuers>(?:{words})(?:[、和与及/](?:{words}))*)$"
# The word after a kind noun.
EN_WORD_AFTER = re.compile(r"\s+(?P<word>[\w'’\-]+)")
# One word before a kind noun, with the space after it.
EN_WORD_BACK = re.compile(r"(?<![\w\-'’])(?P<word>[\w][\w'’\-]*)\s+$")
# A year before a Chinese kind noun: 2021年(的), 2021年版的, 2023年8月公布的.
ZH_YEAR_BACK = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
    r"(?:版|发布|出台|通过|施行|实施|颁布|印发|公布)?的?$"
)
# 关于…的 before a Chinese kind noun: its topic.
ZH_ABOUT_BACK = re.compile(r"关于(?P<topic>[\u4e00-\u9fff]{1,16}?)的?$")
# A Chinese topic before a kind noun: a run of two or more Chinese characters (after 的, a year,
# an issuer).
ZH_TOPIC_BACK = re.compile(r"(?P<topic>(?:(?![的年])[\u4e00-\u9fff]){2,16})$")
# After an English kind noun, its topic: "on facial recognition", "concerning public-security video".
EN_TOPIC_AFTER = re.compile(r"\s+(?:on|concerning|regarding|governing|about|for)\s+(?:the\s+)?")
EN_TOPIC_WORD = re.compile(r"(?P<word>[A-Za-z][\w'’\-]*)")
EN_YEAR_WORD = re.compile(r"(?:19|20)\d{2}")
# A year in brackets after a kind noun, as notes write it: "SPC Provisions (2021), art. 4".
EN_YEAR_AFTER = re.compile(r"\s*\((?P<year>(?:19|20)\d{2})\)")
# What may stand before an issuer that opens a description without "the": the start of the
# text or a line, a bracket, a note label's colon ("[^2]: SPC Provisions (2021)").
EN_DESCRIPTION_OPENING = re.compile(r"(?:^|[\n(\[:;])[ \t]*$")


@lru_cache(maxsize=32)
def words_regex(words: tuple[str, ...], template: str, flags: int = 0) -> re.Pattern[str]:
    """``template`` with ``{words}`` the alternation of ``words`` from patterns.toml, longest
    first; a space in a word matches any run of spaces.

    >>> words_regex(("the same law", "the same"), EN_BACK_TEMPLATE).search("of the  same law").group(0)
    'the  same law'
    """
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(template.format(words=alternatives), flags)


# Separators treated alike inside English names.
_EN_SEPARATORS = re.compile(r"[\s\-‐‑–]+")

ROMAN_ITEM = re.compile(r"^[ivx]+$")


# ---------------------------------------------------------------------------- patterns data


Name = Annotated[str, StringConstraints(min_length=1)]


class AliasRule(RuleModel):
    """``[[alias]]``: names in use for one document that the manifest does not list."""

    doc: Name
    en: tuple[Name, ...] = ()
    zh: tuple[Name, ...] = ()


class EnglishWords(RuleModel):
    """``[english]``: the words the English patterns are built from."""

    plural_heads: tuple[Name, ...] = ()
    foreign_qualifiers: tuple[Name, ...] = ()
    foreign_laws: tuple[Name, ...] = ()
    domestic_possessives: tuple[Name, ...] = ()
    title_heads: tuple[Name, ...] = ()
    back_references: tuple[Name, ...] = ()
    note_references: tuple[Name, ...] = ()
    description_fillers: tuple[Name, ...] = ()
    draft_words: tuple[Name, ...] = ()


class IssuerRule(RuleModel):
    """``[[issuer]]``: the names commentary gives an issuer the manifest names ``name``."""

    name: Name
    en: tuple[Name, ...] = ()
    zh: tuple[Name, ...] = ()


class KindNounRule(RuleModel):
    """``[[kind_noun]]``: a noun that describes a document by its kind ("interpretation", 办法):
    it names documents of ``kinds`` and documents whose Chinese title ends in one of ``titles``."""

    en: tuple[Name, ...] = ()
    zh: tuple[Name, ...] = ()
    kinds: tuple[DocKind, ...] = ()
    titles: tuple[Name, ...] = ()
    not_before: tuple[Name, ...] = ()  # English words after which the noun is no document's
    verb_too: bool = (
        False  # Chinese: also a verb (公安部规定 "the MPS stipulates"), so not right after an issuer or year
    )


class ChineseWords(RuleModel):
    """``[chinese]``: the words the Chinese patterns are built from."""

    self_references: tuple[Name, ...] = ()
    back_references: tuple[Name, ...] = ()
    blocked_after: tuple[Name, ...] = ()
    title_suffixes: tuple[Name, ...] = ()
    version_words: tuple[Name, ...] = ()
    description_fillers: tuple[Name, ...] = ()


class CitationExample(RuleModel):
    """``[[example]]``: a text, the ids of all citations found in it and their one status."""

    text: Name
    ids: tuple[str, ...]
    status: CitationStatus
    date: str | None = None
    context_doc: str | None = None
    context_eid: str | None = None

    def context(self) -> dict[str, str]:
        """The keyword arguments of :func:`find_citations` the example sets."""
        given = {"date": self.date, "context_doc": self.context_doc, "context_eid": self.context_eid}
        return {k: v for k, v in given.items() if v is not None}


class PatternsFile(RuleModel):
    """The whole of ``corpus/citations/patterns.toml``."""

    version: int = 1
    alias: tuple[AliasRule, ...] = ()
    english: EnglishWords = EnglishWords()
    chinese: ChineseWords = ChineseWords()
    issuer: tuple[IssuerRule, ...] = ()
    kind_noun: tuple[KindNounRule, ...] = ()
    example: tuple[CitationExample, ...] = ()


@dataclass(frozen=True)
class CitationPatterns:
    """The contents of ``corpus/citations/patterns.toml``, as the finder uses them."""

    aliases: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # doc -> (en, zh)
    plural_heads: frozenset[str] = frozenset()
    foreign_qualifiers: frozenset[str] = frozenset()
    foreign_laws: tuple[str, ...] = ()
    domestic_possessives: frozenset[str] = frozenset()
    title_heads: tuple[str, ...] = ()
    self_references: tuple[str, ...] = ("本法",)
    back_references: tuple[str, ...] = ()
    en_back_references: tuple[str, ...] = ()
    en_note_references: tuple[str, ...] = ()
    description_fillers: frozenset[str] = frozenset()
    zh_description_fillers: tuple[str, ...] = ()
    draft_words: frozenset[str] = frozenset()
    issuers: tuple[IssuerRule, ...] = ()
    kind_nouns: tuple[KindNounRule, ...] = ()
    blocked_after: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    version_words: tuple[str, ...] = ()
    examples: tuple[CitationExample, ...] = ()

    @classmethod
    def from_file(cls, rules: PatternsFile) -> CitationPatterns:
        aliases: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for row in rules.alias:  # a document may have several [[alias]] rows
            en, zh = aliases.get(row.doc, ((), ()))
            aliases[row.doc] = (en + row.en, zh + row.zh)
        english, chinese = rules.english, rules.chinese
        return cls(
            aliases=aliases,
            plural_heads=frozenset(s.casefold() for s in english.plural_heads),
            foreign_qualifiers=frozenset(english.foreign_qualifiers),
            foreign_laws=english.foreign_laws,
            domestic_possessives=frozenset(english.domestic_possessives),
            title_heads=english.title_heads,
            self_references=chinese.self_references or ("本法",),
            back_references=chinese.back_references,
            en_back_references=english.back_references,
            en_note_references=english.note_references,
            description_fillers=frozenset(w.casefold() for w in english.description_fillers),
            zh_description_fillers=chinese.description_fillers,
            draft_words=frozenset(w.casefold() for w in english.draft_words),
            issuers=rules.issuer,
            kind_nouns=rules.kind_noun,
            blocked_after=chinese.blocked_after,
            title_suffixes=chinese.title_suffixes,
            version_words=chinese.version_words,
            examples=rules.example,
        )


def parse_patterns(raw: Mapping[str, Any], *, origin: str = "patterns") -> CitationPatterns:
    """The patterns of an already decoded file; a malformed one is a ConfigError naming
    ``origin``, the entry and the field.

    >>> parse_patterns({"alias": [{"doc": "pipl-2021", "en": ["PIPL", ""]}]}, origin="p.toml")
    Traceback (most recent call last):
    ...
    kb.errors.ConfigError: p.toml: alias.0.en.1: String should have at least 1 character
    """
    try:
        return CitationPatterns.from_file(PatternsFile.model_validate(raw))
    except ValidationError as exc:
        raise rule_error(origin, exc) from None


@lru_cache(maxsize=4)
def load_patterns(path: Path | None = None) -> CitationPatterns:
    """Read ``corpus/citations/patterns.toml`` (or ``path``)."""
    path = path or get_settings().corpus_dir / PATTERNS_PATH
    return CitationPatterns.from_file(load_rules(path, PatternsFile, "citation patterns"))
