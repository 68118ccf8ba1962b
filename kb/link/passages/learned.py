"""The data the linker reads besides its concepts: the learned combination of its signals
(``corpus/link/weights.toml``, written by ``scripts/train_links.py``), the learned sentence
model of whether a sentence states a rule (``corpus/link/rule_words.toml``, written by the
same script), and the bilingual
glossary that carries an English sentence to the Chinese text (``corpus/link/glossary.toml``,
written by ``scripts/build_glossary.py`` from the statutes and their translations); and two
word lists that describe a sentence: jurisdictions whose law the knowledge base does not hold
(``corpus/link/elsewhere.toml``) and words of law (``corpus/link/normative.toml``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from kb.datafiles import RuleModel, load_rules
from kb.learn.linear import LinearModel
from kb.link.passages.similarity import _accumulate, _postings
from kb.settings import get_settings

WEIGHTS_PATH = Path("link") / "weights.toml"  # relative to settings.corpus_dir
GLOSSARY_PATH = Path("link") / "glossary.toml"
ELSEWHERE_PATH = Path("link") / "elsewhere.toml"
NORMATIVE_PATH = Path("link") / "normative.toml"
RULE_WORDS_PATH = Path("link") / "rule_words.toml"
ARTICLE_WORDS_PATH = Path("link") / "article_words.toml"

# The signals a candidate (sentence, article) is described by; each is a number, most in 0..1.
# Context (one of, most specific first): the candidate's document is
#   named_sentence  named (cited as a document or by a pinpoint) in the sentence itself
#   named_passage   named elsewhere in the passage
#   successor       the successor (manifest ``supersedes``) of a text-absent document the
#                   passage is about: the draft's final version says the same thing; the value is
#                   1 / (1 + years from the draft to the final's adoption), a late final keeps less
#   discussed       among the documents the commentary discusses
#   open            any other document in force at the commentary's date, in a passage naming some document
#   (none of these) the same, in a passage naming no document
# (Candidates are the articles sharing words or concepts with the sentence, those cited in the
# passage, the sentence before's best three, a law named without an article's three closest to
# the commentary, and every article of a short document, ``LinkConfig.short_document`` = 20
# articles at most, named in the sentence (no article of it cited in the passage) or the
# successor; the learned combination ranks them all.)
# Evidence:
#   cited_passage   the article is cited elsewhere in the passage
#   terms           shared legal concepts' weight, min(1, strength / 1.5)
#   anchor          a specific concept is shared
#   sim_en          cosine of Snowball-English stems (kb.text.stem.english_stem), English sentence vs
#                   the article's translation
#   sim_zh          cosine of jieba words, Chinese sentence vs the article's Chinese text
#   sim_gloss       cosine of jieba words, English sentence carried through the glossary vs the Chinese
#                   text of an article without a translation (0 for translated articles)
#   sim_passage     the same cosine (sentence's language) for the whole passage
#   sim_doc         the same cosine for the whole commentary (its main language): what it is about
#   neighbour       the article's evidence (terms + similarities) in the sentence before, same section
#   topics          a topic tag is shared
#   best_in_doc     the article has the most evidence among its document's candidates for the sentence
#   lead            how far its evidence leads the runner-up of its document (0 when not first)
# The sentence:
#   elsewhere       it names a jurisdiction or law whose text the knowledge base does not hold
#                   (``corpus/link/elsewhere.toml``: the EU, the GDPR, Illinois, 美国...)
#   normative       it has a word of law: must, banned, consent, court, 应当, 不得, 处罚...
#                   (``corpus/link/normative.toml``); a sentence without one seldom states a rule
# The passage:
#   normative_passage  it has a word of law in any of its sentences: the same for every candidate
#                   of every sentence of the passage, so it weighs the passage's sentences against
#                   "no provision" (a product's facts, an anecdote: a passage without one)
# The sentence, learned:
#   rule            the probability that it states or discusses a rule, from its words alone: a
#                   logistic model over its set of stems (English) or jieba words (Chinese), fitted
#                   on the labelled claims (a sentence with a gold provision) against the labelled
#                   nothing-legal sentences (``corpus/link/rule_words.toml``); the link weights are
#                   fitted on its cross-fitted values (each article's sentences scored by a model
#                   fitted without that article), so they trust it no more than it deserves
# The instrument, on a sentence with a word of law (normative x the document's kind): commentary
# that states a rule tends to mean the specific instrument (a departmental rule, a judicial
# interpretation) more than a general regulation restating a law:
#   kind_law, kind_regulation, kind_rule, kind_interpretation
INSTRUMENT_KINDS: Mapping[str, str] = {
    "law": "kind_law",
    "administrative-regulation": "kind_regulation",
    "departmental-rule": "kind_rule",
    "judicial-interpretation": "kind_interpretation",
}
FEATURES: tuple[str, ...] = (
    "named_sentence",
    "named_passage",
    "successor",
    "discussed",
    "open",
    "cited_passage",
    "number",
    "terms",
    "anchor",
    "sim_en",
    "sim_zh",
    "sim_gloss",
    "sim_part",
    "sim_passage",
    "sim_doc",
    "neighbour",
    "topics",
    "best_in_doc",
    "lead",
    "elsewhere",
    "normative",
    "normative_passage",
    "rule",
    "assoc",
    *INSTRUMENT_KINDS.values(),
)


class _WeightsFile(RuleModel):
    version: int = 1
    trained_on: str = ""  # what the weights were fitted on (written by the script)
    min_score: float = Field(0.5, ge=0.0, le=1.0)
    bias: float
    weights: dict[str, float]

    @model_validator(mode="after")
    def _known(self) -> _WeightsFile:
        unknown = sorted(set(self.weights) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; known: {', '.join(FEATURES)}")
        return self


@dataclass(frozen=True)
class LinkWeights:
    """A logistic combination: ``logit = bias + sum(weights[f] * x[f])``."""

    bias: float
    weights: Mapping[str, float]
    min_score: float = 0.5


@lru_cache(maxsize=4)
def load_weights(path: Path | None = None) -> LinkWeights:
    """The learned weights, ``<corpus_dir>/link/weights.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / WEIGHTS_PATH
    rules = load_rules(path, _WeightsFile, "link weights file")
    return LinkWeights(rules.bias, dict(rules.weights), rules.min_score)


