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

Both are read from the corpus directory (``KB_CORPUS_DIR``) once per process: the
synonyms through :func:`kb.datafiles.load_rules` against :class:`SynonymFile` (a
malformed file fails naming the file, the entry and the field), the stopword list
through the shared loader, :mod:`kb.text.stopwords`. :mod:`kb.search` adds
the expansion terms as optional, lower-weighted terms (never required).

>>> phrase_in("kid", "Can my kids use it?"), phrase_in("kids", "Can my kids use it?")
(False, True)
>>> "人脸识别" in expansion_terms("小区能强制刷脸吗")
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from kb.datafiles import RuleModel, load_rules
from kb.settings import get_settings
from kb.text.stopwords import stopword_list

__all__ = [
    "STOPWORDS_FILE",
    "SYNONYMS_FILE",
    "SynonymEntry",
    "SynonymFile",
    "content_terms",
    "expansion_terms",
    "load_synonyms",
    "names_place",
    "phrase_in",
    "stopwords",
    "synonyms",
]

# The expansion entries, under the corpus directory.
SYNONYMS_FILE = "search/synonyms.toml"
# The query stopwords, under the corpus directory.
STOPWORDS_FILE = "search/stopwords.txt"


# A phrase of an entry: a string with something in it besides spaces.
Phrase = Annotated[str, StringConstraints(pattern=r"\S")]


class SynonymEntry(RuleModel):
    """Lay phrases (``match``) and the legal terms to add when one occurs (``expand``).

    ``examples`` are queries that must trigger the entry, ``counter_examples`` queries
    that must not (both checked by the tests).
    """

    match: tuple[Phrase, ...] = Field(min_length=1)
    expand: tuple[Phrase, ...] = Field(min_length=1)
    examples: tuple[Phrase, ...] = Field(min_length=1)
    counter_examples: tuple[Phrase, ...] = ()


class SynonymFile(RuleModel):
    """A ``synonyms.toml``: ``version = 1`` and one or more ``[[entry]]`` tables."""

    version: Literal[1]
    entry: tuple[SynonymEntry, ...] = Field(min_length=1)


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


def load_synonyms(path: Path) -> tuple[SynonymEntry, ...]:
    """Read a ``synonyms.toml``: a malformed one is a ConfigError naming the file, the entry and the field."""
    return load_rules(path, SynonymFile, "synonym file").entry


def synonyms() -> tuple[SynonymEntry, ...]:
    """The project's expansion entries (``<corpus_dir>/search/synonyms.toml``), read once."""
    return _synonyms_at(get_settings().corpus_dir / SYNONYMS_FILE)


@lru_cache(maxsize=4)
def _synonyms_at(path: Path) -> tuple[SynonymEntry, ...]:
    return load_synonyms(path)


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
