"""Comparing a passage with a provision: stemmed words, TF-IDF weights, cosine similarity,
and how rare a word or concept is within one commentary or one document."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kb.link.passages.concepts import ConceptSet
from kb.text.stem import english_stem
from kb.text.stopwords import stopword_list

_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")


STOPWORDS_FILE = "link/stopwords.txt"  # under settings.corpus_dir


def stems(text: str) -> list[str]:
    """Lower-cased content words, Snowball-English ("Porter2") stemmed: unlike the search index's
    Porter stems they keep organ / organization, general / generate, new / news apart.

    >>> stems("The collection of sensitive personal information requires separate consent")
    ['collect', 'sensit', 'person', 'inform', 'requir', 'separ', 'consent']
    """
    stopwords = stopword_list(STOPWORDS_FILE)
    out: list[str] = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.removesuffix("'s")
        if word in stopwords or len(word) < 3:
            continue
        out.append(english_stem(word))
    return out


_HAN = re.compile(r"[\u4e00-\u9fff]")


def zh_words(text: str) -> list[str]:
    """Chinese content words for comparison: jieba (legal dictionary, search mode) words of
    two or more characters with at least one Han character.

    >>> zh_words("处理人脸信息，应当取得个人的单独同意。")[:4]
    ['处理', '人脸', '信息', '人脸信息']
    """
    from kb.annotate.nlp import segment_zh

    return [w for w in segment_zh(text) if len(w) >= 2 and _HAN.search(w)]


def is_chinese(text: str) -> bool:
    """Whether ``text`` is mostly Chinese (a fifth or more of its characters are Han).

    >>> is_chinese("《办法》第四条"), is_chinese("Article 4 of the Measures (《办法》)")
    (True, False)
    """
    return len(_HAN.findall(text)) * 5 >= max(len(text), 1)


@dataclass(frozen=True)
class _Text:
    """A passage or sentence, analysed once: English stems or Chinese words."""

    words: Counter[str]
    concepts: Mapping[str, tuple[str, ...]]  # concept -> phrases that matched
    implied: Mapping[str, str]  # concept the passage implies -> the narrower concept found
    lang: Literal["en", "zh"] = "en"


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


def _analyse(text: str, concepts: ConceptSet, lang: Literal["en", "zh"] = "en") -> _Text:
    found = {c: tuple(dict.fromkeys(h)) for c, h in concepts.find(text, lang).items()}
    implied: dict[str, str] = {}
    for cid in found:
        for broader in concepts.by_id[cid].broader:
            if broader not in found:
                implied.setdefault(broader, cid)
    return _Text(Counter(zh_words(text) if lang == "zh" else stems(text)), found, implied, lang)


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


def _postings(vectors: Iterable[tuple[str, Mapping[str, float]]]) -> dict[str, list[tuple[str, float]]]:
    """Word -> (id, weight) for every vector it is in: an inverted index of ``(id, vector)`` pairs."""
    out: dict[str, list[tuple[str, float]]] = {}
    for key, vec in vectors:
        for w, v in vec.items():
            out.setdefault(w, []).append((key, v))
    return out


def _accumulate(query: Mapping[str, float], postings: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Dot product of ``query`` with every vector of ``postings`` sharing a word (the cosine,
    when the vectors are L2-normalised)."""
    out: dict[str, float] = {}
    for w, qv in query.items():
        for key, v in postings.get(w, ()):
            out[key] = out.get(key, 0.0) + qv * v
    return out
