"""A radial layout of a link-graph neighbourhood, computed on the server for inline SVG.

The focus node sits in the centre; nodes one hop away sit on the first ring, two hops
on the second, and so on. On each ring a node is placed near the nodes of the inner
ring it is linked to (the circular mean of their angles), then the ring is spaced
evenly in that order, so edges cross as little as such a simple layout allows.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.web.markup import node_url

__all__ = ["RING", "Layout", "PlacedEdge", "PlacedNode", "radial_layout"]

RING = 190.0  # distance between rings, in SVG user units
PAD_X = 330.0  # room left and right of the outer ring for labels
PAD_Y = 60.0
LABEL_CHARS = 24


@dataclass(frozen=True, slots=True)
class PlacedNode:
    id: str
    type: str
    hop: int
    x: float
    y: float
    label: str  # short, drawn next to the node
    title: str  # full, as a tooltip
    href: str
    anchor: str  # text-anchor of the label: start, middle or end
    lx: float  # label position
    ly: float


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    source: str
    target: str
    kind: str
    score: float
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True, slots=True)
class Layout:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    view_box: str
    width: float
    height: float


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _circular_mean(angles: Sequence[float]) -> float:
    return math.atan2(sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles))


def _wanted(
    n: Mapping[str, Any], hop: int, neighbours: Mapping[str, set[str]], angle: Mapping[str, float]
) -> tuple[float, str, str]:
    """Sort key on a ring: near the linked nodes of the inner ring; the first ring is
    grouped by node type, so passages, provisions and documents sit together."""
    inner = [angle[m] for m in neighbours[n["id"]] if m in angle]
    return (_circular_mean(inner) if inner and hop > 1 else 0.0, str(n["type"]), str(n["id"]))


def radial_layout(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> Layout:
    """Positions for ``nodes`` (dicts with ``id``, ``type``, ``hop`` and ``short`` or
    ``label``) and the ``edges`` between them (``source``, ``target``, ``kind``, ``score``).

    >>> lay = radial_layout([{"id": "a", "type": "document", "hop": 0}, {"id": "a/p_1", "type": "passage", "hop": 1}],
    ...                     [{"source": "a/p_1", "target": "a", "kind": "mentions", "score": 1.0}])
    >>> [(n.id, round(n.x), round(n.y)) for n in lay.nodes]
    [('a', 0, 0), ('a/p_1', 0, -190)]
    """
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        neighbours[e["source"]].add(e["target"])
        neighbours[e["target"]].add(e["source"])
    rings: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for n in nodes:
        rings[int(n.get("hop", 0))].append(n)
    angle: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    for hop in sorted(rings):
        ring = rings[hop]
        if hop == 0:
            for n in ring:
                angle[n["id"]], pos[n["id"]] = 0.0, (0.0, 0.0)
            continue

        ordered = sorted(ring, key=functools.partial(_wanted, hop=hop, neighbours=neighbours, angle=angle))
        start = _wanted(ordered[0], hop, neighbours, angle)[0] if hop > 1 else 0.0
        shift = 0.5 if len(ordered) % 2 == 0 else 0.0
        for i, n in enumerate(ordered):
            # An even ring turns half a step, so no edge runs straight down through the focus's label.
            a = start + 2 * math.pi * (i + shift) / len(ordered) - math.pi / 2
            angle[n["id"]] = a + math.pi / 2
            pos[n["id"]] = (hop * RING * math.cos(a), hop * RING * math.sin(a))
    placed = []
    for n in nodes:
        x, y = pos[n["id"]]
        full = str(n.get("short") or n.get("label") or n["id"])
        if n.get("hop", 0) == 0:
            anchor, lx, ly = "middle", x, y + 34
        else:
            anchor = "start" if x > 1 else "end" if x < -1 else "middle"
            dx = 14 if anchor == "start" else -14 if anchor == "end" else 0
            dy = 5 if anchor != "middle" else (-16 if y < 0 else 26)
            lx, ly = x + dx, y + dy
        title = f"{full} — {n['label']}" if n.get("label") and n.get("label") != full else full
        placed.append(
            PlacedNode(
                id=n["id"],
                type=str(n["type"]),
                hop=int(n.get("hop", 0)),
                x=round(x, 1),
                y=round(y, 1),
                label=_short(full),
                title=title,
                href=node_url(n["id"]),
                anchor=anchor,
                lx=round(lx, 1),
                ly=round(ly, 1),
            )
        )
    placed_edges = tuple(
        PlacedEdge(
            source=e["source"],
            target=e["target"],
            kind=str(e["kind"]),
            score=float(e.get("score") or 0.0),
            x1=round(pos[e["source"]][0], 1),
            y1=round(pos[e["source"]][1], 1),
            x2=round(pos[e["target"]][0], 1),
            y2=round(pos[e["target"]][1], 1),
        )
        for e in edges
        if e["source"] in pos and e["target"] in pos
    )
    radius = max(rings) * RING if rings else 0.0
    half_x, half_y = radius + PAD_X, radius + PAD_Y
    return Layout(
        nodes=tuple(placed),
        edges=placed_edges,
        view_box=f"{-half_x:.0f} {-half_y:.0f} {2 * half_x:.0f} {2 * half_y:.0f}",
        width=2 * half_x,
        height=2 * half_y,
    )
