"""Comparing a passage with a provision: stemmed words, TF-IDF weights, cosine similarity,
and how rare a word or concept is within one commentary or one document."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.link.passages.concepts import ConceptSet

# Words that carry no meaning for matching a passage to a provision (function words and
# the boilerplate of statutes and of their translations).
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be been before being below between
    both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their theirs them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your shall may must law laws article
    articles provision provisions paragraph item items relevant accordance thereof hereinafter china
    chinese people's republic prc state said says within without upon per one two three new"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "ies", "es", "s", "ly", "ment", "ments")


def stems(text: str) -> list[str]:
    """Lower-cased content words with a light suffix stripping (no dictionary needed).

    >>> stems("The collection of sensitive personal information requires separate consent")
    ['collect', 'sensitive', 'personal', 'inform', 'requir', 'separate', 'consent']
    """
    out: list[str] = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.removesuffix("'s")
        if word in _STOPWORDS or len(word) < 3:
            continue
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        out.append(word)
    return out


@dataclass(frozen=True)
class _Text:
    """An English passage, analysed once."""

    words: Counter[str]
    concepts: Mapping[str, tuple[str, ...]]  # concept -> phrases that matched
    implied: Mapping[str, str]  # concept the passage implies -> the narrower concept found


def _tfidf(counts: Mapping[str, float], weight: Mapping[str, float], default: float) -> dict[str, float]:
    vec = {k: (1 + math.log(c)) * weight.get(k, default) for k, c in counts.items() if c > 0}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items() if v} if norm else {}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)


def _local(df: int, n: int) -> float:
    """How rare something is among the ``n`` articles of one document (0..1)."""
    return (n + 1 - df) / (n + 1) if n else 1.0


def _analyse(text: str, concepts: ConceptSet) -> _Text:
    found = {c: tuple(dict.fromkeys(h)) for c, h in concepts.find(text, "en").items()}
    implied: dict[str, str] = {}
    for cid in found:
        for broader in concepts.by_id[cid].broader:
            if broader not in found:
                implied.setdefault(broader, cid)
    return _Text(Counter(stems(text)), found, implied)


def _rarity(texts: Sequence[_Text]) -> tuple[dict[str, float], dict[str, float]]:
    """How rare each word and concept is among one commentary's passages (0..1).

    ``(n + 2 - df) / (n + 2)``: something in every passage of a long piece weighs
    little, while a lone passage (n = 1) still keeps two thirds of every weight.
    Implied concepts count as present.
    """
    n = len(texts)
    words: Counter[str] = Counter()
    concepts: Counter[str] = Counter()
    for t in texts:
        words.update(t.words.keys())
        concepts.update(set(t.concepts) | set(t.implied))
    return (
        {w: (n + 2 - d) / (n + 2) for w, d in words.items()},
        {c: (n + 2 - d) / (n + 2) for c, d in concepts.items()},
    )
