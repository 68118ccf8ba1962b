"""Dates and versions: partial ISO dates, and which version of a work a date or year means.

Dates in the manifest and in commentary are ISO and may be partial (``2021``,
``2020-05``, ``2021-08-20``). :func:`date_key` pads one to a full date, as the start
or the end of its period, so that plain string comparison orders them.

A *work* (``csl``) has versions (``csl-2016``, ``csl-2025``): :func:`pick_version`
chooses the one a citation means, from an explicit year ("2016年网络安全法") or the
citing text's date.

A bottom-level module: it imports only :mod:`kb.model` and :mod:`kb.errors`, so every
stage may use it.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.model import DocumentMeta

__all__ = ["date_key", "first_date", "in_force_key", "pick_version", "version_in_force", "version_years"]


def date_key(date: str, *, end: bool) -> str:
    """Pad a partial ISO date: as the end of its period ("2020" -> "2020-12-31") or the start.

    >>> date_key("2020", end=True), date_key("2020", end=False)
    ('2020-12-31', '2020-01-01')
    >>> date_key("2020-05", end=True), date_key("2020-05", end=False)
    ('2020-05-31', '2020-05-01')
    >>> date_key("2021-08-20", end=True)
    '2021-08-20'

    The end of a month is always the 31st: the key is for comparing, not a calendar date.
    """
    parts = date.split("-")
    if len(parts) == 1:
        return f"{parts[0]}-12-31" if end else f"{parts[0]}-01-01"
    if len(parts) == 2:
        return f"{date}-31" if end else f"{date}-01"
    return date


def first_date(doc: DocumentMeta) -> str | None:
    """The earliest date a version carries (adopted, promulgated, effective or dated): when it
    came to exist. None when it has no date.

    >>> from kb.model import SourceRef
    >>> first_date(DocumentMeta(id="a", kind="law", sources=(SourceRef("a"),), adopted="2016-11-07",
    ...                         effective="2017-06-01"))
    '2016-11-07'
    """
    return min((d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d), default=None)


def version_years(doc: DocumentMeta) -> set[int]:
    """Every year a version was adopted, promulgated, took effect or is dated.

    >>> from kb.model import SourceRef
    >>> sorted(version_years(DocumentMeta(id="a", kind="law", sources=(SourceRef("a"),),
    ...                                   adopted="2016-11-07", effective="2017-06-01")))
    [2016, 2017]
    """
    return {int(d[:4]) for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d}


def pick_version(versions: Sequence[DocumentMeta], *, year: int | None, date: str | None) -> DocumentMeta:
    """The version of one work that ``year`` or ``date`` points at.

    With a ``year`` ("2016年网络安全法", "PIPL (2021)"): the version adopted or promulgated
    that year, else one dated that year in any way, else the one in force at the end of
    that year. With a ``date`` (the citing text's): the version in force on it, or the
    first version when none was yet. With neither: the latest. Among equals, the later in
    force wins. ``versions`` must not be empty.

    >>> from kb.model import SourceRef
    >>> def law(doc_id, adopted, effective):
    ...     return DocumentMeta(id=doc_id, kind="law", work="csl", sources=(SourceRef(doc_id),),
    ...                         adopted=adopted, effective=effective)
    >>> csl = [law("csl-2016", "2016-11-07", "2017-06-01"), law("csl-2025", "2025-10-28", "2026-01-01")]
    >>> [pick_version(csl, year=y, date=None).id for y in (2016, 2017, 2020, 2025, 2026)]
    ['csl-2016', 'csl-2016', 'csl-2016', 'csl-2025', 'csl-2025']
    >>> [pick_version(csl, year=None, date=d).id for d in ("2015", "2017-05", "2025-12", "2026-01")]
    ['csl-2016', 'csl-2016', 'csl-2016', 'csl-2025']
    >>> pick_version(csl, year=None, date=None).id
    'csl-2025'
    """
    ordered = sorted(versions, key=lambda d: (in_force_key(d), d.id))
    if len(ordered) == 1:
        return ordered[0]
    if year is not None:
        # Prefer the version adopted/promulgated that year, then one in force from it.
        made = [d for d in ordered if year in {int(x[:4]) for x in (d.adopted, d.promulgated, d.date) if x}]
        if made:
            return made[-1]
        exact = [d for d in ordered if year in version_years(d)]
        if exact:
            return exact[-1]
        date = f"{year}-12-31"
    if date is not None:
        when = date_key(date, end=True)
        in_force = [d for d in ordered if in_force_key(d) <= when]
        return in_force[-1] if in_force else ordered[0]
    return ordered[-1]


def in_force_key(doc: DocumentMeta) -> str:
    """The day a version came into force, as a comparable full date (``0000`` when undated);
    versions of a work sort oldest first by it."""
    return date_key(doc.in_force_from or "0000", end=False)


def version_in_force(versions: Sequence[DocumentMeta], day: str) -> DocumentMeta | None:
    """The version of one work in force on ``day`` (YYYY-MM-DD): the latest in force from that
    day or before. Drafts are never in force. None when no version was yet: unlike
    :func:`pick_version`, which must name some version for a citation, this answers "what
    was the law on that day" and may answer nothing.

    >>> from kb.model import SourceRef
    >>> def law(doc_id, effective, kind="law"):
    ...     return DocumentMeta(id=doc_id, kind=kind, work="csl", sources=(SourceRef(doc_id),), effective=effective)
    >>> csl = [law("csl-2016", "2017-06-01"), law("csl-2025", "2026-01-01"), law("csl-2027", "2027", "draft")]
    >>> [version_in_force(csl, d).id for d in ("2017-06-01", "2025-12-31", "2026-01-01", "2028-01-01")]
    ['csl-2016', 'csl-2016', 'csl-2025', 'csl-2025']
    >>> version_in_force(csl, "2017-05-31") is None
    True
    """
    live = [d for d in versions if d.kind != "draft" and in_force_key(d) <= day]
    return max(live, key=lambda d: (in_force_key(d), d.id)) if live else None
