"""A translation model from lay questions to legal text (IBM Model 1, by EM).

It says how likely an article is to be asked about in a question's words.

From (question words, answering article words) pairs, :func:`fit` learns ``t(q | a)``: the
probability that a question has the word ``q`` given that its answer has the word ``a``
(with an empty word, so that a question word need not come from the article). A
candidate row is then scored by how well its words explain the question's
(:meth:`Translation.score`)::

    sum over question words q the model knows of
        log(1 + λ/(1-λ) · P(q | row) / P(q)),   P(q | row) = Σ_a t(q | a) · tf(a, row) / |row|

``P(q)`` is how often training questions have ``q``. Only the :data:`SOURCES` most likely
source words of each question word are kept, so scoring a row is a few index look-ups.

>>> import numpy as np
>>> pairs = [(["欠钱", "不还"], ["借款人", "返还", "借款"]), (["欠钱", "利息"], ["借款", "利息"])]
>>> t = fit(pairs, iterations=5)
>>> max(t.sources["欠钱"], key=lambda s: s[1])[0]
'借款'
>>> counts = {"借款": [2.0, 0.0], "利息": [0.0, 1.0]}  # a word's count in each of two rows
>>> s = t.score(["欠钱"], lambda words: np.array([counts.get(w, [0.0, 0.0]) for w in words]), [10.0, 10.0])
>>> bool(s[0] > s[1] > 0)
True
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LAMBDA", "SOURCES", "Translation", "fit"]

# Source words kept per question word, and the mixing weight of the model against P(q).
SOURCES = 20
LAMBDA = 0.5
_NULL = ""


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key
class Translation:
    """``sources``: question word -> its likeliest source words with ``t(q | a)``; ``background``: P(q)."""

    sources: Mapping[str, Sequence[tuple[str, float]]]
    background: Mapping[str, float]

    def score(
        self,
        terms: Sequence[str],
        counts: Callable[[Sequence[str]], npt.NDArray[np.float64]],
        length: Sequence[float] | npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]:
        """Per candidate row, the question's log-likelihood gain (see the module docstring).

        ``counts(words)`` gives each word's count in each candidate row (a words x rows
        matrix), ``length`` each row's length in words.
        """
        size = np.maximum(np.asarray(length, dtype=np.float64), 1.0)
        out = np.zeros(len(size))
        odds = LAMBDA / (1 - LAMBDA)
        asked = [q for q in dict.fromkeys(terms) if self.sources.get(q)]
        if not asked:
            return out
        words = list(dict.fromkeys(a for q in asked for a, _ in self.sources[q]))
        column = {a: i for i, a in enumerate(words)}
        matrix = counts(words)
        for q in asked:
            sources = self.sources[q]
            t = np.array([t for _, t in sources])
            p = t @ matrix[[column[a] for a, _ in sources]]
            out += np.log1p(odds * p / size / self.background[q])
        return out


def fit(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], *, iterations: int = 8) -> Translation:
    """IBM Model 1 by EM over (question words, article words) pairs; deterministic.

    An article's words count once each (a set), the question's with repetition.
    """
    t: dict[str, dict[str, float]] = defaultdict(dict)
    sets = [(list(q), [*sorted(set(a)), _NULL]) for q, a in pairs]
    for q_words, a_words in sets:
        for q in q_words:
            for a in a_words:
                t[q][a] = 1.0
    for _ in range(iterations):
        counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for q_words, a_words in sets:
            for q in q_words:
                tq = t[q]
                total = sum(tq[a] for a in a_words)
                for a in a_words:
                    counts[a][q] += tq[a] / total
        t = defaultdict(dict)
        for a, per_q in counts.items():
            norm = sum(per_q.values())
            for q, c in per_q.items():
                t[q][a] = c / norm
    words = Counter(q for q_words, _ in sets for q in q_words)
    n = sum(words.values()) or 1
    sources = {
        q: tuple((a, round(p, 6)) for a, p in sorted(t[q].items(), key=lambda kv: (-kv[1], kv[0])) if a != _NULL)[
            :SOURCES
        ]
        for q in sorted(t)
    }
    background = {q: float(f"{(words[q] + 0.5) / n:.6g}") for q in sorted(words)}
    return Translation({q: s for q, s in sources.items() if s}, background)
