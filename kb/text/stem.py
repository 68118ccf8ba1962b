"""English stemming as SQLite FTS5's ``porter`` tokenizer does it, so what we mark is what the index matched.

The stems come from PyStemmer's ``porter`` algorithm (Snowball's spelling of Martin
Porter's original 1980 algorithm). SQLite's ``fts5_porter.c`` follows Porter's reference
C implementation instead, which differs in three rules:

* step 2: ``logi`` -> ``log`` (technology -> technolog; the paper, and Snowball, keep technologi);
* step 2: ``bli`` -> ``ble`` where the paper has ``abli`` -> ``able`` (visibly -> visibl, not visibli);
* step 1b: after -ed or -ing is removed, any double consonant but ll, ss and zz is
  undoubled; Snowball undoubles only bb dd ff gg mm nn pp rr tt (doxxed -> dox, not doxx).

:func:`porter_stem` applies those rules on top of the library's stem
(:func:`_reference_rules`), and, like SQLite, leaves words shorter than three or longer
than 64 characters alone. ``tests/test_text_stem.py`` checks the result against the
stems an FTS5 ``porter unicode61`` table indexes for the English of our translations.

>>> [porter_stem(w) for w in ("recognition", "technologies", "possibly", "trekking", "as", "ably")]
['recognit', 'technolog', 'possibl', 'trek', 'as', 'abli']
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

__all__ = ["english_stem", "porter_stem"]

# SQLite's porter tokenizer passes shorter and longer tokens through unchanged.
_MIN_LENGTH, _MAX_LENGTH = 3, 64
# Word endings that reach step 2 as ``logi`` / ``bli`` (after step 1: -ies -> -i, -y -> -i).
_STEP2_ENDINGS = {"logi": ("logy", "logies", "logi"), "bli": ("bly", "blies", "bli")}
_STEP2_REPLACEMENT = {"logi": "log", "bli": "ble"}
# Porter's m > 0 for the stem before a suffix: some vowel followed by a consonant
# (y is a vowel after a consonant, a consonant at the start or after a vowel).
_HAS_VC = re.compile(r"(?:[aeiou]|(?<=[^aeiou])y)[^aeiouy]|(?:[aeiou]|(?<=[^aeiou])y)y")
# Step 1b: the doubles the reference implementation undoubles and Snowball keeps.
_UNDOUBLED_ONLY_IN_C = frozenset("chjkqvwx")
_local = threading.local()


def _stemmer(algorithm: str = "porter") -> Stemmer.Stemmer:
    """This thread's stemmer (a PyStemmer object is not to be shared between threads)."""
    stemmer: Stemmer.Stemmer | None = getattr(_local, algorithm, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(algorithm)
        setattr(_local, algorithm, stemmer)
    return stemmer


def _reference_rules(word: str, stem: str) -> str:
    """The stem as Porter's reference implementation gives it, from the library's (the paper's) stem.

    Step 1b: a stem that is the word without -ed or -ing and ends in a double consonant
    Snowball keeps (kk, xx ...) loses one of them; nothing in the later steps touches such
    an ending. Step 2: Snowball leaves a ``logi`` or (non-``abli``) ``bli`` ending that step 2 of the
    reference implementation rewrites; nothing in steps 3-5 touches such an ending, so
    it is still the end of the library's stem. Stemming the rewritten word again runs
    steps 3-5 on it (steps 1 and 2 do nothing to a word ending in ``log`` or ``ble``).
    """
    for ending in ("ed", "ing"):
        undoubles = len(stem) > 1 and stem[-1] == stem[-2] and stem[-1] in _UNDOUBLED_ONLY_IN_C
        if undoubles and word.endswith(ending) and stem == word[: -len(ending)]:
            return stem[:-1]
    for suffix, endings in _STEP2_ENDINGS.items():
        if stem.endswith(suffix) and word.endswith(endings):
            head = stem[: -len(suffix)]
            if _HAS_VC.search(head):
                return str(_stemmer().stemWord(head + _STEP2_REPLACEMENT[suffix]))
    return stem


@lru_cache(maxsize=65536)
def porter_stem(word: str) -> str:
    """The Porter stem of a lower-case word, as FTS5's ``porter`` tokenizer indexes it: 'recognition' -> 'recognit'."""
    if not _MIN_LENGTH <= len(word) <= _MAX_LENGTH:
        return word
    return _reference_rules(word, str(_stemmer().stemWord(word)))


@lru_cache(maxsize=65536)
def english_stem(word: str) -> str:
    """The Snowball English ("Porter2") stem of a lower-case word, for comparing texts (the linker's
    word similarity), where the index's Porter stems are not needed. Porter2 keeps apart words
    that Porter's 1980 rules conflate: organ / organization, general / generate, new / news,
    university / universal, internal / international, community / communication.

    >>> [english_stem(w) for w in ("organization", "organ", "generate", "general", "news", "new")]
    ['organiz', 'organ', 'generat', 'general', 'news', 'new']
    """
    if not _MIN_LENGTH <= len(word) <= _MAX_LENGTH:
        return word
    return str(_stemmer("english").stemWord(word))
