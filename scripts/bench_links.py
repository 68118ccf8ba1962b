"""Print the linker's figures on the labelled claims (``corpus/eval/claims/``).

1. **Held-out** (``split == "heldout"``: seed claims drawn held out, and the held-out fixture
   articles): the linker as shipped, with ``corpus/link/weights.toml`` (fitted on ``dev``
   only by ``scripts/train_links.py``).
2. **Leave-one-document-out** on the ``dev`` claims: for each commentary, weights fitted
   on the other commentaries' dev claims, tested on its own.

A claim is *hit at k* when a gold provision (or its article) is among the top k links of
its sentence (citations first at 1.0, then inferred links scoring at least the threshold,
best first). ``primary`` counts only primary gold. *Negatives linked* is the share of
nothing-legal (and out-of-corpus) sentences with a link scored >= 0.5. Claims about
documents only (``gold: []``) are not counted in the hit rates.

Usage: python scripts/bench_links.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from links_lib import ClaimRows, gold_articles, ranked_links
from train_links import evaluate, fmt, leave_one_out, prepare

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--misses", action="store_true", help="list the held-out claims missed at top 3")
    args = ap.parse_args()
    rows, missing = prepare()
    score, min_score = shipped_scorer()
    print(f"threshold: links scoring >= {min_score} are emitted")
    if missing:
        print(f"claims whose sentence was not found in the passages (counted as misses? no: left out): {missing}")
    held = [r for r in rows if r.claim["split"] == "heldout"]
    dev = [r for r in rows if r.claim["split"] == "dev"]
    print("\nHELD-OUT (weights fitted on dev only)")
    for name, part in (
        ("held-out: all", held),
        ("held-out: seed claims", [r for r in held if r.claim["source"] == "seed"]),
        ("held-out: fixture articles", [r for r in held if r.claim["source"] == "fixture"]),
    ):
        print(fmt(name, evaluate(part, score, min_score)))
    print("\nLEAVE-ONE-DOCUMENT-OUT (dev claims)")
    loo_l2 = 0.1
    for name, part in (
        ("loo: all dev", dev),
        ("loo: seed dev", [r for r in dev if r.claim["source"] == "seed"]),
        ("loo: fixture dev", [r for r in dev if r.claim["source"] == "fixture"]),
    ):
        print(fmt(name, leave_one_out(part if name == "loo: all dev" else dev, loo_l2, min_score, only=part)))
    print("\nBY DOCUMENT (shipped weights; dev documents are in-sample)")
    for doc in sorted({r.doc for r in rows}):
        part = [r for r in rows if r.doc == doc]
        split = "/".join(sorted({r.claim["split"] for r in part}))
        print(fmt(f"{doc} [{split}]", evaluate(part, score, min_score)))
    if args.misses:
        print("\nHELD-OUT MISSES at top 3")
        for r in held:
            _miss(r, score, min_score)


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
