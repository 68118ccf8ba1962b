"""Find citations of statutes in Chinese or English text and resolve them to ids.

One pass serves any text: a statute's own provisions, an SPC interpretation or an
English commentary. The finder works in three steps, eyecite style:

1. *anchors*: document names (manifest titles, aliases, short names, descriptions and
   the extra names in ``corpus/citations/patterns.toml``), 《书名号》 titles, self
   references (本法, 本规定) and relative references (本条, 前款, 前两款);
2. *chains*: pinpoints such as ``第十三条第一款第（四）项、第十四条`` or
   ``Articles 13(1)(iv) and 14``, with lists and ranges (第三十四条至第三十七条);
3. *resolution*: a chain takes its document from the anchor touching it (before it,
   or after it in English: "Article 41 of the Cybersecurity Law"), else from the
   context; the version of a work is chosen by the citing text's date or an explicit
   year; every pinpoint is checked against the eids that exist.

>>> from kb.model import DocumentMeta, SourceRef
>>> law = DocumentMeta(id="pipl-2021", kind="law", title_zh="中华人民共和国个人信息保护法",
...                    short_names=("PIPL",), sources=(SourceRef("x.txt"),))
>>> index = CitationIndex.build([law], {"pipl-2021": frozenset({"art_13", "art_13__para_1"})})
>>> [(c.text, c.status, c.ids) for c in find_citations("见个人信息保护法第十三条。", index)]
[('个人信息保护法第十三条', 'resolved', ('pipl-2021/art_13',))]
>>> find_citations("Article 99 of the PIPL", index)[0].status
'not_found'

Offsets are into the text as given; nothing is normalised first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from kb.annotate.trie import compact_group
from kb.datafiles import read_toml
from kb.errors import ConfigError
from kb.model import Annotation, Citation, CitationStatus, DocumentMeta, Link
from kb.settings import get_settings
from kb.text.numerals import NUMERAL_CHARS, cn_to_int, roman_to_int

__all__ = [
    "PATTERNS_PATH",
    "CitationIndex",
    "CitationPatterns",
    "citation_annotations",
    "citation_annotations_from",
    "citation_links",
    "find_citations",
    "load_patterns",
    "parse_patterns",
]

log = logging.getLogger(__name__)

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
ZH_UNIT_START = re.compile(rf"第[（(]?{_CN_NUM}[）)]?[条款项目]")
# A range end may drop its 第: 第四十一条至四十三条.
ZH_BARE_UNIT = re.compile(rf"[（(]?(?P<n>{_CN_NUM})[）)]?(?P<unit>[条款项目])")
# Between two pinpoints of a list (、, 和, 及, 或者) or a range (至).
ZH_LIST_SEP = re.compile(r"、|以及|及|和|与|或者|或")
ZH_RANGE_SEP = re.compile(r"至|到|～|~|—|－")
# 本条 / 本款 / 本项 and 前款 / 前条 / 前两款: relative to the citing provision.
ZH_RELATIVE = re.compile(r"本条(?!例)|本款|本项(?!目)|前(?P<k>[两二三四五六七八九])?(?P<unit>款|条|项)(?!目)")
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
EN_KEYWORD_AGAIN = r"(?:(?:[Aa]rticles?|[Aa]rts?\.?)\s*)?"
EN_LIST_SEP = re.compile(rf"(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|&)\s+){EN_KEYWORD_AGAIN}(?=\d)")
EN_RANGE_SEP = re.compile(rf"(?:\s*[-–—‒]\s*|\s+(?:to|through|thru)\s+{EN_KEYWORD_AGAIN})(?=\d)")
# Between a chain and the document named after it: "Article 41 of the Cybersecurity Law",
# "Art. 28 PIPL".
EN_GAP_AFTER = re.compile(r"\s*,?\s*\(?\s*(?:(?:of|in|under)\s+)?(?:the\s+)?")
# Optional words around an English name that belong to the reference.
EN_NAME_PREFIX = r"(?:(?:China|PRC)['’]s\s+|PRC\s+|Chinese\s+)?(?:(?:19|20)\d{2}\s+)?"
EN_NAME_SUFFIX = (
    r"(?:\s+of\s+(?:the\s+)?(?:People['’]s\s+Republic\s+of\s+China|PRC|China))?"
    r"(?:\s*\((?:19|20)\d{2}[^()\n]{0,24}\)|\s+of\s+(?:19|20)\d{2}\b)?"
)
EN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A word before a name, to test for foreign qualifiers ("Vietnam's Cybersecurity Law").
EN_WORD_BEFORE = re.compile(r"(?P<word>(?:the\s+country['’]s|[\w.’']+))\s+(?:new\s+|draft\s+)?$")
# A short form of a document named earlier: "the Specification", "the Measures" (a capitalised
# head word, not followed by another capitalised word as in "the Law School").
EN_SHORT_FORM = re.compile(r"\b[Tt]he\s+(?P<head>[A-Z][a-z]+)\b(?!\s+[A-Z])")
# After a chain, a run of Capitalised Words ending in a title head is a document we do not
# know: "Article 5 of the Copyright Law". {heads} comes from patterns.toml.
EN_UNKNOWN_TITLE_TEMPLATE = r"\s+of\s+(?:the\s+)?(?:[A-Z][\w'’\-]*\s+){{0,8}}(?:{heads})\b"
# Separators treated alike inside English names.
_EN_SEPARATORS = re.compile(r"[\s\-‐‑–]+")

_ART, _PARA, _ITEM, _SUB = range(4)
_ROMAN_ITEM = re.compile(r"^[ivx]+$")
_EID_PART = re.compile(r"^(art|para|item|subitem)_(\d+)(?:-(\d+))?$")


# ---------------------------------------------------------------------------- patterns data


@dataclass(frozen=True)
class CitationPatterns:
    """The contents of ``corpus/citations/patterns.toml``."""

    aliases: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # doc -> (en, zh)
    plural_heads: frozenset[str] = frozenset()
    foreign_qualifiers: frozenset[str] = frozenset()
    domestic_possessives: frozenset[str] = frozenset()
    title_heads: tuple[str, ...] = ()
    self_references: tuple[str, ...] = ("本法",)
    blocked_after: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    version_words: tuple[str, ...] = ()
    examples: tuple[Mapping[str, Any], ...] = ()


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def parse_patterns(raw: Mapping[str, Any], *, origin: str = "patterns") -> CitationPatterns:
    aliases: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for i, row in enumerate(raw.get("alias", []), 1):
        doc = row.get("doc") if isinstance(row, dict) else None
        if not isinstance(doc, str):
            raise ConfigError(f'{origin}: alias #{i} needs doc = "<document id>"')
        en, zh = aliases.get(doc, ((), ()))
        where = f"{origin}: alias {doc!r}"
        aliases[doc] = (en + _strings(row, "en", where), zh + _strings(row, "zh", where))
    en_raw = raw.get("english", {})
    zh_raw = raw.get("chinese", {})
    examples = raw.get("example", [])
    if not isinstance(examples, list):
        raise ConfigError(f"{origin}: [[example]] must be an array of tables")
    return CitationPatterns(
        aliases=aliases,
        plural_heads=frozenset(s.casefold() for s in _strings(en_raw, "plural_heads", origin)),
        foreign_qualifiers=frozenset(_strings(en_raw, "foreign_qualifiers", origin)),
        domestic_possessives=frozenset(_strings(en_raw, "domestic_possessives", origin)),
        title_heads=_strings(en_raw, "title_heads", origin),
        self_references=_strings(zh_raw, "self_references", origin) or ("本法",),
        blocked_after=_strings(zh_raw, "blocked_after", origin),
        title_suffixes=_strings(zh_raw, "title_suffixes", origin),
        version_words=_strings(zh_raw, "version_words", origin),
        examples=tuple(examples),
    )


@lru_cache(maxsize=4)
def load_patterns(path: Path | None = None) -> CitationPatterns:
    """Read ``corpus/citations/patterns.toml`` (or ``path``)."""
    path = path or get_settings().corpus_dir / PATTERNS_PATH
    raw = read_toml(path, "citation patterns")
    return parse_patterns(raw, origin=str(path))


# ---------------------------------------------------------------------------- names


def _en_key(name: str) -> str:
    """Normalise an English name for lookup: case, apostrophes, spaces, hyphens, affixes."""
    key = name.replace("’", "'").strip()
    key = _EN_SEPARATORS.sub("", key)
    if not _is_abbreviation(name):
        key = key.casefold()
    for prefix in ("the", "china's", "prc"):
        if key.startswith(prefix) and len(key) > len(prefix) + 3:
            key = key[len(prefix) :]
    for suffix in ("ofthepeople'srepublicofchina", "ofthepeoplesrepublicofchina", "oftheprc", "ofchina"):
        if key.endswith(suffix) and len(key) > len(suffix) + 3:
            key = key[: -len(suffix)]
    return key


def _zh_key(name: str) -> str:
    key = re.sub(r"\s+", "", name)
    if key.startswith(ZH_PREFIX_PRC) and len(key) > len(ZH_PREFIX_PRC) + 1:
        key = key[len(ZH_PREFIX_PRC) :]
    return key


def _is_abbreviation(name: str) -> bool:
    """PIPL, CSL, TC260: matched case-sensitively so "csl" in prose is left alone."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(name) <= 8 and all(c.isupper() for c in letters)


