"""Fit the linker's logistic combination on labelled claims and write ``corpus/link/weights.toml``.

Training rows are (sentence, candidate article) pairs from the claims of
``corpus/eval/claims/`` whose split is ``dev`` (never ``heldout``): a pair is positive when
the article is one of the claim's gold provisions (or holds one); every candidate of a
negative (nothing-legal) sentence is negative. The fit is an L2-regularised logistic
softmax over each sentence's candidates and "no provision" (gradient descent in numpy,
L2 penalty ``--l2``): a sentence's scores compete, so a clear winner scores high and a
sentence about nothing legal leaves its mass on "none".

The ``assoc`` signal's word profiles (``scripts/article_words.py``, ``corpus/link/article_words.toml``)
are built the same way: cross-fitted for the fit, then from every labelled claim.

The ``rule`` signal is a sentence model fitted here too (``scripts/rule_words.py``,
``corpus/link/rule_words.toml``): the link weights are fitted on its cross-fitted values,
then the model fitted on every labelled sentence of the splits is written beside them.

``--loo`` prints the leave-one-document-out figures on the dev claims first (train without
a commentary, test on it), then writes the weights fitted on every dev claim.

Usage: python scripts/train_links.py [--loo] [--l2 1.0] [--min-score 0.03] [--dry-run]
       [--split dev] [--claims FILE ...] [--docs FILE ...] [--fixtures DIR ...]

The claim files, fixture-document files and fixture folders default to today's set
(``corpus/eval/claims/{seed,fixtures,fixture_docs}.jsonl``, ``tests/fixtures/open_commentary/``);
the fixture folders are read by the build's own ``--commentary`` ingestion.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import article_words
import numpy as np
import rule_words

sys.path.insert(0, str(Path(__file__).resolve().parent))

from links_lib import (
    ClaimRows,
    Sources,
    add_source_arguments,
    build_world,
    claim_rows,
    gold_articles,
    hit_rates,
    load_claims,
    ranked_links,
    sources_of,
)

from kb.learn.linear import LinearModel, fit_choice, toml_weights
from kb.link.passages.learned import FEATURES

OUT = Path(__file__).resolve().parent.parent / "corpus" / "link" / "weights.toml"
DROPPED: set[str] = set()  # features left out of the fit (--without)
LOO_L2 = 1.0  # the L2 penalty of the shipped weights and of the leave-one-out fits (chosen by leave-one-out)


def groups(rows: Sequence[ClaimRows]) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (features, is-gold) pair of arrays per labelled sentence; a negative sentence's
    gold is empty (the right answer is "no provision")."""
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for r in rows:
        kind = r.claim["kind"]
        gold = gold_articles(r.claim)
        if kind == "claim" and not gold:
            continue  # about documents only
        by_sentence: dict[tuple[int, ...], list[tuple[str, Mapping[str, float]]]] = {}
        for art, feats, ev in r.candidates:
            by_sentence.setdefault(tuple(ev["sentence"]), []).append((art, feats))
        if kind == "claim" and gold & set(r.cited):
            continue  # a citation already answers it
        for cands in by_sentence.values():
            x = np.array([[0.0 if k in DROPPED else f.get(k, 0.0) for k in FEATURES] for _, f in cands])
            y = np.array([kind == "claim" and a in gold for a, _ in cands], dtype=float)
            if kind == "claim" and not y.any():
                continue  # the gold is not among this sentence's candidates: nothing to learn
            out.append((x, y))
    return out


def fit(data: Sequence[tuple[np.ndarray, np.ndarray]], l2: float) -> tuple[float, np.ndarray]:
    """Fit the bias and coefficients: the softmax over each sentence's candidates and "none"
    of :func:`kb.learn.linear.fit_choice`."""
    model = fit_choice(data, FEATURES, l2=l2)
    return model.bias, np.array([model.weights[f] for f in FEATURES])


def scorer(bias: float, coef: np.ndarray) -> Any:
    """Scores of one sentence's candidates: the softmax with "none" (:meth:`LinearModel.choice`)."""
    model = LinearModel(bias=bias, weights={k: float(c) for k, c in zip(FEATURES, coef, strict=True)})
    return model.choice  # as PassageLinker.sentence_scores


def evaluate(rows: Sequence[ClaimRows], score: Any, min_score: float) -> dict[str, dict[str, float]]:
    ranked = {r.claim["id"]: ranked_links(r, score, min_score) for r in rows}
    claims = [r.claim for r in rows]
    return {"any": hit_rates(claims, ranked), "primary": hit_rates(claims, ranked, primary=True)}


