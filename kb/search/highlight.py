"""Search snippets: the display text, HTML-escaped, with ``<mark>`` around matched terms.

The full-text index stores jieba tokens and Porter stems, not the text a reader sees,
so highlighting is done here, in Python, on the display text: a Chinese term is found
by substring search (jieba tokens are substrings of the text), an English word is
matched when its Porter stem equals a query term's stem (the stemmer below follows
SQLite FTS5's ``porter`` tokenizer, so what is marked is what the index matched).

>>> snippet("个人信息处理者应当取得个人的单独同意。", ["单独同意", "个人"])
'<mark>个人</mark>信息处理者应当取得<mark>个人</mark>的<mark>单独同意</mark>。'
>>> snippet("Facial recognition <b>requires</b> consent.", ["require"])
'Facial recognition &lt;b&gt;<mark>requires</mark>&lt;/b&gt; consent.'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["find_ranges", "porter_stem", "snippet"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# What FTS5's unicode61 tokenizer treats as one token: a run of letters and digits.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# ---------------------------------------------------------------- Porter stemmer
# Martin Porter's algorithm as in his reference C implementation (with its two
# departures, bli -> ble and logi -> log), which is what SQLite's fts5_porter.c runs.
# Words shorter than three characters are left alone, as SQLite does.

_VOWELS = frozenset("aeiou")


def _is_cons(w: str, i: int) -> bool:
    ch = w[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        return i == 0 or not _is_cons(w, i - 1)
    return True


def _measure(stem: str) -> int:
    """m in [C](VC){m}[V]."""
    n = 0
    i = 0
    length = len(stem)
    while i < length and _is_cons(stem, i):
        i += 1
    while i < length:
        while i < length and not _is_cons(stem, i):
            i += 1
        if i >= length:
            break
        while i < length and _is_cons(stem, i):
            i += 1
        n += 1
    return n


def _has_vowel(stem: str) -> bool:
    return any(not _is_cons(stem, i) for i in range(len(stem)))


def _double_cons(w: str) -> bool:
    return len(w) >= 2 and w[-1] == w[-2] and _is_cons(w, len(w) - 1)


def _cvc(w: str) -> bool:
    """Consonant-vowel-consonant ending, the last not w, x or y (hop, not hoop)."""
    if len(w) < 3:
        return False
    return _is_cons(w, len(w) - 1) and not _is_cons(w, len(w) - 2) and _is_cons(w, len(w) - 3) and w[-1] not in "wxy"


_STEP2 = (
    ("ational", "ate"),
    ("tional", "tion"),
    ("enci", "ence"),
    ("anci", "ance"),
    ("izer", "ize"),
    ("bli", "ble"),
    ("alli", "al"),
    ("entli", "ent"),
    ("eli", "e"),
    ("ousli", "ous"),
    ("ization", "ize"),
    ("ation", "ate"),
    ("ator", "ate"),
    ("alism", "al"),
    ("iveness", "ive"),
    ("fulness", "ful"),
    ("ousness", "ous"),
    ("aliti", "al"),
    ("iviti", "ive"),
    ("biliti", "ble"),
    ("logi", "log"),
)
_STEP3 = (
    ("icate", "ic"),
    ("ative", ""),
    ("alize", "al"),
    ("iciti", "ic"),
    ("ical", "ic"),
    ("ful", ""),
    ("ness", ""),
)
_STEP4 = (
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ion",
    "ou",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
)


def _replace_longest(w: str, rules: Sequence[tuple[str, str]], min_m: int) -> str:
    # The reference implementation tests suffixes longest-first within one switch on
    # the penultimate letter; taking the longest matching suffix is the same thing.
    best: tuple[str, str] | None = None
    for suffix, repl in rules:
        if w.endswith(suffix) and (best is None or len(suffix) > len(best[0])):
            best = (suffix, repl)
    if best is not None and _measure(w[: len(w) - len(best[0])]) > min_m:
        return w[: len(w) - len(best[0])] + best[1]
    return w


def _step1ab(w: str) -> str:
    if w.endswith("sses") or w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
        return w
    for suffix in ("ed", "ing"):
        if w.endswith(suffix) and _has_vowel(w[: -len(suffix)]):
            w = w[: -len(suffix)]
            if w.endswith(("at", "bl", "iz")):
                return w + "e"
            if _double_cons(w) and w[-1] not in "lsz":
                return w[:-1]
            if _measure(w) == 1 and _cvc(w):
                return w + "e"
            return w
    return w


def _step4(w: str) -> str:
    best = ""
    for suffix in _STEP4:
        if w.endswith(suffix) and len(suffix) > len(best):
            best = suffix
    if not best:
        return w
    stem = w[: -len(best)]
    if best == "ion" and not stem.endswith(("s", "t")):
        return w
    return stem if _measure(stem) > 1 else w


def _step5(w: str) -> str:
    if w.endswith("e"):
        stem = w[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _cvc(stem)):
            w = stem
    if w.endswith("ll") and _measure(w) > 1:
        w = w[:-1]
    return w


@lru_cache(maxsize=65536)
def porter_stem(word: str) -> str:
    """The Porter stem of a lower-case word: 'recognition' -> 'recognit'."""
    if len(word) < 3 or len(word) > 64:
        return word
    w = _step1ab(word)
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    w = _replace_longest(w, _STEP2, 0)
    w = _replace_longest(w, _STEP3, 0)
    w = _step4(w)
    return _step5(w)


# ---------------------------------------------------------------- highlighting


def find_ranges(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` ranges of ``text`` that match any of ``terms``.

    A term with Chinese characters matches as a substring; any other term matches
    whole words whose Porter stem is the term's stem, or, ending in ``*``, whole words
    that start with it.
    """
    ranges: list[tuple[int, int]] = []
    lowered = text.lower()
    stems: set[str] = set()
    prefixes: list[str] = []
    for term in terms:
        term = term.lower()
        if term.endswith("*") and len(term) > 1 and not _CJK.search(term):
            prefixes.append(term[:-1])  # an FTS5 prefix query: consen* marks consent, consensus
            continue
        term = term.rstrip("*")
        if not term:
            continue
        if _CJK.search(term):
            start = lowered.find(term)
            while start >= 0:
                ranges.append((start, start + len(term)))
                start = lowered.find(term, start + 1)
        else:
            stems.add(porter_stem(term))
    if stems or prefixes:
        for m in _candidates(frozenset(stems), tuple(prefixes)).finditer(lowered):
            word = m.group()
            if porter_stem(word) in stems or any(word.startswith(p) for p in prefixes):
                ranges.append((m.start(), m.end()))
    return _merge(ranges)


