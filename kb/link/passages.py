"""Which provisions a commentary passage discusses: ``discusses`` and ``mentions`` links.

A passage is linked to a provision on the evidence of these signals:

1. **citations** — a resolved pinpoint citation in the passage (``Article 13 of the
   PIPL``) links to exactly the cited provision (article, paragraph or item);
2. **document context** — which documents the passage names (document-level
   citations, already version-resolved by the citing date) or, failing that, which
   documents its commentary ``discusses`` (manifest) that existed at its date;
3. **terms** — legal concepts (``corpus/link/concepts.toml``: *separate consent*, *under
   the age of 14*, *sole means of verification* …) found in the passage and in the
   provision's Chinese text or English translation, weighted by rarity. Each concept has
   a tier: a *specific* one can anchor a link, a *generic* one (*consent*, *national
   security*) only adds to one, a *background* one (*personal information*) barely counts;
4. **similarity** and **topics** — TF-IDF cosine of stemmed words between the passage
   and the provision's English translation, and shared topic tags;
5. **focus** — when another article explains the same concepts better (higher evidence,
   overlapping anchors), this one is a neighbour, not the provision paraphrased.

Candidates are the articles of the documents in context (2) and of any other document
in force at the commentary's date (further away, with a lower prior); that is how a
passage about a draft whose text is absent (the 2023 CAC facial-recognition draft)
reaches the in-force provisions that already say the same thing. Such a passage also
gets a ``mentions`` link to the absent document, found by citation or, for "the draft" /
"the new rules", by carrying over the absent document last named in the same section
(or the one the commentary is about, when its manifest entry discusses only that one).

**Scores are probabilities built from log-odds.** Every signal adds log-odds (a context
prior, terms, similarity, topics, a penalty without a specific anchor, a focus penalty)
and the score is their logistic: ``score = 1 / (1 + exp(-logit))``, so 0.5 means "as
likely as not" and the evidence shows what each signal contributed. Links below
:attr:`LinkConfig.min_score` (0.5) are not emitted. On the labelled commentary set the
emitted links were the provision the passage discusses about 6 times in 10 and a
closely related one (a neighbouring article, the same point in a proposal) the other
times; none was unrelated. Higher scores are only slightly more often exactly right
(see tests/test_links.py for the figures): the score separates related from unrelated
provisions better than it separates the one paraphrased from its neighbours. An
explicit resolved citation scores 1.0.

A document named before it was adopted (a law still being drafted) has no articles to
discuss yet; a superseded version is not "in force" after its successor took effect.
Headings and newsletter side items (``part == "newsletter-items"``) get provision links
only from explicit citations. At most :attr:`LinkConfig.max_links` links per passage.

Every inferred link carries its evidence, e.g.::

    {"context": "mentioned", "doc_mention": "pipl-2021",
     "mention_text": "Personal Information Protection Law",
     "terms": ["encryption", "security measures", "personal information"],
     "anchors": ["encryption"], "implied": {},
     "phrases": ["encrypted", "physical isolation", "Data Security", "Personal Information"],
     "term_strength": 1.28, "similarity": 0.1238, "shared_topics": ["retention-security"],
     "translated": true,
     "signals": {"prior": -1.0, "terms": 2.55, "similarity": 0.99, "topics": 0.3,
                 "no_anchor": 0.0, "focus": -0.36},
     "logit": 2.48}

``signals`` are the log-odds each signal contributed (they sum to ``logit``);
``implied`` maps a concept the passage implies to the narrower one it names (biometric
data -> sensitive personal information); ``outranked_by`` names the article of the same
document that explains this one's concepts better.
A citation link's evidence is ``{"citation": "Article 13 of the PIPL", "status": "resolved"}``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from kb.annotate.citations import date_key
from kb.datafiles import read_toml
from kb.errors import ConfigError
from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Translation
from kb.settings import get_settings

__all__ = [
    "CONCEPTS_PATH",
    "Concept",
    "ConceptSet",
    "LinkConfig",
    "PassageLinker",
    "ProvisionIndex",
    "Tier",
    "concepts_in",
    "in_force_at",
    "link_passages",
    "load_concepts",
    "parse_concepts",
    "stems",
]

# How a candidate provision relates to the passage: cited by it, in a document it
# names, in a document its commentary discusses, elsewhere in force while the passage
# names some document (open), or elsewhere while it names none (unanchored).
Context = Literal["cited", "mentioned", "discussed", "open", "unanchored"]

# ------------------------------------------------------------------------ vocabulary

Tier = Literal["background", "generic", "specific"]
_TIERS: tuple[Tier, ...] = ("background", "generic", "specific")

CONCEPTS_PATH = Path("link") / "concepts.toml"  # relative to settings.corpus_dir


@dataclass(frozen=True)
class Concept:
    """One legal concept: English and Chinese patterns, and examples the tests check.

    ``en`` are case-insensitive regexes in which a space also matches a hyphen or a line
    break; ``zh`` regexes over the statute's Chinese text. ``broader`` are concepts a
    passage naming this one also speaks of (biometric data is sensitive personal
    information). ``examples`` must match (in the language they are written in) and
    ``counter_examples`` must not.
    """

    id: str
    tier: Tier
    en: tuple[str, ...]
    zh: tuple[str, ...]
    broader: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConceptSet:
    """Concepts with their patterns compiled; build with :meth:`of` or :func:`load_concepts`."""

    concepts: tuple[Concept, ...]
    by_id: Mapping[str, Concept]
    en_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    zh_patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, concepts: Sequence[Concept]) -> ConceptSet:
        """Check and compile ``concepts`` (raises :class:`ConfigError` on bad data)."""
        by_id: dict[str, Concept] = {}
        en: list[tuple[str, re.Pattern[str]]] = []
        zh: list[tuple[str, re.Pattern[str]]] = []
        for c in concepts:
            if c.id in by_id:
                raise ConfigError(f"concept {c.id!r} is defined twice")
            if c.tier not in _TIERS:
                raise ConfigError(f"concept {c.id!r}: tier must be one of {', '.join(_TIERS)}")
            by_id[c.id] = c
            try:
                # a space in an English pattern also matches hyphens and line breaks
                if c.en:
                    en.append((c.id, re.compile("|".join(p.replace(" ", r"[\s\-]+") for p in c.en), re.IGNORECASE)))
                if c.zh:
                    zh.append((c.id, re.compile("|".join(c.zh))))
            except re.error as exc:
                raise ConfigError(f"concept {c.id!r}: bad pattern: {exc}") from None
        for c in concepts:
            unknown = [b for b in c.broader if b not in by_id or b == c.id]
            if unknown:
                raise ConfigError(f"concept {c.id!r}: unknown broader concept(s) {unknown}")
        return cls(tuple(concepts), by_id, tuple(en), tuple(zh))

    def find(self, text: str, lang: Literal["en", "zh"]) -> dict[str, list[str]]:
        """Concept id -> the phrases of ``text`` that matched it, in text order."""
        found: dict[str, list[str]] = {}
        for cid, pattern in self.en_patterns if lang == "en" else self.zh_patterns:
            hits = [m.group(0) for m in pattern.finditer(text)]
            if hits:
                found[cid] = hits
        return found

    def tier(self, cid: str) -> Tier:
        return self.by_id[cid].tier


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def parse_concepts(raw: Mapping[str, Any], origin: str = "<concepts>") -> ConceptSet:
    """Concepts from the parsed TOML of a concept file (see ``corpus/link/concepts.toml``)."""
    entries = raw.get("concept")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{origin}: needs [[concept]] tables")
    concepts: list[Concept] = []
    for i, entry in enumerate(entries):
        where = f"{origin}: concept #{i + 1}"
        cid, tier = entry.get("id"), entry.get("tier", "specific")
        if not isinstance(cid, str) or not cid:
            raise ConfigError(f'{where} needs id = "..."')
        where = f"{origin}: concept {cid!r}"
        en, zh = _strings(entry, "en", where), _strings(entry, "zh", where)
        if not en or not zh:
            raise ConfigError(f"{where} needs English (en) and Chinese (zh) patterns")
        if tier not in _TIERS:
            raise ConfigError(f"{where}: tier must be one of {', '.join(_TIERS)}")
        concepts.append(
            Concept(
                id=cid,
                tier=tier,
                en=en,
                zh=zh,
                broader=_strings(entry, "broader", where),
                examples=_strings(entry, "examples", where),
                counter_examples=_strings(entry, "counter_examples", where),
            )
        )
    try:
        return ConceptSet.of(concepts)
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


@lru_cache(maxsize=4)
def load_concepts(path: Path | None = None) -> ConceptSet:
    """The concept file, ``<corpus_dir>/link/concepts.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / CONCEPTS_PATH
    raw = read_toml(path, "concept file")
    return parse_concepts(raw, str(path))