def _has_cjk(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def _strip_en_affixes(name: str) -> str:
    """The core of an English name, without a leading article or "of the PRC"."""
    core = re.sub(r"^(?:the\s+)", "", name.strip(), flags=re.I)
    core = re.sub(r"\s+of\s+(?:the\s+)?(?:People['’]s\s+Republic\s+of\s+China|PRC)$", "", core, flags=re.I)
    return core


def _en_name_regex(name: str, plural_heads: frozenset[str]) -> str:
    parts: list[str] = []
    for ch in name:
        if ch.isspace():
            if not parts or parts[-1] != r"[\s\-‐‑–]+":
                parts.append(r"[\s\-‐‑–]+")
        elif ch in "-‐‑–":
            parts.append(r"[\s\-‐‑–]*")
        elif ch in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    last = re.split(r"\W+", name.strip())[-1].casefold() if name.strip() else ""
    if last in plural_heads:
        body += "s?"
    return body if _is_abbreviation(name) else f"(?i:{body})"


def _zh_name_regex(name: str) -> str:
    return "".join(r"\s*" if ch.isspace() else re.escape(ch) for ch in name)


def _document_names(doc: DocumentMeta, patterns: CitationPatterns) -> Iterator[str]:
    extra_en, extra_zh = patterns.aliases.get(doc.id, ((), ()))
    titles = [t for t in (doc.title_zh, doc.title_en) if t]
    for title in titles:
        yield title
        stripped = title
        while True:  # "…（试行）（征求意见稿）", "… (2025 Amendment)": the bare title is a name too
            shorter = re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", stripped)
            if shorter == stripped or not shorter:
                break
            stripped = shorter
            yield stripped
    yield from doc.short_names
    yield from doc.aliases_zh
    yield from doc.aliases_en
    yield from doc.descriptions_en
    yield from extra_en
    yield from extra_zh


# ---------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class _Anchor:
    """Something a chain can hang from: a document, the citing provision, or nothing known."""

    start: int
    end: int
    kind: Literal["name", "title", "unknown", "self", "relative"]
    docs: frozenset[str] = frozenset()
    year: int | None = None
    paths: tuple[tuple[Any, ...], ...] = ()  # relative: base paths (article, para, item, subitem)
    level: int = 0  # relative: the deepest level the base fixes
    note: str | None = None
    head: str | None = None  # English names: the last word ("specification"), for short forms


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: it holds dicts
class CitationIndex:
    """Documents, their names and their eids: what :func:`find_citations` resolves against."""

    documents: Mapping[str, DocumentMeta]
    eids: Mapping[str, frozenset[str]]
    patterns: CitationPatterns
    zh_names: Mapping[str, frozenset[str]]  # _zh_key(name) -> doc ids
    en_names: Mapping[str, frozenset[str]]  # _en_key(name) -> doc ids
    zh_regex: re.Pattern[str] | None
    en_regex: re.Pattern[str] | None
    children: Mapping[str, Mapping[str, tuple[int, ...]]]  # doc -> parent eid -> child numbers
    articles: Mapping[str, tuple[tuple[int, int], ...]]  # doc -> sorted (n, sub)

    @classmethod
    def build(
        cls,
        documents: Sequence[DocumentMeta],
        eids: Mapping[str, frozenset[str]],
        *,
        patterns: CitationPatterns | None = None,
    ) -> CitationIndex:
        """Index ``documents`` (their names) and ``eids[doc_id]`` (the provisions that exist)."""
        patterns = patterns if patterns is not None else load_patterns()
        docs = {d.id: d for d in documents}
        zh: dict[str, set[str]] = {}
        en: dict[str, set[str]] = {}
        en_surface: set[str] = set()
        zh_surface: set[str] = set()
        for doc in documents:
            if doc.is_commentary:
                continue
            for name in _document_names(doc, patterns):
                name = name.strip()
                if not name:
                    continue
                if _has_cjk(name):
                    key = _zh_key(name)
                    zh.setdefault(key, set()).add(doc.id)
                    surface = name[len(ZH_PREFIX_PRC) :] if name.startswith(ZH_PREFIX_PRC) else name
                    zh_surface.add(surface.strip() or key)
                else:
                    core = _strip_en_affixes(name)
                    key = _en_key(core)
                    if len(key) < 3:
                        continue
                    en.setdefault(key, set()).add(doc.id)
                    en_surface.add(core)
        for doc_id in patterns.aliases:
            if doc_id not in docs:
                log.warning("patterns.toml names unknown document %r", doc_id)
        zh_alts = sorted(zh_surface, key=lambda s: (-len(s), s))
        blocked = "|".join(re.escape(b) for b in sorted(patterns.blocked_after, key=len, reverse=True))
        year_words = "|".join(re.escape(w) for w in sorted(patterns.version_words, key=len, reverse=True))
        zh_regex = (
            re.compile(
                rf"(?:{ZH_PREFIX_PRC})?(?P<name>{'|'.join(_zh_name_regex(n) for n in zh_alts)})"
                rf"(?P<suffix>{ZH_YEAR_SUFFIX_TEMPLATE.format(words=year_words)})?"
                + (rf"(?!{blocked})" if blocked else "")
            )
            if zh_alts
            else None
        )
        if zh_regex is not None:
            # Thousands of names in one alternation: a trie of it finds the same matches
            # an order of magnitude faster (see kb.annotate.trie).
            zh_regex = compact_group(zh_regex, "name")
        en_alts = sorted(en_surface, key=lambda s: (-len(s), s))
        en_regex = (
            re.compile(
                rf"(?<![\w\-])(?P<full>{EN_NAME_PREFIX}"
                rf"(?P<name>{'|'.join(_en_name_regex(n, patterns.plural_heads) for n in en_alts)})"
                rf"{EN_NAME_SUFFIX})(?![\w\-])"
            )
            if en_alts
            else None
        )
        children, articles = _tree(eids)
        return cls(
            documents=docs,
            eids=dict(eids),
            patterns=patterns,
            zh_names={k: frozenset(v) for k, v in zh.items()},
            en_names={k: frozenset(v) for k, v in en.items()},
            zh_regex=zh_regex,
            en_regex=en_regex,
            children=children,
            articles=articles,
        )

    # -- version choice -----------------------------------------------------------

    def choose(
        self, candidates: Iterable[str], *, year: int | None, date: str | None, exclude_later: bool = False
    ) -> tuple[tuple[str, ...], str | None]:
        """One document per work among ``candidates``: the version ``year`` or ``date`` points at.

        Returns the chosen ids and a note when the choice is a fallback. A draft published
        after ``date`` is no candidate: a text cannot cite a draft that did not exist yet (a
        law still being drafted, in contrast, is often discussed in commentary before it is
        passed). With ``exclude_later`` (the citing text is itself a statute) nothing made
        after ``date`` is a candidate: 国家安全法 in the 2014 反间谍法 is the 1993 law, not
        the 2015 one.
        """
        when = date_key(date, end=True) if date else None
        by_work: dict[str, list[DocumentMeta]] = {}
        for doc_id in candidates:
            doc = self.documents[doc_id]
            first = min((d for d in (doc.adopted, doc.promulgated, doc.date, doc.effective) if d), default=None)
            later = bool(when and first and date_key(first, end=False) > when)
            if later and (exclude_later or doc.kind == "draft"):
                continue
            by_work.setdefault(doc.work or doc.id, []).append(doc)
        chosen: list[str] = []
        notes: list[str] = []
        for versions in by_work.values():
            doc = _pick_version(versions, year=year, date=date)
            chosen.append(doc.id)
            if year is None and when and date_key(doc.in_force_from or "0000", end=False) > when:
                notes.append(f"{doc.id} took effect after the citing text ({date}); no earlier version known")
        return tuple(sorted(chosen)), "; ".join(notes) or None


def _tree(
    eids: Mapping[str, frozenset[str]],
) -> tuple[dict[str, dict[str, tuple[int, ...]]], dict[str, tuple[tuple[int, int], ...]]]:
    children: dict[str, dict[str, tuple[int, ...]]] = {}
    articles: dict[str, tuple[tuple[int, int], ...]] = {}
    for doc_id, doc_eids in eids.items():
        kids: dict[str, set[int]] = {}
        arts: set[tuple[int, int]] = set()
        for eid in doc_eids:
            parent, _, last = eid.rpartition("__")
            m = _EID_PART.match(last)
            if not m:
                continue
            if m.group(1) == "art":
                if not parent:
                    arts.add((int(m.group(2)), int(m.group(3) or 0)))
            elif parent:
                kids.setdefault(parent, set()).add(int(m.group(2)))
        children[doc_id] = {k: tuple(sorted(v)) for k, v in kids.items()}
        articles[doc_id] = tuple(sorted(arts))
    return children, articles


def date_key(date: str, *, end: bool) -> str:
    """Pad a partial ISO date: as the end of its period ("2020" -> "2020-12-31") or the start."""
    parts = date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31" if end else f"{parts[0]}-01-01"
    if len(parts) == 2:
        return f"{date}-31" if end else f"{date}-01"
    return date


def _years(doc: DocumentMeta) -> set[int]:
    return {int(d[:4]) for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d}


def _pick_version(versions: list[DocumentMeta], *, year: int | None, date: str | None) -> DocumentMeta:
    ordered = sorted(versions, key=lambda d: (date_key(d.in_force_from or "0000", end=False), d.id))
    if len(ordered) == 1:
        return ordered[0]
    if year is not None:
        # Prefer the version adopted/promulgated that year, then one in force from it.
        made = [d for d in ordered if year in {int(x[:4]) for x in (d.adopted, d.promulgated, d.date) if x}]
        if made:
            return made[-1]
        exact = [d for d in ordered if year in _years(d)]
        if exact:
            return exact[-1]
        date = f"{year}-12-31"
    if date is not None:
        when = date_key(date, end=True)
        in_force = [d for d in ordered if date_key(d.in_force_from or "0000", end=False) <= when]
        return in_force[-1] if in_force else ordered[0]
    return ordered[-1]


# ---------------------------------------------------------------------------- paths

# A path is (article, paragraph, item, subitem); article is (n, sub), sub 0 for none.
_Path = tuple[Any, Any, Any, Any]


def _eid(path: _Path) -> str:
    art, para, item, sub = path
    eid = f"art_{art[0]}" + (f"-{art[1]}" if art[1] else "")
    if para is not None:
        eid += f"__para_{para}"
        if item is not None:
            eid += f"__item_{item}"
            if sub is not None:
                eid += f"__subitem_{sub}"
    return eid


def _parse_eid(eid: str) -> _Path | None:
    values: list[Any] = [None, None, None, None]
    order = {"art": _ART, "para": _PARA, "item": _ITEM, "subitem": _SUB}
    for part in eid.split("__"):
        m = _EID_PART.match(part)
        if not m:
            return None
        level = order[m.group(1)]
        values[level] = (int(m.group(2)), int(m.group(3) or 0)) if level == _ART else int(m.group(2))
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


def _zh_title_anchor(m: re.Match[str], index: CitationIndex) -> _Anchor | None:
    title = m.group("title").strip()
    year: int | None = None
    candidate = title
    while True:
        docs = index.zh_names.get(_zh_key(candidate)) or index.en_names.get(_en_key(candidate))
        if docs:
            return _Anchor(m.start(), m.end(), "title", docs, year)
        trailing = ZH_TRAILING_PARENS.search(candidate)
        if not trailing:
            break
        y = EN_YEAR.search(trailing.group(0))
        if y and year is None:
            year = int(y.group(1))
        candidate = candidate[: trailing.start()].rstrip()
    bare = re.sub(r"[（(][^（）()]*[）)]", "", title)
    if bare.endswith(index.patterns.title_suffixes):
        return _Anchor(m.start(), m.end(), "unknown", note=f"《{title}》 is not in the knowledge base")
    return None


def _foreign(text: str, start: int, patterns: CitationPatterns) -> bool:
    m = EN_WORD_BEFORE.search(text, max(0, start - 40), start)
    if not m:
        return False
    word = m.group("word")
    if word in patterns.domestic_possessives or word.replace("’", "'") in patterns.domestic_possessives:
        return False
    if word in patterns.foreign_qualifiers:
        return True
    return bool(re.match(r"^[A-Z][\w.]*['’]s$", word))  # "Vietnam's": a capitalised possessive


def _name_anchors(text: str, index: CitationIndex, masked: _Coverage) -> list[_Anchor]:
    anchors: list[_Anchor] = []
    for m in index.zh_regex.finditer(text) if index.zh_regex is not None else ():
        if masked.hits(m.start(), m.end()):
            continue
        docs = index.zh_names.get(_zh_key(m.group("name")))
        if not docs:
            continue
        start, year = m.start(), None
        if m.group("year"):
            year = int(m.group("year"))
        prefix = ZH_YEAR_PREFIX.search(text, max(0, start - 12), start)
        if prefix and year is None:
            year, start = int(prefix.group("year")), prefix.start()
        anchors.append(_Anchor(start, m.end(), "name", docs, year))
    if index.en_regex is not None:
        for m in index.en_regex.finditer(text):
            if masked.hits(m.start(), m.end()):
                continue
            docs = index.en_names.get(_en_key(m.group("name")))
            if not docs and m.group("name")[-1:] in "sS":  # a plural of a plural_heads name
                docs = index.en_names.get(_en_key(m.group("name")[:-1]))
            if not docs or _foreign(text, m.start(), index.patterns):
                continue
            years = EN_YEAR.findall(m.group("full"))
            year = int(years[0]) if years else None
            head = _head_word(m.group("name"))
            anchors.append(_Anchor(m.start(), m.end(), "name", docs, year, head=head))
    return anchors


@lru_cache(maxsize=8)
def _self_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(ZH_SELF_TEMPLATE.format(words=alternatives))


def _self_anchors(text: str, index: CitationIndex, context_doc: str | None) -> list[_Anchor]:
    if not index.patterns.self_references:
        return []
    rx = _self_regex(index.patterns.self_references)
    docs = frozenset({context_doc}) if context_doc else frozenset()
    note = None if context_doc else "self reference without a context document"
    return [_Anchor(m.start(), m.end(), "self", docs, note=note) for m in rx.finditer(text)]


def _relative_anchors(text: str, index: CitationIndex, doc: str | None, eid: str | None) -> list[_Anchor]:
    anchors: list[_Anchor] = []
    here = _parse_eid(eid) if eid else None
    for m in ZH_RELATIVE.finditer(text):
        word = m.group(0)
        if here is None or doc is None:
            anchors.append(_Anchor(m.start(), m.end(), "relative", note=f"{word} needs the citing provision"))
            continue
        art, para, item, _ = here
        count = cn_to_int(m.group("k")) if m.group("k") else 1
        paths: list[_Path] = []
        level = _ART
        note = None
        if word == "本条":
            paths, level = [(art, None, None, None)], _ART
        elif word == "本款" and para is not None:
            paths, level = [(art, para, None, None)], _PARA
        elif word == "本项" and item is not None:
            paths, level = [(art, para, item, None)], _ITEM
        elif m.group("unit") == "条":
            earlier = [a for a in index.articles.get(doc, ()) if a < art] or [
                (n, 0) for n in range(max(1, art[0] - count), art[0])
            ]
            paths, level = [(a, None, None, None) for a in earlier[-count:]], _ART
        elif m.group("unit") == "款" and para is not None:
            paths = [(art, p, None, None) for p in range(max(1, para - count), para)]
            level = _PARA
        elif m.group("unit") == "项" and item is not None:
            paths = [(art, para, i, None) for i in range(max(1, item - count), item)]
            level = _ITEM
        if not paths:
            note = f"{word} has nothing to point at from {eid}"
        anchors.append(_Anchor(m.start(), m.end(), "relative", frozenset({doc}), None, tuple(paths), level, note))
    return anchors


def _head_word(name: str) -> str:
    """The last word of a name, lower case and singular: "Specifications" -> "specification"."""
    words = re.findall(r"[A-Za-z]+", name)
    return words[-1].casefold().removesuffix("s") if words else ""


def _short_form_anchors(text: str, anchors: list[_Anchor], index: CitationIndex, taken: _Coverage) -> list[_Anchor]:
    """ "the Specification" after "the Personal Information Security Specification": the same document.

    Only a capitalised head word after "the", and only when a document named earlier in the
    same text ends in that word; the latest such document wins.
    """
    heads = {h.casefold().removesuffix("s") for h in index.patterns.title_heads}
    named = [a for a in anchors if a.kind == "name" and a.head]
    if not named:
        return []
    out: list[_Anchor] = []
    for m in EN_SHORT_FORM.finditer(text):
        head = m.group("head").casefold().removesuffix("s")
        if head not in heads or taken.hits(m.start("head"), m.end()):
            continue
        earlier = [a for a in named if a.end <= m.start() and a.head == head]
        if earlier:
            a = earlier[-1]
            out.append(_Anchor(m.start("head"), m.end(), "name", a.docs, a.year, head=head))
    return out


def _choose_anchors(candidates: list[_Anchor], taken: _Coverage) -> list[_Anchor]:
    """Non-overlapping anchors, longest first (本条例 beats 本条, 中华人民共和国民法典 beats 民法典)."""
    chosen: list[_Anchor] = []
    for a in sorted(candidates, key=lambda a: (-(a.end - a.start), a.start)):
        if not taken.hits(a.start, a.end):
            chosen.append(a)
            taken.add(a.start, a.end)
    return sorted(chosen, key=lambda a: a.start)


def _drop_abbreviation_definitions(text: str, anchors: list[_Anchor]) -> list[_Anchor]:
    """ "the Data Security Law (DSL)": the bracketed short name defines, it does not cite again."""
    out: list[_Anchor] = []
    for a in anchors:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.docs == a.docs
            and re.fullmatch(r"\s*[（(]\s*", text[prev.end : a.start])
            and re.match(r"\s*[）)]", text[a.end :])
        ):
            continue
        out.append(a)
    return out