@lru_cache(maxsize=1024)
def _candidates(stems: frozenset[str], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    """The whole words that could stem to one of ``stems`` or start with a prefix.

    Porter's steps rewrite only a word's ending, and each rewrite keeps the first
    letter of the ending it replaces, so a word begins with its stem minus the stem's
    last letter. Finding only words with such a beginning (one regex, in C) and
    stemming those is much cheaper than stemming every word of a long text.
    """
    heads = {s[:-1] or s for s in stems} | set(prefixes)
    alternatives = "|".join(re.escape(h) for h in sorted(heads, key=lambda h: (-len(h), h)))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, ranges: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width``-character stretch holding the most matches, widened to word edges."""
    if len(text) <= width:
        return 0, len(text)
    best_start, best_count = 0, -1
    for i, (start, _) in enumerate(ranges):
        count = sum(1 for s, e in ranges[i:] if e <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    # Some context before the first match, a sixth of the window.
    start = max(0, min(best_start - width // 6, len(text) - width))
    end = min(len(text), start + width)
    if start > 0 and not _CJK.match(text[start]):
        space = text.find(" ", start, start + 20)
        if space >= 0:
            start = space + 1
    if end < len(text) and not _CJK.match(text[end - 1]):
        space = text.rfind(" ", end - 20, end)
        if space > start:
            end = space
    return start, end


def snippet(text: str, terms: Iterable[str], *, width: int = 240) -> str:
    """HTML for a result: escaped text around the best match, terms in ``<mark>``.

    The text is cut to about ``width`` characters (an ellipsis marks each cut); with
    no match the snippet is the beginning of the text.
    """
    ranges = find_ranges(text, terms)
    start, end = _window(text, ranges, width) if ranges else (0, min(len(text), width))
    out: list[str] = ["…"] if start > 0 else []
    pos = start
    for r_start, r_end in ranges:
        if r_end <= start or r_start >= end:
            continue
        r_start, r_end = max(r_start, start), min(r_end, end)
        out.append(html.escape(text[pos:r_start], quote=False))
        out.append(f"<mark>{html.escape(text[r_start:r_end], quote=False)}</mark>")
        pos = r_end
    out.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        out.append("…")
    return "".join(out)
