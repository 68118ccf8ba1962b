"""What real questions teach about which law and article answers them: counting, no neural model.

From training pairs (a question's index tokens, the article keys that answer it;
an article key is ``<law key>#<eid>``, ``民法典#art_54``) we learn four tables:

* ``law_prior`` / ``article_prior``: how often each law and each article is what people
  asked about (counts);
* ``term_article``: for a question word, the articles that answered the questions that
  had it (related-question evidence: similar questions vouch for their answers);
* ``term_law``: the same per law (a question -> law classifier);
* ``term_terms``: lay -> legal word associations: for a question word, the words of the
  answering articles that occur with it far more than by chance (pointwise mutual
  information over question/article pairs), weighted, to add to the query.

Scoring a new question sums, over its words ``t``, ``idf(t) x share`` where ``share`` is the
fraction of the training questions with ``t`` that the law or article answered (a
bag-of-words nearest-neighbour vote; ``idf`` from the training questions, so a word every
question has votes for nothing).

>>> pairs = [(["个体", "工商户", "债务"], ["民法典#art_56"]), (["个体", "工商户", "诉讼"], ["民法典#art_54"])]
>>> m = fit(pairs, {"民法典#art_56": ["个体工商户", "债务"], "民法典#art_54": ["个体工商户"]}, min_count=1)
>>> votes = m.vote_articles(["债务", "个体"])
>>> max(votes, key=votes.__getitem__), votes["民法典#art_54"]
('民法典#art_56', 0.0)
>>> m.law_of("民法典#art_54")
'民法典'
>>> round(math.exp(m.law_posterior(["债务"])["民法典"]), 6)
1.0
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from kb.text.numerals import NUMERAL_CHARS

__all__ = ["Associations", "fit", "law_key", "law_of"]

_PRC = "中华人民共和国"
# Added to every word's count per law in Associations.law_posterior.
NB_SMOOTHING = 0.1
# A number, or the number of a part (第五十六, 二十三条, 第三款, 十七章): what an answer's text
# cites, not what it is about; never a learned association.
_NUMBERED = re.compile(rf"^第?[{NUMERAL_CHARS}]+[条款项章节编]?$")


def numbered(word: str) -> bool:
    """Whether a word is only a number or a numbered part (never learned as an association).

    >>> [w for w in ["第五十六", "二十三条", "第三款", "30", "一年期", "供电"] if numbered(w)]
    ['第五十六', '二十三条', '第三款', '30']
    """
    return _NUMBERED.match(word) is not None


def law_key(title: str) -> str:
    """A law's title for comparison: no whitespace, no Markdown ``#``, no ``中华人民共和国`` anywhere.

    STARD drops the country's name where the corpus keeps it, also inside a title:

    >>> law_key("最高人民法院关于适用《中华人民共和国民法典》继承编的解释（一）")
    '最高人民法院关于适用《民法典》继承编的解释（一）'
    >>> law_key("# 中华人民共和国 劳动合同法")
    '劳动合同法'
    """
    return re.sub(r"\s+", "", title.strip().lstrip("\ufeff").lstrip("#")).replace(_PRC, "")


def law_of(article_key: str) -> str:
    """The law key of an article key: ``民法典#art_54`` -> ``民法典``."""
    return article_key.partition("#")[0]