def leave_one_out(
    rows: Sequence[ClaimRows], l2: float, min_score: float, only: Sequence[ClaimRows] | None = None
) -> dict[str, dict[str, float]]:
    """Each document's claims scored by weights fitted on the other documents' claims
    (figures over ``only`` when given, a subset of ``rows``)."""
    docs = sorted({r.doc for r in (only if only is not None else rows)})
    scored: dict[str, list[tuple[str, float]]] = {}
    for doc in docs:
        train = [r for r in rows if r.doc != doc]
        bias, coef = fit(groups(train), l2)
        score = scorer(bias, coef)
        for r in rows:
            if r.doc == doc:
                scored[r.claim["id"]] = ranked_links(r, score, min_score)
    claims = [r.claim for r in (only if only is not None else rows)]
    return {"any": hit_rates(claims, scored), "primary": hit_rates(claims, scored, primary=True)}


def prepare(sources: Sources | None = None) -> tuple[list[ClaimRows], list[str]]:
    """Every labelled claim of ``sources`` with its candidates, as the build would link it;
    and the ids of the claims not found."""
    sources = sources or Sources()
    world = build_world(sources)
    return claim_rows(world, load_claims(sources.claims))


def fmt(name: str, f: Mapping[str, Mapping[str, float]]) -> str:
    a, p = f["any"], f["primary"]
    return (
        f"{name:34} claims={a['claims']:3}  top1={a['top1']:.2f} top3={a['top3']:.2f}  "
        f"(primary: n={p['claims']} top1={p['top1']:.2f} top3={p['top3']:.2f})  "
        f"negatives={a['negatives']:2} linked>=0.5: {a['neg_linked']:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loo", action="store_true", help="print leave-one-document-out figures on dev first")
    ap.add_argument("--l2", type=float, default=LOO_L2)
    ap.add_argument("--min-score", type=float, default=0.03, help="links scoring less are not emitted")
    ap.add_argument("--dry-run", action="store_true", help="do not write the weights")
    ap.add_argument("--without", action="append", default=[], choices=FEATURES, help="leave a signal out")
    ap.add_argument("--split", action="append", help="fit on the claims of this split (repeatable; default: dev)")
    add_source_arguments(ap)
    args = ap.parse_args()
    DROPPED.update(args.without)
    rows, missing = prepare(sources_of(args))
    if missing:
        print(f"claims whose sentence was not found in the passages: {len(missing)}: {', '.join(missing)}")
    splits = args.split or ["dev"]
    chosen = [r for r in rows if r.claim["split"] in splits]
    dev = rule_words.with_rule(chosen, rule_words.cross_fitted(chosen))
    dev = article_words.with_assoc(dev, article_words.cross_fitted(chosen))
    if args.loo:
        print(fmt("leave-one-document-out (dev)", leave_one_out(dev, args.l2, args.min_score)))
    bias, coef = fit(groups(dev), args.l2)
    print(fmt("in-sample (dev)", evaluate(dev, scorer(bias, coef), args.min_score)))
    weights = {f: round(float(c), 4) for f, c in zip(FEATURES, coef, strict=True) if f not in DROPPED}
    print("bias", round(bias, 4), weights)
    if args.dry_run:
        return
    sentences = rule_words.labelled(dev)
    model = rule_words.fit(sentences)
    rule_words.write(model, f"{len(sentences)} labelled sentences ({', '.join(splits)}) of corpus/eval/claims")
    print(f"-> {rule_words.OUT} ({len(model.weights)} words)")
    n = article_words.write(dev, f"{len(dev)} labelled sentences ({', '.join(splits)}) of corpus/eval/claims")
    print(f"-> {article_words.OUT} ({n} articles)")
    lines = [
        "# The linker's learned logistic combination (kb.link.passages.learned). Written by",
        "# scripts/train_links.py from the labelled claims of corpus/eval/claims/ named below; rerun it, do not edit.",
        "version = 1",
        f'trained_on = "{len(dev)} claims ({", ".join(splits)}) of corpus/eval/claims (l2 = {args.l2})"',
        f"min_score = {args.min_score}",
        f"bias = {round(bias, 4)}",
        "",
        "[weights]",
        *toml_weights(weights),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {OUT}")


if __name__ == "__main__":
    main()
