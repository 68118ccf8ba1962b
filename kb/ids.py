"""Identifiers: the one place that builds, parses and orders ids.

Every node of the knowledge base has a stable id, never an autoincrement number:

* a **document**: ``pipl-2021``;
* a **provision**: ``<doc_id>/<eid>``, e.g. ``pipl-2021/art_13__para_1__item_4``;
* a **passage** of a commentary: ``<doc_id>/p_<n>``, e.g. ``wsj-draft-rules-2023/p_7``.

An **eid** (Akoma Ntoso style, as in bluebell's ``IdGenerator``) is a path of units joined by
``__``. Each unit is ``<kind>_<number>``, where the number may carry a sub-number (``art_17-1``
is 第十七条之一; ``point_2-1`` is point 1 under heading 二), or a bare kind (``preamble``).

=========  ==================  =========================
kind       level               Chinese
=========  ==================  =========================
book       book                编 (or 部分)
subbook    subbook             分编
chp        chapter             章
sec        section             节
art        article             条
para       paragraph           款
item       item                项
subitem    subitem             目
point      article-level point  一、 in decisions
annex      annex               附件
preamble   preamble            序言 / text before art. 1
=========  ==================  =========================

>>> e = Eid.parse("art_13__para_1__item_4")
>>> str(e), str(e.article), str(e.parent), e.kind, e.number
('art_13__para_1__item_4', 'art_13', 'art_13__para_1', 'item', '4')
>>> str(Eid.build("article", "17-1").child("paragraph", 2))
'art_17-1__para_2'
>>> split_provision_id("pipl-2021/art_13")
('pipl-2021', 'art_13')
>>> node_type("wsj-draft-rules-2023/p_7"), node_type("pipl-2021/art_13"), node_type("pipl-2021")
('passage', 'provision', 'document')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kb.errors import InvalidId

__all__ = [
    "ARTICLE_KINDS",
    "CONTAINER_KINDS",
    "KIND_OF_LEVEL",
    "LEVEL_OF_KIND",
    "Eid",
    "NodeType",
    "article_eid",
    "doc_of",
    "eid_sort_key",
    "is_passage_id",
    "loose_units",
    "node_type",
    "part_of",
    "passage_id",
    "passage_number",
    "provision_id",
    "split_provision_id",
]

# The kind (eid prefix) of each structural level, and back.
KIND_OF_LEVEL: dict[str, str] = {
    "book": "book",
    "subbook": "subbook",
    "chapter": "chp",
    "section": "sec",
    "article": "art",
    "paragraph": "para",
    "item": "item",
    "subitem": "subitem",
    "point": "point",
    "annex": "annex",
    "preamble": "preamble",
}
LEVEL_OF_KIND: dict[str, str] = {kind: level for level, kind in KIND_OF_LEVEL.items()}
# Units that hold articles, outermost first.
CONTAINER_KINDS: tuple[str, ...] = ("book", "subbook", "chp", "sec")
# Top-level units that stand where an article stands (a pinpoint's root).
ARTICLE_KINDS: frozenset[str] = frozenset({"art", "point", "annex", "preamble"})
# Units inside an article, outermost first.
_INNER_KINDS: tuple[str, ...] = ("para", "item", "subitem")
_BARE_KINDS = frozenset({"preamble"})

# Between the units of an eid.
_SEP = "__"
# One unit: ``art_13``, ``art_17-1``, ``point_2-1``, ``preamble``.
_UNIT_RE = re.compile(r"^(?P<kind>[a-z]+)(?:_(?P<num>\d+)(?:-(?P<sub>\d+))?)?$")
# A passage id's tail: ``p_7``.
_PASSAGE_RE = re.compile(r"^p_(\d+)$")

NodeType = Literal["document", "provision", "passage"]


@dataclass(frozen=True, slots=True)
class Unit:
    """One step of an eid: its kind and its number (``""`` for ``preamble``)."""

    kind: str
    number: str = ""

    def __str__(self) -> str:
        return f"{self.kind}_{self.number}" if self.number else self.kind

    @property
    def main(self) -> int:
        """The number before any ``-``: 17 for ``art_17-1``; 0 when there is none."""
        head = self.number.split("-", 1)[0]
        return int(head) if head else 0

    @property
    def sub(self) -> int:
        """The number after ``-``: 1 for ``art_17-1``; 0 when there is none."""
        _, _, tail = self.number.partition("-")
        return int(tail) if tail else 0


@dataclass(frozen=True, slots=True)
class Eid:
    """A parsed eid. Build one with :meth:`parse` or :meth:`build`; ``str()`` gives it back."""

    units: tuple[Unit, ...]

    @classmethod
    def parse(cls, text: str) -> Eid:
        """Parse an eid; raises :class:`kb.errors.InvalidId` naming it when it is malformed."""
        return _parse(text)

    @classmethod
    def try_parse(cls, text: str) -> Eid | None:
        """Like :meth:`parse`, but None for a malformed eid."""
        try:
            return _parse(text)
        except InvalidId:
            return None

    @classmethod
    def build(cls, level: str, number: int | str = "", parent: Eid | str | None = None) -> Eid:
        """The eid of a node of ``level`` (``article``, ``paragraph``… or a kind) under ``parent``.

        >>> str(Eid.build("item", 4, "art_13__para_1"))
        'art_13__para_1__item_4'
        """
        kind = KIND_OF_LEVEL.get(level, level)
        unit = _unit(f"{kind}_{number}" if str(number) else kind)
        base = Eid.parse(parent).units if isinstance(parent, str) else parent.units if parent else ()
        return Eid((*base, unit))

    def __str__(self) -> str:
        return _SEP.join(str(u) for u in self.units)

    def child(self, level: str, number: int | str = "") -> Eid:
        return Eid.build(level, number, self)

    @property
    def kind(self) -> str:
        """The kind of the last unit: ``item`` for ``art_13__para_1__item_4``."""
        return self.units[-1].kind

    @property
    def level(self) -> str:
        """The structural level of the last unit: ``paragraph`` for ``art_13__para_1``."""
        return LEVEL_OF_KIND.get(self.kind, self.kind)

    @property
    def number(self) -> str:
        return self.units[-1].number

    @property
    def parent(self) -> Eid | None:
        return Eid(self.units[:-1]) if len(self.units) > 1 else None

    @property
    def article(self) -> Eid | None:
        """The article (or preamble, point, annex) this eid is or lies in; None for containers."""
        for i, unit in enumerate(self.units):
            if unit.kind in ARTICLE_KINDS:
                return Eid(self.units[: i + 1])
        return None

    @property
    def is_article(self) -> bool:
        return self.kind in ARTICLE_KINDS

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS

    def unit(self, kind: str) -> Unit | None:
        """The unit of that kind in this eid, if any."""
        for unit in self.units:
            if unit.kind == kind:
                return unit
        return None

    def within(self, other: Eid) -> bool:
        """True when this eid is ``other`` or lies inside it."""
        return self.units[: len(other.units)] == other.units

    def sort_key(self) -> tuple[tuple[int, int, int], ...]:
        """Document order among siblings of any depth: preamble first, articles by number."""
        return tuple((_KIND_RANK.get(u.kind, 99), u.main, u.sub) for u in self.units)


_KIND_RANK = {kind: rank for rank, kind in enumerate(("preamble", *CONTAINER_KINDS, "art", "point", *_INNER_KINDS))}
_KIND_RANK["annex"] = 90  # annexes follow the body


@lru_cache(maxsize=4096)
def _unit(text: str) -> Unit:
    m = _UNIT_RE.match(text)
    if m is None or (m["num"] is None and m["kind"] not in _BARE_KINDS):
        raise InvalidId(f"not an eid unit: {text!r}")
    num = m["num"] or ""
    if m["sub"]:
        num += f"-{m['sub']}"
    return Unit(m["kind"], num)


@lru_cache(maxsize=65536)
def _parse(text: str) -> Eid:
    if not text:
        raise InvalidId("empty eid")
    try:
        return Eid(tuple(_unit(part) for part in text.split(_SEP)))
    except InvalidId:
        raise InvalidId(f"not an eid: {text!r}") from None


def loose_units(eid: str) -> list[tuple[str, str]]:
    """``(kind, number)`` per unit of an eid, leniently, for display: a string that is not an
    eid still reads part by part, any part that is not a unit as a bare kind.

    >>> loose_units("art_13__para_1"), loose_units("preamble"), loose_units("art_13__note")
    ([('art', '13'), ('para', '1')], [('preamble', '')], [('art', '13'), ('note', '')])
    """
    parsed = Eid.try_parse(eid)
    if parsed is not None:
        return [(u.kind, u.number) for u in parsed.units]
    units: list[tuple[str, str]] = []
    for part in eid.split(_SEP):
        unit = Eid.try_parse(part)
        units.append((unit.kind, unit.number) if unit is not None else (part, ""))
    return units


def article_eid(eid: str) -> str:
    """The eid of the article (or preamble, point, annex) a provision belongs to; the eid
    itself for containers and for anything that does not parse.

    >>> article_eid("art_13__para_1__item_4"), article_eid("art_17-1"), article_eid("preamble")
    ('art_13', 'art_17-1', 'preamble')
    """
    parsed = Eid.try_parse(eid)
    art = parsed.article if parsed else None
    return str(art) if art else eid


def eid_sort_key(eid: str) -> tuple[tuple[int, int, int], ...]:
    """Document order of eids, as a ``sorted`` key; raises InvalidId for a malformed eid.

    >>> sorted(["art_10", "art_2-1", "preamble", "art_2"], key=eid_sort_key)
    ['preamble', 'art_2', 'art_2-1', 'art_10']
    """
    return Eid.parse(eid).sort_key()


def part_of(node_id: str, whole_id: str) -> bool:
    """True when ``node_id`` is ``whole_id`` or lies inside it; for eids and provision ids alike.

    >>> part_of("art_14__para_2", "art_14"), part_of("pipl-2021/art_14", "pipl-2021/art_14")
    (True, True)
    >>> part_of("pipl-2021/art_140", "pipl-2021/art_14"), part_of("art_14", "art_14__para_2")
    (False, False)
    """
    return node_id == whole_id or node_id.startswith(whole_id + _SEP)


def provision_id(doc_id: str, eid: str | Eid) -> str:
    return f"{doc_id}/{eid}"


def split_provision_id(node_id: str) -> tuple[str, str]:
    """``pipl-2021/art_13`` -> ``("pipl-2021", "art_13")``; raises InvalidId without a ``/``."""
    doc_id, sep, eid = node_id.partition("/")
    if not sep or not doc_id or not eid:
        raise InvalidId(f"not a provision or passage id (doc_id/eid): {node_id!r}")
    return doc_id, eid


def passage_id(doc_id: str, number: int) -> str:
    return f"{doc_id}/p_{number}"


def passage_number(node_id: str) -> int | None:
    """7 for ``wsj-draft-rules-2023/p_7``; None when the id is not a passage's."""
    _, sep, tail = node_id.rpartition("/")
    m = _PASSAGE_RE.match(tail) if sep else None
    return int(m.group(1)) if m else None


def is_passage_id(node_id: str) -> bool:
    return passage_number(node_id) is not None


def node_type(node_id: str) -> NodeType:
    """``document``, ``passage`` or ``provision``, from the shape of the id."""
    if "/" not in node_id:
        return "document"
    return "passage" if is_passage_id(node_id) else "provision"


def doc_of(node_id: str) -> str:
    """The document id of any node id."""
    return node_id.split("/", 1)[0]
