"""Related-question evidence by nearest neighbours: the training questions most like a new one vouch for their answers.

Each training question is a short document of its content words; a new question scores
every training question by BM25 (k1 :data:`K1`, b :data:`B`, idf ``ln(1 + (N - n + .5) / (n + .5))``
over the training questions), keeps the :attr:`Neighbours.k` best, and each of those gives
its answering articles (and their laws) its score over the best one's, so the nearest
question gives 1 and a question half as similar gives .5. Where
:meth:`kb.learn.associations.Associations.vote_articles` adds up votes word by word, this
weighs whole questions: two words that one earlier question had together count for more
than the same two words spread over many questions.

>>> n = Neighbours.fit([
...     (["个体", "工商户", "债务"], ["民法典#art_56"]),
...     (["个体", "工商户", "诉讼"], ["民法典#art_54"]),
... ])
>>> votes = n.vote_articles(["工商户", "债务"])
>>> votes["民法典#art_56"], round(votes["民法典#art_54"], 3)
(1.0, 0.208)
>>> n.vote_laws(["工商户", "债务"])["民法典"] > 1
True
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

__all__ = ["K1", "B", "Neighbours"]

K1, B = 1.2, 0.75


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key
class Neighbours:
    """Per word, the training questions that have it and their BM25 weight; per question, its answers."""

    postings: Mapping[str, Sequence[tuple[int, float]]]
    answers: Sequence[Sequence[str]]
    k: int = 20

    @classmethod
    def fit(cls, pairs: Sequence[tuple[Sequence[str], Sequence[str]]], k: int = 20) -> Neighbours:
        """From (question words, answering article keys) pairs."""
        n = len(pairs)
        counts = [Counter(words) for words, _ in pairs]
        df: Counter[str] = Counter(w for c in counts for w in c)
        average = sum(sum(c.values()) for c in counts) / max(n, 1)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for j, c in enumerate(counts):
            norm = K1 * (1 - B + B * sum(c.values()) / average)
            for w, tf in sorted(c.items()):
                idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                postings[w].append((j, round(idf * tf * (K1 + 1) / (tf + norm), 4)))
        return cls(dict(postings), [tuple(a) for _, a in pairs], k)

    def nearest(self, terms: Iterable[str]) -> list[tuple[int, float]]:
        """The :attr:`k` most similar training questions (index, BM25), best first, ties by index."""
        score: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            for j, w in self.postings.get(term, ()):
                score[j] += w
        return sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[: self.k]

    def _vote(self, terms: Iterable[str], key_of: Mapping[str, str] | None) -> dict[str, float]:
        best = _nearest(self, tuple(dict.fromkeys(terms)))
        out: dict[str, float] = defaultdict(float)
        if not best:
            return {}
        top = best[0][1]
        for j, s in best:
            for a in dict.fromkeys(self.answers[j] if key_of is None else (key_of[x] for x in self.answers[j])):
                out[a] += s / top
        return dict(out)

    def vote_articles(self, terms: Iterable[str]) -> dict[str, float]:
        """Article key -> the summed similarity (over the best) of the nearest questions it answered."""
        return self._vote(terms, None)

    def vote_laws(self, terms: Iterable[str]) -> dict[str, float]:
        """Law key -> the same, per law (a law counts once per question)."""
        return self._vote(terms, self._law_of)

    @cached_property
    def _law_of(self) -> dict[str, str]:
        return {a: a.partition("#")[0] for answers in self.answers for a in answers}


@lru_cache(maxsize=64)
def _nearest(neighbours: Neighbours, terms: tuple[str, ...]) -> list[tuple[int, float]]:
    # A search asks for one question's neighbours several times (its candidates, its features).
    return neighbours.nearest(terms)
