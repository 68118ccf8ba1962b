"""Whitespace normalisation for statute text.

Invariants (tested):

* words and punctuation are never changed: only whitespace and zero-width characters;
* full-width spaces (U+3000), NBSP and other Unicode spaces become ASCII spaces;
* zero-width characters and the BOM are removed;
* runs of whitespace collapse to one space; leading and trailing space is stripped;
* a space between two CJK characters (``符合条 件``, ``总 则``) is removed.
"""

from __future__ import annotations

import re

__all__ = ["CJK", "collapse_space", "is_cjk_text", "normalize_space"]

# CJK ideographs, CJK punctuation, full-width forms: the characters between which a
# space is an artefact of typesetting, never a word separator.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"

# Zero-width space, non-joiner, joiner, word joiner, BOM.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Every Unicode space separator plus tabs; the full-width space is among them.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")
_CJK_CHAR = re.compile(f"[{CJK}]")


def collapse_space(text: str) -> str:
    """Drop zero-width characters, make every space ASCII, collapse runs, strip.

    Unlike :func:`normalize_space` it keeps a space between CJK characters, so
    the separator after ``第一条`` can still be seen.
    """
    return _SPACES.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def normalize_space(text: str) -> str:
    """Normalise whitespace in one line or paragraph of statute text.

    >>> normalize_space("符合条 件\\u3000的")
    '符合条件的'
    >>> normalize_space("第一章　总　　则")
    '第一章总则'
    >>> normalize_space("GB/T 35273  标准")
    'GB/T 35273 标准'
    """
    return _SPACE_BETWEEN_CJK.sub("", collapse_space(text))


def is_cjk_text(text: str, threshold: float = 0.3) -> bool:
    """True when at least ``threshold`` of the non-space characters are CJK."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return False
    return sum(1 for c in chars if _CJK_CHAR.match(c)) / len(chars) >= threshold
