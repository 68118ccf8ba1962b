"""The linker: candidates in context, their log-odds evidence, the focus penalty, the best
few links (see :mod:`kb.link.passages` for the method)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.dates import date_key, first_date
from kb.ids import doc_of, node_type
from kb.link.passages.concepts import Tier
from kb.link.passages.index import ProvisionIndex, _Article, article_id
from kb.link.passages.mentions import absent_mentions
from kb.link.passages.similarity import _analyse, _cosine, _rarity, _Text, _tfidf
from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, Translation

# How a candidate provision relates to the passage: cited by it, in a document it
# names, in a document its commentary discusses, elsewhere in force while the passage
# names some document (open), or elsewhere while it names none (unanchored).
Context = Literal["cited", "mentioned", "discussed", "open", "unanchored"]


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
        first = first_date(doc)
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
            mentions, last_absent = absent_mentions(
                passage,
                anns,
                last_absent,
                documents=self.documents,
                with_text=self.index.by_doc,
                scores=self.config.mention_score,
            )
            links.extend(mentions)
            query = self._query(texts[passage.id], anns, word_rarity, concept_rarity)
            links.extend(self._discusses(passage, anns, mentions, query, commentary_date, open_docs))
        return links

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
                if node_type(target) != "document":
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
            cited_articles = {article_id(c) for c in cited}
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
            doc = doc_of(c.article)
            mass, rival, best = 1.0, None, 0.0
            for other in top:
                if other is c or doc_of(other.article) != doc:
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
