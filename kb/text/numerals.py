"""Chinese numerals as used in statute numbering.

>>> cn_to_int("一千二百六十")
1260
>>> cn_to_int("十三")
13
>>> cn_to_int("一百零五")
105
>>> cn_to_int("17")
17
"""

from __future__ import annotations

__all__ = [
    "CN_COUNT_CHARS",
    "CN_DIGITS",
    "CN_NUMERAL_CHARS",
    "NUMERAL_CHARS",
    "cn_to_int",
    "int_to_cn",
    "int_to_roman",
    "roman_to_int",
]

# The one spelling of the numeral character classes: use these inside ``[...]`` in regexes.
# Chinese numeral characters as statutes number articles, chapters and items (no Arabic digits).
CN_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
# Any numeral a statute or a citation may use for a number: Chinese, Arabic, full-width Arabic.
NUMERAL_CHARS = CN_NUMERAL_CHARS + "0-9０-９"
# A count of the units just before, as in 前两款 / 前三条: two to nine.
CN_COUNT_CHARS = "两二三四五六七八九"

CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_MYRIAD = {"万": 10_000, "亿": 100_000_000}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_to_int(text: str) -> int:
    """Convert a Chinese (or Arabic, or full-width Arabic) numeral to an int.

    Raises ValueError for anything that is not a numeral.
    """
    s = text.strip().translate(_FULLWIDTH_DIGITS)
    if not s:
        raise ValueError("empty numeral")
    if s.isascii() and s.isdigit():
        return int(s)
    total = 0  # completed myriad groups
    section = 0  # within the current myriad group
    digit: int | None = None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _UNITS:
            # 十三 means 13: a unit with no digit before it counts as one
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch in _MYRIAD:
            section += digit or 0
            total += section * _MYRIAD[ch]
            section, digit = 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """The numeral as statutes print it.

    >>> int_to_cn(1260), int_to_cn(13), int_to_cn(105), int_to_cn(10), int_to_cn(110)
    ('一千二百六十', '十三', '一百零五', '十', '一百一十')
    >>> int_to_cn(20001), int_to_cn(12345)
    ('二万零一', '一万二千三百四十五')
    """
    if n < 0:
        raise ValueError("negative numeral")
    if n == 0:
        return "零"
    if n >= 10_000:
        high, rest = divmod(n, 10_000)
        tail = int_to_cn(rest) if rest else ""
        if 0 < rest < 1000:
            # 一万零一十: after 零 the tens keep their 一
            tail = "零" + ("一" + tail if tail.startswith("十") else tail)
        return f"{int_to_cn(high)}万{tail}"
    digits = "零一二三四五六七八九"
    out: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero_pending:
                out.append("零")
            out.append(digits[d] + unit)
            zero_pending = False
        elif out:
            zero_pending = True
    text = "".join(out)
    if text.startswith("一十"):
        text = text[1:]
    return text


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_to_int(text: str) -> int:
    """Lower-case Roman numerals used for items in English pinpoints: 'iv' -> 4."""
    s = text.strip().lower()
    if not s or any(ch not in _ROMAN for ch in s):
        raise ValueError(f"not a Roman numeral: {text!r}")
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total


def int_to_roman(n: int) -> str:
    """Lower-case Roman numerals, as English citations number items: 4 -> 'iv'."""
    if n <= 0:
        return str(n)
    out: list[str] = []
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)
