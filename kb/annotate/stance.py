"""Explainable stance of commentary passages: sceptical, supportive, descriptive or mixed.

Stance comes from cue phrases in ``corpus/stance/cues.toml`` ("loophole", "free hand",
"unlikely … meaningfully protect", "a small win", "step in the right direction" …), each
with a weight. A negator shortly before a cue flips it ("not a small win"); cues in a
concessive clause ("Although …,") or before "but" count less, because the main clause
carries the writer's view. The label follows from the two weight totals, and every
:class:`Stance` lists the cues that decided it, with their spans, so a reader can check it.

>>> s = stance_of("The standard is welcome, but it is unlikely to meaningfully protect consumers.")
>>> s.label, [c[0] for c in s.cues], s.weights
('sceptical', ['welcome', 'unlikely to meaningfully protect'], (0.75, 1.5))
>>> stance_of("The standard is not a small win.").cues[0][3]
'sceptical'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from kb.annotate.speakers import SpeakerInfo
from kb.datafiles import RuleModel, load_rules
from kb.model import Annotation, DocumentMeta, Passage
from kb.settings import get_settings
from kb.text.sentences import passage_sentences, split_sentences

__all__ = [
    "CueSet",
    "Polarity",
    "Stance",
    "StanceLabel",
    "Viewpoint",
    "combine",
    "load_cues",
    "stance_annotations",
    "stance_label",
    "stance_of",
    "stance_to_annotations",
    "tally",
    "viewpoints",
]

StanceLabel = Literal["sceptical", "supportive", "descriptive", "mixed"]
Polarity = Literal["sceptical", "supportive"]

_OPPOSITE: Mapping[Polarity, Polarity] = {"sceptical": "supportive", "supportive": "sceptical"}
_WORD = re.compile(r"[\w’'\-]+")
# A clause ends at these marks: a negator before one does not reach a cue after it.
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\[\]—–]")
_GAP = r"(?:\W+[\w’'\-]+){0,4}?"  # "…" in a phrase: up to four words


# ---------------------------------------------------------------------------- cue file


@dataclass(frozen=True)
class _Cue:
    phrase: str
    polarity: Polarity
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class CueSet:
    """``cues.toml`` compiled: cue patterns, negation and clause settings, and examples."""

    cues: tuple[_Cue, ...]
    negators: frozenset[str]
    clause_negators: frozenset[str]
    not_negating: tuple[str, ...]
    concessive: re.Pattern[str]
    contrast: re.Pattern[str]
    window: int
    negated_weight: float
    concessive_weight: float
    contrast_weight: float
    min_weight: float
    mixed_ratio: float
    examples: Mapping[Polarity, tuple[str, ...]]
    near_misses: Mapping[Polarity, tuple[str, ...]]


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    parts: list[str] = []
    for token in phrase.split():
        if token == "...":
            parts.append(_GAP)
        elif token.endswith("*"):
            parts.append(r"\W+" + re.escape(token[:-1]) + r"[\w’'\-]*")
        else:
            parts.append(r"\W+" + re.escape(token))
    body = "".join(parts)[3:]  # drop the first separator
    return re.compile(rf"(?<![\w’'\-]){body}(?![\w’'\-])", re.IGNORECASE)


def _word_alternation(words: Sequence[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))


class _CueRule(RuleModel):
    phrase: str = Field(min_length=1)
    weight: float = Field(gt=0)


class _Side(RuleModel):
    """One polarity: its cues, and examples the tests check."""

    cue: tuple[_CueRule, ...] = ()
    examples: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()


class _Settings(RuleModel):
    window: int = 3
    negated_weight: float = 0.75
    concessive_weight: float = 0.5
    contrast_weight: float = 0.75
    min_weight: float = 0.75
    mixed_ratio: float = 0.6
    negators: tuple[str, ...] = ()
    clause_negators: tuple[str, ...] = ()
    not_negating: tuple[str, ...] = ()
    concessive_openers: tuple[str, ...] = ()
    contrast_markers: tuple[str, ...] = ()


class _CueFile(RuleModel):
    """``cues.toml``: ``[settings]``, ``[sceptical]`` and ``[supportive]``."""

    settings: _Settings = _Settings()
    sceptical: _Side = _Side()
    supportive: _Side = _Side()


def load_cues(path: Path) -> CueSet:
    """Read and compile a cue file (``corpus/stance/cues.toml``)."""
    raw = load_rules(path, _CueFile, "stance cue file")
    settings = raw.settings
    cues: list[_Cue] = []
    examples: dict[Polarity, tuple[str, ...]] = {}
    near: dict[Polarity, tuple[str, ...]] = {}
    polarity: Polarity
    for polarity in ("sceptical", "supportive"):
        side = raw.sceptical if polarity == "sceptical" else raw.supportive
        cues.extend(_Cue(c.phrase, polarity, c.weight, _phrase_pattern(c.phrase)) for c in side.cue)
        examples[polarity] = side.examples
        near[polarity] = side.near_misses
    return CueSet(
        cues=tuple(cues),
        negators=frozenset(w.lower() for w in settings.negators),
        clause_negators=frozenset(w.lower() for w in settings.clause_negators),
        not_negating=tuple(w.lower() for w in settings.not_negating),
        concessive=re.compile(rf"^\W*(?:{_word_alternation(settings.concessive_openers)})\b", re.IGNORECASE),
        contrast=re.compile(
            rf"(?<![\w’'\-])(?:{_word_alternation(settings.contrast_markers)})(?![\w’'\-])", re.IGNORECASE
        ),
        window=settings.window,
        negated_weight=settings.negated_weight,
        concessive_weight=settings.concessive_weight,
        contrast_weight=settings.contrast_weight,
        min_weight=settings.min_weight,
        mixed_ratio=settings.mixed_ratio,
        examples=examples,
        near_misses=near,
    )


@lru_cache(maxsize=1)
def _cueset() -> CueSet:
    return load_cues(get_settings().corpus_dir / "stance" / "cues.toml")


# ---------------------------------------------------------------------------- stance


@dataclass(frozen=True)
class Stance:
    """The stance of one text and the evidence for it.

    ``cues`` are ``(cue text, start, end, polarity)`` with the polarity after negation;
    a negated cue's span starts at its negator ("not a small win"). ``weights`` runs
    parallel to ``cues``. ``score`` is ``supportive - sceptical``: above zero leans
    supportive, below zero sceptical.
    """

    label: StanceLabel
    score: float
    cues: tuple[tuple[str, int, int, Polarity], ...] = ()
    weights: tuple[float, ...] = ()
    supportive: float = 0.0
    sceptical: float = 0.0

    @property
    def strongest(self) -> tuple[str, int, int, Polarity] | None:
        """The cue with the greatest weight on the side of the label, if any."""
        if not self.cues:
            return None
        side = {"sceptical": "sceptical", "supportive": "supportive"}.get(self.label)
        ranked = [
            (w, -i)
            for i, (w, c) in enumerate(zip(self.weights, self.cues, strict=True))
            if side is None or c[3] == side
        ]
        if not ranked:
            return None
        return self.cues[-max(ranked)[1]]


def stance_label(supportive: float, sceptical: float, *, min_weight: float, mixed_ratio: float) -> StanceLabel:
    high, low = max(supportive, sceptical), min(supportive, sceptical)
    if high < min_weight:
        return "descriptive"
    if low >= min_weight * 0.5 and low >= mixed_ratio * high:
        return "mixed"
    return "supportive" if supportive > sceptical else "sceptical"


def _matches(text: str, cs: CueSet) -> list[tuple[int, int, _Cue]]:
    """Every cue match; where matches overlap the heavier wins, then the longer."""
    found = [(m.start(), m.end(), c) for c in cs.cues for m in c.pattern.finditer(text)]
    found.sort(key=lambda f: (-f[2].weight, -(f[1] - f[0]), f[0]))
    kept: list[tuple[int, int, _Cue]] = []
    for s, e, c in found:
        if all(e <= ks or s >= ke for ks, ke, _ in kept):
            kept.append((s, e, c))
    return sorted(kept, key=lambda f: f[0])


def _negator_before(text: str, start: int, polarity: Polarity, cs: CueSet) -> int | None:
    """Where a negator stands before ``start`` in the same clause: within ``window`` words,
    or, before a supportive cue, a clause negator anywhere in the clause ("unlikely that …
    will improve"; but "unlikely that the loophole will close" stays sceptical)."""
    breaks = list(_CLAUSE_BREAK.finditer(text, 0, start))
    clause_start = breaks[-1].end() if breaks else 0
    words = list(_WORD.finditer(text, clause_start, start))
    for k, w in enumerate(reversed(words)):
        word = w.group(0).lower()
        near = k < cs.window and (word in cs.negators or word.endswith(("n't", "n’t")))
        if near or (polarity == "supportive" and word in cs.clause_negators):
            following = text[w.start() : start + 40].lower()
            if any(following.startswith(p) for p in cs.not_negating):
                continue
            return w.start()
    return None


def _clause_factor(text: str, start: int, sentences: Sequence[tuple[int, int]], cs: CueSet) -> float:
    """Down-weight cues in a concessive opening clause or before a contrast marker."""
    s, e = next(((s, e) for s, e in sentences if s <= start < e), (0, len(text)))
    sentence = text[s:e]
    if cs.concessive.match(sentence):
        comma = sentence.find(",")
        if comma >= 0 and start < s + comma:
            return cs.concessive_weight
    contrast = cs.contrast.search(sentence)
    if contrast and start < s + contrast.start():
        return cs.contrast_weight
    # "… is unclear. However, …": a later sentence opening with a contrast overrides.
    later = [ls for ls, le in sentences if ls > s]
    if any(_opens_with_contrast(text[ls:], cs) for ls in later):
        return cs.contrast_weight
    return 1.0


def _opens_with_contrast(sentence: str, cs: CueSet) -> bool:
    m = cs.contrast.search(sentence)
    return m is not None and not sentence[: m.start()].strip(' “"(')


def stance_of(text: str, cues: CueSet | None = None, sentences: Sequence[tuple[int, int]] | None = None) -> Stance:
    """The stance of a passage (or any English text), with the cues that decided it.

    ``sentences`` are the text's sentence spans (a passage's ``sentences``); without them
    the text is split by :func:`kb.text.sentences.split_sentences`.
    """
    cs = cues or _cueset()
    sentences = sentences or split_sentences(text)
    found: list[tuple[int, int, str, Polarity, float]] = []
    for s, e, cue in _matches(text, cs):
        polarity, weight = cue.polarity, cue.weight
        neg = _negator_before(text, s, polarity, cs)
        if neg is not None:
            polarity, weight, s = _OPPOSITE[polarity], weight * cs.negated_weight, neg
        found.append((s, e, cue.phrase, polarity, weight * _clause_factor(text, s, sentences, cs)))
    return tally(text, found, min_weight=cs.min_weight, mixed_ratio=cs.mixed_ratio)


def tally(
    text: str, found: Sequence[tuple[int, int, str, Polarity, float]], *, min_weight: float, mixed_ratio: float
) -> Stance:
    """The stance from weighted cue matches ``(start, end, phrase, polarity, weight)`` in text order
    (both languages' analysers end here). A phrase repeated counts once, at its heaviest; the
    repeats are listed at weight 0."""
    out: list[tuple[str, int, int, Polarity]] = []
    weights: list[float] = []
    totals: dict[Polarity, float] = {"sceptical": 0.0, "supportive": 0.0}
    counted: dict[tuple[str, Polarity], float] = {}
    for s, e, phrase, polarity, weight in found:
        key = (phrase, polarity)
        previous = counted.get(key, 0.0)
        counted[key] = max(previous, weight)
        totals[polarity] += max(0.0, weight - previous)
        out.append((text[s:e], s, e, polarity))
        weights.append(round(max(0.0, weight - previous), 3))
    sup, scep = round(totals["supportive"], 3), round(totals["sceptical"], 3)
    label = stance_label(sup, scep, min_weight=min_weight, mixed_ratio=mixed_ratio)
    return Stance(label, round(sup - scep, 3), tuple(out), tuple(weights), sup, scep)


def combine(stances: Sequence[Stance], cues: CueSet | None = None) -> Stance:
    """One stance for several texts: the cue weights added up and labelled again.

    Cue spans refer to different texts, so the combined stance keeps only their words.
    """
    cs = cues or _cueset()
    sup = round(sum(s.supportive for s in stances), 3)
    scep = round(sum(s.sceptical for s in stances), 3)
    cue_list = tuple(c for s in stances for c in s.cues)
    weights = tuple(w for s in stances for w in s.weights)
    return Stance(
        stance_label(sup, scep, min_weight=cs.min_weight, mixed_ratio=cs.mixed_ratio),
        round(sup - scep, 3),
        cue_list,
        weights,
        sup,
        scep,
    )


# ---------------------------------------------------------------------------- outputs


def stance_annotations(passage: Passage, topics: Sequence[str]) -> list[Annotation]:
    """One ``kind="stance"`` annotation per topic of the passage (topic ``""`` if none).

    The stance is the passage's; ``start``/``end`` is the deciding (strongest) cue, ``(0, 0)``
    when there is none; ``data`` = ``{"topic", "cues": [{"cue", "start", "end",
    "polarity", "weight"}], "score"}``.
    """
    return stance_to_annotations(passage, stance_of(passage.text, sentences=passage_sentences(passage)), topics)


def stance_to_annotations(passage: Passage, stance: Stance, topics: Sequence[str]) -> list[Annotation]:
    """The annotations of a passage's stance, one per topic (both languages' analysers use this)."""
    best = stance.strongest
    start, end = (best[1], best[2]) if best else (0, 0)
    cue_data = [
        {"cue": c, "start": s, "end": e, "polarity": p, "weight": w}
        for (c, s, e, p), w in zip(stance.cues, stance.weights, strict=True)
    ]
    return [
        Annotation(
            target_id=passage.id,
            kind="stance",
            label=stance.label,
            start=start,
            end=end,
            text=passage.text[start:end],
            data={"topic": topic, "cues": cue_data, "score": stance.score},
        )
        for topic in (list(dict.fromkeys(topics)) or [""])
    ]


@dataclass(frozen=True)
class Viewpoint:
    """What one speaker says about one topic in one document, and where."""

    doc_id: str
    speaker: str
    topic: str
    stance: StanceLabel
    passage_ids: tuple[str, ...]
    cues: tuple[str, ...]
    score: float = 0.0
    speaker_kind: str = "author"


def viewpoints(
    doc: DocumentMeta,
    passages: Sequence[Passage],
    speakers: Mapping[str, SpeakerInfo],
    topic_tags: Mapping[str, Sequence[str]],
    stances: Mapping[str, Stance],
) -> list[Viewpoint]:
    """Stances aggregated per (speaker, topic), in order of first appearance.

    A passage without a speaker in ``speakers`` is skipped; one without topics counts
    under topic ``""``; one without a stance in ``stances`` is scored here.
    """
    groups: dict[tuple[str, str], list[tuple[Passage, Stance]]] = {}
    kinds: dict[str, str] = {}
    for p in passages:
        who = speakers.get(p.id)
        if who is None:
            continue
        kinds.setdefault(who.name, who.kind)
        stance = stances.get(p.id) or stance_of(p.text, sentences=passage_sentences(p))
        for topic in list(dict.fromkeys(topic_tags.get(p.id) or ())) or [""]:
            groups.setdefault((who.name, topic), []).append((p, stance))
    out: list[Viewpoint] = []
    for (name, topic), members in groups.items():
        total = combine([s for _, s in members])
        cue_words = tuple(dict.fromkeys(c[0].lower() for _, s in members for c in s.cues))
        out.append(
            Viewpoint(
                doc_id=doc.id,
                speaker=name,
                topic=topic,
                stance=total.label,
                passage_ids=tuple(p.id for p, _ in members),
                cues=cue_words,
                score=total.score,
                speaker_kind=kinds[name],
            )
        )
    return out
