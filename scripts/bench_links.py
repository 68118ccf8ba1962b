"""Print the linker's figures on the labelled claims (``corpus/eval/claims/``).

1. **Held-out** (``split == "heldout"``, or ``--split NAME``: seed claims drawn held out, and
   the held-out fixture articles): the linker as shipped, with ``corpus/link/weights.toml``
   (fitted on ``dev`` only by ``scripts/train_links.py``), overall, by source and by document.
2. **Leave-one-document-out** on the ``dev`` claims: for each commentary, weights fitted
   on the other commentaries' dev claims, tested on its own (overall, seed, fixtures, and
   by document).

A claim is *hit at k* when a gold provision (or its article) is among the top k links of
its sentence (citations first at 1.0, then inferred links scoring at least the threshold,
best first). ``primary`` counts only primary gold. *Negatives linked* is the share of
nothing-legal (and out-of-corpus) sentences with a link scored >= 0.5. Claims about
documents only (``gold: []``) are not counted in the hit rates.

The commentary is read as the build reads it: the manifest's captures, and every file of
the fixture folders through ``kb ingest --commentary``'s own code (``scripts/links_lib.py``).

Usage::

    python scripts/bench_links.py                   # held-out, then leave-one-out on dev
    python scripts/bench_links.py --loo-only        # only the dev figures (what tuning may look at)
    python scripts/bench_links.py --misses          # also list the held-out misses at top 3

A new labelled set, measured once with the shipped weights (e.g. claims and document records
written blind, with ``"split": "fresh"``, and their articles in a folder of their own)::

    python scripts/bench_links.py --no-loo --split fresh \
        --claims corpus/eval/claims/fresh.jsonl --docs corpus/eval/claims/fresh_docs.jsonl \
        --fixtures tests/fixtures/open_commentary_fresh

``--claims``, ``--docs`` and ``--fixtures`` are repeatable and default to today's set
(``seed.jsonl`` + ``fixtures.jsonl``, ``fixture_docs.jsonl``, ``tests/fixtures/open_commentary``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import article_words
import rule_words
from links_lib import ClaimRows, add_source_arguments, gold_articles, ranked_links, sources_of
from train_links import LOO_L2, evaluate, fmt, leave_one_out, prepare

from kb.link.passages.learned import load_weights
from kb.link.passages.linker import Candidate, LinkConfig, PassageLinker


def shipped_scorer() -> tuple[object, float]:
    weights = load_weights()
    linker = PassageLinker.__new__(PassageLinker)  # only scoring: no index needed
    linker.weights = weights
    linker.config = LinkConfig(weights=weights)

    def score(feats: list[dict[str, float]]) -> list[float]:
        cands = [Candidate("", (0, 0), "", f, {}) for f in feats]
        return [s for s, _, _ in linker.sentence_scores(cands)]

    return score, weights.min_score


def _by_source(rows: Sequence[ClaimRows]) -> list[tuple[str, list[ClaimRows]]]:
    return [
        ("all", list(rows)),
        ("seed claims", [r for r in rows if r.claim["source"] == "seed"]),
        ("fixture articles", [r for r in rows if r.claim["source"] == "fixture"]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="heldout", help="the held-out split scored with the shipped weights")
    ap.add_argument("--loo-split", default="dev", help="the split of the leave-one-document-out figures")
    ap.add_argument("--l2", type=float, default=LOO_L2, help="L2 penalty of the leave-one-out fits")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--no-loo", action="store_true", help="only the held-out figures")
    group.add_argument("--loo-only", action="store_true", help="only the leave-one-out figures")
    ap.add_argument("--misses", action="store_true", help="list the held-out claims missed at top 3")
    add_source_arguments(ap)
    args = ap.parse_args()
    rows, missing = prepare(sources_of(args))
    score, min_score = shipped_scorer()
    print(f"threshold: links scoring >= {min_score} are emitted")
    if missing:
        print(f"claims whose sentence was not found in the passages (left out): {missing}")
    if not args.loo_only:
        held = [r for r in rows if r.claim["split"] == args.split]
        print(f"\nHELD-OUT: split {args.split!r} (weights as shipped)")
        for name, part in _by_source(held):
            if part:
                print(fmt(f"{args.split}: {name}", evaluate(part, score, min_score)))
        for doc in sorted({r.doc for r in held}):
            print(fmt(f"  {doc}", evaluate([r for r in held if r.doc == doc], score, min_score)))
        if args.misses:
            print(f"\n{args.split.upper()} MISSES at top 3")
            for r in held:
                _miss(r, score, min_score)
    dev = [r for r in rows if r.claim["split"] == args.loo_split]
    if not args.no_loo and dev:
        # the shipped sentence model saw these claims: their ``rule`` values are cross-fitted instead
        # the learned sentence signals from models fitted without each article's claims
        models = article_words.cross_fitted(dev)
        dev = article_words.with_assoc(rule_words.with_rule(dev, rule_words.cross_fitted(dev)), models)
        print(f"\nLEAVE-ONE-DOCUMENT-OUT: split {args.loo_split!r} (l2 = {args.l2})")
        for name, part in _by_source(dev):
            if part:
                print(fmt(f"loo: {name}", leave_one_out(dev, args.l2, min_score, only=part)))
        for doc in sorted({r.doc for r in dev}):
            part = [r for r in dev if r.doc == doc]
            print(fmt(f"  {doc}", leave_one_out(dev, args.l2, min_score, only=part)))


def _miss(r: ClaimRows, score: object, min_score: float) -> None:
    gold = gold_articles(r.claim)
    if r.claim["kind"] != "claim" or not gold:
        return
    links = ranked_links(r, score, min_score)[:3]
    if gold & {a for a, _ in links}:
        return
    got = ", ".join(f"{a} {s:.2f}" for a, s in links) or "nothing"
    print(f"  {r.claim['id']}: gold {sorted(gold)}; got {got}")


if __name__ == "__main__":
    main()
