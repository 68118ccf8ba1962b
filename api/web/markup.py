"""Turning annotated text into safe HTML: spans, diffs and links.

Everything here escapes the text it is given and returns :class:`markupsafe.Markup`,
so templates never need ``|safe`` on user or corpus text. Annotations are spans
``[start, end)`` into the text; overlapping spans are rendered flat: the text is cut
at every span boundary and each piece carries the classes (and link) of every span
over it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from kb.read.citeformat import node_path

__all__ = [
    "Mark",
    "diff_html",
    "mark_text",
    "node_url",
    "passage_marks",
    "provision_marks",
    "url_path",
    "with_query",
]


@dataclass(frozen=True, slots=True)
class Mark:
    """One span to mark: CSS classes, a tooltip and, optionally, a link."""

    start: int
    end: int
    classes: str
    title: str = ""
    href: str | None = None


def url_path(*parts: str) -> str:
    """A path from id parts, each percent-encoded (``/`` inside a part too).

    >>> url_path("provisions", "pipl-2021", "art_13")
    '/provisions/pipl-2021/art_13'
    >>> url_path("documents", "a b/<c>")
    '/documents/a%20b%2F%3Cc%3E'
    """
    return "/" + "/".join(quote(p, safe="") for p in parts)


def with_query(path: str, params: Mapping[str, Any], **changes: Any) -> str:
    """``path`` with the query ``params`` updated by ``changes``; empty values are dropped.

    >>> with_query("/search", {"q": "人脸", "type": "passage", "cursor": "x"}, type=None, cursor=None)
    '/search?q=%E4%BA%BA%E8%84%B8'
    """
    merged = {**params, **changes}
    pairs = [(k, str(v)) for k, v in merged.items() if v not in (None, "", [])]
    return path + ("?" + urlencode(pairs) if pairs else "")


def node_url(node_id: str) -> str:
    """The page of a document, provision or passage id (a passage is an anchor on its document).

    >>> node_url("pipl-2021"), node_url("pipl-2021/art_13"), node_url("chinai-163/p_7")
    ('/documents/pipl-2021', '/provisions/pipl-2021/art_13', '/documents/chinai-163#p_7')
    """
    return "/" + node_path(node_id)


def mark_text(text: str, marks: Iterable[Mark]) -> Markup:
    """``text`` as HTML with every mark applied; marks outside the text or empty are ignored.

    >>> str(mark_text("a <b> c", [Mark(2, 5, "m-x", "tip")]))
    'a <span class="m-x" title="tip">&lt;b&gt;</span> c'
    >>> str(mark_text("abcd", [Mark(0, 3, "m-a"), Mark(2, 4, "m-b", href="/x")]))
    '<span class="m-a">ab</span><a class="m-a m-b" href="/x">c</a><a class="m-b" href="/x">d</a>'
    """
    spans = sorted({m for m in marks if 0 <= m.start < m.end <= len(text)}, key=lambda m: (m.start, -m.end, m.classes))
    if not spans:
        return Markup(escape(text))
    cuts = sorted({0, len(text), *(m.start for m in spans), *(m.end for m in spans)})
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = escape(text[a:b])
        active = [m for m in spans if m.start <= a and b <= m.end]
        if not active:
            out.append(piece)
            continue
        classes = " ".join(dict.fromkeys(c for m in active for c in m.classes.split()))
        title = "; ".join(dict.fromkeys(m.title for m in active if m.title))
        href = next((m.href for m in active if m.href), None)
        attrs = f' class="{escape(classes)}"'
        if title:
            attrs += f' title="{escape(title)}"'
        if href:
            out.append(f'<a{attrs} href="{escape(href)}">{piece}</a>')
        else:
            out.append(f"<span{attrs}>{piece}</span>")
    return Markup("".join(out))


def _citation_mark(a: Mapping[str, Any], start: int, end: int) -> Mark:
    data = a.get("data") or {}
    status = data.get("status") or "unresolved"
    target = a.get("label") or ""
    ids = data.get("ids") or []
    if not target and len(ids) == 1:
        target = ids[0]
    note = f"Citation ({status})" + (f": {target}" if target else "")
    return Mark(start, end, f"m-cite m-cite-{status}", note, node_url(target) if target else None)


def passage_marks(annotations: Iterable[Mapping[str, Any]], topics: Mapping[str, str]) -> list[Mark]:
    """Marks for a commentary passage: topic terms, citations, quotations, stance cues.

    ``topics`` maps topic ids to labels, for tooltips.
    """
    out: list[Mark] = []
    for a in annotations:
        kind, start, end = a["kind"], int(a["start"]), int(a["end"])
        data = a.get("data") or {}
        if kind == "topic":
            out.append(Mark(start, end, "m-topic", f"Topic: {topics.get(a['label'], a['label'])}"))
        elif kind == "citation":
            out.append(_citation_mark(a, start, end))
        elif kind in ("quote", "reported_speech"):
            what = "Quotation" if kind == "quote" else "Reported speech"
            who = a.get("label") or data.get("speaker") or "unattributed"
            out.append(Mark(start, end, "m-quote" if kind == "quote" else "m-reported", f"{what}: {who}"))
        elif kind == "stance":
            for cue in data.get("cues") or ():
                if isinstance(cue, Mapping) and isinstance(cue.get("start"), int) and isinstance(cue.get("end"), int):
                    polarity = str(cue.get("polarity") or a["label"])
                    out.append(Mark(cue["start"], cue["end"], f"m-cue m-cue-{polarity}", f"Stance cue: {polarity}"))
        elif kind == "term":
            out.append(Mark(start, end, "m-term", f"Term: {a.get('label') or a.get('text')}"))
    return out


def provision_marks(
    topics: Sequence[Mapping[str, Any]], annotations: Iterable[Mapping[str, Any]], lang: str
) -> list[Mark]:
    """Marks for a provision's text in ``lang``: the words that triggered each topic and
    (in the Chinese text) the citations it makes."""
    out: list[Mark] = []
    for topic in topics:
        label = topic.get("label_en") or topic["id"]
        for ev in topic.get("evidence") or ():
            if ((ev.get("data") or {}).get("lang") or "zh") == lang:
                out.append(Mark(int(ev["start"]), int(ev["end"]), "m-topic", f"Topic: {label}"))
    if lang == "zh":
        out.extend(_citation_mark(a, int(a["start"]), int(a["end"])) for a in annotations if a["kind"] == "citation")
    return out


def diff_html(diff: Iterable[Mapping[str, Any]]) -> Markup:
    """An inline diff: kept text plain, removed text in ``<del>``, added text in ``<ins>``.

    Accepts ops as ``{op, old, new}`` (equal, insert, delete, replace) or ``{op, text}``.

    >>> str(diff_html([{"op": "equal", "old": "a", "new": "a"}, {"op": "replace", "old": "b", "new": "<c>"}]))
    'a<del>b</del><ins>&lt;c&gt;</ins>'
    """
    out: list[str] = []
    for op in diff:
        kind = op.get("op")
        old = op.get("old", op.get("text", "")) or ""
        new = op.get("new", op.get("text", "")) or ""
        if kind == "equal":
            out.append(escape(new or old))
        elif kind == "delete":
            out.append(f"<del>{escape(old)}</del>")
        elif kind == "insert":
            out.append(f"<ins>{escape(new)}</ins>")
        elif kind == "replace":
            out.append(f"<del>{escape(old)}</del><ins>{escape(new)}</ins>")
    return Markup("".join(out))