def concepts_in(text: str, lang: Literal["en", "zh"], concepts: ConceptSet | None = None) -> dict[str, list[str]]:
    """The concepts found in ``text``, each with its matched phrases (default: the concept file).

    >>> sorted(concepts_in("Parental consent is needed for children under the age of 14.", "en"))
    ['consent', 'guardian', 'minors', 'under 14']
    >>> sorted(concepts_in("处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意。", "zh"))
    ['consent', 'guardian', 'minors', 'personal information', 'under 14']
    """
    return (concepts or load_concepts()).find(text, lang)


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

# Definite references to a document whose text we lack: "the draft", "the new rules",
# "these regulations", "the proposal". Resolved to the absent document the commentary
# last named, or the one it is about.
ANAPHOR_RE = re.compile(
    r"\b(?:the|these|this|its)\s+(?:(?:new|proposed|draft|latest|government[’']s|chinese|cac[’']s)\s+){0,3}"
    r"(?:draft|rules|regulations?|proposal|measures|guidelines|stipulations|specifications?)\b",
    re.IGNORECASE,
)


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


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class LinkConfig:
    """Weights and thresholds of the linker; the defaults were set on the labelled set.

    *Strength* is the summed weight of the concepts a passage and a provision share; a
    concept's weight is its IDF over the provisions (1.0 for a concept found in a single
    article) times how rare it is among the commentary's passages (a concept every
    passage has tells nothing about which provision one discusses) times how rare it is
    among the articles of the provision's own document, times its tier weight (and
    ``implied_weight`` when the passage only implies it through a narrower concept). A
    shared specific concept of weight ``>= anchor_weight`` (not merely implied) is an
    *anchor*.

    The score is ``1 / (1 + exp(-logit))`` where the logit sums, in log-odds:
    ``prior[context]`` + ``terms_weight * min(1, strength / strength_scale)`` +
    ``similarity_weight * min(1, similarity / similarity_scale)`` + ``topics_weight``
    (when a topic is shared) + ``no_anchor`` (when no anchor is shared; half of it in a
    document the passage names) - ``focus_weight * ln(1 + sum of rivals)``, where each
    article of the same document that shares this one's concepts counts
    ``share * exp(lead)``: the share of this article's concept weight it has, and how far
    its logit on those concepts alone leads this one's.

    How the defaults were set: the priors and weights were chosen by hand as round
    values, then compared on the labelled set (tests/fixtures/links/labelled.jsonl) by
    strict precision plus recall at ``min_score``; choosing them on four commentaries
    and testing on the fifth gave the same values for every fold. Thirty expected links
    are few: treat the figures the tests print as indicative.
    """

    max_links: int = 6
    min_score: float = 0.5  # links scoring less are not emitted (the default threshold)
    # log-odds before any evidence, by how the candidate's document relates to the passage
    prior: Mapping[str, float] = field(
        default_factory=lambda: {"mentioned": -1.0, "discussed": -2.5, "open": -2.5, "unanchored": -4.0}
    )
    terms_weight: float = 3.0
    strength_scale: float = 1.5  # strength giving full marks
    similarity_weight: float = 2.0
    similarity_scale: float = 0.25  # word similarity giving full marks
    topics_weight: float = 0.3
    no_anchor: float = -1.5
    focus_weight: float = 1.5
    anchor_weight: float = 0.3
    tier_weight: Mapping[str, float] = field(
        default_factory=lambda: {"background": 0.25, "generic": 0.5, "specific": 1.0}
    )
    implied_weight: float = 0.5
    named_generic_weight: float = 1.0  # a generic concept's tier weight in a document the passage names
    min_strength: float = 0.15  # candidates with less shared weight are not even scored
    # far from the passage's documents an untranslated article cannot be compared word by word
    far_needs_translation: bool = True
    # score of an explicit citation, by the citation's status
    citation_score: Mapping[str, float] = field(default_factory=lambda: {"resolved": 1.0, "ambiguous": 0.6})
    mention_score: Mapping[str, float] = field(default_factory=lambda: {"citation": 1.0, "anaphora": 0.6})
    min_words: int = 8  # shorter passages (captions, transitions) get no inferred links