# ---------------------------------------------------------------------------- resolution


@dataclass
class _Found:
    start: int
    end: int
    status: CitationStatus
    ids: tuple[str, ...] = ()
    doc_id: str | None = None
    pinpoint: str | None = None
    note: str | None = None


def _merge(base: _Path | None, elem_units: Mapping[int, Any], top: int) -> _Path:
    values: list[Any] = [None, None, None, None]
    if base is not None:
        for level in range(top):
            values[level] = base[level]
    for level, value in elem_units.items():
        values[level] = value
    return (values[0], values[1], values[2], values[3])


def _lookup(index: CitationIndex, doc_id: str, path: _Path, para_or_item: int | None) -> tuple[list[str], str | None]:
    """The eids ``path`` names in ``doc_id`` (several when it is ambiguous), and a note."""
    eids = index.eids[doc_id]
    art, para, item, sub = path
    if art is None:
        return [], "no article"
    art_eid = _eid((art, None, None, None))
    if art_eid not in eids:
        return [], f"{doc_id} has no {art_eid}"
    if para_or_item is not None:
        out = []
        if _eid((art, para_or_item, None, None)) in eids:
            out.append(_eid((art, para_or_item, None, None)))
        out += _items_anywhere(index, doc_id, (art, None, para_or_item, sub))
        return out, f"({para_or_item}) may be a paragraph or an item" if len(out) > 1 else None
    if para is None and item is not None:
        found = _items_anywhere(index, doc_id, path)
        return found, None if found else f"{doc_id} {art_eid} has no item {item}"
    eid = _eid(path)
    return ([eid], None) if eid in eids else ([], f"{doc_id} has no {eid}")


