"""Sentence spans of commentary passages at ingest: :func:`kb.text.sentences.split_sentences`
with the furniture rules' abbreviations, and a Chinese ；kept inside its sentence (a passage's
sentences are what quotation and stance read; the clauses of one Chinese sentence stay one).
"""

from __future__ import annotations

from kb.ingest.furniture import FurnitureRules, load_rules
from kb.text.sentences import SentenceRules, Span
from kb.text.sentences import split_sentences as _split

__all__ = ["split_sentences"]


def split_sentences(text: str, rules: FurnitureRules | None = None) -> tuple[Span, ...]:
    """Sentence spans ``(start, end)`` into ``text``, rule-based, English and Chinese.

    >>> t = "Dr. Li said “no.” The U.S. It ends. Art. 13 applies. 我们同意；你们呢。他们不同意！"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Dr. Li said “no.”', 'The U.S.', 'It ends.', 'Art. 13 applies.', '我们同意；你们呢。', '他们不同意！']
    """
    rules = rules or load_rules()
    return _split(text, _sentence_rules(rules), semicolons=False)


def _sentence_rules(rules: FurnitureRules) -> SentenceRules:
    return SentenceRules(
        titles=rules.abbrev_titles,
        before_numbers=rules.abbrev_before_numbers,
        ambiguous=rules.abbrev_ambiguous,
        sentence_starters=rules.sentence_starters,
    )