class _RuleWordsFile(RuleModel):
    version: int = 1
    trained_on: str = ""
    bias: float
    weights: dict[str, float]


@dataclass(frozen=True)
class RuleWords(LinearModel):
    """Whether a sentence states a rule, from its set of words: ``sigmoid(bias + sum weights[w])``
    (a :class:`~kb.learn.linear.LinearModel` whose features are the words present).

    >>> m = RuleWords(-1.0, {"must": 2.0, "sensor": -1.0})
    >>> round(m.score({"must", "consent"}), 3), round(m.score({"sensor"}), 3)
    (0.731, 0.119)
    """

    def score(self, words: Iterable[str]) -> float:
        return self.probability(dict.fromkeys(words, 1.0))


@lru_cache(maxsize=4)
def load_rule_words(path: Path | None = None) -> RuleWords:
    """The sentence model, ``<corpus_dir>/link/rule_words.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / RULE_WORDS_PATH
    rules = load_rules(path, _RuleWordsFile, "rule words file")
    return RuleWords(rules.bias, dict(rules.weights))


class _ArticleWordsFile(RuleModel):
    version: int = 1
    trained_on: str = ""
    idf: dict[str, float]
    articles: dict[str, dict[str, float]]  # article id -> word -> weight (an L2-normalised profile)


@dataclass(frozen=True)
class ArticleWords:
    """How labelled commentary words the articles it means: each article's profile is the
    IDF-weighted words of the labelled sentences whose gold it is; a sentence's score for an
    article is the cosine of its word set with that profile (0 for an article no label names).

    >>> m = ArticleWords.build({"card": 2.0, "face": 0.5}, {"x/art_10": {"card": 0.9, "face": 0.4}})
    >>> round(m.scores({"card", "meal"})["x/art_10"], 3)
    0.9
    """

    idf: Mapping[str, float]
    postings: Mapping[str, Sequence[tuple[str, float]]]  # word -> (article, weight)

    @classmethod
    def build(cls, idf: Mapping[str, float], articles: Mapping[str, Mapping[str, float]]) -> ArticleWords:
        return cls(dict(idf), _postings(articles.items()))

    def scores(self, words: Iterable[str]) -> dict[str, float]:
        """Article id -> the cosine of the word set with the article's profile (known words only)."""
        query = {w: self.idf[w] for w in set(words) if self.idf.get(w, 0.0) > 0}
        norm = sum(v * v for v in query.values()) ** 0.5
        return _accumulate({w: v / norm for w, v in query.items()}, self.postings)