def _items_anywhere(index: CitationIndex, doc_id: str, path: _Path) -> list[str]:
    art, _, item, sub = path
    art_eid = _eid((art, None, None, None))
    paras = index.children[doc_id].get(art_eid, ())
    return [_eid((art, p, item, sub)) for p in paras if _eid((art, p, item, sub)) in index.eids[doc_id]]


def _truncate(path: _Path, level: int) -> _Path:
    """``path`` above ``level`` only."""
    values = [v if i < level else None for i, v in enumerate(path)]
    return (values[0], values[1], values[2], values[3])


def _expand(index: CitationIndex, doc_id: str, start: _Path, end_units: Mapping[int, Any]) -> list[str]:
    """Every existing provision from ``start`` to the range end, at the range end's level."""
    level = min(end_units)
    lo, hi = start[level], end_units[level]
    if level == _ART:
        return [_eid((a, None, None, None)) for a in index.articles[doc_id] if lo <= a <= (hi[0], hi[1])]
    parent = _eid(_truncate(start, level))
    if level == _ITEM and start[_PARA] is None:
        candidates = _items_anywhere(index, doc_id, start)
        if not candidates:
            return []
        parent = candidates[0].rpartition("__")[0]
    kids = index.children[doc_id].get(parent, ())
    suffix = {_PARA: "para", _ITEM: "item", _SUB: "subitem"}[level]
    return [f"{parent}__{suffix}_{k}" for k in kids if lo <= k <= hi]


