"""Fit the learned choices of a page's header (``kb.ingest.headers``) and cross-validate them.

For every labelled set of ``split_claims.FIXTURE_SETS`` except the held-out ones
(``split_claims.HELD_OUT_SETS``, never read here), every file is read as
``kb ingest --commentary`` reads it, with :data:`kb.ingest.headers.RECORDER` set, so each
page's candidates (title, date, outlet) are the pipeline's own. A candidate's label: its
value is the page's expected one (a page
whose expected value no candidate states teaches nothing and is left out; a page expecting no
title or date wants "none"; an outlet the labels leave open teaches nothing). Fields the
page's front matter states are left out (the declared value wins whatever the choice).

Leave-one-set-out cross-validation: fit on every set but one, read that one with the fold's
weights (:data:`kb.ingest.headers.OVERRIDE`) and score it as
``scripts/measure_commentary_ingest.py`` does. Printed per set: metadata fields right (and
title, date, outlet alone), furniture leaks and labelled sentences (the title chosen moves
where the text starts) with the rules (no weights), with the fold's weights, and with the
weights fitted on all sets; ``--write`` writes the last to ``corpus/commentary_headers.toml``,
where they are put to work. The shipped file holds the date alone:

    python scripts/fit_page_headers.py --fields date --write
    python scripts/fit_page_headers.py [--sets fixtures fresh ...] [--fields title date outlet] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from measure_commentary_ingest import FIELDS, score_doc  # noqa: E402
from split_claims import FIXTURE_SETS, SPENT_SETS  # noqa: E402

from kb.ingest.frontmatter import split_front_matter  # noqa: E402
from kb.ingest.headers import (  # noqa: E402
    DATE_FEATURES,
    OUTLET_FEATURES,
    OVERRIDE,
    RECORDER,
    TITLE_FEATURES,
    HeaderModels,
)
from kb.ingest.manifest import load_manifest  # noqa: E402
from kb.ingest.userdocs import UserCommentary, discover, parse_user_file, read_user_file  # noqa: E402
from kb.learn.linear import LinearModel, Matrix, fit_choice, toml_weights  # noqa: E402

SPENT = SPENT_SETS  # the held-out sets are never read here (split_claims says which)
OUT = ROOT / "corpus" / "commentary_headers.toml"
L2 = float(os.environ.get("FIT_L2", "1.0"))


@dataclass
class Page:
    set_name: str
    doc_id: str
    expected: dict[str, Any]
    labelled: list[str]
    records: list[tuple[str, list[tuple[str, dict[str, float]]]]]
    declared: frozenset[str]  # the fields its front matter states


@contextmanager
def models(m: HeaderModels) -> Iterator[None]:
    token = OVERRIDE.set(m)
    try:
        yield
    finally:
        OVERRIDE.reset(token)


def read_set(name: str, known: frozenset[str]) -> list[Page]:
    fs = next(f for f in FIXTURE_SETS if f.name == name)
    expected = {d["id"]: d for d in map(json.loads, fs.docs.read_text().splitlines()) if d}
    labelled: dict[str, list[str]] = defaultdict(list)
    for line in fs.claims.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            labelled[rec["doc"]].append(rec["sentence"])
    pages = []
    for file in discover([fs.folder]):
        if file.doc_id not in expected:
            continue
        records: list[tuple[str, list[tuple[str, dict[str, float]]]]] = []
        token = RECORDER.set(records)
        try:
            with models(HeaderModels()):
                parse_user_file(file, known)
        finally:
            RECORDER.reset(token)
        fields = split_front_matter(read_user_file(file).text, file.rel).fields if file.fmt != "html" else None
        declared = frozenset(k for k in CHOICES if fields is not None and getattr(fields, k))
        pages.append(Page(name, file.doc_id, expected[file.doc_id], labelled[file.doc_id], records, declared))
    return pages


CHOICES = {"title": TITLE_FEATURES, "date": DATE_FEATURES, "outlet": OUTLET_FEATURES}
DROP = frozenset(os.environ.get("FIT_DROP", "").split(","))  # features left out (for trying)


def used(field: str) -> tuple[str, ...]:
    return tuple(f for f in CHOICES[field] if f not in DROP)


def groups(pages: Sequence[Page], field: str) -> list[tuple[Matrix, Matrix]]:
    """One group per page: its candidates' features and whether each states the expected value."""
    out = []
    for p in pages:
        recs = [r for kind, r in p.records if kind == field]
        if not recs or not recs[0] or field in p.declared:
            continue
        candidates = recs[0]
        want = p.expected["metadata"].get(field)
        y = np.array([1.0 if value == want else 0.0 for value, _ in candidates])
        if (want and not y.any()) or (field == "outlet" and want is None):
            continue  # no candidate states it: nothing to learn which (an outlet not labelled: any is right)
        x = np.array([[f[k] for k in used(field)] for _, f in candidates])
        out.append((x, y))
    return out


