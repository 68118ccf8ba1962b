"""The linker's word profiles of the labelled articles (``corpus/link/article_words.toml``,
``kb.link.passages.learned.ArticleWords``), fitted by ``scripts/train_links.py``.

Each article's profile is the sum of the IDF-weighted word sets (``rule_words.words``) of the
labelled claims whose gold it is, L2-normalised; the IDF is over those claims. A sentence's
``assoc`` signal for a candidate article is the cosine of its words with that profile: what
labelled commentary meant when it used these words ("a meal card" for the Measures' article on
alternatives). The link weights are fitted on cross-fitted values (:func:`cross_fitted`: each
article's sentences scored by profiles built without that article), then the profiles built
from every labelled claim are written.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from links_lib import ClaimRows, gold_articles
from rule_words import INNER_FOLDS, article_folds, words

from kb.learn.linear import toml_key, toml_weights
from kb.link.passages.learned import ArticleWords

OUT = Path(__file__).resolve().parent.parent / "corpus" / "link" / "article_words.toml"
DIGITS = 5


def profiles(rows: Sequence[ClaimRows]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The IDF over the claims with a gold provision, and each gold article's normalised profile."""
    df: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {}
    n = 0
    for r in rows:
        gold = gold_articles(r.claim) if r.claim["kind"] == "claim" else set()
        if not gold:
            continue
        ws = words(r.claim["sentence"])
        n += 1
        df.update(ws)
        for art in gold:
            counts.setdefault(art, Counter()).update(ws)
    idf = {w: math.log((n + 1) / (d + 1)) for w, d in df.items()}
    out: dict[str, dict[str, float]] = {}
    for art, c in counts.items():
        vec = {w: k * idf[w] for w, k in c.items() if idf[w] > 0}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[art] = {w: round(v / norm, DIGITS) for w, v in vec.items()}
    return {w: round(v, DIGITS) for w, v in idf.items() if v > 0}, out


def fit(rows: Sequence[ClaimRows]) -> ArticleWords:
    return ArticleWords.build(*profiles(rows))


def cross_fitted(rows: Sequence[ClaimRows], folds: int = INNER_FOLDS, seed: int = 1) -> dict[str, ArticleWords]:
    """Claim id -> the profiles built without its article (folds grouped by article)."""
    out: dict[str, ArticleWords] = {}
    for held in article_folds(rows, folds, seed):
        model = fit([r for r in rows if r.doc not in held])
        for r in rows:
            if r.doc in held:
                out[r.claim["id"]] = model
    return out


def with_assoc(rows: Sequence[ClaimRows], models: Mapping[str, ArticleWords]) -> list[ClaimRows]:
    """The rows with every candidate's ``assoc`` feature scored by its claim's model."""
    out: list[ClaimRows] = []
    for r in rows:
        scores = models[r.claim["id"]].scores(words(r.claim["sentence"]))
        candidates = tuple((a, {**f, "assoc": scores.get(a, 0.0)}, e) for a, f, e in r.candidates)
        out.append(ClaimRows(r.claim, r.doc, candidates, r.cited))
    return out


def write(rows: Sequence[ClaimRows], trained_on: str, path: Path = OUT) -> int:
    """Write the profiles built from every claim of ``rows``; the number of articles."""
    idf, articles = profiles(rows)
    lines = [
        "# The linker's word profiles of the labelled articles (kb.link.passages.learned.ArticleWords).",
        "# Written by scripts/train_links.py; rerun it, do not edit.",
        "version = 1",
        f'trained_on = "{trained_on}"',
        "",
        "[idf]",
        *toml_weights(dict(sorted(idf.items()))),
    ]
    for art in sorted(articles):
        lines += ["", f"[articles.{toml_key(art)}]", *toml_weights(dict(sorted(articles[art].items())))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(articles)