def _document_status(index: CitationIndex, docs: tuple[str, ...]) -> CitationStatus:
    if len(docs) > 1:
        return "ambiguous"
    return "resolved" if index.documents[docs[0]].text_available else "text_absent"


def _resolve_element(
    index: CitationIndex,
    docs: tuple[str, ...],
    base: _Path | None,
    elem: _Element,
    start: int,
    end: int,
) -> _Found:
    path = _merge(base, elem.units, elem.top)
    if path[_ART] is None:
        return _Found(start, end, "not_found", note="pinpoint without an article")
    if len(docs) == 1 and not index.documents[docs[0]].text_available:
        doc_id = docs[0]
        return _Found(
            start,
            end,
            "text_absent",
            (doc_id,),
            doc_id,
            None if elem.range_units else _eid(path),
            f"the text of {doc_id} is not in the corpus",
        )
    ids: list[str] = []
    notes: list[str] = []
    for doc_id in docs:
        if doc_id not in index.eids:  # text exists but its eids were not given: trust the pinpoint
            ids.append(f"{doc_id}/{_eid(path)}")
            notes.append("pinpoint not verified")
            continue
        if elem.range_units is not None:
            if path[min(elem.range_units)] is None:
                notes.append("range start is incomplete")
                continue
            found = _expand(index, doc_id, path, elem.range_units)
            note = None if found else f"{doc_id} has nothing in the range"
        else:
            found, note = _lookup(index, doc_id, path, elem.para_or_item)
        ids += [f"{doc_id}/{e}" for e in found]
        if note:
            notes.append(note)
    note = "; ".join(notes) or None
    if not ids:
        return _Found(start, end, "not_found", (), docs[0] if len(docs) == 1 else None, None, note)
    multi_doc = len(docs) > 1
    single = len(ids) == 1
    ambiguous = multi_doc or (elem.range_units is None and not single)
    pinpoint = ids[0].split("/", 1)[1] if single else None
    return _Found(
        start, end, "ambiguous" if ambiguous else "resolved", tuple(ids), None if multi_doc else docs[0], pinpoint, note
    )


