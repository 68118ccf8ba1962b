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
from dataclasses import dataclass
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
    matcher = _project_matcher(get_settings().corpus_dir / SYNONYMS_FILE) if entries is None else _matcher(entries)
    q = _normalise(query)
    seen: dict[str, None] = {}
    for at in matcher.matching(q):
        seen.update(dict.fromkeys(matcher.expand[at]))
    return list(seen)


@dataclass(frozen=True)
class _Matcher:
    """The entries' phrases, ready to test against a normalised query (the test of :func:`phrase_in`).

    Chinese phrases: which entries each belongs to, looked up for every substring of the
    query of a phrase's length. Other phrases: one regex per entry, run only when the
    regex of them all finds one.
    """

    by_phrase: dict[str, tuple[int, ...]]
    lengths: tuple[int, ...]
    words: tuple[tuple[int, re.Pattern[str]], ...]
    any_word: re.Pattern[str] | None
    expand: tuple[tuple[str, ...], ...]

    def matching(self, q: str) -> list[int]:
        """The entries with a phrase in ``q``, in file order."""
        found = {at for n in self.lengths for i in range(len(q) - n + 1) for at in self.by_phrase.get(q[i : i + n], ())}
        if self.any_word is not None and self.any_word.search(q):
            found.update(at for at, pattern in self.words if at not in found and pattern.search(q))
        return sorted(found)


def _word_regex(phrases: Sequence[str]) -> re.Pattern[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<![0-9a-z])(?:" + "|".join(re.escape(p) for p in longest_first) + r")(?![0-9a-z])")


@lru_cache(maxsize=4)
def _project_matcher(path: Path) -> _Matcher:
    # keyed by the file's path: a key of 300 pydantic entries would be hashed on every query
    return _matcher(_synonyms_at(path))


def _matcher(entries: Sequence[SynonymEntry]) -> _Matcher:
    by_phrase: dict[str, list[int]] = {}
    words: list[tuple[int, re.Pattern[str]]] = []
    for at, entry in enumerate(entries):
        phrases = [_normalise(p) for p in entry.match]
        for p in dict.fromkeys(p for p in phrases if _has_cjk(p)):
            by_phrase.setdefault(p, []).append(at)
        others = [p for p in phrases if not _has_cjk(p)]
        if others:
            words.append((at, _word_regex(others)))
    every_word = [p for entry in entries for p in map(_normalise, entry.match) if not _has_cjk(p)]
    return _Matcher(
        {p: tuple(v) for p, v in by_phrase.items()},
        tuple(sorted({len(p) for p in by_phrase})),
        tuple(words),
        _word_regex(every_word) if every_word else None,
        tuple(entry.expand for entry in entries),
    )


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
    substrings, words = _place_matcher(places)
    return any(p in query for p in substrings) or (words is not None and words.search(query) is not None)


@lru_cache(maxsize=8)
def _place_matcher(places: frozenset[str]) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """The test of :func:`phrase_in` for every place at once: Chinese names, one regex of the others."""
    names = sorted({_normalise(p) for p in places})
    others = [p for p in names if not _has_cjk(p)]
    return tuple(p for p in names if _has_cjk(p)), _word_regex(others) if others else None
