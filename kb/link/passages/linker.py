"""The linker: per sentence, candidates in context, their signals, the learned logistic
combination, the best few links; a passage's links are the union of its sentences'
(see :mod:`kb.link.passages` for the method)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.dates import date_key, first_date
from kb.ids import doc_of, provision_id, split_provision_id
from kb.link.passages.concepts import Tier
from kb.link.passages.index import ProvisionIndex, _Article, article_id
from kb.link.passages.learned import (
    FEATURES,
    INSTRUMENT_KINDS,
    Glossary,
    LinkWeights,
    TermFinder,
    load_article_words,
    load_elsewhere,
    load_glossary,
    load_normative,
    load_rule_words,
    load_weights,
)
from kb.link.passages.mentions import Cited, Named, absent_mentions, passage_citations
from kb.link.passages.similarity import (
    _accumulate,
    _analyse,
    _cosine,
    _postings,
    _rarity,
    _Text,
    _tfidf,
    is_chinese,
    stems,
    zh_words,
)
from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Translation
from kb.text.sentences import passage_sentences

# How a candidate's document relates to the sentence (most specific first); see learned.FEATURES.
Context = Literal["named_sentence", "named_passage", "successor", "discussed", "open", "unanchored"]
Span = tuple[int, int]

SUCCESSOR_WHY = "the text-absent document's successor (manifest supersedes) carries the rule"


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds of the linker; the combination of its signals is learned (``weights``).

    *Strength* is the summed weight of the concepts a sentence and an article share; a
    concept's weight is its IDF over the provisions (1.0 for a concept found in a single
    article) times how rare it is among the commentary's passages, times how rare it is
    among the articles of the article's own document, times its tier weight (and
    ``implied_weight`` when the sentence only implies it through a narrower concept). A
    shared specific concept of weight ``>= anchor_weight`` (not merely implied) is an
    *anchor*.
    """

    max_links: int = 6  # per sentence, and per passage
    min_score: float | None = None  # links scoring less are not emitted (None: the weights file's)
    weights: LinkWeights | None = None  # None: corpus/link/weights.toml
    glossary: Glossary | None = None  # None: corpus/link/glossary.toml
    elsewhere: TermFinder | None = None  # None: corpus/link/elsewhere.toml
    strength_scale: float = 1.5  # strength giving full marks
    anchor_weight: float = 0.3
    tier_weight: Mapping[str, float] = field(
        default_factory=lambda: {"background": 0.25, "generic": 0.5, "specific": 1.0}
    )
    implied_weight: float = 0.5
    named_generic_weight: float = 1.0  # a generic concept's tier weight in a document the sentence names
    min_strength: float = 0.15  # candidates with less shared weight and ...
    min_similarity: float = 0.08  # ... less word similarity are not even scored
    common_share: float = 0.3  # words in more than this share of articles do not propose candidates
    citation_score: Mapping[str, float] = field(default_factory=lambda: {"resolved": 1.0, "ambiguous": 0.6})
    mention_score: Mapping[str, float] = field(default_factory=lambda: {"citation": 1.0, "anaphora": 0.6})
    min_words: int = 2  # sentences with fewer content words get no inferred links (a heading of two words has some)
    carried: int = 3  # the previous sentence's best candidates stay candidates of the next
    whole_law: int = 3  # a law named without an article proposes its articles closest to the commentary
    # every article of a document of at most this many articles is a candidate of a sentence
    # that names it or of a passage about the draft it finalises (the learned weights rank them)
    short_document: int = 20
    short_contexts: tuple[Context, ...] = ("named_sentence", "successor")


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


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Candidate:
    """One (sentence, article) pair with its signals (``learned.FEATURES``) and evidence."""

    passage_id: str
    sentence: Span
    article: str
    features: dict[str, float]
    evidence: Mapping[str, Any]


