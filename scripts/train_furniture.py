"""Fit the learned furniture model (``corpus/commentary_furniture.toml``) and print its
leave-one-set-out figures.

Rows: every block of every labelled page (the spent sets of ``split_claims.FIXTURE_SETS``),
as the rules leave it (:func:`kb.ingest.learned_furniture.page_features`, watched through
:func:`~kb.ingest.learned_furniture.model_override`). Labels: a block is furniture (1) when a
furniture string of its page's docs file makes up at least half of it; text (0) when it holds
a labelled sentence (claims and negatives of the claims file) or is part of one; other blocks
are not rows. A block holding both is text.

Cross-validation: for each set, the vocabulary (words in blocks of at least ``--min-docs``
pages, the ``--vocab`` most common) and the weights are fitted on the other sets, and the set
is ingested again with that model at the threshold; the threshold is the lowest of a grid at
which the cross-validated predictions drop no block the rules keep that holds a labelled
sentence (chosen on those predictions: a little optimistic), raised to :data:`FLOOR` at least
(``--floor``; ``--without`` leaves features out, such as the rules' own drops). Printed per set: the rules' figures
(today's code, tuned on every set, so optimistic), the CV figures and the shipped model's
(fitted on all sets, so optimistic too): furniture leaks, labelled sentences whole in one
passage, and kept blocks no label covers that the model drops (a guess at unlabelled text lost).

    python scripts/train_furniture.py            # CV, then write the model
    python scripts/train_furniture.py --sets fresh16 --no-write   # a quick run on one set
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from links_lib import unmarked  # noqa: E402
from measure_commentary_ingest import passage_scores  # noqa: E402
from split_claims import FIXTURE_SETS, SPENT_SETS  # noqa: E402

from kb.ingest.commentary import BlockDecision  # noqa: E402
from kb.ingest.learned_furniture import (  # noqa: E402
    MODEL_NAME,
    SHAPE_FEATURES,
    WORD_PREFIX,
    FurnitureModel,
    may_drop,
    model_override,
)
from kb.ingest.manifest import load_manifest  # noqa: E402
from kb.ingest.userdocs import discover, parse_user_file  # noqa: E402
from kb.learn.linear import LinearModel, fit_binary, toml_weights  # noqa: E402

SPENT = SPENT_SETS  # the held-out sets are never read here (split_claims says which)
THRESHOLDS = tuple(round(0.5 + 0.01 * k, 2) for k in range(50))  # 0.50 … 0.99
EXAMPLES = 8  # stored examples of each kind
# The threshold is at least this: the lowest at which the shipped model keeps every line of the
# project's small test pages (tests/test_commentary.py, tests/test_user_commentary.py: short list
# items, footnotes after an author box, an interview's short turns, a one-word section heading).
# The labelled sentences are nearly all long, whole sentences, so the CV alone does not see those
# forms of text; at the CV's own threshold (0.89) the model dropped some of them.
FLOOR = 0.97
HALF = 0.5  # a furniture string makes up at least this share of a positive block


def _squash(text: str) -> str:
    return "".join(html.unescape(text).split())


@dataclass
class Row:
    doc: str
    text: str
    kept: bool  # the rules keep it, and it is a block the model may drop (may_drop)
    features: dict[str, float]
    label: int | None  # 1 furniture, 0 text, None no label


@dataclass
class PageLabels:
    furniture: list[str]
    sentences: list[str]


@dataclass
class SetData:
    name: str
    folder: Path
    labels: dict[str, PageLabels] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)


def _labels(name: str) -> tuple[Path, dict[str, PageLabels]]:
    fset = next(f for f in FIXTURE_SETS if f.name == name)
    labels: dict[str, PageLabels] = {}
    for line in fset.docs.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            labels[d["id"]] = PageLabels(list(d["furniture"]), [])
    for line in fset.claims.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec["doc"] in labels:
                labels[rec["doc"]].sentences.append(rec["sentence"])
    return fset.folder, labels


def label(text: str, page: PageLabels) -> int | None:
    block = _squash(text)
    if not block:
        return None
    for s in page.sentences:
        for form in {_squash(s), _squash(unmarked(s))}:
            if form and (form in block or (len(block) >= 10 and block in form)):
                return 0
    for f in page.furniture:
        form = _squash(f)
        if form and form in block and len(form) >= HALF * len(block):
            return 1
    return None


def seen_by(
    seen: list[tuple[Sequence[BlockDecision], Sequence[dict[str, float]]]],
) -> Callable[[Sequence[BlockDecision], Sequence[dict[str, float]]], None]:
    def observe(decisions: Sequence[BlockDecision], rows: Sequence[dict[str, float]]) -> None:
        seen.append((decisions, rows))

    return observe


def ingest(folder: Path, model: FurnitureModel | None, watch: bool = False) -> tuple[dict[str, list[str]], list[Row]]:
    """Each page's passages under ``model`` (None: the rules alone) and, when ``watch``, its rows."""
    files = discover([folder], taken={d.id: "the manifest" for d in load_manifest()})
    known = frozenset(d.id for d in load_manifest()) | frozenset(f.doc_id for f in files)
    passages: dict[str, list[str]] = {}
    rows: list[Row] = []
    for file in files:
        seen: list[tuple[Sequence[BlockDecision], Sequence[dict[str, float]]]] = []
        with model_override(model, seen_by(seen) if watch else None):
            doc = parse_user_file(file, known)
        passages[file.doc_id] = [p.text for p in doc.parsed.passages]
        for decisions, feats in seen[:1]:  # a page's blocks are decided once
            rows += [
                Row(file.doc_id, d.block.text, may_drop(d, f), f, None) for d, f in zip(decisions, feats, strict=True)
            ]
    return passages, rows


