"""Text tools every stage shares: one home each.

* :mod:`kb.text.numerals` — Chinese (and Roman) numerals, and the one spelling of the numeral
  character classes used in regexes;
* :mod:`kb.text.sentences` — sentence spans in English and Chinese.

Other modules import from the submodule that owns the tool (``from kb.text.numerals import
cn_to_int``); this package only re-exports.
"""

from __future__ import annotations

from kb.text.numerals import CN_NUMERAL_CHARS, NUMERAL_CHARS, cn_to_int, int_to_cn, roman_to_int
from kb.text.sentences import split_sentences

__all__ = ["CN_NUMERAL_CHARS", "NUMERAL_CHARS", "cn_to_int", "int_to_cn", "roman_to_int", "split_sentences"]
