"""kb.text.stem: the stems we mark by are the stems SQLite FTS5's ``porter`` tokenizer indexes."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from typing import Any

import pytest

from kb.settings import PROJECT_ROOT
from kb.text.stem import english_stem, porter_stem

# A token of unicode61 that is not Chinese: what kb.search.highlight stems.
_LATIN_TOKEN = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Words where the library's Porter (Snowball's, the 1980 paper's) and SQLite's (Porter's
# reference C implementation) part ways; kb.text.stem corrects the library for them.
DEPARTURES = ["technology", "technologies", "criminology", "analogy", "possibly", "visibly", "responsibly"]
DEPARTURES += ["doxxed", "doxxing", "trekking", "revved", "ably", "doubly", "logy"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def translation_vocabulary() -> list[str]:
    """Every non-Chinese word (lower-cased) of the English translations under corpus/translations."""
    words: set[str] = set()
    for path in sorted((PROJECT_ROOT / "corpus" / "translations").glob("*.toml")):
        for text in _strings(tomllib.loads(path.read_text(encoding="utf-8"))):
            words.update(t.lower() for t in _LATIN_TOKEN.findall(text) if not _CJK.search(t))
    return sorted(words)


def fts5_stems(words: list[str]) -> dict[str, str]:
    """Word -> the term an FTS5 ``porter unicode61`` table indexes for it (read from fts5vocab)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", list(enumerate(words, 1)))
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    terms: dict[int, list[str]] = {}
    for term, doc, _col, _offset in conn.execute("SELECT term, doc, col, offset FROM v"):
        terms.setdefault(doc, []).append(term)
    assert all(len(t) == 1 for t in terms.values()), "a word of the vocabulary is more than one FTS5 token"
    return {words[doc - 1]: t[0] for doc, t in terms.items()}


def test_stems_of_the_translations_english_equal_fts5s() -> None:
    words = translation_vocabulary()
    indexed = fts5_stems(words)
    wrong = [(w, indexed[w], porter_stem(w)) for w in words if indexed[w] != porter_stem(w)]
    assert len(words) > 1000 and set(indexed) == set(words)
    assert wrong == []


@pytest.mark.parametrize("word", DEPARTURES)
def test_where_the_paper_and_sqlite_differ_we_stem_as_sqlite(word: str) -> None:
    assert porter_stem(word) == fts5_stems([word])[word]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # words Porter's 1980 rules conflate and Snowball English keeps apart (the linker's similarity)
        ("organization", "organs", False),
        ("generated", "general", False),
        ("news", "new", False),
        ("university", "universal", False),
        ("international", "internal", False),
        ("community", "communications", False),
        # the inflections and derivations the similarity needs still meet
        ("collection", "collected", True),
        ("consents", "consent", True),
        ("processing", "processed", True),
    ],
)
def test_the_english_stem_keeps_words_porter_conflates_apart(a: str, b: str, same: bool) -> None:
    assert porter_stem(a) == porter_stem(b)
    assert (english_stem(a) == english_stem(b)) is same
