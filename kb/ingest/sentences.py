"""Sentence spans of commentary text, English and Chinese (moved from :mod:`kb.ingest.commentary`).

Rule-based: the abbreviations that do not end a sentence come from the furniture rules
(``[sentences]`` in ``commentary_rules.toml``).
"""

from __future__ import annotations

import re

from kb.ingest.furniture import FurnitureRules, load_rules

__all__ = ["split_sentences"]

# A candidate sentence end: terminal punctuation, closing quotes or brackets after it.
_EN_END = re.compile(r"[.!?…]+[”’\"')\]»]*")
_CJK_END = re.compile(r"[。！？]+[”’\"」』）)]*")
_FOOTNOTE_MARK = re.compile(r"\d{1,3}(?=\s)")  # "readers.1 No need" — a footnote number
_OPENERS = "“‘\"'([«「『（"
_ROMAN = re.compile(r"^[IVXLC]+\b")
_INITIAL = re.compile(r"^[A-Z]$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S, e.g, P.R.C (final dot excluded)


def _next_word(text: str, pos: int) -> str:
    """The word starting at ``pos`` without opening quotes or brackets."""
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end].lstrip(_OPENERS)


def _word_before(text: str, pos: int, floor: int) -> str:
    start = pos
    while start > floor and not text[start - 1].isspace():
        start -= 1
    return text[start:pos].lstrip(_OPENERS)


def _is_boundary(text: str, punct: str, p: int, nxt: str, sentence_start: int, rules: FurnitureRules) -> bool:
    """Decide whether the punctuation at ``p`` ends a sentence, given the next word."""
    first = nxt[:1]
    if not first or first.islower():
        return False  # "etc. and", "where… magic", "U.S.-based"
    if punct != ".":
        return True  # ! ? … and runs of dots before a capital
    word = _word_before(text, p, sentence_start)
    if not word or (word.isdigit() and len(word) <= 3 and text[sentence_start:p].strip() == word):
        return False  # a list number at the start of the sentence: "1. This is ..."
    if word in rules.abbrev_titles or _INITIAL.match(word):
        return False  # "Dr. Li", "H. Andrew Schwartz"
    numeric_next = first.isdigit() or bool(_ROMAN.match(nxt))
    if word in rules.abbrev_before_numbers:
        return not numeric_next  # "Art. 13", "Oct. 8, 2019"
    if word in rules.abbrev_ambiguous or _DOTTED.match(word):
        bare = nxt.rstrip(",.;:!?”’\"')")
        return bare in rules.sentence_starters  # "in the U.S. It additionally ..."
    return True


def split_sentences(text: str, rules: FurnitureRules | None = None) -> tuple[tuple[int, int], ...]:
    """Sentence spans ``(start, end)`` into ``text``, rule-based, English and Chinese.

    Knows abbreviations (``Dr.``, ``U.S.``, ``Art. 13``, ``No. 4``, initials), closing
    quotes after the stop, footnote numbers glued to it, and 。！？.

    >>> t = "Dr. Li said “no.” The U.S. It ends. Art. 13 applies. 我们同意。他们不同意！"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Dr. Li said “no.”', 'The U.S.', 'It ends.', 'Art. 13 applies.', '我们同意。', '他们不同意！']
    """
    rules = rules or load_rules()
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    while start < n and text[start].isspace():
        start += 1
    ends = sorted(
        [(m.start(), m.end(), "cjk") for m in _CJK_END.finditer(text)]
        + [(m.start(), m.end(), "en") for m in _EN_END.finditer(text)]
    )
    for p, e, script in ends:
        if p < start:
            continue
        end = e
        if script == "en":
            if end < n and not text[end].isspace():
                note = _FOOTNOTE_MARK.match(text, end)
                # A footnote number only follows a word's stop, never a decimal: "2.5 m".
                if not (note and p > 0 and text[p - 1].isalpha()):
                    continue
                end = note.end()
            q = end
            while q < n and text[q].isspace():
                q += 1
            if q < n and not _is_boundary(text, text[p:e].rstrip("”’\"')]»"), p, _next_word(text, q), start, rules):
                continue
        spans.append((start, end))
        start = end
        while start < n and text[start].isspace():
            start += 1
    if start < n:
        stop = n
        while stop > start and text[stop - 1].isspace():
            stop -= 1
        spans.append((start, stop))
    return tuple(spans)