_NO_DOCUMENT = "no document is named"


@dataclass(frozen=True, slots=True)
class _Context:
    """Where the citing text sits: its date, document and provision."""

    date: str | None = None
    doc: str | None = None
    eid: str | None = None
    strict: bool = False  # the citing text is a statute: it cannot cite what came after it


def _chain_citations(
    index: CitationIndex,
    chain: _Chain,
    anchor: _Anchor | None,
    anchor_after: bool,
    ctx: _Context,
    inherit: tuple[tuple[str, ...], _Path] | None,
) -> tuple[list[_Found], tuple[tuple[str, ...], _Path] | None]:
    """The citations of one chain, and what a following bare 第X项 in the same clause inherits."""
    base: _Path | None = None
    docs: tuple[str, ...] = ()
    fail: str | None = None
    version_note: str | None = None
    if anchor is not None and anchor.kind in ("name", "title"):
        docs, version_note = index.choose(anchor.docs, year=anchor.year, date=ctx.date, exclude_later=ctx.strict)
        if not docs:
            fail = f"no version in the corpus existed on {ctx.date}"
    elif anchor is not None and anchor.kind == "self":
        docs, fail = tuple(sorted(anchor.docs)), anchor.note
    elif anchor is not None and anchor.kind == "unknown":
        fail = anchor.note
    elif anchor is not None and anchor.kind == "relative":
        if not anchor.paths:
            fail = anchor.note
        else:
            docs = tuple(sorted(anchor.docs))
            base = anchor.paths[-1]
            if chain.elements[0].top <= anchor.level:  # "本条第十三条" makes no sense: ignore the anchor
                base = None
    elif inherit is not None and chain.elements[0].top > _ART:
        # "第三百九十五条第一款第一项至第三项规定的财产或者第五项": the clause's last citation
        docs, base = inherit
    else:
        top = chain.elements[0].top
        if top == _ART:
            fail = _NO_DOCUMENT
            if ctx.doc and ctx.doc in index.documents and not index.documents[ctx.doc].is_commentary:
                docs, fail = (ctx.doc,), None
        else:  # 第二款 / 第三项 alone: inside the citing article
            here = _parse_eid(ctx.eid) if ctx.eid else None
            if ctx.doc and here is not None:
                docs, base = (ctx.doc,), here
            else:
                fail = "a paragraph or item alone needs the citing provision"
    out: list[_Found] = []
    prev: _Path | None = base
    for i, elem in enumerate(chain.elements):
        start, end = elem.start, elem.end
        if anchor is not None and i == 0 and not anchor_after:
            start = min(start, anchor.start)
        if anchor is not None and i == len(chain.elements) - 1 and anchor_after:
            end = max(end, anchor.end)
        if fail is not None or not docs:
            out.append(_Found(start, end, "not_found", note=fail or _NO_DOCUMENT))
            continue
        found = _resolve_element(index, docs, prev, elem, start, end)
        if version_note:
            found.note = f"{found.note}; {version_note}" if found.note else version_note
        out.append(found)
        prev = _merge(prev, elem.units, elem.top)
    carry = (docs, prev) if docs and prev is not None and prev[_ART] is not None else None
    return out, carry


