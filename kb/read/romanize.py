"""Pinyin for citations: titles in Hanyu Pinyin, and ASCII BibTeX keys from any id.

The transliteration is Hanyu Pinyin as ``pypinyin`` gives it (its phrase dictionary picks
the reading of polyphones: 重庆 chóngqìng, 银行 yínháng). Titles are written word by word,
as GB/T 16159 asks: jieba (with the legal dictionary) finds the words, and words longer
than three characters are split into the dictionary words they are made of, longest
first (中华人民共和国 -> 中华 人民 共和国), so that a title reads
"Zhōnghuá Rénmín Gònghéguó Wǎngluò Ānquánfǎ" rather than one run of syllables.

:func:`bibtex_key` makes a key that is ASCII, stable (a function of the id alone) and
unique: ASCII ids keep their shape (``pipl-2021:art_13__para_1``); other ids become
toneless pinyin plus the first six hex digits of the SHA-1 of the id, so two ids that
read alike (homophones) still differ.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = ["ascii_slug", "bibtex_key", "pinyin_title", "title_words"]

# Characters BibTeX and biblatex accept in a key without complaint.
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:\-.]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Words up to this many characters are kept whole in a romanised title.
_MAX_WORD = 3


@lru_cache(maxsize=1)
def _freq() -> dict[str, int]:
    from kb.annotate.nlp import jieba_frequencies

    return jieba_frequencies()


def _split_long(word: str, freq: dict[str, int]) -> list[str]:
    """A long compound as the dictionary words it is made of (longest match first)."""
    if len(word) <= _MAX_WORD:
        return [word]
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(_MAX_WORD, 0, -1):
            piece = word[i : i + size]
            if size == 1 or freq.get(piece, 0) > 0:
                out.append(piece)
                i += size
                break
    return out


def title_words(title: str) -> list[str]:
    """The words of a Chinese title, for romanisation.

    >>> title_words("中华人民共和国网络安全法")
    ['中华', '人民', '共和国', '网络', '安全法']
    """
    from kb.annotate.nlp import words_zh

    freq = _freq()
    words: list[str] = []
    for word in words_zh(title):
        if word.isspace():
            continue
        words.extend(_split_long(word, freq) if _HAN.search(word) else [word])
    return words


# A syllable starting with a, o or e (any tone) after another one takes an apostrophe: Xī'ān.
_VOWEL_START = re.compile(r"^[aoeāáǎàōóǒòēéěè]")


def _syllables(word: str) -> str:
    """``word`` in pinyin with tone marks, its syllables joined (with apostrophes where due).

    >>> _syllables("西安"), _syllables("安全")
    ("xī'ān", 'ānquán')
    """
    from pypinyin import Style, lazy_pinyin

    out = ""
    for syl in lazy_pinyin(word, style=Style.TONE):
        out += ("'" if out and _VOWEL_START.match(syl) else "") + syl
    return out


def pinyin_title(title: str) -> str:
    """A Chinese title in Hanyu Pinyin with tone marks, word by word, each word capitalised;
    brackets and punctuation become ASCII.

    >>> pinyin_title("中华人民共和国网络安全法")
    'Zhōnghuá Rénmín Gònghéguó Wǎngluò Ānquánfǎ'
    """
    parts: list[str] = []
    for word in title_words(unicodedata.normalize("NFKC", title)):
        if _HAN.search(word):
            syl = _syllables(word)
            parts.append(syl[:1].upper() + syl[1:])
        else:
            parts.append(word)
    text = " ".join(parts)
    return re.sub(r"\s+([,.;:)\]])|([(\[])\s+", lambda m: m.group(1) or m.group(2), text).strip()


def ascii_slug(text: str) -> str:
    """``text`` in toneless pinyin, lower case, ASCII only.

    >>> ascii_slug("网络安全法-2016-11-07")
    'wangluoanquanfa-2016-11-07'
    """
    from pypinyin import Style, lazy_pinyin

    folded = "".join(lazy_pinyin(unicodedata.normalize("NFKC", text), style=Style.NORMAL, errors="default"))
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return _KEY_UNSAFE.sub("-", ascii_only.lower()).strip("-")


def bibtex_key(doc_id: str, eid: str | None = None) -> str:
    """An ASCII, stable, unique BibTeX key for a document or one of its provisions.

    >>> bibtex_key("pipl-2021", "art_13__para_1")
    'pipl-2021:art_13__para_1'
    >>> bibtex_key("网络安全法-2016-11-07", "art_41")
    'wangluoanquanfa-2016-11-07-2e8678:art_41'
    """
    if doc_id.isascii():
        base = _KEY_UNSAFE.sub("-", doc_id)
    else:
        digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:6]
        base = f"{ascii_slug(doc_id)}-{digest}"
    return f"{base}:{_KEY_UNSAFE.sub('-', eid)}" if eid else base