# ---------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Article:
    id: str
    doc_id: str
    words: Mapping[str, float]  # TF-IDF of the translation's stems, L2-normalised ({} untranslated)
    concepts: Mapping[str, float]  # concept (Chinese text or translation) -> rarity within its document
    topics: frozenset[str]

    @property
    def translated(self) -> bool:
        return bool(self.words)


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


def _article_of(eid: str) -> str:
    return eid.split("__")[0]


def _topics_by_article(annotations: Iterable[Annotation]) -> dict[str, set[str]]:
    """Topic labels per article id, gathered from the article and all its parts."""
    out: dict[str, set[str]] = {}
    for ann in annotations:
        if ann.kind != "topic" or "/" not in ann.target_id or "/p_" in ann.target_id:
            continue
        doc, _, eid = ann.target_id.partition("/")
        out.setdefault(f"{doc}/{_article_of(eid)}", set()).add(ann.label)
    return out


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


@dataclass(frozen=True)
class ProvisionIndex:
    """The article-level features passages are compared with; build once per corpus."""

    articles: Mapping[str, _Article]
    by_doc: Mapping[str, tuple[str, ...]]
    word_idf: Mapping[str, float]
    concept_idf: Mapping[str, float]
    concepts: ConceptSet

    @classmethod
    def build(
        cls,
        provisions: Iterable[Provision],
        translations: Iterable[Translation],
        annotations: Iterable[Annotation] = (),
        concepts: ConceptSet | None = None,
    ) -> ProvisionIndex:
        concepts = concepts or load_concepts()
        english = {t.provision_id: t.text_en for t in translations}
        topics = _topics_by_article(annotations)
        raw: list[tuple[Provision, Counter[str], frozenset[str]]] = []
        for prov in provisions:
            if prov.level not in ("article", "preamble"):
                continue
            en = english.get(prov.id, "")
            found = frozenset(concepts.find(prov.text, "zh")) | frozenset(concepts.find(en, "en"))
            raw.append((prov, Counter(stems(en)), found))
        word_df: Counter[str] = Counter()
        concept_df: Counter[str] = Counter()
        local_words: dict[str, Counter[str]] = {}
        local_concepts: dict[str, Counter[str]] = {}
        sizes: Counter[str] = Counter()
        translated_sizes: Counter[str] = Counter()
        for prov, words, found in raw:
            word_df.update(words.keys())
            concept_df.update(found)
            local_words.setdefault(prov.doc_id, Counter()).update(words.keys())
            local_concepts.setdefault(prov.doc_id, Counter()).update(found)
            sizes[prov.doc_id] += 1
            translated_sizes[prov.doc_id] += bool(words)
        translated = sum(1 for _, words, _ in raw if words)
        word_idf = {w: math.log((translated + 1) / (d + 1)) + 1 for w, d in word_df.items()}
        # In units of the largest IDF possible (a concept in one article), so that the
        # thresholds of LinkConfig mean the same for a corpus of 10 articles or 10,000.
        top_idf = math.log((len(raw) + 1) / 2) + 1
        concept_idf = {c: (math.log((len(raw) + 1) / (d + 1)) + 1) / top_idf for c, d in concept_df.items()}
        articles: dict[str, _Article] = {}
        by_doc: dict[str, list[str]] = {}
        for prov, words, found in raw:
            # Within one document a word or concept that most articles share cannot tell
            # them apart: 人脸信息 is in every article of the SPC facial-recognition rules.
            doc = prov.doc_id
            n_words, n_all = translated_sizes[doc], sizes[doc]
            weights = {w: word_idf[w] * _local(local_words[doc][w], n_words) for w in words}
            vec = _tfidf(words, weights, 0.0)
            found_weights = {c: _local(local_concepts[doc][c], n_all) for c in found}
            articles[prov.id] = _Article(prov.id, doc, vec, found_weights, frozenset(topics.get(prov.id, ())))
            by_doc.setdefault(doc, []).append(prov.id)
        return cls(articles, {d: tuple(ids) for d, ids in by_doc.items()}, word_idf, concept_idf, concepts)


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