@lru_cache(maxsize=4)
def load_article_words(path: Path | None = None) -> ArticleWords:
    """The word profiles of the labelled articles, ``<corpus_dir>/link/article_words.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / ARTICLE_WORDS_PATH
    rules = load_rules(path, _ArticleWordsFile, "article words file")
    return ArticleWords.build(rules.idf, rules.articles)


_Text = Annotated[str, Field(min_length=1)]


class _TermRule(RuleModel):
    """One ``[[term]]``: a Chinese statute word and the English words its translations use."""

    zh: _Text
    en: tuple[_Text, ...] = Field(min_length=1)
    dice: float = Field(ge=0.0, le=1.0)
    examples: tuple[_Text, ...] = Field(min_length=1)  # articles where both are found


class _GlossaryFile(RuleModel):
    version: int = 1
    term: tuple[_TermRule, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Glossary:
    """English word (stem, as ``similarity.stems``) -> the Chinese words it renders, with the pair's Dice strength."""

    by_stem: Mapping[str, tuple[tuple[str, float], ...]]


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> Glossary:
    """The glossary, ``<corpus_dir>/link/glossary.toml`` by default (cached)."""
    from kb.link.passages.similarity import stems

    path = path or get_settings().corpus_dir / GLOSSARY_PATH
    rules = load_rules(path, _GlossaryFile, "glossary file")
    by_stem: dict[str, list[tuple[str, float]]] = {}
    for t in rules.term:
        for en in t.en:
            for s in stems(en):
                by_stem.setdefault(s, []).append((t.zh, t.dice))
    return Glossary({k: tuple(v) for k, v in by_stem.items()})


class _NamedTerms(RuleModel):
    """One ``[[jurisdiction]]`` (or ``[[group]]``): the names or words that say something
    about a sentence, with examples."""

    name: _Text
    match: tuple[_Text, ...] = Field(min_length=1)
    examples: tuple[_Text, ...] = Field(min_length=1)
    not_examples: tuple[_Text, ...] = ()


class _ElsewhereFile(RuleModel):
    version: int = 1
    jurisdiction: tuple[_NamedTerms, ...] = Field(min_length=1)


_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class TermFinder:
    """Finds the names or words of a list in a text: jurisdictions whose law the knowledge
    base does not hold (``elsewhere.toml``), words of law (``normative.toml``).

    A name with Chinese characters matches as a substring; one in capitals (``EU``,
    ``U.S.``) as a whole word with that case; any other as a whole word in any case.

    >>> e = TermFinder.of(["EU", "Europe", "欧盟"])
    >>> e.found("In Europe, the EU rules differ; 欧盟也是。"), e.found("eu Eurasia")
    (['Europe', 'EU', '欧盟'], [])
    """

    chinese: tuple[str, ...]
    capitals: re.Pattern[str] | None
    words: re.Pattern[str] | None

    @classmethod
    def of(cls, names: Sequence[str]) -> TermFinder:
        def pattern(group: Sequence[str], flags: int) -> re.Pattern[str] | None:
            if not group:
                return None
            alternatives = "|".join(re.escape(n) for n in sorted(group, key=len, reverse=True))
            return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", flags)

        names = list(dict.fromkeys(names))
        chinese = tuple(n for n in names if _CJK.search(n))
        latin = [n for n in names if not _CJK.search(n)]
        return cls(
            chinese,
            pattern([n for n in latin if n.isupper()], 0),
            pattern([n for n in latin if not n.isupper()], re.IGNORECASE),
        )

    def found(self, text: str) -> list[str]:
        """The names in ``text``, in order (Latin ones first)."""
        out = [m.group() for p in (self.words, self.capitals) if p is not None for m in p.finditer(text)]
        out.sort(key=text.find)
        return list(dict.fromkeys([*out, *(n for n in self.chinese if n in text)]))


class _NormativeFile(RuleModel):
    version: int = 1
    group: tuple[_NamedTerms, ...] = Field(min_length=1)


def load_normative_rules(path: Path | None = None) -> tuple[_NamedTerms, ...]:
    """The entries of ``<corpus_dir>/link/normative.toml`` (for its tests)."""
    path = path or get_settings().corpus_dir / NORMATIVE_PATH
    return load_rules(path, _NormativeFile, "normative words file").group


@lru_cache(maxsize=4)
def load_normative(path: Path | None = None) -> TermFinder:
    """The matcher of ``<corpus_dir>/link/normative.toml`` by default (cached): the words
    that make a sentence a statement about law."""
    return TermFinder.of([n for rule in load_normative_rules(path) for n in rule.match])


def load_elsewhere_rules(path: Path | None = None) -> tuple[_NamedTerms, ...]:
    """The entries of ``<corpus_dir>/link/elsewhere.toml`` (for its tests)."""
    path = path or get_settings().corpus_dir / ELSEWHERE_PATH
    return load_rules(path, _ElsewhereFile, "jurisdiction file").jurisdiction


@lru_cache(maxsize=4)
def load_elsewhere(path: Path | None = None) -> TermFinder:
    """The matcher of ``<corpus_dir>/link/elsewhere.toml`` by default (cached)."""
    return TermFinder.of([n for rule in load_elsewhere_rules(path) for n in rule.match])