@dataclass
class Figures:
    leaks: int = 0
    furniture: int = 0
    whole: int = 0
    sentences: int = 0
    lost_unlabelled: int = 0

    def add(self, other: Figures) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def __str__(self) -> str:
        return f"leaks {self.leaks:>3}/{self.furniture:<4} whole {self.whole:>4}/{self.sentences:<4}"


def measure(data: SetData, model: FurnitureModel | None) -> Figures:
    passages, _ = ingest(data.folder, model)
    fig = Figures()
    for doc, page in data.labels.items():
        leaks, found = passage_scores(passages.get(doc, []), page.furniture, page.sentences)
        fig.furniture += len(page.furniture)
        fig.leaks += len(leaks)
        fig.sentences += len(page.sentences)
        fig.whole += len(found)
    return fig


def vocabulary(rows: Sequence[Row], min_docs: int, size: int) -> list[str]:
    docs: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for k in r.features:
            if k.startswith(WORD_PREFIX):
                docs[k].add(r.doc)
    common = Counter({k: len(d) for k, d in docs.items() if len(d) >= min_docs})
    return sorted(k for k, _ in common.most_common(size))


def fit(rows: Sequence[Row], args: argparse.Namespace) -> LinearModel:
    train = [r for r in rows if r.label is not None]
    features = [f for f in SHAPE_FEATURES if f not in args.without] + vocabulary(train, args.min_docs, args.vocab)
    x = np.array([[r.features.get(f, 0.0) for f in features] for r in train])
    y = np.array([float(r.label or 0) for r in train])
    return fit_binary(x, y, features, l2=args.l2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", choices=SPENT, default=list(SPENT))
    parser.add_argument("--vocab", type=int, default=400, help="words kept, most pages first")
    parser.add_argument("--min-docs", type=int, default=3, help="a word must stand in this many pages' blocks")
    parser.add_argument("--l2", type=float, default=0.01)
    parser.add_argument("--max-lost", type=int, default=0, help="labelled-sentence blocks the threshold may drop")
    parser.add_argument(
        "--floor", type=float, default=FLOOR, help="the threshold is at least this (see FLOOR); 0.5: CV alone"
    )
    parser.add_argument("--without", nargs="*", default=[], choices=SHAPE_FEATURES, help="features left out")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--table-only", action="store_true", help="stop after the threshold table")
    parser.add_argument("--show", action="store_true", help="print the kept blocks CV drops")
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / MODEL_NAME)
    args = parser.parse_args()
    t0 = time.time()
    sets: list[SetData] = []
    for name in args.sets:
        folder, labels = _labels(name)
        data = SetData(name, folder, labels)
        _, data.rows = ingest(folder, None, watch=True)
        for r in data.rows:
            r.label = label(r.text, labels[r.doc]) if r.doc in labels else None
        sets.append(data)
    all_rows = [r for s in sets for r in s.rows]
    counts = Counter((r.label, r.kept) for r in all_rows)
    pages = sum(len(s.labels) for s in sets)
    print(
        f"{len(all_rows)} blocks of {pages} pages: furniture {counts[1, True] + counts[1, False]}"
        f" ({counts[1, True]} the model may drop), text {counts[0, True] + counts[0, False]}"
        f" ({counts[0, True]} the model may drop), unlabelled {counts[None, True] + counts[None, False]}"
    )
    # leave one set out: predictions on each set from a model fitted on the others
    cv: dict[str, list[float]] = {}
    fold_models: dict[str, LinearModel] = {}
    for s in sets:
        others = [r for o in sets if o is not s for r in o.rows]
        model = fit(others if len(sets) > 1 else s.rows, args)
        fold_models[s.name] = model
        cv[s.name] = [model.probability(r.features) for r in s.rows]
    chosen = choose_threshold(sets, cv, args.max_lost, lambda r: r.kept)
    threshold = max(chosen, args.floor)
    print(f"CV threshold {chosen} (the lowest at which CV drops <= {args.max_lost} kept labelled-sentence blocks)")
    print(f"threshold {threshold} (at least the floor, {args.floor})")
    if args.table_only:
        return 0
    shipped = fit(all_rows, args)
    print(
        f"\n{'set':10} {'rules (today)':28} {'learned CV':28} {'shipped':28} drops: CV unlabelled, furniture;", end=""
    )
    print(" shipped unlabelled")
    totals = [Figures(), Figures(), Figures()]
    for s in sets:
        rules = measure(s, None)
        fold = measure(s, FurnitureModel(fold_models[s.name], threshold))
        ship = measure(s, FurnitureModel(shipped, threshold))
        probs = cv[s.name]
        kept = [(r, p) for r, p in zip(s.rows, probs, strict=True) if r.kept and p >= threshold]
        unl = sum(r.label is None for r, _ in kept)
        fur = sum(r.label == 1 for r, _ in kept)
        unl_ship = sum(r.label is None and r.kept and shipped.probability(r.features) >= threshold for r in s.rows)
        for t, f in zip(totals, (rules, fold, ship), strict=True):
            t.add(f)
        print(f"{s.name:10} {rules!s:28} {fold!s:28} {ship!s:28} {unl:>3} {fur:>3} {unl_ship:>3}")
        for r, p in kept if args.show else ():
            print(f"    {p:.2f} {'furniture' if r.label else 'unlabelled'}: {r.text[:110]}")
        for r, p in zip(s.rows, probs, strict=True) if args.show else ():
            if r.kept and r.label == 1 and p < threshold:
                print(f"    {p:.2f} furniture kept: {r.text[:110]}")
        for r, p in zip(s.rows, probs, strict=True) if args.show else ():
            if r.kept and r.label == 0 and p >= threshold - 0.05:
                print(f"    {p:.2f} text {'LOST' if p >= threshold else 'near'}: {r.text[:110]}")
        for r in s.rows if args.show else ():
            if r.label is None and r.kept and shipped.probability(r.features) >= threshold:
                print(f"    shipped drops unlabelled: {r.text[:110]}")
    print(f"{'total':10} {totals[0]!s:28} {totals[1]!s:28} {totals[2]!s:28}")
    print(f"({time.time() - t0:.0f} s)")
    if not args.no_write:
        write(args.out, shipped, threshold, sets, all_rows)
        print(f"wrote {args.out}")
    return 0


