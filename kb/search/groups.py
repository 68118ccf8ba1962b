"""Per-database facts about the search units, computed once per reader: version groups, kinds, places.

:class:`UnitGroups` tells, for every row of ``search_units``, which article across the
versions of a work it is, which version is preferred, its kind's score factor, and its
type and status (for the filters).
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text

from kb.store.reader import Reader, paged_rows

__all__ = ["KIND_FACTORS", "UnitGroups", "place_names", "unit_groups"]

# Scale of a document kind's scores (kinds not listed: 1). Local regulations repeat
# national rules in many places' words; they rank first only when a query names a place.
KIND_FACTORS: Mapping[str, float] = {"local-regulation": 0.8}
# A place at the start of a local regulation's title: 上海市, 广东省, 延边朝鲜族自治州.
# 广西壮族自治区, 延边朝鲜族自治州: the place without its peoples' names.
_TITLE_PLACE = re.compile(
    r"^([\u4e00-\u9fff]{2,10}?)(?:[\u4e00-\u9fff]{1,6}?族|维吾尔)?(?:自治区|自治州|自治县)"
    r"|^([\u4e00-\u9fff]{2,10}?)(?:省|市|县|地区|盟|经济特区)"
)
_PLACE_SUFFIXES = ("自治区", "自治州", "省", "市")


@dataclass(frozen=True)
class UnitGroups:
    """For every search unit (by rowid): its version group, preference and kind factor.

    ``group[rowid]`` numbers the (work, eid) an article belongs to across the versions
    of its work (a passage, or a document without a work, is its document's);
    ``preference[rowid]`` orders the versions of one work (0 first: in force, then the
    newest); ``factor`` is the :data:`KIND_FACTORS` of its document's kind;
    ``places`` the place names that local regulations belong to. ``kind[rowid]`` and
    ``status[rowid]`` number the unit's type and its document's status
    (``codes``: value -> number; -1 for a row not in the table): the type and status
    filters test them here rather than in SQL, where each would cost an index lookup per
    matched row, as much again as scoring it.
    """

    group: array[int]
    preference: array[int]
    factor: array[float]
    places: frozenset[str] = field(default_factory=frozenset)
    kind: array[int] = field(default_factory=lambda: array("b"))
    status: array[int] = field(default_factory=lambda: array("b"))
    codes: Mapping[str, int] = field(default_factory=dict)

    def group_of(self, rowid: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Each row's version group; a row not in the table (cannot happen with a built database)
        is a group of its own (``-rowid - 1``).

        >>> UnitGroups(array("q", [0, 0, 1]), array("b"), array("d")).group_of(np.array([0, 1, 2, 5])).tolist()
        [0, 0, 1, -6]
        """
        known = rowid < len(self.group)
        return np.where(known, np.frombuffer(self.group, dtype=np.int64)[np.where(known, rowid, 0)], -rowid - 1)

    def keep(self, rowid: npt.NDArray[np.int64], type: str | None, status: str | None) -> npt.NDArray[np.bool_]:
        """Which of ``rowid`` pass the type and status filters (None: no filter)."""
        known = rowid < len(self.kind)
        index = np.where(known, rowid, 0)
        out = known.copy()
        for values, name, want in ((self.kind, "type", type), (self.status, "status", status)):
            if want is not None:
                code = self.codes.get(f"{name}:{want}", -2)
                out &= np.frombuffer(values, dtype=np.int8)[index] == code
        return out


def unit_groups(reader: Reader) -> UnitGroups:
    """The :class:`UnitGroups` of the reader's database (computed once per reader)."""
    return reader.cached("search.unit_groups", lambda: _compute_unit_groups(reader))


def place_names(title: str, meta: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            meta = None
    province = meta.get("province") if isinstance(meta, dict) else None
    if isinstance(province, str) and len(province) >= 2:
        names.add(province)
    m = None if title.startswith("关于") else _TITLE_PLACE.match(title)  # 关于…市…的决定 names no place
    if m:
        names.add(m.group(1) or m.group(2))
    out = set()
    for name in names:
        for suffix in _PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                name = name[: -len(suffix)]
                break
        out.add(name)
    return out


def _compute_unit_groups(reader: Reader) -> UnitGroups:
    with reader.engine.connect() as conn:
        docs = conn.execute(
            text(
                "SELECT id, kind, work, status, title_zh, meta, "
                "coalesce(effective, promulgated, adopted, date, '') AS day FROM documents"
            )
        ).all()
        size = int(conn.execute(text("SELECT coalesce(max(rowid), -1) + 1 FROM search_units")).scalar_one())
    return _fill_unit_groups(docs, size, _unit_pages(reader))


def _unit_pages(reader: Reader) -> Iterator[Any]:
    """The units' rows in pages by rowid (:func:`kb.store.reader.paged_rows`)."""
    return paged_rows(
        reader,
        "SELECT rowid, id, doc_id, type, doc_status FROM search_units WHERE rowid > :after ORDER BY rowid LIMIT :n",
    )


def _fill_unit_groups(docs: Sequence[Any], size: int, units: Iterable[Any]) -> UnitGroups:
    work_of = {d.id: d.work or d.id for d in docs}
    factor_of = {d.id: KIND_FACTORS.get(d.kind, 1.0) for d in docs}
    versions: dict[str, list[Any]] = {}
    for d in docs:
        versions.setdefault(work_of[d.id], []).append(d)
    preference_of: dict[str, int] = {}
    for members in versions.values():
        members.sort(key=lambda d: (d.status != "in_force", tuple(-ord(c) for c in d.day), d.id))
        for i, d in enumerate(members):
            preference_of[d.id] = min(i, 127)
    places: set[str] = set()
    for d in docs:
        if d.kind in KIND_FACTORS and KIND_FACTORS[d.kind] != 1.0:
            places |= place_names(d.title_zh or "", d.meta)
    group = array("q", range(-1, -size - 1, -1))  # unknown rows: a group of their own
    preference = array("b", bytes(size))
    factor = array("d", [1.0]) * size
    kind = array("b", [-1]) * size
    status = array("b", [-1]) * size
    codes: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    for u in units:
        eid = u.id[len(u.doc_id) + 1 :] if u.id.startswith(u.doc_id + "/") else u.id
        group[u.rowid] = keys.setdefault((work_of.get(u.doc_id, u.doc_id), eid), len(keys))
        preference[u.rowid] = preference_of.get(u.doc_id, 0)
        factor[u.rowid] = factor_of.get(u.doc_id, 1.0)
        kind[u.rowid] = _code(codes, f"type:{u.type}")
        status[u.rowid] = _code(codes, f"status:{u.doc_status}")
    return UnitGroups(group, preference, factor, frozenset(places), kind, status, codes)


def _code(codes: dict[str, int], value: str) -> int:
    """A small number for ``value`` (types and statuses are a handful; an array of bytes holds them)."""
    code = codes.setdefault(value, len(codes))
    if code > 127:
        raise ValueError(f"more than 128 unit types and document statuses: {value!r}")
    return code
