"""Sentence spans in English and Chinese: the one sentence splitter every stage shares.

A commentary passage already carries the split made at ingest (``Passage.sentences``);
:func:`passage_sentences` returns it, and splits the text here only when it is missing
(a passage built by hand, a provision). The rules:

* Chinese: a sentence ends at 。！？ or ； (a statute's clauses are separated by ；),
  with any closing quotes or brackets after the stop (``。」``, ``？”``, ``。）``);
* English: at ``.`` ``!`` ``?`` ``…`` (closing quotes and brackets after the stop, and a
  footnote number glued to it, stay with the sentence), followed by a space and a word
  that may start a sentence. A stop is no sentence end before a lower-case word
  (``etc. and``), after a title (``Dr. Li``) or an initial (``H. Andrew``), after
  ``Art.`` ``No.`` ``Oct.`` before a number, or after ``Inc.`` ``etc.`` ``U.S.`` unless a
  usual sentence opener follows. These abbreviation lists are data: the ``[sentences]``
  table of ``corpus/commentary_rules.toml``.

The rules are those of :func:`kb.ingest.commentary.split_sentences` (reimplemented here,
since this module sits below ingest), with ；as a Chinese sentence end added.

>>> t = "Dr. Li said “no.” The U.S. It ends. Art. 13 applies. 我们同意；他们不同意！"
>>> [t[s:e] for s, e in split_sentences(t)]
['Dr. Li said “no.”', 'The U.S.', 'It ends.', 'Art. 13 applies.', '我们同意；', '他们不同意！']

:func:`join_quoted` keeps a quotation of several sentences inside one sentence:

>>> t = "He said “It is thin. It is late.” Then he left."
>>> [t[s:e] for s, e in join_quoted(split_sentences(t), [(8, 32)])]
['He said “It is thin. It is late.”', 'Then he left.']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import ConfigDict

from kb.datafiles import RuleModel, load_rules
from kb.model import Passage
from kb.settings import get_settings

__all__ = [
    "RULES_PATH",
    "SentenceRules",
    "join_quoted",
    "load_sentence_rules",
    "passage_sentences",
    "split_sentences",
]

Span = tuple[int, int]

RULES_PATH = Path("commentary_rules.toml")  # relative to settings.corpus_dir; its [sentences] table

# A candidate sentence end: terminal punctuation, then closing quotes or brackets.
_EN_END = re.compile(r"[.!?…]+[”’\"')\]»]*")
_CJK_END = re.compile(r"[。！？；]+[”’\"」』）)]*")
_CJK_FULL_STOP = re.compile(r"[。！？]+[”’\"」』）)]*")  # without ；(see split_sentences)
_FOOTNOTE_MARK = re.compile(r"\d{1,3}(?=\s)")  # "readers.1 No need": a footnote number
_OPENERS = "“‘\"'([«「『（"
_CLOSERS = "”’\"')]»"
_ROMAN = re.compile(r"^[IVXLC]+\b")
_INITIAL = re.compile(r"^[A-Z]$")
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")  # U.S, e.g, P.R.C (final dot excluded)


class SentenceRules(RuleModel):
    """Abbreviations around which a stop does not end an English sentence."""

    titles: frozenset[str] = frozenset()  # never end a sentence: "Dr", "e.g"
    before_numbers: frozenset[str] = frozenset()  # end one only when no number follows: "Art", "Oct"
    ambiguous: frozenset[str] = frozenset()  # end one only before a usual opener: "Inc", "etc"
    sentence_starters: frozenset[str] = frozenset()  # the usual openers: "The", "It", "However"


class _RulesFile(RuleModel):
    """The file that holds the sentence rules; its other tables belong to other readers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sentences: SentenceRules


def load_sentence_rules(path: Path) -> SentenceRules:
    """The ``[sentences]`` table of the rule file at ``path``, checked."""
    return load_rules(path, _RulesFile, "sentence rules").sentences


@lru_cache(maxsize=1)
def _default_rules() -> SentenceRules:
    return load_sentence_rules(get_settings().corpus_dir / RULES_PATH)


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


def _is_boundary(text: str, punct: str, p: int, nxt: str, sentence_start: int, rules: SentenceRules) -> bool:
    """Whether the English stop at ``p`` ends a sentence, given the next word."""
    first = nxt[:1]
    if not first or first.islower():
        return False  # "etc. and", "where… magic", "U.S.-based"
    if punct != ".":
        return True  # ! ? … and runs of dots before a capital
    word = _word_before(text, p, sentence_start)
    if not word or (word.isdigit() and len(word) <= 3 and text[sentence_start:p].strip() == word):
        return False  # a list number at the start of the sentence: "1. This is ..."
    if word in rules.titles or _INITIAL.match(word):
        return False  # "Dr. Li", "H. Andrew Schwartz"
    numeric_next = first.isdigit() or bool(_ROMAN.match(nxt))
    if word in rules.before_numbers:
        return not numeric_next  # "Art. 13", "Oct. 8, 2019"
    if word in rules.ambiguous or _DOTTED.match(word):
        bare = nxt.rstrip(",.;:!?”’\"')")
        return bare in rules.sentence_starters  # "in the U.S. It additionally ..."
    return True


def split_sentences(text: str, rules: SentenceRules | None = None, *, semicolons: bool = True) -> tuple[Span, ...]:
    """Sentence spans ``(start, end)`` into ``text``; spaces between sentences belong to none.

    With ``semicolons=False`` a Chinese ；does not end a sentence: the clauses of one
    statute sentence stay together (the topic tagger looks for context cues across them).

    >>> [t[s:e] for t in ["同意；除外。"] for s, e in split_sentences(t, semicolons=False)]
    ['同意；除外。']
    """
    rules = rules or _default_rules()
    cjk_end = _CJK_END if semicolons else _CJK_FULL_STOP
    spans: list[Span] = []
    n = len(text)
    start = 0
    while start < n and text[start].isspace():
        start += 1
    ends = sorted(
        [(m.start(), m.end(), "cjk") for m in cjk_end.finditer(text)]
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
            if q < n and not _is_boundary(text, text[p:e].rstrip(_CLOSERS), p, _next_word(text, q), start, rules):
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


def join_quoted(spans: Sequence[Span], quoted: Sequence[Span]) -> tuple[Span, ...]:
    """``spans`` with every boundary that falls inside a quoted span ``(open, close)`` removed.

    ``open`` is the opening mark; ``close`` the closing one, or the end of the text for a
    quotation still open there.
    """
    out: list[Span] = []
    for s, e in spans:
        if out and any(o < s and out[-1][1] <= c for o, c in quoted if o < out[-1][1]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return tuple(out)


def passage_sentences(passage: Passage) -> tuple[Span, ...]:
    """The passage's sentence spans: the split made at ingest, else :func:`split_sentences`."""
    return passage.sentences or split_sentences(passage.text)
