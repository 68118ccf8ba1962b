"""Explainable stance of Chinese commentary passages, the counterpart of :mod:`kb.annotate.stance`.

Cues come from ``corpus/stance/cues_zh.toml`` (漏洞, 缺乏可操作性, 有章可循, 一大进步 …) and are
matched as substrings, since Chinese has no spaces; the rest follows the English rules:
a negator just before a cue flips it (并不模糊), cues of a concessive clause (虽然…) or
before a contrast (但/然而) count less, a phrase counts once, and the label comes from the
two totals with the same thresholds. The result is the English module's
:class:`~kb.annotate.stance.Stance`, so annotations and viewpoints read the same.

>>> s = stance_of_zh("虽然细节仍需细化，但总体看是积极的一步。")
>>> s.label, [c[0] for c in s.cues]
('supportive', ['仍需细化', '积极的一步'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kb.annotate.stance import Stance, stance_to_annotations, tally
from kb.datafiles import RuleModel, load_rules
from kb.model import Annotation, Passage
from kb.settings import get_settings
from kb.text.sentences import split_sentences

__all__ = ["ZhCues", "load_zh_cues", "stance_annotations_zh", "stance_of_zh"]

Polarity = Literal["sceptical", "supportive"]
_OPPOSITE: dict[Polarity, Polarity] = {"sceptical": "supportive", "supportive": "sceptical"}
_CLAUSE = "，。；：！？、,;:!?（）()「」“”\n"
_GAP = "…"
_GAP_CHARS = 6


class _Settings(RuleModel):
    window: int
    negated_weight: float
    concessive_weight: float
    contrast_weight: float
    min_weight: float
    mixed_ratio: float
    negators: tuple[str, ...]
    not_negating: tuple[str, ...]
    concessive_openers: tuple[str, ...]
    contrast_markers: tuple[str, ...]


class _Cue(RuleModel):
    phrase: str
    weight: float


class _Side(RuleModel):
    examples: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()
    cue: tuple[_Cue, ...]


class ZhCues(RuleModel):
    """``corpus/stance/cues_zh.toml``."""

    settings: _Settings
    sceptical: _Side
    supportive: _Side


@dataclass(frozen=True)
class _Compiled:
    cues: ZhCues
    patterns: tuple[tuple[re.Pattern[str], str, float, Polarity], ...]


def _pattern(phrase: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in phrase.split(_GAP)]
    return re.compile(f"[^{_CLAUSE}]{{0,{_GAP_CHARS}}}?".join(parts))


@lru_cache(maxsize=4)
def _compiled(path: Path) -> _Compiled:
    cues = load_rules(path, ZhCues, "Chinese stance cues")
    patterns = tuple(
        (_pattern(c.phrase), c.phrase, c.weight, polarity)
        for polarity, side in (("sceptical", cues.sceptical), ("supportive", cues.supportive))
        for c in side.cue
    )
    return _Compiled(cues, patterns)  # type: ignore[arg-type]


def _default_path() -> Path:
    return get_settings().corpus_dir / "stance" / "cues_zh.toml"


def load_zh_cues(path: Path | None = None) -> ZhCues:
    return _compiled(path or _default_path()).cues


def _matches(text: str, c: _Compiled) -> list[tuple[int, int, str, float, Polarity]]:
    """Every cue match; where matches overlap the heavier wins, then the longer."""
    found = [(m.start(), m.end(), phrase, w, pol) for pat, phrase, w, pol in c.patterns for m in pat.finditer(text)]
    found.sort(key=lambda f: (-f[3], -(f[1] - f[0]), f[0]))
    kept: list[tuple[int, int, str, float, Polarity]] = []
    for f in found:
        if all(f[1] <= k[0] or f[0] >= k[1] for k in kept):
            kept.append(f)
    return sorted(kept)


def _negator_before(text: str, start: int, s: _Settings) -> int | None:
    lo = start
    while lo > 0 and text[lo - 1] not in _CLAUSE and start - lo < s.window + 2:
        lo -= 1
    window = text[lo:start]
    for neg in sorted(s.negators, key=len, reverse=True):
        i = window.rfind(neg)
        if i >= 0 and len(window) - i - len(neg) <= s.window:
            if any(window[j:].startswith(w) for w in s.not_negating for j in range(max(0, i - 1), i + 1)):
                continue
            return lo + i
    return None


def _clause_factor(text: str, pos: int, sentences: list[tuple[int, int]], s: _Settings) -> float:
    i = next((k for k, (a, b) in enumerate(sentences) if a <= pos < b), len(sentences) - 1)
    a, b = sentences[i] if sentences else (0, len(text))
    sentence = text[a:b]
    factor = 1.0
    first_clause_end = next((j for j, ch in enumerate(sentence) if ch in "，,"), len(sentence))
    if sentence.lstrip().startswith(s.concessive_openers) and pos - a < first_clause_end:
        factor *= s.concessive_weight
    if any(m in sentence[pos - a :] for m in s.contrast_markers):
        factor *= s.contrast_weight
    later = sentences[i + 1 :]
    if any(text[x:y].lstrip().startswith(s.contrast_markers) for x, y in later[:1]):
        factor *= s.contrast_weight
    return factor


def stance_of_zh(text: str, path: Path | None = None) -> Stance:
    """The stance of a Chinese text, with the cues that decided it."""
    c = _compiled(path or _default_path())
    st = c.cues.settings
    sentences = list(split_sentences(text))
    found: list[tuple[int, int, str, Polarity, float]] = []
    for start, end, phrase, weight, polarity in _matches(text, c):
        neg = _negator_before(text, start, st)
        if neg is not None:
            polarity, weight, start = _OPPOSITE[polarity], weight * st.negated_weight, neg
        found.append((start, end, phrase, polarity, weight * _clause_factor(text, start, sentences, st)))
    return tally(text, found, min_weight=st.min_weight, mixed_ratio=st.mixed_ratio)


def stance_annotations_zh(passage: Passage, topics: list[str] | tuple[str, ...]) -> list[Annotation]:
    """As :func:`kb.annotate.stance.stance_annotations`, for a Chinese passage."""
    return stance_to_annotations(passage, stance_of_zh(passage.text), topics)