def fit(pages: Sequence[Page], fields: Sequence[str]) -> HeaderModels:
    fitted = {f: rounded(fit_choice(groups(pages, f), used(f), l2=L2)) for f in fields}
    return HeaderModels(**fitted)


def score_set(
    name: str, pages: Sequence[Page], m: HeaderModels, known: frozenset[str], wrong: list[str] | None = None
) -> dict[str, int]:
    fs = next(f for f in FIXTURE_SETS if f.name == name)
    by_id = {p.doc_id: p for p in pages if p.set_name == name}
    out: dict[str, int] = defaultdict(int)
    with models(m):
        for file in discover([fs.folder]):
            if file.doc_id not in by_id:
                continue
            page = by_id[file.doc_id]
            doc: UserCommentary = parse_user_file(file, known)
            ok, leaks, found = score_doc(doc, page.expected, page.labelled)
            for f in FIELDS:
                out[f] += ok[f]
                if wrong is not None and not ok[f] and f in CHOICES:
                    got = doc.meta.title_en or doc.meta.title_zh if f == "title" else getattr(doc.meta, f)
                    wrong.append(f"{file.doc_id} {f}: got {got!r}, want {page.expected['metadata'].get(f)!r}")
            out["meta"] += sum(ok.values())
            out["meta_all"] += len(FIELDS)
            out["leaks"] += len(leaks)
            out["found"] += len(found)
    return out


def write(m: HeaderModels, pages: Sequence[Page]) -> None:
    sets = ", ".join(sorted({p.set_name for p in pages}, key=SPENT.index))
    lines = [
        "# The learned choices of a page's header (kb.ingest.headers). Written by",
        "# scripts/fit_page_headers.py from the labelled pages of the sets named below; rerun it, do not edit.",
        "version = 1",
    ]
    for field in CHOICES:
        model: LinearModel | None = getattr(m, field)
        if model is None:
            continue
        n = len(groups(pages, field))
        lines += [
            "",
            f"[{field}]",
            f'trained_on = "{n} pages with a {field} candidate labelled ({sets}), l2 = {L2}"',
            f"bias = {model.bias}",
            "",
            f"[{field}.weights]",
            *toml_weights(model.weights),
        ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rounded(m: LinearModel) -> LinearModel:
    return LinearModel(round(m.bias, 4), {k: round(v, 4) for k, v in m.weights.items()})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SPENT, default=list(SPENT))
    parser.add_argument("--write", action="store_true", help=f"write the weights fitted on all sets to {OUT.name}")
    parser.add_argument("--verbose", action="store_true", help="print the fields the rules or a fold get wrong")
    parser.add_argument(
        "--fields", nargs="+", choices=list(CHOICES), default=list(CHOICES), help="the choices to learn"
    )
    args = parser.parse_args()
    manifest = load_manifest()
    files = [f for s in args.sets for f in discover([next(x for x in FIXTURE_SETS if x.name == s).folder])]
    known = frozenset(d.id for d in manifest) | frozenset(f.doc_id for f in files)
    pages = [p for s in args.sets for p in read_set(s, known)]
    fit_all = fit(pages, args.fields)
    cols = ("rules", "cv", "fit_all")
    totals: dict[str, dict[str, int]] = {c: defaultdict(int) for c in cols}
    print(f"{'set':10} " + " ".join(f"{c + ' meta/title/date/outlet':>31} {'leaks':>5} {'sent':>5}" for c in cols))
    for s in args.sets:
        rest = [p for p in pages if p.set_name != s]
        fold = fit(rest, args.fields) if rest else HeaderModels()
        row = []
        for c, m in zip(cols, (HeaderModels(), fold, fit_all), strict=True):
            wrong: list[str] = []
            r = score_set(s, pages, m, known, wrong)
            if args.verbose and c != "fit_all":
                print("\n".join(f"    {c}: {w}" for w in wrong))
            for k, v in r.items():
                totals[c][k] += v
            meta = f"{r['meta']:>4}/{r['meta_all']:<4} {r['title']:>4} {r['date']:>4} {r['outlet']:>4}"
            row.append(f"{meta}  {r['leaks']:>5} {r['found']:>5}")
        print(f"{s:10} " + " ".join(f"{x:>38}" for x in row))
    for c in cols:
        t = totals[c]
        fields = ", ".join(f"{f} {t[f]}" for f in FIELDS)
        print(f"{c:8}: metadata {t['meta']}/{t['meta_all']} ({fields}), leaks {t['leaks']}, sentences {t['found']}")
    if args.write:
        write(fit_all, pages)
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
