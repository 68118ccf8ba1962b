"""Whose voice each passage carries: a quoted or reported speaker, else the author or outlet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kb.annotate.speakers.document import _analyse, _Document, _PassageInfo, _speaker
from kb.annotate.speakers.quotes import _reported
from kb.model import Annotation, DocumentMeta, Passage

SpeakerKind = Literal["quoted", "reported", "author", "outlet"]

# A passage is the speaker's when their attributed sentences cover this share of it, or
# MIN_SOLE_SHARE when they are the only speaker and their attribution closes the passage
# ("… states Liu." after two sentences paraphrasing Liu).
MIN_SHARE = 0.5
MIN_SOLE_SHARE = 0.25


@dataclass(frozen=True)
class SpeakerInfo:
    """Who speaks in a passage: a quoted or reported speaker, else the author or outlet."""

    name: str
    role: str | None
    kind: SpeakerKind


def _default_voice(doc: _Document) -> SpeakerInfo:
    meta = doc.meta
    if meta.authors:
        role = doc.people.role(doc.people.canonical(tuple(meta.authors[0].split())))
        return SpeakerInfo(", ".join(meta.authors), role if len(meta.authors) == 1 else None, "author")
    return SpeakerInfo(meta.outlet or "", None, "outlet")


def passage_speakers(
    passages: Sequence[Passage], meta: DocumentMeta, quotes: Sequence[Annotation]
) -> dict[str, SpeakerInfo]:
    """For each passage id, whose voice the passage carries.

    A passage is a speaker's when sentences with their quotations or reported speech
    ("Liu argues that …", "…, Webster said.") cover :data:`MIN_SHARE` of it
    (:data:`MIN_SOLE_SHARE` when nobody else is attributed there), or when it follows an
    introduction such as "Liu outlines a few planks:". ``kind`` is ``"quoted"`` when most
    of those sentences hold a direct quotation, else ``"reported"``. Everything else is the
    voice of ``meta.authors`` (``"author"``) or, when there are none, ``meta.outlet``.
    ``quotes`` are the annotations :func:`find_quotes` returned (filtered as you wish).
    """
    doc = _analyse(passages, meta)
    default = _default_voice(doc)
    by_passage: dict[str, list[Annotation]] = {}
    for q in quotes:
        if q.kind == "quote":
            by_passage.setdefault(q.target_id, []).append(q)
    out: dict[str, SpeakerInfo] = {}
    for i, info in enumerate(doc.infos):
        p = info.passage
        voice = _voice(doc, info, by_passage.get(p.id, []))
        if voice is None and doc.intro[i] is not None:
            sp = _speaker(doc, doc.intro[i])  # type: ignore[arg-type]
            if sp.name and not sp.is_self:
                covered = sum(q.end - q.start for q in by_passage.get(p.id, []))
                kind: SpeakerKind = "quoted" if covered * 2 >= len(p.text.strip()) else "reported"
                voice = SpeakerInfo(sp.name, sp.role, kind)
        out[p.id] = voice or default
    return out


def _quote_speaker(q: Annotation) -> str:
    """The speaker of a quote annotation: its name, or how the text describes them."""
    if q.data.get("attribution") == "none":
        return ""
    return str(q.data.get("speaker") or q.label or q.data.get("mention") or "")


def _voice(doc: _Document, info: _PassageInfo, quotes: Sequence[Annotation]) -> SpeakerInfo | None:
    text = info.passage.text
    total = len(text.strip())
    if not total:
        return None
    chars: dict[str, int] = {}
    quoted: dict[str, int] = {}
    roles: dict[str, str | None] = {}
    reported = {(s, e): a for s, e, a in _reported(doc, info)}
    last_name: str | None = None
    for s, e in info.sentences:
        last_name = None
        inside = [q for q in quotes if q.start < e and q.end > s and _quote_speaker(q)]
        if inside:
            q = max(inside, key=lambda q: min(q.end, e) - max(q.start, s))
            name = _quote_speaker(q)
            chars[name] = chars.get(name, 0) + (e - s)
            quoted[name] = quoted.get(name, 0) + (e - s)
            roles.setdefault(name, q.data.get("role"))
            last_name = name if q.data.get("speaker") else None  # unnamed speakers need MIN_SHARE
        elif (s, e) in reported:
            sp = _speaker(doc, reported[(s, e)])
            name = sp.name or sp.mention
            chars[name] = chars.get(name, 0) + (e - s)
            roles.setdefault(name, sp.role)
            last_name = name if sp.name else None  # unnamed speakers need MIN_SHARE
    if not chars:
        return None
    best = max(chars, key=lambda n: chars[n])
    share = chars[best] / total
    # "… paraphrase … “quote,” states Liu.": an attribution closing the passage covers it.
    closes = last_name == best and len(chars) == 1 and share >= MIN_SOLE_SHARE
    if share < MIN_SHARE and not closes:
        return None
    kind: SpeakerKind = "quoted" if quoted.get(best, 0) * 2 >= chars[best] else "reported"
    return SpeakerInfo(best, roles.get(best), kind)
