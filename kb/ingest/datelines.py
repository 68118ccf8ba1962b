"""A line that is only a date: a page's publication date as it stands on its own line.

>>> parse_date_line("May 4, 2020")
'2020-05-04'
"""

from __future__ import annotations

import re

from kb.text.numerals import CN_DIGITS, cn_to_int

__all__ = ["parse_date_line"]

# A date written in Chinese numerals, the year digit by digit: "二〇二六年三月", "二〇二六年九月十五日"
# (a judgment's or a report's date line). The whole line only.
_CN_YEAR_DIGITS = "".join(CN_DIGITS)
_CN_DATE = re.compile(
    rf"^\s*(?P<year>[{_CN_YEAR_DIGITS}]{{4}})\s*年\s*(?P<month>[{_CN_YEAR_DIGITS}十]{{1,3}})\s*月"
    rf"(?:\s*(?P<day>[{_CN_YEAR_DIGITS}十]{{1,3}})\s*日)?\s*$"
)


def _cn_date(line: str) -> str | None:
    m = _CN_DATE.match(line)
    if m is None:
        return None
    year = int("".join(str(CN_DIGITS[c]) for c in m.group("year")))
    try:
        month = cn_to_int(m.group("month"))
        day = cn_to_int(m.group("day")) if m.group("day") else None
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1000 <= year <= 2999) or (day is not None and not 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
# A line that is only a date, perhaps with "Published"/"Updated", a time or a weekday
# before it and a time or reading time after it. Dates inside prose are not
# publication dates.
_DATE_PREFIX = (
    r"^(?:[·•|]\s*)?"  # "· Updated March 5, 2026": the first date was in markup the extractor dropped
    r"(?:issue\s+(?:no\.?\s*)?#?\d+\s*[—–\-|·:,]\s*)?"  # "Issue No. 14 — Thursday, 12 February 2026"
    r"(?P<issue>(?:总\s*)?第\s*\d{1,5}\s*期[\s\u3000]*)?"  # an e-paper's "第812期　2026-11-12　　青春视点"
    r"(?:(?:published|updated|last updated|posted|date|first published)(?: on)?\s*:?\s*|created\s*:\s*"
    r"|(?:stand|veröffentlicht(?: am)?|aktualisiert(?: am)?|publié le|mis à jour le)\s*:?\s*"  # other languages' labels
    r"|(?:发布|发表|更新|刊发|首发|编辑)(?:日期|时间|于)?\s*[:：]?\s*"
    r"|[\u4e00-\u9fff]{0,4}(?:日期|时间|范围)\s*[:：]\s*"  # "直播时间：…", "导出范围：…", "日期：…"
    r"|【(?:发布|更新)?(?:日期|时间)】\s*)?"  # a court or government site's "【时间】2026年04月14日 09:30"
    r"(?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?\s*,?\s*)?"  # "10:32 AM EDT, "
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"  # "Tue August 8, 2023"
)
_DATE_SUFFIX = (
    r"(?:\s*(?:,|at|um|\||·|•|[-–—])?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|uhr)?"  # ", 10:30 am ET"
    # the end of a span: "20:00—21:10", "19:02 — 2026/05/18 22:47"
    r"(?:\s*[-–—~～至]{1,2}\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*)?\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:\s*(?:(?:GMT|UTC)\s*[+\-−]\s*\d{1,2}(?::?\d{2})?|[A-Z]{2,4}))?"
    r"(?:\s*(?:发表于)?\s*[\u4e00-\u9fff]{2,3})?)?"  # "2026年5月18日 09:12 上海": a WeChat post's place
    r"(?:\s*第\s*\d{1,3}\s*版)?(?:\s*[（(]?(?:星期|周|礼拜)[一二三四五六日天][)）]?)?"  # a paper's "第07版 星期一"
    r"(?:\s*第\s*[\dA-Z]{1,3}\s*版\s*(?:[:：]\s*[\u4e00-\u9fff]{2,8})?)?"  # "星期三　第05版：评论"
    r"(?(issue)(?:[\s\u3000]+[\u4e00-\u9fff]{2,8})?)"  # the column after an issue number
    r"(?:\s*[|·•]\s*(?:effective|in effect|in force|valid)\b[^|·•]{0,30})?"  # "· Effective August 1, 2026"
    r"(?:\s*[|·•]?\s*updated\b[^|·•]{0,30})?"  # "· Updated 2 hours ago"
    r"(?:\s*[|·•・]?\s*IP\s*属地\s*[:：]?\s*\S{1,8})?"  # "・IP 属地上海" on Chinese platforms
    r"(?:\s*[|·•]\s*\d+\s*min(?:ute)?s? read)?"  # "| 5 min read"
    r"(?:(?:[\s\u3000]+|\s*[|｜]\s*)[\u4e00-\u9fff]{2,4}\s*[:：]\s*[^\s\u3000|｜]{1,20})?\s*$"  # "　　平台：某直播"
)
_DATE_BODIES = (
    _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR,  # May 4, 2020
    _DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR,  # 4 May 2020
    _YEAR + r"[-/.](?P<mnum>\d{1,2})[-/.]" + _DAY,  # 2020-05-04
    _YEAR + r"\s*年\s*(?P<mnum>\d{1,2})\s*月\s*" + _DAY + r"\s*日",  # 2020年5月4日
    # 04.11.2026: with dots and the year last, the day comes first (the European habit;
    # an American writes 04/11/2026, which stays unread)
    r"(?P<day>\d{1,2})\.(?P<mnum>\d{1,2})\." + _YEAR,
    _MONTH + r",?\s+" + _YEAR,  # May 2020
)
_DATE_LINE_PATTERNS = tuple(re.compile(_DATE_PREFIX + body + _DATE_SUFFIX, re.I) for body in _DATE_BODIES)


def parse_date_line(text: str) -> str | None:
    """The ISO date of a line that is only a date (``2020-05-04``, or ``2020-05``), else None.

    >>> parse_date_line("Published Aug. 8, 2023 at 10:30 am ET")
    '2023-08-08'
    >>> parse_date_line("September 22, 2025 10:41 AM GMT+8 · Updated 2 hours ago")
    '2025-09-22'
    >>> parse_date_line("Issue No. 14 — Thursday, 12 February 2026")
    '2026-02-12'
    >>> parse_date_line("编辑于 2025-09-14 22:03・IP 属地上海")
    '2025-09-14'
    >>> parse_date_line("发布日期：2025年10月9日"), parse_date_line("【时间】2025年10月09日 09:30")
    ('2025-10-09', '2025-10-09')
    >>> parse_date_line("Posted 04.11.2026 10:32"), parse_date_line("2026-10-12 第07版 星期一")
    ('2026-11-04', '2026-10-12')
    >>> parse_date_line("第812期　2026-11-12　　青春视点"), parse_date_line("2026年03月04日 星期三　第05版：评论")
    ('2026-11-12', '2026-03-04')
    >>> parse_date_line("2026-11-12　青春视点") is None
    True
    >>> parse_date_line("Last updated: June 30, 2026 · Effective August 1, 2026")
    '2026-06-30'
    >>> parse_date_line("直播时间：2026年11月19日 20:00—21:10　　平台：某某直播")
    '2026-11-19'
    >>> parse_date_line("导出范围：2026/05/18 19:02 — 2026/05/18 22:47"), parse_date_line("23.10.2026 um 10:32 Uhr")
    ('2026-05-18', '2026-10-23')
    >>> parse_date_line("23.10.2026 - 10:32:05"), parse_date_line("Stand: 23.10.2026, 10:32 Uhr")
    ('2026-10-23', '2026-10-23')
    >>> parse_date_line("The rules were published on May 4, 2020.") is None
    True
    >>> parse_date_line("二〇二六年九月十五日"), parse_date_line("二〇二六年三月"), parse_date_line("二〇二六年十三月")
    ('2026-09-15', '2026-03', None)
    """
    line = text.strip()
    if len(line) > 80:
        return None
    if "年" in line and (cn := _cn_date(line)):
        return cn
    for pattern in _DATE_LINE_PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        groups = m.groupdict()
        year = int(groups["year"])
        month = _MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["mnum"])
        if not (1 <= month <= 12 and 1000 <= year <= 2999):
            return None
        if groups.get("day") is None:
            return f"{year:04d}-{month:02d}"
        day = int(groups["day"])
        return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= day <= 31 else None
    return None
