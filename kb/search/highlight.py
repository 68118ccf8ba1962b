"""Search snippets: the display text, HTML-escaped, with ``<mark>`` around matched terms.

The full-text index stores jieba tokens and Porter stems, not the text a reader sees,
so highlighting is done here, in Python, on the display text: a Chinese term is found
by substring search (jieba tokens are substrings of the text), an English word is
matched when its Porter stem equals a query term's stem (:func:`kb.text.stem.porter_stem`,
which stems as SQLite FTS5's ``porter`` tokenizer does, so what is marked is what the index matched).

>>> snippet("个人信息处理者应当取得个人的单独同意。", ["单独同意", "个人"])
'<mark>个人</mark>信息处理者应当取得<mark>个人</mark>的<mark>单独同意</mark>。'
>>> snippet("Facial recognition <b>requires</b> consent.", ["require"])
'Facial recognition &lt;b&gt;<mark>requires</mark>&lt;/b&gt; consent.'
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

from kb.text.stem import porter_stem

__all__ = ["find_ranges", "mentions", "snippet"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# What FTS5's unicode61 tokenizer treats as one token: a run of letters and digits.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# ---------------------------------------------------------------- highlighting


def find_ranges(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` ranges of ``text`` that match any of ``terms``.

    A term with Chinese characters matches as a substring; any other term matches
    whole words whose Porter stem is the term's stem, or, ending in ``*``, whole words
    that start with it.
    """
    ranges: list[tuple[int, int]] = []
    lowered = text.lower()
    chinese, stems, prefixes = _classify(tuple(terms))
    # Every occurrence of every Chinese term, overlapping ones too (merged below).
    for term in chinese:
        at = lowered.find(term)
        while at >= 0:
            ranges.append((at, at + len(term)))
            at = lowered.find(term, at + 1)
    if stems or prefixes:
        for m in _candidates(stems, prefixes).finditer(lowered):
            word = m.group()
            if porter_stem(word) in stems or any(word.startswith(p) for p in prefixes):
                ranges.append((m.start(), m.end()))
    return _merge(ranges)


def mentions(text: str, terms: Iterable[str]) -> bool:
    """Whether ``text`` has one of ``terms`` (as :func:`find_ranges` finds them; cheaper than finding all)."""
    lowered = text.lower()
    chinese, stems, prefixes = _classify(tuple(terms))
    if any(term in lowered for term in chinese):
        return True
    if stems or prefixes:
        for m in _candidates(stems, prefixes).finditer(lowered):
            word = m.group()
            if porter_stem(word) in stems or any(word.startswith(p) for p in prefixes):
                return True
    return False


@lru_cache(maxsize=1024)
def _classify(terms: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """A query's terms, once per query: the Chinese ones, the stems of the others, the prefixes."""
    chinese: set[str] = set()
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
            chinese.add(term)
        else:
            stems.add(porter_stem(term))
    return tuple(sorted(chinese)), frozenset(stems), tuple(prefixes)


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
    ends = [e for _, e in ranges]  # merged ranges: ends ascending
    for i, (start, _) in enumerate(ranges):
        count = bisect_right(ends, start + width, lo=i) - i
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


_SPECIAL = re.compile(r"[&<>]")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _as_is(text: str) -> str:
    return text


def snippet(text: str, terms: Iterable[str], *, width: int = 240) -> str:
    """HTML for a result: escaped text around the best match, terms in ``<mark>``.

    The text is cut to about ``width`` characters (an ellipsis marks each cut); with
    no match the snippet is the beginning of the text.
    """
    ranges = find_ranges(text, terms)
    start, end = _window(text, ranges, width) if ranges else (0, min(len(text), width))
    out: list[str] = ["…"] if start > 0 else []
    shown = text[start:end]
    escape = _escape if _SPECIAL.search(shown) else _as_is  # most texts have no & < >
    pos = start
    for r_start, r_end in ranges:  # merged: ascending, apart
        if r_end <= start:
            continue
        if r_start >= end:
            break
        r_start, r_end = max(r_start, start), min(r_end, end)
        out.append(escape(text[pos:r_start]))
        out.append(f"<mark>{escape(text[r_start:r_end])}</mark>")
        pos = r_end
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    return "".join(out)