def choose_threshold(
    sets: Sequence[SetData],
    cv: dict[str, list[float]],
    max_lost: int,
    judged: Callable[[Row], bool],
) -> float:
    """The lowest threshold at which the CV predictions drop at most ``max_lost`` of the judged
    blocks holding a labelled sentence."""
    pairs = [(r, p) for s in sets for r, p in zip(s.rows, cv[s.name], strict=True) if judged(r)]
    print(f"\n{'threshold':>9} {'text lost':>9} {'furniture':>9} {'unlabelled':>10}  (kept blocks the CV model drops)")
    chosen = None
    for t in THRESHOLDS:
        lost = sum(r.label == 0 and p >= t for r, p in pairs)
        caught = sum(r.label == 1 and p >= t for r, p in pairs)
        unl = sum(r.label is None and p >= t for r, p in pairs)
        if t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99) or (chosen is None and lost <= max_lost):
            print(f"{t:>9} {lost:>9} {caught:>9} {unl:>10}")
        if chosen is None and lost <= max_lost:
            chosen = t
    return chosen if chosen is not None else THRESHOLDS[-1]


def write(
    path: Path,
    model: LinearModel,
    threshold: float,
    sets: Sequence[SetData],
    rows: Sequence[Row],
) -> None:
    """The model as TOML, with examples the shipped model must hold, each checked standing at
    the end of a page after its prose (:meth:`FurnitureModel.drops_in_text`): kept blocks
    labelled furniture that it drops there, and short labelled-sentence blocks it keeps."""
    fm = FurnitureModel(model, threshold)
    caught = sorted({r.text for r in rows if r.kept and r.label == 1 and fm.probability(r.features) >= threshold})
    drops = [t for t in caught if fm.drops_in_text(t)][:EXAMPLES]
    kept = sorted({r.text for r in rows if r.kept and r.label == 0 and len(r.text) < 120}, key=lambda t: (len(t), t))
    keeps = [t for t in kept if not fm.drops_in_text(t)][:EXAMPLES]
    if not drops or not keeps:  # the tests require both: a file without them is no model to ship
        raise SystemExit(f"no stored example of a block the model {'drops' if not drops else 'keeps'}; not written")
    table = model.table(4)
    weights = {k: v for k, v in table.items() if k != "bias" and v != 0.0}
    trained_on = f"{sum(r.label is not None for r in rows)} labelled blocks of " + ", ".join(s.name for s in sets)
    lines = [
        "# The learned furniture model (kb.ingest.learned_furniture): a kept block is dropped when",
        "# its probability is at least the threshold. Written by scripts/train_furniture.py; rerun it, do not edit.",
        "version = 1",
        f"trained_on = {json.dumps(trained_on)}",
        f"threshold = {threshold}",
        f"bias = {table['bias']}",
        f"drops = {json.dumps(drops, ensure_ascii=False)}",
        f"keeps = {json.dumps(keeps, ensure_ascii=False)}",
        "",
        "[weights]",
        *toml_weights(weights),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