@dataclass(frozen=True, eq=False)  # hashed by identity: a cache key
class Associations:
    """The learned tables (see the module docstring); ``questions`` is how many they came from."""

    questions: int
    law_prior: Mapping[str, int]
    article_prior: Mapping[str, int]
    term_df: Mapping[str, int]
    term_article: Mapping[str, Mapping[str, int]]
    term_law: Mapping[str, Mapping[str, int]]
    term_terms: Mapping[str, Sequence[tuple[str, float]]] = field(default_factory=dict)

    def law_of(self, article_key: str) -> str:
        return law_of(article_key)

    def idf(self, term: str) -> float:
        """log(N / df): 0 for a word every training question has, 0 for an unseen one."""
        df = self.term_df.get(term, 0)
        return math.log(self.questions / df) if df else 0.0

    def known_share(self, terms: Iterable[str]) -> float:
        """How much of a question the tables know: the idf of its words they have seen, over all its words' idf.

        A word no training question had counts as if half a question had had it. 0 for no words.
        """
        seen = unseen = 0.0
        for term in dict.fromkeys(terms):
            if self.term_df.get(term):
                seen += self.idf(term)
            else:
                unseen += math.log(2 * self.questions) if self.questions else 0.0
        return seen / (seen + unseen) if seen + unseen else 0.0

    def _vote(self, terms: Iterable[str], table: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            votes = table.get(term)
            if not votes:
                continue
            weight = self.idf(term) / self.term_df[term]
            for key, n in votes.items():
                out[key] += weight * n
        return dict(out)

    def vote_articles(self, terms: Iterable[str]) -> dict[str, float]:
        """Article key -> the related-question vote of a question with these words."""
        return self._vote(terms, self.term_article)

    def vote_laws(self, terms: Iterable[str]) -> dict[str, float]:
        """Law key -> the question -> law vote."""
        return self._vote(terms, self.term_law)

    @cached_property
    def _law_words(self) -> dict[str, int]:
        """Per law, its question words counted over the questions it answered (naive Bayes' totals)."""
        out: dict[str, int] = defaultdict(int)
        for votes in self.term_law.values():
            for law, n in votes.items():
                out[law] += n
        return dict(out)

    @cached_property
    def _law_terms(self) -> tuple[list[str], npt.NDArray[np.float64], dict[str, npt.NDArray[np.float64]]]:
        """Naive Bayes' tables, once: the laws, their log priors, and per word its log
        P(word | law) for every law (with math.log, as the sum word by word would take it)."""
        laws = list(self.law_prior)
        totals = self._law_words
        size = NB_SMOOTHING * len(self.term_df)
        denominators = [totals.get(law, 0) + size for law in laws]
        prior = np.array([math.log(self.law_prior[law]) for law in laws], dtype=np.float64)
        per_word = {
            w: np.array(
                [math.log((votes.get(law, 0) + NB_SMOOTHING) / d) for law, d in zip(laws, denominators, strict=True)],
                dtype=np.float64,
            )
            for w, votes in self.term_law.items()
        }
        return laws, prior, per_word

    def law_posterior(self, terms: Iterable[str]) -> dict[str, float]:
        """Law key -> log P(law | question words) by multinomial naive Bayes (a question -> law classifier).

        Over the laws the training questions were answered by, with the law prior and
        add-:data:`NB_SMOOTHING` word counts; words no training question had are left out.
        """
        laws, prior, per_word = self._law_terms
        if not laws:
            return {}
        scores = prior
        for w in terms:
            row = per_word.get(w)
            if row is not None:
                scores = scores + row  # word by word, in the question's order: a loop's sums
        values = scores.tolist()
        top = max(values)
        norm = top + math.log(sum(math.exp(v - top) for v in values))
        return {law: v - norm for law, v in zip(laws, values, strict=True)}

    def expansion(self, terms: Sequence[str], limit: int = 8) -> list[tuple[str, float]]:
        """Legal words to add for a question with these words, best first, with weights in (0, 1].

        A word's weight is the sum of its associations over the question's words, scaled
        so the best is 1; words the question already has are left out.
        """
        have = set(terms)
        total: dict[str, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            for word, weight in self.term_terms.get(term, ()):
                if word not in have:
                    total[word] += weight
        best = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        top = best[0][1] if best else 1.0
        return [(w, s / top) for w, s in best]


def fit(
    pairs: Sequence[tuple[Sequence[str], Sequence[str]]],
    article_terms: Mapping[str, Sequence[str]],
    *,
    min_count: int = 2,
    min_pmi: float = 1.0,
    per_term: int = 10,
) -> Associations:
    """Count the tables from (question words, answering article keys) pairs.

    ``article_terms`` holds each answering article's index words (for ``term_terms``).
    A word enters ``term_article``/``term_law``/``term_terms`` only if at least
    ``min_count`` training questions have it; an association enters ``term_terms``
    only if the pair was seen ``min_count`` times and its PMI is at least ``min_pmi``,
    keeping the ``per_term`` strongest (PMI x log count) per question word.
    Deterministic: no randomness, ties by word.
    """
    n = len(pairs)
    law_prior: Counter[str] = Counter()
    article_prior: Counter[str] = Counter()
    term_df: Counter[str] = Counter()
    term_article: dict[str, Counter[str]] = defaultdict(Counter)
    term_law: dict[str, Counter[str]] = defaultdict(Counter)
    pair_count: Counter[tuple[str, str]] = Counter()
    legal_df: Counter[str] = Counter()
    for words, articles in pairs:
        qwords = set(words)
        laws = {law_of(a) for a in articles}
        answer_words: set[str] = set()
        for a in articles:
            answer_words.update(w for w in article_terms.get(a, ()) if not numbered(w))
        article_prior.update(set(articles))
        law_prior.update(laws)
        term_df.update(qwords)
        legal_df.update(answer_words)
        for w in qwords:
            term_article[w].update(set(articles))
            term_law[w].update(laws)
            for v in answer_words:
                pair_count[(w, v)] += 1
    kept = {w for w, df in term_df.items() if df >= min_count}
    term_terms: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (w, v), c in pair_count.items():
        if w not in kept or c < min_count:
            continue
        pmi = math.log(c * n / (term_df[w] * legal_df[v]))
        if pmi >= min_pmi:
            term_terms[w].append((v, pmi * math.log(1 + c)))
    return Associations(
        questions=n,
        law_prior=dict(law_prior),
        article_prior=dict(article_prior),
        term_df={w: term_df[w] for w in sorted(kept)},
        term_article={w: dict(term_article[w]) for w in sorted(kept)},
        term_law={w: dict(term_law[w]) for w in sorted(kept)},
        term_terms={w: sorted(v, key=lambda kv: (-kv[1], kv[0]))[:per_term] for w, v in sorted(term_terms.items())},
    )
