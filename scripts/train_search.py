"""Learn the search's question tables and ranker weights from the STARD training questions.

    .venv/bin/python scripts/train_search.py --db var/scale.sqlite            # writes corpus/search/learned.json
    .venv/bin/python scripts/train_search.py --db var/scale.sqlite --dry-run  # dev figures only

Needs a database built from the full corpus (``kb ingest --source ../shared/corpus-scale``).
Reads only the ``train`` questions of ``corpus/eval/stard_split.json`` to learn, and the
``dev`` questions to report (and to choose between the ablations it prints); ``test`` is
never read here.

1. **Tables** (:func:`kb.learn.associations.fit`): law and article priors, related-question
   votes (question word -> articles, -> laws; also a naive-Bayes law classifier), lay -> legal
   word associations, counted from (question content words, answering article keys) pairs;
   an article's legal words are the content words of its text in the database. Beside them
   the nearest-question index (:mod:`kb.learn.neighbours`) and an IBM Model 1 translation
   model from question words to answer words (:mod:`kb.learn.translation`, EM).
2. **Ranker** (:class:`kb.learn.ranker.LearnedRanker`): every training question runs
   through the real search (``kb.search.learned.candidates``) with tables fitted on the
   *other* folds (:data:`FOLDS`-fold cross-fitting with a fixed seed, so its votes are not
   its own answers), giving per candidate row its features and whether it is a labelled
   article; a logistic regression (numpy, L2, Newton's method) fits the weights, which are
   stored unscaled, and a second set over the row's own words only
   (:data:`kb.learn.ranker.WORD_FEATURES`) for questions the tables do not know.
3. **Dev**: the dev questions run with the tables of all training questions and the fitted
   weights (every question, without the :data:`MIN_KNOWN` gate the search applies:
   ``scripts/bench_stard.py`` measures the search itself); the figures are printed (and
   stored in the file), then the same with each feature group left out (weights refitted
   without it), the table the issue asks for.

Tried on dev and not kept: a pairwise (RankNet-style) objective instead of pointwise LR
(.611/.789/.473 against .631/.810/.492 on the same rows), 200 related-question candidates
(.638/.817/.508), the nearest questions' answers as candidates too (unchanged), Model 1's
sources as the expansion words instead of PMI's (.632/.793/.501), squares and logs of the
votes (no gain over the products), stronger L2 (1e-2: .615/.808/.463); the 100 best articles
(translation score + .5 x log article prior) of the law classifier's two likeliest laws as
candidates too (pool recall .850 -> .891, learned .641/.819/.512 -> .646/.827/.512, but the
search itself, gated, .600/.779/.469 -> .607/.773/.471, and ~+3 ms a search); a feature
1 / the place of the row's law among the classifier's likeliest (.635/.812/.509).

The dry run also prints the pool recall: the share of dev's labelled articles among every
candidate row, among the rows the search's ranker scores, and in the word shortlist alone
(.896 / .850 / .759): the ceiling of re-ranking.

Deterministic: fixed seed, sorted keys, no time in the output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text

from kb.learn.associations import Associations, fit, numbered
from kb.learn.linear import fit_binary
from kb.learn.neighbours import Neighbours
from kb.learn.ranker import FEATURES, PRODUCTS, WORD_FEATURES, LearnedRanker
from kb.learn.translation import Translation
from kb.learn.translation import fit as fit_translation
from kb.search.engine import learned_candidates
from kb.search.expand import content_terms
from kb.search.fts import query_terms
from kb.search.learned import LEARNED_FILE, SHORTLIST, reader_row_keys, shortlist, vouched_rows
from kb.search.plan import plan_query
from kb.settings import PROJECT_ROOT, Settings, database_url_from, get_settings
from kb.store.reader import Reader, open_reader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stard_lib import STARD_REL, StardQuestion, article_index, label_key, load_split, load_stard, parse_label

SEED = 15
FOLDS = 5
VOTES = 100
EXPANSION_LIMIT = 8
# Nearest training questions that vote (kb.learn.neighbours); on dev, 10 beat 20 and 50.
NEIGHBOURS = 10
EM_ITERATIONS = 8
MIN_COUNT = 1
L2 = 1e-3
STEPS = 50
# Weight the few labelled rows as much as all the others? On dev: R@10 .596 R@100 .793 MRR .450
# balanced, .588 / .797 / .467 not: not.
BALANCED = False
# The search uses the tables only for a question whose words they know this well (share of
# idf, kb.learn.associations.Associations.known_share). Chosen on FR-domain dev+heldout
# questions over the full corpus (never fresh): R@10/R@100/MRR .635/.856/.501 without
# learning, .562/.830/.445 with it ungated, .612/.856/.487 gated at .6, .640/.856/.502 at .7;
# on STARD dev the gate at .7 costs about .03 of R@10 (.588 -> .560 from the cached rows).
MIN_KNOWN = 0.7
# A question below the gate is ranked by the fallback's ranking fused with the learned one
# (reciprocal ranks, kb.search.learned.fuse): 1 / (FUSION_K + place) + FUSION_WEIGHT / (FUSION_K +
# the fallback's place). Chosen on the search's top-100 lists of STARD train (cross-fitted tables)
# and FR-domain dev (R@10/R@100/MRR): train .567/.771/.463 gated -> .582/.828/.481, FR dev
# .631/.938/.569 -> .657/.938/.566; k 10, 20, 60 x weight 1, 1.5, 2, 3 tried, weight 1 lowered
# FR dev (.643/.931/.554), 2 and 3 gave less on train.
FUSION_K = 20
FUSION_WEIGHT = 1.5
# ... and only for a question whose likeliest law the classifier gives at least this probability
# (the fusion costs a second ranking: FR-domain questions about laws STARD rarely asks about are
# ranked by their words alone). The 10th percentile of train: train .580/.817/.476, FR dev
# .637/.938/.566, 11 of FR dev's 31 Chinese questions below the gate fused (the 20th and 30th
# percentile, .75 and .88: R@100 .815 and .812 on train).
FUSION_CONFIDENCE = 0.6
# Features computed but not used: the question naming the law changed nothing on dev (.588 /
# .797 / .467 with and without it).
DROPPED = ("named",)
# A training question's rows: its labelled articles, the related-question candidates, and the
# best TRAIN_TOP by word score (the rest rank far below a hundred anyway, and slow the fit).
TRAIN_TOP = 1000
# Left out together in the ablation table: one learned piece each.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "votes (related questions)": ("vote_article", "vote_law"),
    "priors (law, article)": ("law_prior", "article_prior"),
    "kind and status": ("local", "in_force"),
    "word score shape (rank, matched, coord)": ("rank", "matched", "coord"),
    "nearest questions": ("neighbour_article", "neighbour_law"),
    "law classifier (naive Bayes)": ("law_posterior",),
    "translation model (IBM Model 1)": ("translation",),
    "title match, length, position": ("title_match", "length", "position"),
    "products with the word score": tuple(PRODUCTS),
}


def question_words(q: str) -> list[str]:
    return content_terms(query_terms(q))


def article_words(reader: Reader, keys: set[str], index: Mapping[str, frozenset[str]]) -> dict[str, list[str]]:
    """The content words of each article key's text (its first version by id)."""
    first = {min(index[k]): k for k in keys if k in index}
    out: dict[str, list[str]] = {}
    with reader.engine.connect() as conn:
        for uid, tokens in conn.execute(text("SELECT id, zh_tokens FROM search_units WHERE type = 'provision'")):
            if uid in first:
                out[first[uid]] = content_terms(tokens.split())
    return out


