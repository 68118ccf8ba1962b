"""The dateline that opens an English wire story or press release, in one pattern.

``"BEIJING, Sept 15 (Example Wire) - "``, ``"SHENZHEN, China, November 12, 2025 — "``: a
place in capitals, an optional country, a month and day (either order, the year optional),
an optional wire service in brackets and a dash. The cleaner reads the service (the outlet)
and the date from it; the speaker finder skips it (it is nobody's words).

>>> m = dateline("BEIJING, Sept 15 (Example Wire) - Regulators said on Tuesday …")
>>> m.group("date"), m.group("service"), m.end()
('Sept 15', 'Example Wire', 33)
>>> dateline("SHENZHEN, China, November 12, 2025 — Acme today announced …").group("date")
'November 12, 2025'
>>> dateline("Beijing said no.") is None
True
"""

from __future__ import annotations

import re

__all__ = ["dateline"]

_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,30},(?:\s+[A-Z][\w.]+(?: [A-Z][\w.]+)?,)?"
    r"\s+(?P<date>(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,?\s+\d{4})?)"
    r"(?:\s+\((?P<service>[^()]{2,40})\))?\s*[-–—/]+"
)


def dateline(text: str) -> re.Match[str] | None:
    """The dateline opening ``text`` (groups ``date`` and ``service``, the latter may be None), or None."""
    return _DATELINE.match(text)
