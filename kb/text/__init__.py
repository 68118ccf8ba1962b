"""Text tools every stage shares: one home each.

* :mod:`kb.text.numerals` — Chinese (and Roman) numerals, and the one spelling of the numeral
  character classes used in regexes.
* :mod:`kb.text.stopwords` — the one loader of the stopword lists under ``corpus/``.
* :mod:`kb.text.stem` — English Porter stems, as SQLite FTS5's ``porter`` tokenizer makes them.
* :mod:`kb.text.sentences` — sentence spans in English and Chinese.

Other modules import from the submodule that owns the tool (``from kb.text.numerals import
cn_to_int``); this package only re-exports.
"""

from __future__ import annotations

from kb.text.numerals import CN_NUMERAL_CHARS, NUMERAL_CHARS, cn_to_int, int_to_cn, int_to_roman, roman_to_int
from kb.text.sentences import split_sentences
from kb.text.stem import porter_stem
from kb.text.stopwords import load_stopwords, parse_stopwords, stopword_list

__all__ = [
    "CN_NUMERAL_CHARS",
    "NUMERAL_CHARS",
    "cn_to_int",
    "int_to_cn",
    "int_to_roman",
    "load_stopwords",
    "parse_stopwords",
    "porter_stem",
    "roman_to_int",
    "split_sentences",
    "stopword_list",
]
