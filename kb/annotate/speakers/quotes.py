"""The annotations: direct quotations (with block quotes) and reported speech."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.annotate.speakers.attribution import _Attr, _Speaker
from kb.annotate.speakers.document import _analyse, _Document, _PassageInfo, _speaker
from kb.annotate.speakers.lexicon import _lexicon
from kb.annotate.speakers.marks import _Marks
from kb.annotate.speakers.people import _parse_run
from kb.annotate.speakers.turns import all_turns, turn_annotation
from kb.model import Annotation, DocumentMeta, Passage


def _quote_annotation(doc: _Document, i: int, start: int, end: int, speaker: _Speaker | None, how: str) -> Annotation:
    p = doc.infos[i].passage
    return Annotation(
        target_id=p.id,
        kind="quote",
        label=(speaker.name or "") if speaker else "",
        start=start,
        end=end,
        text=p.text[start:end],
        data={
            "speaker": speaker.name if speaker else None,
            "mention": speaker.mention if speaker else None,
            "role": speaker.role if speaker else None,
            "cue": speaker.cue if speaker else None,
            "attribution": how,
        },
    )


def find_quotes(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Direct quotations in one document's passages (in order), with their speakers.

    Each :class:`~kb.model.Annotation` has ``kind="quote"``, ``target_id`` the passage id,
    ``start``/``end`` the quoted words (marks excluded), ``label`` the normalised speaker
    (``""`` when unknown) and ``data`` = ``{"speaker", "mention", "role", "cue",
    "attribution"}``; ``attribution`` says how the speaker was found: ``"direct"`` (a cue
    in the quote's sentence), ``"context"`` (the speaker of the passage or of its
    introduction), ``"block"`` (a block quotation after "X writes:") or ``"none"``.
    """
    doc = _analyse(passages, meta)
    out = [_quote_annotation(doc, i, m.start, m.end, q.speaker, q.how) for q in doc.quotations for i, m in q.parts]
    out += _block_quotes(doc)
    out += _turns(passages, meta)
    order = {info.passage.id: i for i, info in enumerate(doc.infos)}
    out.sort(key=lambda a: (order[a.target_id], a.start))
    return out


def _turns(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Transcript turns (``FELD: …``, ``Anna Kowalczyk: …``) whose label is a person's name."""
    lex = _lexicon()

    def is_name(label: str) -> bool:
        # "Tomas Berg:" or "BERG:"; a single capitalised word ("Update:", "Note:") is a label.
        if not label.isupper() and len(label.split()) < 2:
            return False
        name = _parse_run(label.title() if label.isupper() else label, lex)
        return name is not None and not name.is_org and name.title is None

    asker = meta.extra.get("interviewer") if meta.extra else None
    return [turn_annotation(passages[t.passage], t) for t in all_turns(passages, is_name, asker)]


def _block_quotes(doc: _Document) -> list[Annotation]:
    """Whole passages quoted without marks: block quotes, or a paragraph after "X report:"."""
    out: list[Annotation] = []
    for i, info in enumerate(doc.infos):
        p = info.passage
        if info.marks or p.kind == "list_item":
            continue
        intro = doc.intro[i]
        if p.kind != "quote" and intro is None:
            continue
        speaker = _speaker(doc, intro) if intro else None
        if speaker is not None and speaker.is_self:
            speaker = None
        start = len(p.text) - len(p.text.lstrip())
        out.append(_quote_annotation(doc, i, start, len(p.text.rstrip()), speaker, "block" if speaker else "none"))
    return out


# ---------------------------------------------------------------------------- reported speech


def find_reported_speech(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Sentences that report someone's words or views without quoting them.

    ``kind="reported_speech"``, ``start``/``end`` the sentence, ``label`` the speaker,
    ``data`` as for quotes. Sentences spoken by the author ("I would wager") and sentences
    whose attribution introduces a direct quote are left out.

    >>> from kb.model import DocumentMeta, Passage
    >>> meta = DocumentMeta(id="d", kind="commentary")
    >>> [a.label for a in find_reported_speech([Passage("d", 1, "Ravi Shah argues that the law is weak.")], meta)]
    ['Ravi Shah']
    """
    doc = _analyse(passages, meta)
    out: list[Annotation] = []
    for info in doc.infos:
        for s, e, a in _reported(doc, info):
            sp = _speaker(doc, a)
            out.append(
                Annotation(
                    target_id=info.passage.id,
                    kind="reported_speech",
                    label=sp.name or "",
                    start=s,
                    end=e,
                    text=info.passage.text[s:e],
                    data={"speaker": sp.name, "mention": sp.mention, "role": sp.role, "cue": sp.cue},
                )
            )
    return out


def _reported(doc: _Document, info: _PassageInfo) -> list[tuple[int, int, _Attr]]:
    """(sentence start, end, attribution) for each sentence of reported speech."""
    out: list[tuple[int, int, _Attr]] = []
    quoted = [m for q in doc.quotations for i, m in q.parts if doc.infos[i] is info]
    text = info.passage.text
    for s, e in info.sentences:
        inside = [m for m in quoted if m.start < e and m.end > s]
        attrs = [a for a in info.attrs if s <= a.cue_start < e and not _speaker(doc, a).is_self]
        if not attrs:
            continue
        # ", Webster said." at the end governs the sentence; else the first cue does.
        tail = [a for a in attrs if not text[a.subject.end : e].strip(' .,;:!?”"')]
        a = tail[-1] if tail else attrs[0]
        if inside and _only_attribution(text, s, e, a, inside):
            continue  # the quotation carries this sentence; a short one ('… and that "most agreed."') does not
        out.append((s, e, a))
    return out


def _only_attribution(text: str, s: int, e: int, a: _Attr, inside: Sequence[_Marks]) -> bool:
    """Sentence ``text[s:e]`` is its quotations and their attribution and nothing else
    ("“…,” said X, a fellow at Y.", "X told me: “…”"), not a report with a quotation in it
    ("X said the lock was “built for …”")."""
    keep = [True] * (e - s)
    spans = [(m.open, (m.close + 1) if m.close is not None else e) for m in inside]
    spans += [(a.subject.start, a.subject.end), (a.cue_start, a.cue_end)]
    role = a.subject.role if a.subject.role_how == "appositive" and a.subject.role else None
    if role is not None and (at := text.find(role, s, e)) >= 0:
        spans.append((at, at + len(role)))
    for lo, hi in spans:
        for k in range(max(lo, s), min(hi, e)):
            keep[k - s] = False
    rest = "".join(ch for k, ch in enumerate(text[s:e]) if keep[k])
    return all(w in _BETWEEN_CUE_AND_QUOTE for w in re.findall(r"[\w’'-]+", rest.lower()))


# Words that may stand between a cue and the quotation it introduces: "told me: “…”".
_BETWEEN_CUE_AND_QUOTE = frozenset(
    [
        "me",
        "us",
        "him",
        "her",
        "them",
        "reporters",
        "journalists",
        "in",
        "a",
        "an",
        "the",
        "statement",
        "interview",
        "email",
        "e-mail",
    ]
)