def _anchor_citation(index: CitationIndex, a: _Anchor, ctx: _Context) -> _Found | None:
    if a.kind in ("name", "title"):
        docs, note = index.choose(a.docs, year=a.year, date=ctx.date, exclude_later=ctx.strict)
        if not docs:  # a generic phrase ("draft rules") before any such document: no citation
            if a.kind == "title" or ctx.strict:
                return _Found(a.start, a.end, "not_found", note=f"no version in the corpus existed on {ctx.date}")
            return None
        status = _document_status(index, docs)
        if status == "text_absent":
            note = "; ".join(filter(None, (f"the text of {docs[0]} is not in the corpus", note)))
        return _Found(a.start, a.end, status, docs, docs[0] if len(docs) == 1 else None, None, note)
    if a.kind == "unknown":
        return _Found(a.start, a.end, "not_found", note=a.note)
    if a.kind == "self":
        if not a.docs:
            return _Found(a.start, a.end, "not_found", note=a.note)
        doc_id = next(iter(a.docs))
        return _Found(a.start, a.end, _document_status(index, (doc_id,)), (doc_id,), doc_id)
    # relative, standing alone: 前款规定, 本条
    if not a.paths:
        return _Found(a.start, a.end, "not_found", note=a.note)
    doc_id = next(iter(a.docs))
    eids = index.eids.get(doc_id)
    wanted = [_eid(p) for p in a.paths]
    found = [e for e in wanted if eids is None or e in eids]
    if not found:
        return _Found(a.start, a.end, "not_found", (), doc_id, None, f"{doc_id} has no {', '.join(wanted)}")
    return _Found(
        a.start, a.end, "resolved", tuple(f"{doc_id}/{e}" for e in found), doc_id, found[0] if len(found) == 1 else None
    )


def _context(index: CitationIndex, date: str | None, doc_id: str | None, eid: str | None) -> _Context:
    doc = index.documents.get(doc_id) if doc_id else None
    if doc is None:
        return _Context(date, doc_id, eid)
    if date is None:  # the date the citing text was written
        date = doc.date or doc.promulgated or doc.adopted or doc.effective
    return _Context(date, doc_id, eid, strict=not doc.is_commentary)