# --------------------------------------------------------------------------- dates


def in_force_at(doc: DocumentMeta, successors: Iterable[DocumentMeta], date: str | None) -> bool:
    """Whether ``doc`` applied at ``date``: in force by then and not yet replaced.

    Drafts and commentary never apply. With no date, the latest version applies.
    """
    if doc.kind in ("draft", "commentary"):
        return False
    later = [s for s in successors if s.kind != "draft"]
    if date is None:
        return not later
    start = doc.in_force_from
    if start and date_key(start, end=False) > date_key(date, end=True):
        return False
    return not any(s.in_force_from and date_key(s.in_force_from, end=False) <= date_key(date, end=False) for s in later)


# --------------------------------------------------------------------------- linker


@dataclass(frozen=True)
class _Candidate:
    article: str
    context: Context
    logit: float  # before the focus penalty; a citation's is +inf
    terms: Mapping[str, float]  # shared concept -> weight
    anchors: Mapping[str, float]  # shared specific concepts heavy enough to anchor a link
    signals: Mapping[str, float]
    evidence: dict[str, Any]
    score: float | None = None  # fixed score (citations)


@dataclass(frozen=True)
class _Query:
    """One passage, ready to be scored: weighted words, concept weights, topics."""

    words: Mapping[str, float]
    concepts: Mapping[str, float]  # concept -> weight (IDF x rarity in the commentary)
    surfaces: Mapping[str, tuple[str, ...]]
    implied: Mapping[str, str]
    topics: frozenset[str]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class PassageLinker:
    """Links passages to provisions; holds the per-corpus index and document facts."""

    def __init__(
        self,
        index: ProvisionIndex,
        documents: Sequence[DocumentMeta],
        config: LinkConfig | None = None,
    ) -> None:
        self.index = index
        self.config = config or LinkConfig()
        self.documents = {d.id: d for d in documents}
        self.successors: dict[str, list[DocumentMeta]] = {}
        for d in documents:
            if d.supersedes:
                self.successors.setdefault(d.supersedes, []).append(d)

    # -- document context ------------------------------------------------------------

    def _in_force(self, doc_id: str, date: str | None) -> bool:
        doc = self.documents.get(doc_id)
        return doc is not None and in_force_at(doc, self.successors.get(doc_id, ()), date)

    def _exists(self, doc_id: str, date: str | None) -> bool:
        """Whether the text of ``doc_id`` existed (was adopted) by ``date``."""
        doc = self.documents.get(doc_id)
        if doc is None:
            return False
        first = min((d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d), default=None)
        return date is None or first is None or date_key(first, end=False) <= date_key(date, end=True)

    def _has_text(self, doc_id: str) -> bool:
        return doc_id in self.index.by_doc

    # -- one commentary --------------------------------------------------------------

    def link(
        self, passages: Sequence[Passage], annotations: Iterable[Annotation], *, commentary_date: str | None
    ) -> list[Link]:
        """``discusses`` and ``mentions`` links of ``passages`` (one commentary, in order)."""
        wanted = {p.id for p in passages}
        by_target: dict[str, list[Annotation]] = {}
        for ann in annotations:
            if ann.target_id in wanted:
                by_target.setdefault(ann.target_id, []).append(ann)
        texts = {p.id: _analyse(p.text, self.index.concepts) for p in passages}
        word_rarity, concept_rarity = _rarity([texts[p.id] for p in passages if p.part == "body"])
        open_docs = [d for d in self.index.by_doc if self._in_force(d, commentary_date)]
        links: list[Link] = []
        last_absent: tuple[str | None, str] | None = None
        for passage in passages:
            anns = by_target.get(passage.id, [])
            mentions, last_absent = self._mentions(passage, anns, last_absent)
            links.extend(mentions)
            query = self._query(texts[passage.id], anns, word_rarity, concept_rarity)
            links.extend(self._discusses(passage, anns, mentions, query, commentary_date, open_docs))
        return links

    def _subject(self, doc_id: str) -> str | None:
        """The text-absent document a commentary is about: the only one it discusses."""
        meta = self.documents.get(doc_id)
        if meta is None or len(meta.discusses) != 1 or self._has_text(meta.discusses[0]):
            return None
        return meta.discusses[0]

    def _mentions(
        self, passage: Passage, anns: Sequence[Annotation], last_absent: tuple[str | None, str] | None
    ) -> tuple[list[Link], tuple[str | None, str] | None]:
        """``mentions`` links to text-absent documents: named, or "the draft" carried over.

        ``last_absent`` is (section, document) of the last absent document named; "the
        proposal" refers to it within the same section, or else to the commentary's
        subject when it discusses just one absent document.
        """
        cfg = self.config
        out: dict[str, Link] = {}
        for ann in sorted(anns, key=lambda a: a.start):
            if ann.kind != "citation":
                continue
            for target in ann.data.get("ids", ()):
                if "/" in target or target not in self.documents or self._has_text(target):
                    continue
                if target not in out:
                    evidence = {"via": "citation", "text": ann.text, "status": ann.data.get("status")}
                    out[target] = Link(passage.id, target, "mentions", cfg.mention_score["citation"], evidence)
                last_absent = (passage.section, target)
        if not out and passage.part == "body":
            antecedent = self._subject(passage.doc_id)
            if last_absent is not None and last_absent[0] == passage.section:
                antecedent = last_absent[1]
            m = ANAPHOR_RE.search(passage.text)
            if m and antecedent:
                evidence = {"via": "anaphora", "text": m.group(0)}
                out[antecedent] = Link(passage.id, antecedent, "mentions", cfg.mention_score["anaphora"], evidence)
        return list(out.values()), last_absent

    def _query(
        self,
        text: _Text,
        anns: Sequence[Annotation],
        word_rarity: Mapping[str, float],
        concept_rarity: Mapping[str, float],
    ) -> _Query:
        cfg, index = self.config, self.index
        weights: dict[str, float] = {}
        surfaces: dict[str, tuple[str, ...]] = dict(text.concepts)
        for cid in (*text.concepts, *text.implied):
            w = index.concept_idf.get(cid, 0.0) * concept_rarity.get(cid, 1.0)
            if cid in text.implied:
                w *= cfg.implied_weight
                surfaces[cid] = text.concepts[text.implied[cid]]
            weights[cid] = w
        word_weights = {w: index.word_idf.get(w, 0.0) * word_rarity.get(w, 1.0) for w in text.words}
        return _Query(
            words=_tfidf(text.words, word_weights, 0.0),
            concepts=weights,
            surfaces=surfaces,
            implied=text.implied,
            topics=frozenset(a.label for a in anns if a.kind == "topic"),
        )

    def _discusses(
        self,
        passage: Passage,
        anns: Sequence[Annotation],
        mentions: Sequence[Link],
        query: _Query,
        date: str | None,
        open_docs: Sequence[str],
    ) -> list[Link]:
        cfg = self.config
        cited: dict[str, _Candidate] = {}
        mentioned: dict[str, str] = {}  # doc id -> the citation text naming it
        for ann in anns:
            if ann.kind != "citation":
                continue
            status = str(ann.data.get("status", ""))
            for target in ann.data.get("ids", ()):
                if "/" in target:
                    score = cfg.citation_score.get(status)
                    if score is not None and (target not in cited or (cited[target].score or 0.0) < score):
                        cited[target] = _Candidate(
                            target, "cited", math.inf, {}, {}, {}, {"citation": ann.text, "status": status}, score
                        )
                elif status == "resolved" and self._has_text(target) and self._exists(target, date):
                    # a law still being drafted at the passage's date has no articles to discuss
                    mentioned.setdefault(target, ann.text)
        inferred: list[_Candidate] = []
        inferable = passage.kind != "heading" and passage.part == "body" and len(passage.text.split()) >= cfg.min_words
        if inferable and query.concepts:
            meta = self.documents.get(passage.doc_id)
            discussed = [d for d in (meta.discusses if meta else ()) if self._has_text(d) and self._exists(d, date)]
            # A passage that names no document reaches beyond its commentary's documents
            # with the lowest prior.
            anchored = bool(mentions or mentioned or cited)
            contexts: dict[str, Context] = dict.fromkeys(open_docs, "open" if anchored else "unanchored")
            # A passage about a document whose text we lack (the draft) reaches the
            # commentary's other documents on the same terms as any in-force law.
            if not (mentions and not mentioned):
                contexts.update(dict.fromkeys(discussed, "discussed"))
            contexts.update(dict.fromkeys(mentioned, "mentioned"))
            cited_articles = {f"{c.partition('/')[0]}/{_article_of(c.partition('/')[2])}" for c in cited}
            for doc, context in contexts.items():
                for art_id in self.index.by_doc.get(doc, ()):
                    if art_id in cited_articles:
                        continue
                    cand = self._score(query, self.index.articles[art_id], context)
                    if cand is None:
                        continue
                    if doc in mentioned:
                        cand.evidence["doc_mention"] = doc
                        cand.evidence["mention_text"] = mentioned[doc]
                    if context == "open" and mentions:
                        cand.evidence["about"] = [lk.dst for lk in mentions]
                    inferred.append(cand)
        return self._select(passage, list(cited.values()), inferred)

    def _score(self, query: _Query, art: _Article, context: Context) -> _Candidate | None:
        """The evidence that the passage discusses ``art``, before the focus penalty."""
        cfg = self.config
        tiers = self.index.concepts
        terms = {
            c: w * art.concepts[c] * self._tier_weight(tiers.tier(c), context)
            for c, w in query.concepts.items()
            if c in art.concepts
        }
        strength = sum(terms.values())
        if strength < cfg.min_strength:
            return None
        if context in ("open", "unanchored") and cfg.far_needs_translation and not art.translated:
            return None  # far from the passage's documents, we want the words to agree too
        anchors = {
            c: w
            for c, w in terms.items()
            # an implied concept (biometric data -> sensitive information) adds weight, never an anchor
            if w >= cfg.anchor_weight and tiers.tier(c) == "specific" and c not in query.implied
        }
        similarity = _cosine(query.words, art.words)
        shared_topics = sorted(query.topics & art.topics)
        signals = {
            "prior": cfg.prior[context],
            "terms": cfg.terms_weight * min(1.0, strength / cfg.strength_scale),
            "similarity": cfg.similarity_weight * min(1.0, similarity / cfg.similarity_scale),
            "topics": cfg.topics_weight if shared_topics else 0.0,
            "no_anchor": 0.0 if anchors else self._no_anchor(context),
        }
        ranked = sorted(terms, key=lambda c: (-terms[c], c))
        evidence: dict[str, Any] = {
            "context": context,
            "terms": ranked,
            "anchors": [c for c in ranked if c in anchors],
            "implied": {c: query.implied[c] for c in ranked if c in query.implied},
            "phrases": list(dict.fromkeys(p for c in ranked for p in query.surfaces.get(c, ())))[:8],
            "term_strength": round(strength, 2),
            "similarity": round(similarity, 4),
            "shared_topics": shared_topics,
            "translated": art.translated,
        }
        return _Candidate(art.id, context, sum(signals.values()), terms, anchors, signals, evidence)

    def _restricted_logit(self, cand: _Candidate, concepts: Sequence[str]) -> float:
        """``cand``'s logit had it shared only ``concepts`` with the passage."""
        cfg = self.config
        strength = sum(cand.terms[k] for k in concepts)
        anchored = any(k in cand.anchors for k in concepts)
        return (
            cand.logit
            - cand.signals["terms"]
            - cand.signals["no_anchor"]
            + cfg.terms_weight * min(1.0, strength / cfg.strength_scale)
            + (0.0 if anchored else self._no_anchor(cand.context))
        )

    def _tier_weight(self, tier: Tier, context: Context) -> float:
        # Within a document the passage names, a generic concept is as specific as its
        # rarity among that document's articles says (consent is in 2 of the CSL's 79).
        if tier == "generic" and context == "mentioned":
            return self.config.named_generic_weight
        return self.config.tier_weight[tier]

    def _no_anchor(self, context: Context) -> float:
        # a document the passage names is itself a partial anchor
        return self.config.no_anchor * (0.5 if context == "mentioned" else 1.0)

    def _select(self, passage: Passage, cited: Sequence[_Candidate], inferred: Sequence[_Candidate]) -> list[Link]:
        """Apply the focus penalty, turn logits into scores, keep the best few links."""
        cfg = self.config
        # Only the strongest candidates can outrank one another; the rest score low anyway.
        top = sorted(inferred, key=lambda c: (-c.logit, c.article))[: 4 * cfg.max_links]
        scored: list[tuple[float, str, dict[str, Any]]] = [(c.score or 0.0, c.article, c.evidence) for c in cited]
        for c in top:
            # Focus: the log of this article's share among the articles of its document
            # that compete for the same evidence — a softmax over how well each explains
            # *this* article's shared concepts (its own evidence for concepts this article
            # lacks does not count), each rival weighted by the share of the evidence it
            # has. A clear winner loses nothing, two tied neighbours lose ln 2 each, an
            # article outranked by a better paraphrase of the same point loses about the
            # rival's lead. A parallel rule in another law is no rival: both may be discussed.
            total = sum(c.terms.values()) or 1.0
            doc = c.article.partition("/")[0]
            mass, rival, best = 1.0, None, 0.0
            for other in top:
                if other is c or other.article.partition("/")[0] != doc:
                    continue
                common = [k for k in c.terms if k in other.terms]
                if not common:
                    continue
                lead = self._restricted_logit(other, common) - c.logit
                weight = sum(c.terms[k] for k in common) / total * math.exp(min(lead, 20.0))
                mass += weight
                if lead > 0 and weight > best:
                    best, rival = weight, other.article
            signals = {**c.signals, "focus": -cfg.focus_weight * math.log(mass)}
            logit = sum(signals.values())
            score = round(_sigmoid(logit), 4)
            if score < cfg.min_score:
                continue
            evidence = {**c.evidence, "signals": {k: round(v, 2) for k, v in signals.items()}, "logit": round(logit, 2)}
            if rival is not None:
                evidence["outranked_by"] = rival
            scored.append((score, c.article, evidence))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [Link(passage.id, art, "discusses", score, ev) for score, art, ev in scored[: cfg.max_links]]


def link_passages(
    passages: Sequence[Passage],
    provisions: Iterable[Provision],
    annotations: Iterable[Annotation],
    documents: Sequence[DocumentMeta],
    translations: Iterable[Translation],
    *,
    commentary_date: str | None,
    config: LinkConfig | None = None,
) -> list[Link]:
    """``discusses`` (passage -> provision) and ``mentions`` (passage -> absent document)
    links for the passages of one commentary; see the module docstring.

    Builds a :class:`ProvisionIndex` on every call; to link many commentaries, build one
    index and one :class:`PassageLinker` and call :meth:`PassageLinker.link` for each.
    """
    anns = list(annotations)
    index = ProvisionIndex.build(provisions, translations, anns)
    return PassageLinker(index, documents, config).link(passages, anns, commentary_date=commentary_date)
