"""Query expansion and query stopwords: the words people use -> the words statutes use.

Two data files under ``corpus/search/`` (specs in their headers):

* ``synonyms.toml``: entries of lay phrases (``match``) and the legal terms to add when
  one occurs in a query (``expand``), with ``examples`` that must trigger the entry and
  optional ``counter_examples`` that must not (``tests/test_search_expand.py`` checks
  every one). A phrase with a Chinese character matches as a substring; any other
  phrase matches case-insensitively as whole words (no letter or digit on either side;
  ’ reads as ', runs of whitespace as one space).
* ``stopwords.txt``: index tokens of a question that say nothing about which provision
  is meant (吗, 怎么, how, can ...); dropped from the terms a search requires or ranks by,
  unless every term is one.

Both are read from the corpus directory (``KB_CORPUS_DIR``) once per process; the
stopword list through the shared loader, :mod:`kb.text.stopwords`. :mod:`kb.search` adds
the expansion terms as optional, lower-weighted terms (never required).

>>> phrase_in("kid", "Can my kids use it?"), phrase_in("kids", "Can my kids use it?")
(False, True)
>>> "人脸识别" in expansion_terms("小区能强制刷脸吗")
True
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.settings import PROJECT_ROOT
from kb.text.stopwords import stopword_list

__all__ = [
    "STOPWORDS_FILE",
    "SYNONYMS_PATH",
    "SynonymEntry",
    "content_terms",
    "expansion_terms",
    "load_synonyms",
    "names_place",
    "phrase_in",
    "stopwords",
    "synonyms",
]

SYNONYMS_PATH = PROJECT_ROOT / "corpus" / "search" / "synonyms.toml"
# The query stopwords, under the corpus directory.
STOPWORDS_FILE = "search/stopwords.txt"
_ENTRY_KEYS = frozenset({"match", "expand", "examples", "counter_examples"})


@dataclass(frozen=True)
class SynonymEntry:
    """Lay phrases (``match``) and the legal terms to add when one occurs (``expand``)."""

    match: tuple[str, ...]
    expand: tuple[str, ...]
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").lower()).strip()


@lru_cache(maxsize=4096)
def _word_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9a-z]){re.escape(phrase)}(?![0-9a-z])")


def phrase_in(phrase: str, query: str) -> bool:
    """Whether a lay phrase occurs in a query (Chinese: substring; else whole words).

    >>> phrase_in("sell my", "Can he SELL   my car?"), phrase_in("刷脸", "小区能强制刷脸吗")
    (True, True)
    """
    p, q = _normalise(phrase), _normalise(query)
    if _has_cjk(p):
        return p in q
    return _word_pattern(p).search(q) is not None


def _strings(raw: Any, where: str, *, required: bool) -> tuple[str, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw) or not all(isinstance(s, str) and s.strip() for s in raw):
        raise ValueError(f"{where}: expected a {'non-empty ' if required else ''}list of non-empty strings")
    return tuple(raw)


def load_synonyms(path: Path = SYNONYMS_PATH) -> tuple[SynonymEntry, ...]:
    """Read a ``synonyms.toml``; a malformed entry is a ValueError naming it."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    if raw.get("version") != 1:
        raise ValueError(f"{path}: expected version = 1")
    entries = raw.get("entry")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: no [[entry]] tables")
    out = []
    for i, e in enumerate(entries):
        where = f"{path} entry {i + 1}"
        if not isinstance(e, dict) or set(e) - _ENTRY_KEYS:
            raise ValueError(f"{where}: keys are {', '.join(sorted(_ENTRY_KEYS))}")
        out.append(
            SynonymEntry(
                match=_strings(e.get("match"), f"{where} match", required=True),
                expand=_strings(e.get("expand"), f"{where} expand", required=True),
                examples=_strings(e.get("examples"), f"{where} examples", required=True),
                counter_examples=_strings(e.get("counter_examples"), f"{where} counter_examples", required=False),
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def synonyms() -> tuple[SynonymEntry, ...]:
    """The project's expansion entries, read once."""
    return load_synonyms(SYNONYMS_PATH)


def stopwords() -> frozenset[str]:
    """The project's query stopwords (one lower-case index token a line), read once."""
    return stopword_list(STOPWORDS_FILE)


def expansion_terms(query: str, entries: Sequence[SynonymEntry] | None = None) -> list[str]:
    """Every matching entry's ``expand`` terms, deduplicated, in file order.

    ``entries`` defaults to the project's ``synonyms.toml``.
    """
    matchers = _matchers(synonyms() if entries is None else tuple(entries))
    q = _normalise(query)
    seen: dict[str, None] = {}
    for substrings, words, expand in matchers:
        if any(p in q for p in substrings) or (words is not None and words.search(q)):
            seen.update(dict.fromkeys(expand))
    return list(seen)


@lru_cache(maxsize=8)
def _matchers(
    entries: tuple[SynonymEntry, ...],
) -> list[tuple[tuple[str, ...], re.Pattern[str] | None, tuple[str, ...]]]:
    """Per entry: its Chinese phrases (substrings), one regex of its other phrases, its terms.

    The same test as :func:`phrase_in`, with the phrases normalised and compiled once.
    """
    out = []
    for entry in entries:
        phrases = [_normalise(p) for p in entry.match]
        substrings = tuple(p for p in phrases if _has_cjk(p))
        others = sorted((p for p in phrases if not _has_cjk(p)), key=len, reverse=True)
        words = None
        if others:
            words = re.compile(r"(?<![0-9a-z])(?:" + "|".join(re.escape(p) for p in others) + r")(?![0-9a-z])")
        out.append((substrings, words, entry.expand))
    return out


def content_terms(terms: Sequence[str], stop: frozenset[str] | None = None) -> list[str]:
    """``terms`` without stopwords; all of them when every one is a stopword.

    >>> content_terms(["how", "long", "can", "a", "company", "keep"], frozenset({"how", "can", "a"}))
    ['long', 'company', 'keep']
    >>> content_terms(["的"], frozenset({"的"}))
    ['的']
    """
    words = stopwords() if stop is None else stop
    kept = [t for t in terms if t not in words]
    return kept or list(terms)


def names_place(query: str, places: frozenset[str]) -> bool:
    """Whether a query names one of ``places`` (Chinese names: substring; others: whole word).

    >>> names_place("上海的小区能强制刷脸吗", frozenset({"上海", "Shanghai"}))
    True
    >>> names_place("小区能强制刷脸吗", frozenset({"上海"}))
    False
    """
    return _names_place(_normalise(query), places)


@lru_cache(maxsize=4096)
def _names_place(query: str, places: frozenset[str]) -> bool:
    # A national corpus has hundreds of place names: asked once per query, not per search.
    return any(phrase_in(p, query) for p in places)