def _skip_space_back(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos


def _unrecognised_name_before(text: str, pos: int, index: CitationIndex) -> bool:
    """ "民事诉讼法第六十四条": a document name we do not know ends right before the chain."""
    before = text[max(0, pos - 6) : pos]
    return bool(before) and _has_cjk(before[-1:]) and before.endswith(index.patterns.title_suffixes)


@lru_cache(maxsize=8)
def _unknown_title_regex(heads: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(EN_UNKNOWN_TITLE_TEMPLATE.format(heads="|".join(re.escape(h) for h in heads)))


def _unknown_en_title_after(text: str, pos: int, index: CitationIndex) -> re.Match[str] | None:
    heads = index.patterns.title_heads
    return _unknown_title_regex(heads).match(text, pos) if heads else None


def _attach(
    text: str, chain: _Chain, by_start: Mapping[int, _Anchor], by_end: Mapping[int, _Anchor]
) -> tuple[_Anchor | None, bool]:
    """The anchor a chain hangs from, and whether it comes after the chain (English "of the PIPL")."""
    if chain.lang == "zh":
        return by_end.get(_skip_space_back(text, chain.start)), False
    gap = EN_GAP_AFTER.match(text, chain.end)
    after = by_start.get(gap.end()) if gap else None
    if after is not None and after.kind in ("name", "title"):
        return after, True
    k = _skip_space_back(text, chain.start)
    if k > 0 and text[k - 1] == "(":  # "PIPL (Art. 13)"
        k = _skip_space_back(text, k - 1)
    elif k < chain.start and text[k - 2 : k] in ("'s", "’s"):  # "the PIPL's Article 13"
        k -= 2
    before = by_end.get(k) if k < chain.start else None
    if before is not None and before.kind in ("name", "title"):
        return before, False
    return None, False


def _unknown_document(text: str, chain: _Chain, index: CitationIndex) -> str | None:
    """A note when the chain belongs to a document we do not know, named next to it."""
    if chain.lang == "zh" and _unrecognised_name_before(text, chain.start, index):
        return "the document named before the article is not in the knowledge base"
    if chain.lang == "en":
        unknown = _unknown_en_title_after(text, chain.end, index)
        if unknown:
            return f"{unknown.group(0).strip()!r} is not in the knowledge base"
    return None


def _anchors(text: str, index: CitationIndex, ctx: _Context, taken: _Coverage) -> list[_Anchor]:
    """Every anchor in ``text``, in order; their spans (and article headings) become taken."""
    for m in ZH_HEADING.finditer(text):
        taken.add(m.start(), m.end())
    titles: list[_Anchor] = []
    for m in ZH_BOOK_TITLE.finditer(text):
        title_anchor = _zh_title_anchor(m, index)
        if title_anchor is not None:
            titles.append(title_anchor)
        taken.add(m.start(), m.end())  # names inside an unknown title are not citations
    candidates = [
        a
        for a in (
            _name_anchors(text, index, taken)
            + _self_anchors(text, index, ctx.doc)
            + _relative_anchors(text, index, ctx.doc, ctx.eid)
        )
        if not taken.hits(a.start, a.end)
    ]
    # Titles were taken above only to hide what is inside them; choose them first.
    anchors = sorted(titles, key=lambda a: a.start) + _choose_anchors(candidates, taken)
    anchors = _drop_abbreviation_definitions(text, sorted(anchors, key=lambda a: a.start))
    short_forms = _short_form_anchors(text, anchors, index, taken)
    for a in short_forms:
        taken.add(a.start, a.end)
    return sorted(anchors + short_forms, key=lambda a: a.start)


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


def find_citations(
    text: str,
    index: CitationIndex,
    *,
    date: str | None = None,
    context_doc: str | None = None,
    context_eid: str | None = None,
) -> list[Citation]:
    """Every citation in ``text``, in order, each resolved against ``index``.

    ``date`` is the citing text's date (ISO, may be partial); when it is None and
    ``context_doc`` is known, that document's date is used. ``context_doc`` resolves
    本法/本规定 and bare 第X条; ``context_eid`` (e.g. ``art_13__para_2``) resolves
    本条, 前款, 前两款 and a bare 第X款.

    >>> from kb.model import DocumentMeta, SourceRef
    >>> d = DocumentMeta(id="x", kind="law", sources=(SourceRef("x"),))
    >>> ix = CitationIndex.build([d], {"x": frozenset({"art_1", "art_1__para_1", "art_1__para_2"})})
    >>> [c.ids for c in find_citations("前款规定", ix, context_doc="x", context_eid="art_1__para_2")]
    [('x/art_1__para_1',)]
    """
    ctx = _context(index, date, context_doc, context_eid)
    taken = _Coverage(len(text))
    anchors = _anchors(text, index, ctx, taken)
    chains = _chains(text, taken)

    by_end = {a.end: a for a in anchors}
    by_start = {a.start: a for a in anchors}
    used: set[int] = set()
    found: list[_Found] = []
    carry: tuple[tuple[str, ...], _Path] | None = None
    carry_end = 0
    for chain in chains:
        anchor, after = _attach(text, chain, by_start, by_end)
        if anchor is not None:
            used.add(anchor.start)
        unknown = _unknown_document(text, chain, index) if anchor is None else None
        if unknown is not None:
            found += [_Found(e.start, e.end, "not_found", note=unknown) for e in chain.elements]
            carry = None
            continue
        inherit = carry if carry and not ZH_CLAUSE_BREAK.search(text, carry_end, chain.start) else None
        chain_found, carry = _chain_citations(index, chain, anchor, after, ctx, inherit)
        found += chain_found
        carry_end = chain.end
    for a in anchors:
        if a.start in used:
            continue
        citation = _anchor_citation(index, a, ctx)
        if citation is not None:
            found.append(citation)
    found.sort(key=lambda f: (f.start, f.end))
    for f in found:  # "Art. 13 (PIPL)": take the closing bracket too
        if text.count("(", f.start, f.end) > text.count(")", f.start, f.end) and text[f.end : f.end + 1] == ")":
            f.end += 1
    return [
        Citation(text[f.start : f.end], f.start, f.end, f.status, f.ids, f.doc_id, f.pinpoint, f.note) for f in found
    ]


# ---------------------------------------------------------------------------- outputs


def _split_target(target_id: str, index: CitationIndex) -> tuple[str | None, str | None]:
    doc, _, eid = target_id.partition("/")
    if doc not in index.documents:
        return None, None
    return doc, (eid if eid and _parse_eid(eid) is not None else None)


def citation_annotations(
    target_id: str,
    text: str,
    index: CitationIndex,
    *,
    date: str | None = None,
    context_doc: str | None = None,
    context_eid: str | None = None,
) -> list[Annotation]:
    """Citation annotations on the text of ``target_id`` (a provision or passage id).

    The context defaults to ``target_id`` itself: ``pipl-2021/art_13__para_2`` gives
    context_doc ``pipl-2021`` and context_eid ``art_13__para_2``.
    """
    doc, eid = _split_target(target_id, index)
    citations = find_citations(text, index, date=date, context_doc=context_doc or doc, context_eid=context_eid or eid)
    return citation_annotations_from(target_id, citations)


def citation_annotations_from(target_id: str, citations: Iterable[Citation]) -> list[Annotation]:
    """The annotations of citations already found on the text of ``target_id``.

    For callers that need the citations for links too (:func:`citation_links`): the
    finder runs once. The label is the first id cited (empty when none resolved).
    """
    return [
        Annotation(
            target_id=target_id,
            kind="citation",
            label=c.ids[0] if c.ids else "",
            start=c.start,
            end=c.end,
            text=c.text,
            data={"status": c.status, "ids": list(c.ids), "pinpoint": c.pinpoint}
            | ({"note": c.note} if c.note else {}),
        )
        for c in citations
    ]


_LINK_SCORE: dict[str, float] = {"resolved": 1.0, "text_absent": 1.0, "ambiguous": 0.5}


def citation_links(src_id: str, citations: Iterable[Citation]) -> list[Link]:
    """``cites`` links from ``src_id`` to every id its citations name; not_found is skipped.

    A link to ``src_id`` itself, to a part of it (本条第二款 from an article) or to its own
    document (本法 standing alone) says nothing and is left out; one link per
    destination, the best score and first evidence kept.
    """
    own_doc = src_id.partition("/")[0]
    links: dict[str, Link] = {}
    for c in citations:
        score = _LINK_SCORE.get(c.status)
        if score is None:
            continue
        for dst in c.ids:
            if dst in (src_id, own_doc) or dst.startswith(src_id + "__"):
                continue
            if dst in links and links[dst].score >= score:
                continue
            links[dst] = Link(
                src=src_id,
                dst=dst,
                kind="cites",
                score=score,
                evidence={"text": c.text, "span": [c.start, c.end], "status": c.status},
            )
    return list(links.values())
