"""The citation index: every document's names (as regexes and lookup keys) and the eids that exist.

:class:`CitationIndex` is what :func:`kb.annotate.citations.find_citations` resolves
against; it also chooses the version of a work a citation means.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from kb.annotate.citations.described import DescriptionIndex
from kb.annotate.citations.patterns import (
    _EN_SEPARATORS,
    EN_NAME_PREFIX,
    EN_NAME_SUFFIX,
    ZH_PREFIX_PRC,
    ZH_YEAR_SUFFIX_TEMPLATE,
    CitationPatterns,
    load_patterns,
)
from kb.annotate.trie import compact_group
from kb.dates import date_key, first_date, pick_version
from kb.ids import Eid
from kb.model import DocumentMeta

log = logging.getLogger("kb.annotate.citations")

# ---------------------------------------------------------------------------- names


def en_key(name: str) -> str:
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


def zh_key(name: str) -> str:
    key = re.sub(r"\s+", "", name)
    if key.startswith(ZH_PREFIX_PRC) and len(key) > len(ZH_PREFIX_PRC) + 1:
        key = key[len(ZH_PREFIX_PRC) :]
    return key


def _is_abbreviation(name: str) -> bool:
    """PIPL, CSL, TC260: matched case-sensitively so "csl" in prose is left alone."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and len(name) <= 8 and all(c.isupper() for c in letters)


def has_cjk(s: str) -> bool:
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


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: it holds dicts
class CitationIndex:
    """Documents, their names and their eids: what :func:`find_citations` resolves against."""

    documents: Mapping[str, DocumentMeta]
    eids: Mapping[str, frozenset[str]]
    patterns: CitationPatterns
    zh_names: Mapping[str, frozenset[str]]  # zh_key(name) -> doc ids
    en_names: Mapping[str, frozenset[str]]  # en_key(name) -> doc ids
    zh_regex: re.Pattern[str] | None
    en_regex: re.Pattern[str] | None
    children: Mapping[str, Mapping[str, tuple[int, ...]]]  # doc -> parent eid -> child numbers
    articles: Mapping[str, tuple[tuple[int, int], ...]]  # doc -> sorted (n, sub)
    descriptions: DescriptionIndex  # for "the SPC's 2021 interpretation"

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
        names_of: dict[str, list[str]] = {}
        for doc in documents:
            if doc.is_commentary:
                continue
            for name in _document_names(doc, patterns):
                name = name.strip()
                if not name:
                    continue
                names_of.setdefault(doc.id, []).append(name)
                if has_cjk(name):
                    key = zh_key(name)
                    zh.setdefault(key, set()).add(doc.id)
                    surface = name[len(ZH_PREFIX_PRC) :] if name.startswith(ZH_PREFIX_PRC) else name
                    zh_surface.add(surface.strip() or key)
                else:
                    core = _strip_en_affixes(name)
                    key = en_key(core)
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
            descriptions=DescriptionIndex.build(docs.values(), names_of, patterns),
        )

    # -- version choice -----------------------------------------------------------

    def choose(
        self,
        candidates: Iterable[str],
        *,
        year: int | None,
        date: str | None,
        exclude_later: bool = False,
        latest: bool = False,
    ) -> tuple[tuple[str, ...], str | None]:
        """One document per work among ``candidates``: the version ``year`` or ``date`` points at.

        Returns the chosen ids and a note when the choice is a fallback. A draft published
        after ``date`` is no candidate: a text cannot cite a draft that did not exist yet (a
        law still being drafted, in contrast, is often discussed in commentary before it is
        passed). With ``exclude_later`` (the citing text is itself a statute) nothing made
        after ``date`` is a candidate: 国家安全法 in the 2014 反间谍法 is the 1993 law, not
        the 2015 one. With ``latest`` ("the amended Cybersecurity Law") and no year, the
        latest version made by ``date`` is chosen even when it is not yet in force.
        """
        when = date_key(date, end=True) if date else None
        by_work: dict[str, list[DocumentMeta]] = {}
        for doc_id in candidates:
            doc = self.documents[doc_id]
            first = first_date(doc)
            later = bool(when and first and date_key(first, end=False) > when)
            if later and (exclude_later or doc.kind == "draft"):
                continue
            by_work.setdefault(doc.work or doc.id, []).append(doc)
        chosen: list[str] = []
        notes: list[str] = []
        for versions in by_work.values():
            doc = pick_version(versions, year=year, date=date)
            if latest and year is None:
                made = [d for d in versions if not when or date_key(first_date(d) or "0000", end=False) <= when]
                doc = max(made or [doc], key=lambda d: (date_key(d.in_force_from or "0000", end=False), d.id))
            chosen.append(doc.id)
            if year is None and when and date_key(doc.in_force_from or "0000", end=False) > when:
                if latest:
                    notes.append(f"{doc.id}, the amended version, was not yet in force on {date}")
                else:
                    notes.append(f"{doc.id} took effect after the citing text ({date}); no earlier version known")
        return tuple(sorted(chosen)), "; ".join(notes) or None


# The units a pinpoint goes down to below an article.
_INNER_KINDS = frozenset({"para", "item", "subitem"})


def _tree(
    eids: Mapping[str, frozenset[str]],
) -> tuple[dict[str, dict[str, tuple[int, ...]]], dict[str, tuple[tuple[int, int], ...]]]:
    children: dict[str, dict[str, tuple[int, ...]]] = {}
    articles: dict[str, tuple[tuple[int, int], ...]] = {}
    for doc_id, doc_eids in eids.items():
        kids: dict[str, set[int]] = {}
        arts: set[tuple[int, int]] = set()
        for eid in doc_eids:
            parsed = Eid.try_parse(eid)
            if parsed is None:
                continue
            last, parent = parsed.units[-1], parsed.parent
            if last.kind == "art":
                if parent is None:
                    arts.add((last.main, last.sub))
            elif last.kind in _INNER_KINDS and parent is not None:
                kids.setdefault(str(parent), set()).add(last.main)
        children[doc_id] = {k: tuple(sorted(v)) for k, v in kids.items()}
        articles[doc_id] = tuple(sorted(arts))
    return children, articles
