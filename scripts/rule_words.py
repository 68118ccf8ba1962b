"""The linker's sentence model of whether a sentence states a rule (``corpus/link/rule_words.toml``,
``kb.link.passages.learned.RuleWords``), fitted by ``scripts/train_links.py``.

A logistic regression over a sentence's set of words (``kb.link.passages.stems`` for English,
``zh_words`` for Chinese; a word in at least ``MIN_DF`` labelled sentences), L2-penalised: the
labelled claims with a gold provision are positive, the nothing-legal sentences negative.
The link weights are fitted on cross-fitted values (:func:`cross_fitted`: each article's
sentences scored by a model fitted without that article), then the model fitted on every
labelled sentence is written.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from links_lib import ClaimRows, gold_articles

from kb.learn.linear import fit_binary, toml_weights
from kb.link.passages.learned import RuleWords
from kb.link.passages.similarity import is_chinese, stems, zh_words

OUT = Path(__file__).resolve().parent.parent / "corpus" / "link" / "rule_words.toml"
MIN_DF = 2  # a word in fewer labelled sentences gets no weight
L2 = 1.0
STEPS = 300
INNER_FOLDS = 5


def words(text: str) -> frozenset[str]:
    """A sentence's words as the linker reads them (``_analyse``)."""
    return frozenset(zh_words(text) if is_chinese(text) else stems(text))


def labelled(rows: Iterable[ClaimRows]) -> list[tuple[frozenset[str], float]]:
    """(words, 1.0) for a claim with a gold provision, (words, 0.0) for a nothing-legal sentence."""
    out: list[tuple[frozenset[str], float]] = []
    for r in rows:
        if r.claim["kind"] != "claim":
            out.append((words(r.claim["sentence"]), 0.0))
        elif gold_articles(r.claim):
            out.append((words(r.claim["sentence"]), 1.0))
    return out


def fit(data: Sequence[tuple[frozenset[str], float]]) -> RuleWords:
    """Logistic regression over word sets (:func:`kb.learn.linear.fit_binary`, the gradient solver)."""
    df: dict[str, int] = {}
    for ws, _ in data:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(sorted(w for w, d in df.items() if d >= MIN_DF))}
    x = np.zeros((len(data), len(vocab)))
    for i, (ws, _) in enumerate(data):
        for w in ws:
            if w in vocab:
                x[i, vocab[w]] = 1.0
    y = np.array([v for _, v in data])
    words_in_order = sorted(vocab, key=vocab.__getitem__)
    model = fit_binary(x, y, words_in_order, l2=L2, steps=STEPS, solver="gradient")
    weights = {w: round(v, 4) for w, v in model.weights.items() if round(v, 4)}
    return RuleWords(round(model.bias, 4), weights)


def article_folds(rows: Sequence[ClaimRows], folds: int = INNER_FOLDS, seed: int = 1) -> list[set[str]]:
    """The articles (commentary documents) of ``rows`` in ``folds`` shuffled groups, for cross-fitting."""
    docs = sorted({r.doc for r in rows})
    random.Random(seed).shuffle(docs)
    return [set(docs[k::folds]) for k in range(folds)]


def cross_fitted(rows: Sequence[ClaimRows], folds: int = INNER_FOLDS, seed: int = 1) -> dict[str, float]:
    """Claim id -> its sentence's score by a model fitted without its article (folds grouped by article)."""
    out: dict[str, float] = {}
    for held in article_folds(rows, folds, seed):
        model = fit(labelled(r for r in rows if r.doc not in held))
        for r in rows:
            if r.doc in held:
                out[r.claim["id"]] = model.score(words(r.claim["sentence"]))
    return out


def with_rule(rows: Sequence[ClaimRows], scores: Mapping[str, float]) -> list[ClaimRows]:
    """The rows with every candidate's ``rule`` feature set to its claim's score."""
    return [
        ClaimRows(
            r.claim,
            r.doc,
            tuple((a, {**f, "rule": scores[r.claim["id"]]}, e) for a, f, e in r.candidates),
            r.cited,
        )
        for r in rows
    ]


def write(model: RuleWords, trained_on: str, path: Path = OUT) -> None:
    lines = [
        "# The linker's sentence model: whether a sentence states a rule, from its set of words",
        "# (kb.link.passages.learned.RuleWords). Written by scripts/train_links.py; rerun it, do not edit.",
        "version = 1",
        f'trained_on = "{trained_on}"',
        f"bias = {model.bias}",
        "",
        "[weights]",
        *toml_weights(dict(sorted(model.weights.items(), key=lambda t: (-abs(t[1]), t[0])))),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