@dataclass(frozen=True)
class _Query:
    """One sentence or passage, ready to be compared: weighted words, concept weights."""

    lang: Literal["en", "zh"]
    words: Mapping[str, float]  # English stems or Chinese words, TF-IDF
    gloss: Mapping[str, float]  # an English text's words carried to Chinese, TF-IDF
    concepts: Mapping[str, float]
    surfaces: Mapping[str, tuple[str, ...]]
    implied: Mapping[str, str]
    size: int  # content words
    rule: float  # the learned chance that the text states a rule (learned.RuleWords)
    assoc: Mapping[str, float]  # article -> how labelled commentary with these words meant it (learned.ArticleWords)


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
        self.weights = self.config.weights or load_weights()
        self.min_score = self.config.min_score if self.config.min_score is not None else self.weights.min_score
        self.glossary = self.config.glossary or load_glossary()
        self.elsewhere = self.config.elsewhere or load_elsewhere()
        self.normative = load_normative()
        self.rule_words = load_rule_words()
        self.article_words = load_article_words()
        self.documents = {d.id: d for d in documents}
        self.successors: dict[str, list[DocumentMeta]] = {}
        for d in documents:
            if d.supersedes:
                self.successors.setdefault(d.supersedes, []).append(d)
        arts = index.articles.values()
        self._en = _postings((a.id, a.words) for a in arts)
        self._zh = _postings((a.id, a.zh_words) for a in arts)
        # what the glossary reaches: the Chinese of articles without a translation (a translated
        # article's English is compared with an English sentence instead)
        self._gloss = _postings((a.id, a.zh_words) for a in arts if not a.translated)
        limit = max(1.0, self.config.common_share * len(index.articles))
        self._en_common = frozenset(w for w, p in self._en.items() if len(p) > limit)
        self._zh_common = frozenset(w for w, p in self._zh.items() if len(p) > limit)
        self._closest_cache: dict[str, list[str]] = {}
        self._doc_sims: dict[str, float] = {}  # the commentary being linked: article -> similarity
        self._sim_cache: dict[tuple[int, str], dict[str, float]] = {}
        self._alive: dict[int, _Query] = {}
        self._by_concept: dict[str, list[str]] = {}
        for a in arts:
            for c in a.concepts:
                self._by_concept.setdefault(c, []).append(a.id)

    # -- document context ------------------------------------------------------------

    def _in_force(self, doc_id: str, date: str | None) -> bool:
        doc = self.documents.get(doc_id)
        return doc is not None and in_force_at(doc, self.successors.get(doc_id, ()), date)

    def _open(self, doc_id: str, date: str | None) -> bool:
        """Whether a commentary of ``date`` may be talking about ``doc_id`` without naming it:
        it is in force then, or it is a new instrument already adopted but not yet in force
        (commentary on rules published and awaiting their effective date), with no earlier
        version of its own still in force (then that version is the one meant)."""
        if self._in_force(doc_id, date):
            return True
        doc = self.documents.get(doc_id)
        if doc is None or doc.kind in ("draft", "commentary") or not self._exists(doc_id, date):
            return False
        if self.successors.get(doc_id) and any(s.kind != "draft" for s in self.successors[doc_id]):
            return False  # an old version, replaced: not pending
        earlier = doc.supersedes
        return earlier is None or (self.documents.get(earlier) is not None and self.documents[earlier].kind == "draft")

    def _exists(self, doc_id: str, date: str | None) -> bool:
        """Whether the text of ``doc_id`` existed (was adopted) by ``date``."""
        doc = self.documents.get(doc_id)
        if doc is None:
            return False
        first = first_date(doc)
        return date is None or first is None or date_key(first, end=False) <= date_key(date, end=True)

    def _has_text(self, doc_id: str) -> bool:
        return doc_id in self.index.by_doc

    def _successors_with_text(self, doc_id: str) -> list[str]:
        """The final versions of a text-absent document (a draft), following the lineage."""
        out: list[str] = []
        todo, seen = [doc_id], {doc_id}
        while todo:
            for s in self.successors.get(todo.pop(), ()):
                if s.id in seen:
                    continue
                seen.add(s.id)
                (out.append(s.id) if self._has_text(s.id) else todo.append(s.id))
        return out

    # -- one commentary --------------------------------------------------------------

    def link(
        self, passages: Sequence[Passage], annotations: Iterable[Annotation], *, commentary_date: str | None
    ) -> list[Link]:
        """``discusses`` and ``mentions`` links of ``passages`` (one commentary, in order)."""
        fixed, candidates = self.candidates(passages, annotations, commentary_date=commentary_date)
        return fixed + self.select(candidates, fixed)

    def score(self, features: Mapping[str, float]) -> tuple[float, dict[str, float]]:
        """The logit of a candidate and what each signal contributed to it."""
        signals = {"bias": self.weights.bias}
        for f in FEATURES:
            w = self.weights.weights.get(f, 0.0)
            if w and features.get(f):
                signals[f] = w * features[f]
        return sum(signals.values()), signals

    def sentence_scores(self, candidates: Sequence[Candidate]) -> list[tuple[float, dict[str, float], float]]:
        """Score one sentence's candidates: a softmax over them and "no provision" (logit 0),
        ``exp(logit) / (1 + sum of exp(logits))``, so the candidates of a sentence compete and
        a sentence with weak evidence everywhere leaves its mass on "none"."""
        rows = [self.score(c.features) for c in candidates]
        exps = [math.exp(max(-50.0, min(50.0, logit))) for logit, _ in rows]
        denom = 1.0 + sum(exps)
        return [(e / denom, signals, logit) for e, (logit, signals) in zip(exps, rows, strict=True)]

    def _by_sentence(self, candidates: Sequence[Candidate]) -> dict[tuple[str, Span], list[Candidate]]:
        out: dict[tuple[str, Span], list[Candidate]] = {}
        for c in candidates:
            out.setdefault((c.passage_id, c.sentence), []).append(c)
        return out

    def select(self, candidates: Sequence[Candidate], fixed: Sequence[Link] = ()) -> list[Link]:
        """Score candidates; per sentence keep the best few above the threshold; per
        passage the union (each article from its best sentence), at most ``max_links``
        inferred links beside the citations."""
        cfg = self.config
        cited = {(lk.src, article_id(lk.dst)) for lk in fixed if lk.kind == "discusses"}
        best: dict[tuple[str, str], tuple[float, Candidate, dict[str, float], float, float]] = {}
        for group in self._by_sentence(candidates).values():
            scored = self.sentence_scores(group)
            denom = 1.0 + sum(math.exp(max(-50.0, min(50.0, lg))) for _, _, lg in scored)
            rows = sorted(
                (
                    (sc, c, sig, lg, denom)
                    for c, (sc, sig, lg) in zip(group, scored, strict=True)
                    if sc >= self.min_score
                ),
                key=lambda r: (-r[0], r[1].article),
            )
            for row in rows[: cfg.max_links]:
                key = (row[1].passage_id, row[1].article)
                if key not in cited and (key not in best or best[key][0] < row[0]):
                    best[key] = row
        by_passage: dict[str, list[tuple[float, Candidate, dict[str, float], float, float]]] = {}
        for (pid, _), row in best.items():
            by_passage.setdefault(pid, []).append(row)
        out: list[Link] = []
        for pid, rows in by_passage.items():
            rows.sort(key=lambda r: (-r[0], r[1].article))
            for score, c, signals, logit, denom in rows[: cfg.max_links]:
                evidence = {
                    **c.evidence,
                    "signals": {k: round(v, 3) for k, v in signals.items()},
                    "logit": round(logit, 3),
                    "normaliser": round(denom, 3),  # score = exp(logit) / normaliser
                }
                out.append(Link(pid, c.article, "discusses", round(score, 4), evidence))
        return out

    def ranked(self, candidates: Sequence[Candidate]) -> dict[tuple[str, Span], list[tuple[str, float]]]:
        """Every candidate's score per sentence, best first (for evaluation)."""
        out: dict[tuple[str, Span], list[tuple[str, float]]] = {}
        for key, group in self._by_sentence(candidates).items():
            rows = [(c.article, sc) for c, (sc, _, _) in zip(group, self.sentence_scores(group), strict=True)]
            out[key] = sorted(rows, key=lambda r: (-r[1], r[0]))
        return out

    def candidates(
        self, passages: Sequence[Passage], annotations: Iterable[Annotation], *, commentary_date: str | None
    ) -> tuple[list[Link], list[Candidate]]:
        """Citation and ``mentions`` links (certain, fixed scores) and the scored
        candidates of every sentence of ``passages``."""
        wanted = {p.id for p in passages}
        self._closest_cache.clear()
        self._sim_cache.clear()
        self._alive.clear()
        by_target: dict[str, list[Annotation]] = {}
        for ann in annotations:
            if ann.target_id in wanted:
                by_target.setdefault(ann.target_id, []).append(ann)
        concepts = self.index.concepts
        texts = {p.id: _analyse(p.text, concepts, "zh" if is_chinese(p.text) else "en") for p in passages}
        word_rarity, concept_rarity = _rarity([texts[p.id] for p in passages if p.part == "body"])
        open_docs = [d for d in self.index.by_doc if self._open(d, commentary_date)]
        meta = self.documents.get(passages[0].doc_id) if passages else None
        discussed = [
            d for d in (meta.discusses if meta else ()) if self._has_text(d) and self._exists(d, commentary_date)
        ]
        absent_discussed = [d for d in (meta.discusses if meta else ()) if not self._has_text(d)]
        doc_query = self._document_query([texts[p.id] for p in passages if p.part == "body"])
        self._doc_sims = self._similarities(doc_query) if doc_query is not None else {}
        fixed: list[Link] = []
        out: list[Candidate] = []
        previous: dict[str, float] = {}  # the evidence of the sentence before, per article
        section: str | None = None
        named_absent = Named()
        for passage in passages:
            anns = by_target.get(passage.id, [])
            mentions, named_absent = absent_mentions(
                passage,
                anns,
                named_absent,
                documents=self.documents,
                with_text=self.index.by_doc,
                scores=self.config.mention_score,
            )
            fixed.extend(mentions)
            spans = [s for s in passage_sentences(passage) if passage.text[s[0] : s[1]].strip()] or [
                (0, len(passage.text))
            ]
            cites = passage_citations(
                passage,
                anns,
                spans,
                scores=self.config.citation_score,
                names=lambda d: self._has_text(d) and self._exists(d, commentary_date),
            )
            fixed.extend(cites.links)
            if passage.part != "body":
                continue
            if passage.section != section:
                previous, section = {}, passage.section
            # the final version of a text-absent document the passage names (the draft) says
            # what the passage says; of one its commentary discusses, it is discussed too
            successors = {s: a for a in (lk.dst for lk in mentions) for s in self._successors_with_text(a)}
            succ_discussed = {s: a for a in absent_discussed for s in self._successors_with_text(a)}
            absent = [lk.dst for lk in mentions] or absent_discussed
            whole = self._query(texts[passage.id], word_rarity, concept_rarity)
            topics = frozenset(a.label for a in anns if a.kind == "topic")
            law_here = float(bool(self.normative.found(passage.text)))
            for span in spans:
                text = passage.text[span[0] : span[1]]
                lang: Literal["en", "zh"] = "zh" if is_chinese(text) else "en"
                query = self._query(_analyse(text, concepts, lang), word_rarity, concept_rarity, sentence=True)
                if query.size < self.config.min_words:
                    continue
                anchored: Context = "open" if cites.named or absent else "unanchored"
                contexts: dict[str, Context] = dict.fromkeys(open_docs, anchored)
                contexts.update(dict.fromkeys([*discussed, *succ_discussed], "discussed"))
                contexts.update(dict.fromkeys(successors, "successor"))
                contexts.update(dict.fromkeys(cites.named, "named_passage"))
                contexts.update(dict.fromkeys(cites.by_sentence.get(span, ()), "named_sentence"))
                lineage = {**succ_discussed, **successors}
                queries = (query, whole)
                found = self._sentence(passage, span, queries, contexts, cites, lineage, topics, previous, law_here)
                out.extend(found)
                previous = {c.article: _evidence(c.features) for c in found}
        return fixed, out

    def _kinship(self, draft: str, final: str) -> float:
        """How likely a final version still says what its draft said: ``1 / (1 + years)``
        between the draft and the final's adoption (1.0 when either date is unknown)."""
        a, b = self.documents.get(draft), self.documents.get(final)
        start, end = (first_date(a) if a else None), (first_date(b) if b else None)
        if not start or not end:
            return 1.0
        years = int(date_key(end, end=False)[:4]) - int(date_key(start, end=False)[:4])
        return 1.0 / (1.0 + max(0, years))

    def _closest(self, doc_id: str) -> list[str]:
        """The articles of ``doc_id`` most similar to the whole commentary, best first."""
        if doc_id not in self._closest_cache:
            sims = {a: self._doc_sims.get(a, 0.0) for a in self.index.by_doc[doc_id]}
            self._closest_cache[doc_id] = sorted((a for a in sims if sims[a] > 0), key=lambda a: (-sims[a], a))
        return self._closest_cache[doc_id]

    def _similarities(self, query: _Query) -> dict[str, float]:
        """``max(_cosine_full(query, article).values())`` of every article sharing a word,
        summed over the postings in one pass (for the long query of a whole commentary)."""
        if query.lang == "zh":
            return _accumulate(query.words, self._zh)
        out = _accumulate(query.words, self._en)
        for art, v in _accumulate(query.gloss, self._gloss).items():
            out[art] = max(out.get(art, 0.0), v)
        return out

    def _cached_similarity(self, query: _Query, art: _Article) -> dict[str, float]:
        """:func:`_cosine_full` of a passage's or the commentary's query, computed once per
        article (the caches live for one :meth:`candidates` call, which keeps the queries)."""
        key = (id(query), art.id)
        found = self._sim_cache.get(key)
        if found is None:
            self._alive[id(query)] = query  # so that no other query takes its id meanwhile
            found = self._sim_cache[key] = _cosine_full(query, art)
        return found

    def _document_query(self, texts: Sequence[_Text]) -> _Query | None:
        """The whole commentary's words in its main language (IDF-weighted, not by rarity
        within the commentary: here what recurs is the subject)."""
        if not texts:
            return None
        lang: Literal["en", "zh"] = "zh" if sum(t.lang == "zh" for t in texts) * 2 > len(texts) else "en"
        words: Counter[str] = Counter()
        for t in texts:
            if t.lang == lang:
                words.update(t.words)
        return self._query(_Text(words, {}, {}, lang), {}, {})

    def _query(
        self,
        text: _Text,
        word_rarity: Mapping[str, float],
        concept_rarity: Mapping[str, float],
        *,
        sentence: bool = False,
    ) -> _Query:
        """The weighted words and concepts of ``text``; a ``sentence``'s learned signals too (a
        passage's or the commentary's query is only compared, never scored by them)."""
        cfg, index = self.config, self.index
        weights: dict[str, float] = {}
        surfaces: dict[str, tuple[str, ...]] = dict(text.concepts)
        for cid in (*text.concepts, *text.implied):
            w = index.concept_idf.get(cid, 0.0) * concept_rarity.get(cid, 1.0)
            if cid in text.implied:
                w *= cfg.implied_weight
                surfaces[cid] = text.concepts[text.implied[cid]]
            weights[cid] = w
        idf = index.zh_idf if text.lang == "zh" else index.word_idf
        word_weights = {w: idf.get(w, 0.0) * word_rarity.get(w, 1.0) for w in text.words}
        gloss: dict[str, float] = {}
        if text.lang == "en":
            for stem, n in text.words.items():
                for zh, dice in self.glossary.by_stem.get(stem, ()):
                    gloss[zh] = gloss.get(zh, 0.0) + n * dice
        return _Query(
            lang=text.lang,
            words=_tfidf(text.words, word_weights, 0.0),
            gloss=_tfidf(gloss, index.zh_idf, 0.0),
            concepts=weights,
            surfaces=surfaces,
            implied=text.implied,
            size=sum(text.words.values()),
            rule=self.rule_words.score(text.words) if sentence else 0.0,
            assoc=self.article_words.scores(text.words) if sentence else {},
        )

    def _sentence(
        self,
        passage: Passage,
        span: Span,
        queries: tuple[_Query, _Query],
        contexts: Mapping[str, Context],
        cites: Cited,
        successors: Mapping[str, str],
        topics: frozenset[str],
        previous: Mapping[str, float],
        law_here: float,
    ) -> list[Candidate]:
        cfg = self.config
        query, whole = queries
        common = self._zh_common if query.lang == "zh" else self._en_common
        words = {w: v for w, v in query.words.items() if w not in common}
        sim = _accumulate(words, self._zh if query.lang == "zh" else self._en)
        gloss = _accumulate({w: v for w, v in query.gloss.items() if w not in self._zh_common}, self._gloss)
        # the cosines over every word: the postings' sums plus the few common words, looked up
        common_words = {w: v for w, v in query.words.items() if w in common}
        common_gloss = {w: v for w, v in query.gloss.items() if w in self._zh_common}
        proposed = {a for a, v in sim.items() if v >= cfg.min_similarity}
        proposed |= {a for a, v in gloss.items() if v >= cfg.min_similarity}
        for c in query.concepts:
            proposed.update(self._by_concept.get(c, ()))
        proposed |= {a for a in cites.articles}
        # a bare "Article 19": that article of every document the sentence may mean
        numbers = cites.bare.get(span, set())
        numbered = {a for d in contexts for e in numbers if (a := provision_id(d, e)) in self.index.articles}
        proposed |= numbered
        # the sentence before usually speaks of the same provision: its best few stay candidates
        carried = set(sorted(previous, key=lambda a: (-previous[a], a))[: cfg.carried])
        # a law named without an article: its articles closest to what the commentary is about
        pinned = {doc_of(a) for a in cites.articles}
        for d in cites.by_sentence.get(span, ()):
            if d not in pinned:
                carried.update(self._closest(d)[: cfg.whole_law])
        # a short document the sentence is about: any of its articles may be the one meant, in
        # words it shares with none (a paraphrase of the draft, a remark about the named rules)
        # (not one whose article the passage cites: that article is the one meant)
        if cfg.short_document:
            for d, ctx in contexts.items():
                if ctx in cfg.short_contexts and d not in pinned and len(self.index.by_doc[d]) <= cfg.short_document:
                    carried.update(self.index.by_doc[d])
        proposed.update(carried)
        cited_here = {article_id(lk.dst) for lk in cites.links if _in(lk, span)}
        elsewhere = self.elsewhere.found(passage.text[span[0] : span[1]])
        normative = float(bool(self.normative.found(passage.text[span[0] : span[1]])))
        rows: list[tuple[str, dict[str, float], dict[str, Any]]] = []
        for art_id in sorted(proposed):
            art = self.index.articles.get(art_id)
            if art is None or art.doc_id not in contexts or art_id in cited_here:
                continue
            context = contexts[art.doc_id]
            terms = {
                c: w * art.concepts[c] * self._tier_weight(self.index.concepts.tier(c), context)
                for c, w in query.concepts.items()
                if c in art.concepts
            }
            strength = sum(terms.values())
            vec = art.zh_words if query.lang == "zh" else art.words
            own = sim.get(art_id, 0.0) + sum(v * vec.get(w, 0.0) for w, v in common_words.items())
            full_sim = {
                "en": own if query.lang == "en" else 0.0,
                "zh": own if query.lang == "zh" else 0.0,
                # through the glossary only where no translation can be compared word by word
                "gloss": gloss.get(art_id, 0.0) + sum(v * art.zh_words.get(w, 0.0) for w, v in common_gloss.items())
                if query.lang == "en" and not art.translated
                else 0.0,
            }
            weak = strength < cfg.min_strength and max(full_sim.values()) < cfg.min_similarity
            if weak and art_id not in cites.articles and art_id not in carried and art_id not in numbered:
                continue
            anchors = [
                c
                for c in terms
                if terms[c] >= cfg.anchor_weight
                and self.index.concepts.tier(c) == "specific"
                and c not in query.implied
            ]
            whole_sim = self._cached_similarity(whole, art)
            features = {
                "named_sentence": float(context == "named_sentence"),
                "named_passage": float(context == "named_passage"),
                "successor": self._kinship(successors[art.doc_id], art.doc_id) if context == "successor" else 0.0,
                "discussed": float(context == "discussed"),
                "open": float(context == "open"),
                "cited_passage": float(art_id in cites.articles),
                "number": float(art_id in numbered),
                "terms": min(1.0, strength / cfg.strength_scale),
                "anchor": float(bool(anchors)),
                "sim_en": full_sim["en"],
                "sim_zh": full_sim["zh"],
                "sim_gloss": full_sim["gloss"],
                "sim_part": max(
                    (_cosine(query.words, v) for v in (art.zh_parts if query.lang == "zh" else art.parts)),
                    default=full_sim[query.lang],
                ),
                "sim_passage": max(whole_sim.values()),
                "sim_doc": max(0.0, self._doc_sims.get(art_id, 0.0)),
                "neighbour": min(1.0, previous.get(art_id, 0.0)),
                "topics": float(bool(topics & art.topics)),
                "elsewhere": float(bool(elsewhere)),
                "normative": normative,
                "normative_passage": law_here,
                "rule": query.rule,
                "assoc": query.assoc.get(art_id, 0.0),
                **self._kind_features(art.doc_id, normative),
            }
            ranked = sorted(terms, key=lambda c: (-terms[c], c))
            evidence: dict[str, Any] = {
                "context": context,
                "sentence": list(span),
                "terms": ranked,
                "anchors": [c for c in ranked if c in anchors],
                "implied": {c: query.implied[c] for c in ranked if c in query.implied},
                "phrases": list(dict.fromkeys(p for c in ranked for p in query.surfaces.get(c, ())))[:8],
                "similarity": {k: round(v, 4) for k, v in full_sim.items() if v},
                "translated": art.translated,
            }
            if features["number"]:
                evidence["bare_article"] = split_provision_id(art_id)[1]  # "Article 19" naming no document
            if elsewhere:
                evidence["elsewhere"] = elsewhere
            if art.doc_id in successors:
                evidence["successor_of"] = successors[art.doc_id]
                evidence["why"] = SUCCESSOR_WHY
            if context == "named_passage" or context == "named_sentence":
                evidence["doc_mention"] = art.doc_id
                evidence["mention_text"] = cites.named.get(art.doc_id, "")
            rows.append((art_id, features, evidence))
        # how each article stands among its own document's candidates for this sentence
        strength_of = {a: _evidence(f) for a, f, _ in rows}
        by_doc: dict[str, list[float]] = {}
        for a, _, _ in rows:
            by_doc.setdefault(self.index.articles[a].doc_id, []).append(strength_of[a])
        top_two = {d: sorted(v, reverse=True)[:2] for d, v in by_doc.items()}
        out: list[Candidate] = []
        for a, features, evidence in rows:
            others = top_two[self.index.articles[a].doc_id]
            first = strength_of[a] >= others[0]
            runner_up = others[1] if len(others) > 1 else 0.0
            features["best_in_doc"] = float(first)
            features["lead"] = min(1.0, strength_of[a] - runner_up) if first else 0.0
            out.append(Candidate(passage.id, span, a, features, evidence))
        return out

    def _kind_features(self, doc_id: str, normative: float) -> dict[str, float]:
        doc = self.documents.get(doc_id)
        mine = INSTRUMENT_KINDS.get(doc.kind) if doc is not None else None
        return {name: normative * float(name == mine) for name in INSTRUMENT_KINDS.values()}

    def _tier_weight(self, tier: Tier, context: Context) -> float:
        # Within a document the sentence names, a generic concept is as specific as its
        # rarity among that document's articles says (consent is in 2 of the CSL's 79).
        if tier == "generic" and context in ("named_sentence", "named_passage"):
            return self.config.named_generic_weight
        return self.config.tier_weight[tier]


def _evidence(features: Mapping[str, float]) -> float:
    """How much a candidate's own words say for it: shared concepts and similarities."""
    return features["terms"] + features["sim_en"] + features["sim_zh"] + features["sim_gloss"]


def _in(link: Link, span: Span) -> bool:
    s = link.evidence.get("sentence")
    return s is not None and tuple(s) == span


def _cosine_full(query: _Query, art: _Article) -> dict[str, float]:
    return {
        "en": _cosine(query.words, art.words) if query.lang == "en" else 0.0,
        "zh": _cosine(query.words, art.zh_words) if query.lang == "zh" else 0.0,
        "gloss": _cosine(query.gloss, art.zh_words) if query.lang == "en" and not art.translated else 0.0,
    }


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


__all__ = ["Candidate", "LinkConfig", "PassageLinker", "in_force_at", "link_passages", "stems", "zh_words"]