def label_keys(q: StardQuestion) -> list[str]:
    return sorted({label_key(*parse_label(label)) for label in q.relevant})


def fit_tables(questions: Sequence[StardQuestion], words: Mapping[str, list[str]]) -> Associations:
    return fit([(question_words(q.question), label_keys(q)) for q in questions], words, min_count=MIN_COUNT)


def fit_neighbours(questions: Sequence[StardQuestion]) -> Neighbours:
    return Neighbours.fit([(question_words(q.question), label_keys(q)) for q in questions], NEIGHBOURS)


def fit_model1(questions: Sequence[StardQuestion], words: Mapping[str, list[str]]) -> Translation:
    """IBM Model 1 over (question words, answering article words), one pair per labelled article."""
    pairs = [
        (question_words(q.question), [w for w in words[k] if not numbered(w)])
        for q in questions
        for k in label_keys(q)
        if k in words
    ]
    return fit_translation(pairs, iterations=EM_ITERATIONS)


def ranker_of(questions: Sequence[StardQuestion], words: Mapping[str, list[str]]) -> LearnedRanker:
    """The learned pieces of ``questions``, with no weights yet (for collecting candidates)."""
    return LearnedRanker(
        fit_tables(questions, words),
        {},
        VOTES,
        EXPANSION_LIMIT,
        neighbours=fit_neighbours(questions),
        translation=fit_model1(questions, words),
    )


# per candidate row: features, label (1: a labelled article), version group, rowid, article key index
F64, I64 = npt.NDArray[np.float64], npt.NDArray[np.int64]
Run = tuple[F64, F64, I64, I64, npt.NDArray[np.int32]]


