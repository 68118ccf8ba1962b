"""How well ``kb ingest --commentary`` reads the open-commentary fixtures.

For each file of ``tests/fixtures/open_commentary`` (split from
``corpus/eval/claims/fixture_docs.jsonl``) prints: metadata fields right / expected,
furniture strings that leak into a passage, and labelled sentences
(``corpus/eval/claims/fixtures.jsonl``) found whole in exactly one passage. Then the
totals per split. Tune on ``dev``; ``heldout`` is for the final figures only.

``--set fresh`` reads the second blind set instead (``tests/fixtures/open_commentary_fresh``,
``fresh_docs.jsonl`` and ``fresh.jsonl``, split ``fresh``, written 2026-12-07): measured
once (metadata 28/40, leaks 9/62), then tuned on, so now spent. ``--set fresh3`` (ten
articles written blind 2026-12-07 after that tuning) is the held-out set now.

    python scripts/measure_commentary_ingest.py [--split dev] [--verbose]
    python scripts/measure_commentary_ingest.py --set fresh
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "scripts"))
from links_lib import unmarked  # noqa: E402
from split_claims import FIXTURE_SETS  # noqa: E402

from kb.ingest.manifest import load_manifest  # noqa: E402
from kb.ingest.userdocs import UserCommentary, load_user_commentary  # noqa: E402

# The labelled sets, oldest first (one list, in split_claims): folder, per-document and sentence files.
SETS = {f.name: (f.folder, f.docs, f.claims) for f in FIXTURE_SETS}
FIELDS = ("title", "outlet", "authors", "date", "language")


def _squash(text: str) -> str:
    return "".join(text.split())


def metadata_of(doc: UserCommentary) -> dict[str, object]:
    m = doc.meta
    return {
        "title": m.title_en or m.title_zh,
        "outlet": m.outlet,
        "authors": list(m.authors),
        "date": m.date,
        "language": m.extra.get("language"),
    }


def score_doc(
    doc: UserCommentary, exp: dict[str, Any], labelled: list[str]
) -> tuple[dict[str, bool], list[str], list[str]]:
    """Which metadata fields are right, which furniture strings leak into a passage, and which
    labelled sentences are found whole in exactly one passage."""
    got = metadata_of(doc)
    ok_fields: dict[str, bool] = {}
    for f in FIELDS:
        want = exp["metadata"].get(f)
        ok_fields[f] = got[f] == want or (f == "outlet" and want is None)  # a null outlet may be found or not
    leaks, found = passage_scores([p.text for p in doc.parsed.passages], exp["furniture"], labelled)
    return ok_fields, leaks, found


def passage_scores(
    passages: Sequence[str], furniture: Sequence[str], labelled: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The furniture strings that leak into a passage, and the labelled sentences found whole in
    exactly one passage."""
    squashed = [_squash(t) for t in passages]
    leaks = [s for s in furniture if any(_squash(html.unescape(s)) in t or _squash(s) in t for t in squashed)]
    found = [s for s in labelled if any(sum(_squash(f) in t for t in squashed) == 1 for f in (s, unmarked(s)))]
    return leaks, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="fixtures", help="which labelled set")
    splits_known = sorted({s for f in FIXTURE_SETS for s in f.splits})
    parser.add_argument("--split", action="append", choices=splits_known)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    folder, docs_file, sentences_file = SETS[args.set]
    splits = set(args.split or splits_known)
    expected = {d["id"]: d for d in map(json.loads, docs_file.read_text().splitlines()) if d}
    sentences: dict[str, list[str]] = defaultdict(list)
    for line in sentences_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            sentences[rec["doc"]].append(rec["sentence"])
    docs = {d.meta.id: d for d in load_user_commentary([folder], load_manifest())}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    print(f"{'document':32} {'split':8} {'meta':>6} {'leaks':>6} {'sentences':>10}")
    for doc_id, exp in sorted(expected.items(), key=lambda kv: (kv[1]["split"], kv[0])):
        if exp["split"] not in splits:
            continue
        doc = docs[doc_id]
        got = metadata_of(doc)
        ok_fields, leaks, found = score_doc(doc, exp, sentences[doc_id])
        right = sum(ok_fields.values())
        wrong = [f"{f}: got {got[f]!r}, want {exp['metadata'].get(f)!r}" for f in FIELDS if not ok_fields[f]]
        texts = [p.text for p in doc.parsed.passages]
        missing = [s for s in sentences[doc_id] if s not in found]
        t = totals[exp["split"]]
        t["meta"] += right
        t["meta_all"] += len(FIELDS)
        t["leaks"] += len(leaks)
        t["furniture"] += len(exp["furniture"])
        t["found"] += len(found)
        t["sentences"] += len(sentences[doc_id])
        t["passages"] += len(texts)
        print(
            f"{doc_id:32} {exp['split']:8} {right:>3}/{len(FIELDS)} {len(leaks):>3}/{len(exp['furniture']):<3}"
            f" {len(found):>4}/{len(sentences[doc_id]):<4}"
        )
        if args.verbose:
            for w in wrong:
                print(f"    metadata {w}")
            for s in leaks:
                print(f"    leak: {s}")
            for s in missing:
                print(f"    sentence not in one passage: {s}")
    for split, t in sorted(totals.items()):
        print(
            f"{split}: metadata {t['meta']}/{t['meta_all']}, furniture leaks {t['leaks']}/{t['furniture']}, "
            f"labelled sentences in one passage {t['found']}/{t['sentences']}, passages {t['passages']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
