"""The article-level features passages are compared with, built once per corpus."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from kb.ids import article_eid, node_type, provision_id, split_provision_id
from kb.link.passages.concepts import ConceptSet, load_concepts
from kb.link.passages.similarity import _local, _tfidf, stems, zh_words
from kb.model import Annotation, Provision, Translation


@dataclass(frozen=True)
class _Article:
    id: str
    doc_id: str
    words: Mapping[str, float]  # TF-IDF of the translation's stems, L2-normalised ({} untranslated)
    concepts: Mapping[str, float]  # concept (Chinese text or translation) -> rarity within its document
    topics: frozenset[str]
    zh_words: Mapping[str, float] = field(default_factory=dict)  # TF-IDF of the Chinese text's jieba words
    # the same, per line (a paragraph or an item) of an article of several: a sentence about one
    # paragraph of a long article is as close to it as to a short article
    parts: tuple[Mapping[str, float], ...] = ()
    zh_parts: tuple[Mapping[str, float], ...] = ()

    @property
    def translated(self) -> bool:
        return bool(self.words)


def article_id(provision: str) -> str:
    """The id of the article a provision id lies in: ``pipl-2021/art_13__para_1`` -> ``pipl-2021/art_13``."""
    doc_id, eid = split_provision_id(provision)
    return provision_id(doc_id, article_eid(eid))


def _topics_by_article(annotations: Iterable[Annotation]) -> dict[str, set[str]]:
    """Topic labels per article id, gathered from the article and all its parts."""
    out: dict[str, set[str]] = {}
    for ann in annotations:
        if ann.kind != "topic" or node_type(ann.target_id) != "provision":
            continue
        out.setdefault(article_id(ann.target_id), set()).add(ann.label)
    return out


@dataclass(frozen=True)
class ProvisionIndex:
    """The article-level features passages are compared with; build once per corpus."""

    articles: Mapping[str, _Article]
    by_doc: Mapping[str, tuple[str, ...]]
    word_idf: Mapping[str, float]
    zh_idf: Mapping[str, float]
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
        chinese: dict[str, Counter[str]] = {}
        for prov in provisions:
            if prov.level not in ("article", "preamble"):
                continue
            en = english.get(prov.id, "")
            found = frozenset(concepts.find(prov.text, "zh")) | frozenset(concepts.find(en, "en"))
            raw.append((prov, Counter(stems(en)), found))
            chinese[prov.id] = Counter(zh_words(prov.text))
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
        zh_df: Counter[str] = Counter()
        local_zh: dict[str, Counter[str]] = {}
        for prov, _, _ in raw:
            zh_df.update(chinese[prov.id].keys())
            local_zh.setdefault(prov.doc_id, Counter()).update(chinese[prov.id].keys())
        zh_idf = {w: math.log((len(raw) + 1) / (d + 1)) + 1 for w, d in zh_df.items()}
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
            zh_weights = {w: zh_idf[w] * _local(local_zh[doc][w], n_all) for w in chinese[prov.id]}
            zh_vec = _tfidf(chinese[prov.id], zh_weights, 0.0)
            parts = _parts(english.get(prov.id, ""), stems, weights)
            zh_parts = _parts(prov.text, zh_words, zh_weights)
            articles[prov.id] = _Article(
                prov.id, doc, vec, found_weights, frozenset(topics.get(prov.id, ())), zh_vec, parts, zh_parts
            )
            by_doc.setdefault(doc, []).append(prov.id)
        return cls(articles, {d: tuple(ids) for d, ids in by_doc.items()}, word_idf, zh_idf, concept_idf, concepts)


def _parts(
    text: str, words: Callable[[str], Iterable[str]], weights: Mapping[str, float]
) -> tuple[dict[str, float], ...]:
    """The TF-IDF vector of each line of an article of several lines (none for one line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return ()
    return tuple(_tfidf(Counter(words(line)), weights, 0.0) for line in lines)