def collect(reader: Reader, q: StardQuestion, ranker: LearnedRanker, *, top: int | None = None) -> Run:
    """One question's candidate rows (:data:`Run`); with ``top``, only those a training question keeps."""
    keys = reader_row_keys(reader)
    found = learned_candidates(reader, q.question, ranker)
    wanted = set(label_keys(q))
    _, article = keys.at(found.rowid)
    labels = np.array([1.0 if a >= 0 and keys.articles[a] in wanted else 0.0 for a in article.tolist()])
    x = found.features
    if top is not None and len(x) > top:
        base = x[:, FEATURES.index("base")]
        best = np.zeros(len(x), dtype=bool)
        best[np.argsort(-base, kind="stable")[:top]] = True
        keep = best | (base == 0) | (labels > 0)
        return x[keep], labels[keep], found.group[keep], found.rowid[keep], article[keep]
    return x, labels, found.group, found.rowid, article


def pool_recall(reader: Reader, q: StardQuestion, ranker: LearnedRanker, run: Run) -> list[float]:
    """The share of a question's labelled articles (1) among all its candidate rows, (2) among the
    rows the search's ranker scores (the :data:`~kb.search.learned.SHORTLIST` best by word score and
    the related questions' answers), (3) in that shortlist alone: what re-ranking can reach."""
    x, y, _, rowid, article = run
    vouched = np.isin(rowid, vouched_rows(reader, ranker, plan_query(q.question, expand=True, learned=ranker)))
    base = x[:, FEATURES.index("base")]
    every = np.ones(len(rowid), dtype=bool)
    masks = [shortlist(base, SHORTLIST, v) for v in (vouched, np.zeros(len(rowid), dtype=bool))]
    held = reader_row_keys(reader).rows_of
    n = max(sum(1 for k in label_keys(q) if k in held), 1)
    return [len(set(article[m & (y > 0)].tolist())) / n for m in (every, *(every if m is None else m for m in masks))]


def fit_weights(runs: Sequence[Run], use: Sequence[str]) -> dict[str, float]:
    """Logistic regression over the chosen features (:func:`kb.learn.linear.fit_binary`:
    standardised while fitting, stored unscaled)."""
    cols = [FEATURES.index(f) for f in use]
    x = np.vstack([r[0][:, cols] for r in runs])
    y = np.concatenate([r[1] for r in runs])
    model = fit_binary(x, y, use, l2=L2, balanced=BALANCED, steps=STEPS)
    out = {f: round(model.weights[f], 6) for f in use}
    out["bias"] = round(model.bias, 6)
    return out


def figures(runs: Sequence[Run], relevant: Sequence[int], weights: Mapping[str, float]) -> dict[str, float]:
    """R@10, R@100, MRR@10 of ranking each run's rows by ``weights``, one result per article group."""
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    r10 = r100 = mrr = 0.0
    for (x, y, group, rowid, article), n_rel in zip(runs, relevant, strict=True):
        score = np.round(x @ w + weights.get("bias", 0.0), 9)
        order = np.lexsort((rowid, -score))
        _, first = np.unique(group[order], return_index=True)
        top = order[np.sort(first)]  # best row of each group, in score order
        hits = y[top] > 0
        # a labelled article counts once, whichever version ranked
        r10 += len(set(article[top[:10]][hits[:10]].tolist())) / n_rel
        r100 += len(set(article[top[:100]][hits[:100]].tolist())) / n_rel
        where = np.flatnonzero(hits[:10])
        mrr += 1.0 / (where[0] + 1) if len(where) else 0.0
    n = max(len(runs), 1)
    return {"n": len(runs), "R@10": round(r10 / n, 4), "R@100": round(r100 / n, 4), "MRR@10": round(mrr / n, 4)}


def tables_json(tables: Associations) -> dict[str, Any]:
    """The tables as ``learned.json`` stores them: laws and articles listed once, referred to by position."""
    laws = sorted(tables.law_prior)
    articles = sorted(tables.article_prior)
    law_at = {k: i for i, k in enumerate(laws)}
    article_at = {k: i for i, k in enumerate(articles)}
    return {
        "laws": laws,
        "articles": articles,
        "law_prior": [tables.law_prior[k] for k in laws],
        "article_prior": [tables.article_prior[k] for k in articles],
        "term_df": dict(tables.term_df),
        "term_article": {t: sorted([article_at[k], n] for k, n in v.items()) for t, v in tables.term_article.items()},
        "term_law": {t: sorted([law_at[k], n] for k, n in v.items()) for t, v in tables.term_law.items()},
        "term_terms": {t: [[w, round(s, 4)] for w, s in v] for t, v in tables.term_terms.items()},
    }


def parts_json(train: Sequence[StardQuestion], ranker: LearnedRanker) -> dict[str, Any]:
    """The nearest-question data (words, answers by position in ``articles``) and the translation model."""
    article_at = {k: i for i, k in enumerate(sorted(ranker.tables.article_prior))}
    assert ranker.translation is not None
    return {
        "neighbours": [[question_words(q.question), [article_at[k] for k in label_keys(q)]] for q in train],
        "neighbours_k": NEIGHBOURS,
        "translation": {q: [[a, p] for a, p in v] for q, v in sorted(ranker.translation.sources.items())},
        "background": dict(sorted(ranker.translation.background.items())),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="a database built from the full corpus")
    parser.add_argument("--questions", type=Path, default=None, help=f"default: <source root>/{STARD_REL}")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "corpus" / LEARNED_FILE)
    parser.add_argument("--dry-run", action="store_true", help="print the dev figures, write nothing")
    parser.add_argument("--train-top", type=int, default=TRAIN_TOP, help=f"default {TRAIN_TOP}")
    parser.add_argument("--cache", type=Path, help="keep the collected candidate rows here (pickle) and reuse them")
    args = parser.parse_args(argv)
    path = args.questions or get_settings().source_root / STARD_REL
    questions = load_stard(path, load_split())
    settings = Settings(database_url=database_url_from(args.db), query_timeout_seconds=60.0, learned_search=False)
    with open_reader(settings) as reader:
        index = article_index(reader)
        train = [q for q in questions if q.split == "train" and any(k in index for k in label_keys(q))]
        dev = [q for q in questions if q.split == "dev" and any(k in index for k in label_keys(q))]
        words = article_words(reader, {k for q in train for k in label_keys(q)}, index)
        full = ranker_of(train, words)
        tables = full.tables
        fold = np.random.default_rng(SEED).permutation(len(train)) % FOLDS
        folds = [ranker_of([q for q, f in zip(train, fold, strict=True) if f != i], words) for i in range(FOLDS)]
        if args.cache and args.cache.exists():
            train_runs, dev_runs = pickle.loads(args.cache.read_bytes())
        else:
            train_runs, dev_runs = [], []
        train_runs = train_runs or [
            collect(reader, q, folds[f], top=args.train_top) for q, f in zip(train, fold, strict=True)
        ]
        print(f"train: {len(train)} questions, {sum(len(r[1]) for r in train_runs)} candidate rows", file=sys.stderr)
        dev_runs = dev_runs or [collect(reader, q, full) for q in dev]
        if args.cache:
            args.cache.write_bytes(pickle.dumps((train_runs, dev_runs)))
        pools = np.array([pool_recall(reader, q, full, r) for q, r in zip(dev, dev_runs, strict=True)]).mean(0)
    n_rel = [sum(1 for k in label_keys(q) if k in index) for q in dev]
    used = [f for f in FEATURES if f not in DROPPED]
    weights = fit_weights(train_runs, used)
    report: dict[str, Any] = {"learned": figures(dev_runs, n_rel, weights)}
    report["word score only (no learning but expansion)"] = figures(dev_runs, n_rel, {"base": 1.0})
    fallback = fit_weights(train_runs, WORD_FEATURES)
    report["fallback: the row's words only (WORD_FEATURES)"] = figures(dev_runs, n_rel, fallback)
    for name, left_out in GROUPS.items():
        # a product goes with either of its features
        kept = [f for f in used if f not in left_out and not set(PRODUCTS.get(f, ())) & set(left_out)]
        report[f"without {name}"] = figures(dev_runs, n_rel, fit_weights(train_runs, kept))
    print(f"{'dev (' + str(len(dev)) + ' questions)':<48} {'R@10':>6} {'R@100':>6} {'MRR@10':>6}")
    for name, f in report.items():
        print(f"{name:<48} {f['R@10']:6.3f} {f['R@100']:6.3f} {f['MRR@10']:6.3f}")
    print(f"pool recall (dev): every candidate {pools[0]:.3f}, ranked ({SHORTLIST} by words + vouched) {pools[1]:.3f},")
    print(f"  the {SHORTLIST} by words alone {pools[2]:.3f}")
    print("weights:", json.dumps(weights))
    if args.dry_run:
        return 0
    doc = {
        "about": (
            "Learned by scripts/train_search.py from the train split of corpus/eval/stard_split.json "
            "(STARD training questions, MIT licence): counted tables and a linear ranker's weights; "
            "see kb/search/learned.py. Regenerate, do not edit."
        ),
        "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "seed": SEED,
        "questions": tables.questions,
        "votes": VOTES,
        "expansion_limit": EXPANSION_LIMIT,
        "min_known": MIN_KNOWN,
        "fusion_k": FUSION_K,
        "fusion_weight": FUSION_WEIGHT,
        "fusion_confidence": FUSION_CONFIDENCE,
        "weights": weights,
        "fallback": fallback,
        "dev": report,
        **tables_json(tables),
        **parts_json(train, full),
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"-> {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
