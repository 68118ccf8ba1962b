"""Assign and check the splits of the labelled claims (corpus/eval/claims/).

Usage::

    python scripts/split_claims.py            # check: every record valid, every split as drawn
    python scripts/split_claims.py --write    # (re)write the split field of seed.jsonl
    python scripts/split_claims.py --counts   # claims per document, kind and split

Seed claims (the five captured articles) are split per claim by a fixed-seed draw:
``random.Random(f"{SEED}:{claim_id}").random() < DEV_SHARE`` is ``dev``, else ``heldout``.
Seeding with a string is deterministic across runs and machines (CPython hashes it with
SHA-512), and each claim's draw depends only on its own id, so adding a claim never moves
another. Fixture claims take the split of their fixture (``fixture_docs.jsonl``). The fresh
set (``fresh.jsonl`` over ``fresh_docs.jsonl``, written blind on 2026-12-07) is held out whole:
its records and documents carry split ``fresh``, a split no other file may use. The fresh3 set
(``fresh3.jsonl`` over ``fresh3_docs.jsonl``, written blind on 2026-12-07 for the ingestion:
metadata, furniture, sentences) is held out the same way, with split ``fresh3``, and so is the
fresh4 set (``fresh4.jsonl`` over ``fresh4_docs.jsonl``, twelve more articles written blind on
2026-12-07 for the ingestion), with split ``fresh4``, and the fresh5 set (``fresh5.jsonl`` over
``fresh5_docs.jsonl``, twelve more written blind on 2026-12-07 after fresh4 was measured), with split
``fresh5``, and the fresh6 set (``fresh6.jsonl`` over ``fresh6_docs.jsonl``, twelve more written blind on
2026-12-07 after fresh5 was measured), with split ``fresh6``, and the fresh7 set (``fresh7.jsonl`` over
``fresh7_docs.jsonl``, twelve more written blind on 2026-12-07 after fresh6 was measured and tuned on),
with split ``fresh7``, and the fresh8 set (``fresh8.jsonl`` over ``fresh8_docs.jsonl``, ten more written blind
on 2026-12-07 as issue 14's final held-out set, with nothing-legal articles and sentences), with split
``fresh8``, and the fresh9 set (``fresh9.jsonl`` over ``fresh9_docs.jsonl``, ten more written blind on 2026-12-07
after fresh8 was run once, as the new final held-out set, with many speakers), with split ``fresh9``, and the
fresh10 set (``fresh10.jsonl`` over ``fresh10_docs.jsonl``, ten more written blind on 2026-12-07 after fresh9 was
run and tuned on, as the new final held-out set for every part of issue 14), with split ``fresh10``, and the
fresh11 set (``fresh11.jsonl`` over ``fresh11_docs.jsonl``, ten more written blind on 2026-12-07 after fresh10 was
run once, as the new final held-out set for every part of issue 14), with split ``fresh11``, and the
fresh12 set (``fresh12.jsonl`` over ``fresh12_docs.jsonl``, ten more written blind on 2026-12-07 after fresh11 was
run once, as the new final held-out set for every part of issue 14), with split ``fresh12``, and the
fresh13 set (``fresh13.jsonl`` over ``fresh13_docs.jsonl``, ten more written blind on 2026-12-07 after fresh12 was
run once, as the new final held-out set for every part of issue 14), with split ``fresh13``, and the
fresh14 set (``fresh14.jsonl`` over ``fresh14_docs.jsonl``, ten more written blind on 2026-12-07 after fresh13 was
run once and tuned on, as the new final held-out set for every part of issue 14), with split ``fresh14``, and the
fresh15 set (``fresh15.jsonl`` over ``fresh15_docs.jsonl``, ten more written blind on 2026-12-07 after fresh14 was
run once and spent, as the new final held-out set for every part of issue 14), with split ``fresh15``, and the
fresh16 set (``fresh16.jsonl`` over ``fresh16_docs.jsonl``, ten more written blind on 2026-12-07 after fresh15, as a
reserve held-out set for every part of issue 14), with split ``fresh16``, and the fresh17 set (``fresh17.jsonl`` over
``fresh17_docs.jsonl``, ten more written blind on 2026-12-07 after fresh16, as a second reserve held-out set for every
part of issue 14; run once in session 10, now spent), with split ``fresh17``, and the fresh18 set
(``fresh18.jsonl`` over ``fresh18_docs.jsonl``, ten more
written blind on 2026-12-07 after fresh17, as a third reserve held-out set for every part of issue 14; run once on
2026-12-07, now spent), with split ``fresh18``, and the fresh19 set (``fresh19.jsonl`` over ``fresh19_docs.jsonl``,
ten more written blind on 2026-12-07 after fresh18, as a fourth reserve held-out set for every part of issue 14; run
once on 2026-12-07, now spent), with split ``fresh19``, and the fresh20 set (``fresh20.jsonl`` over
``fresh20_docs.jsonl``,
ten more written blind on 2026-12-07 after fresh19, as a fifth reserve held-out set for every part of issue 14), with
split ``fresh20``, and the fresh21 set (``fresh21.jsonl`` over ``fresh21_docs.jsonl``, ten more written blind on
2026-12-07 after fresh20, as a sixth reserve held-out set for every part of issue 14), with split ``fresh21``,
and the fresh22 set (``fresh22.jsonl`` over ``fresh22_docs.jsonl``, ten more written blind on 2026-12-07 after
fresh21, as a seventh reserve held-out set), with split ``fresh22``, and the fresh23 and fresh24 sets (ten
articles each, written blind on 2026-12-08 by two labellers working apart, as reserves), with splits ``fresh23``
and ``fresh24``, and fresh25 and fresh26 (the same, written after them), with splits ``fresh25`` and
``fresh26``.

The check also reads the texts (read-only, from KB_SOURCE_ROOT, default ../shared): each
sentence must occur verbatim in its source file, each gold provision must name an article
(and paragraph) that exists in the statute text, and each document id must be in the manifest.
It never looks at what the knowledge base links.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import InvalidId
from kb.ids import Eid, node_type, split_provision_id
from kb.ingest.manifest import load_manifest
from kb.settings import PROJECT_ROOT, get_settings
from kb.text.numerals import CN_NUMERAL_CHARS, cn_to_int

SEED = "facelaw-claims-v1"
DEV_SHARE = 0.6
CLAIMS_DIR = PROJECT_ROOT / "corpus" / "eval" / "claims"
SEED_FILE = CLAIMS_DIR / "seed.jsonl"

FIELDS = ("id", "doc", "kind", "sentence", "lang", "gold", "docs", "via", "split", "notes")
KINDS = ("claim", "negative", "out_of_corpus")
GRADES = ("primary", "acceptable")
SPLITS = ("dev", "heldout")
VIAS = (None, "draft->final")
# Texts that exist in the source tree before the manifest lists them (added by issue 14).
KNOWN_TEXTS = {
    "cac-mps-frt-2025": ("corpus/primary/cac-mps-frt-2025.zh.txt",),
    "children-pi-2019": ("corpus/primary/children-pi-2019.zh.txt",),
}
_ARTICLE_LINE = re.compile(rf"^\s*第([{CN_NUMERAL_CHARS}]+)条(?:\s|$)")


@dataclass(frozen=True)
class FixtureSet:
    """Claims over our own commentary files: the claim file, its per-document file, the folder."""

    name: str
    claims: Path
    docs: Path
    folder: Path
    splits: tuple[str, ...]


FIXTURE_DIR = PROJECT_ROOT / "tests" / "fixtures"
# The blind sets written after the fixtures, oldest first: `<name>.jsonl`, `<name>_docs.jsonl`
# and `tests/fixtures/open_commentary_<name>/`, with the split `<name>` only.
BLIND_SETS = (
    "fresh",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "fresh15",
    "fresh16",
    "fresh17",
    "fresh18",
    "fresh19",
    "fresh20",
    "fresh21",
    "fresh22",
    "fresh23",
    "fresh24",
    "fresh25",
    "fresh26",
)
# The blind sets not yet run: no script fits, tunes or cross-validates on them (the fitting
# scripts leave them out); the session that runs one once moves it out of here (it is spent).
# fresh20 was run once in session 12, fresh21-fresh24 once in session 13: spent
HELD_OUT_SETS = frozenset({"fresh25", "fresh26"})
FIXTURE_SETS = (
    FixtureSet(
        "fixtures",
        CLAIMS_DIR / "fixtures.jsonl",
        CLAIMS_DIR / "fixture_docs.jsonl",
        FIXTURE_DIR / "open_commentary",
        SPLITS,
    ),
    *(
        FixtureSet(
            n, CLAIMS_DIR / f"{n}.jsonl", CLAIMS_DIR / f"{n}_docs.jsonl", FIXTURE_DIR / f"open_commentary_{n}", (n,)
        )
        for n in BLIND_SETS
    ),
)


# The labelled sets a script may fit, tune and cross-validate on: every set but the held-out ones.
SPENT_SETS = tuple(f.name for f in FIXTURE_SETS if f.name not in HELD_OUT_SETS)


def drawn_split(claim_id: str) -> str:
    """The split of a seed claim: a fixed-seed draw on its id alone."""
    return "dev" if random.Random(f"{SEED}:{claim_id}").random() < DEV_SHARE else "heldout"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row["_line"] = f"{path.name}:{n}"
            rows.append(row)
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps({k: row[k] for k in FIELDS}, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Statute:
    """Paragraph counts per article number, read from a statute's Chinese text."""

    paragraphs: dict[int, int]


def parse_statute(text: str) -> Statute:
    counts: dict[int, int] = {}
    current: int | None = None
    for raw in text.splitlines():
        line = raw.strip().replace("\u200b", "")
        if not line:
            continue
        match = _ARTICLE_LINE.match(line)
        if match:
            current = cn_to_int(match.group(1))
            counts[current] = 1
        elif current is not None and not line.startswith(("（", "(", "第")):
            counts[current] += 1
    return Statute(counts)


class Checker:
    def __init__(self) -> None:
        self.root = get_settings().source_root
        self.docs = {d.id: d for d in load_manifest(PROJECT_ROOT / "corpus")}
        self._statutes: dict[str, Statute | None] = {}
        self.errors: list[str] = []

    def statute(self, doc_id: str) -> Statute | None:
        if doc_id not in self._statutes:
            meta = self.docs.get(doc_id)
            paths = tuple(s.path for s in meta.sources) if meta else ()
            paths = paths or KNOWN_TEXTS.get(doc_id, ())
            text = "\n".join((self.root / p).read_text(encoding="utf-8") for p in paths)
            self._statutes[doc_id] = parse_statute(text) if text else None
        return self._statutes[doc_id]

    def fail(self, row: dict[str, Any], message: str) -> None:
        self.errors.append(f"{row.get('_line', '?')} {row.get('id', '?')}: {message}")

    def check_row(
        self, row: dict[str, Any], source_text: str | None, split: str | None, splits: tuple[str, ...] = SPLITS
    ) -> None:
        missing = [k for k in FIELDS if k not in row]
        extra = [k for k in row if k not in FIELDS and k != "_line"]
        if missing or extra:
            self.fail(row, f"fields missing {missing} or unknown {extra}")
            return
        if row["kind"] not in KINDS or row["split"] not in splits or row["via"] not in VIAS:
            self.fail(row, f"bad kind/split/via {row['kind']!r} {row['split']!r} {row['via']!r}")
        if row["lang"] not in ("en", "zh"):
            self.fail(row, f"bad lang {row['lang']!r}")
        if split is not None and row["split"] != split:
            self.fail(row, f"split {row['split']!r}, expected {split!r}")
        if source_text is None:
            self.fail(row, f"no source text for {row['doc']}")
        elif not row["sentence"] or row["sentence"] not in source_text:
            self.fail(row, "sentence not found verbatim in its source")
        if row["kind"] != "claim" and (row["gold"] or row["docs"] or row["via"]):
            self.fail(row, f"a {row['kind']} has no gold, docs or via")
        if row["kind"] == "claim" and not (row["gold"] or row["docs"]):
            self.fail(row, "a claim needs gold provisions or document ids")
        for doc_id in row["docs"]:
            if doc_id not in self.docs:
                self.fail(row, f"unknown document {doc_id}")
        seen = set()
        for entry in row["gold"]:
            self.check_gold(row, entry)
            if entry.get("id") in seen:
                self.fail(row, f"gold {entry.get('id')} twice")
            seen.add(entry.get("id"))
        if row["via"] == "draft->final":
            if "cac-frt-2023-draft" not in row["docs"]:
                self.fail(row, "via draft->final but the draft is not in docs")
            if not any(g["id"].startswith("cac-mps-frt-2025/") for g in row["gold"]):
                self.fail(row, "via draft->final but no Measures provision in gold")

    def check_gold(self, row: dict[str, Any], entry: dict[str, Any]) -> None:
        if set(entry) != {"id", "grade"} or entry["grade"] not in GRADES:
            self.fail(row, f"bad gold entry {entry}")
            return
        try:
            if node_type(entry["id"]) != "provision":
                raise InvalidId(entry["id"])
            doc_id, eid_text = split_provision_id(entry["id"])
            eid = Eid.parse(eid_text)
        except InvalidId:
            self.fail(row, f"bad provision id {entry['id']}")
            return
        if doc_id not in self.docs:
            self.fail(row, f"unknown document {doc_id}")
            return
        statute = self.statute(doc_id)
        if statute is None:
            self.fail(row, f"{doc_id} has no text: label it as a document, not a provision")
            return
        article = int(str(eid.article).removeprefix("art_"))
        if article not in statute.paragraphs:
            self.fail(row, f"{doc_id} has no article {article}")
            return
        para = re.search(r"__para_(\d+)", str(eid))
        if para and int(para.group(1)) > statute.paragraphs[article]:
            self.fail(row, f"{doc_id} art {article} has no paragraph {para.group(1)}")


def check(counts: bool = False) -> list[str]:
    checker = Checker()
    seed = read_jsonl(SEED_FILE)
    texts: dict[str, str] = {}
    for doc_id, meta in checker.docs.items():
        if meta.kind == "commentary" and meta.sources:
            texts[doc_id] = (checker.root / meta.sources[0].path).read_text(encoding="utf-8")
    for row in seed:
        checker.check_row(row, texts.get(row.get("doc", "")), drawn_split(row.get("id", "")))
    claim_sets = {"seed": seed}
    doc_owner: dict[str, str] = {}
    for fset in FIXTURE_SETS:
        rows = read_jsonl(fset.claims) if fset.claims.exists() else []
        docs = {d["id"]: d for d in read_jsonl(fset.docs)} if fset.docs.exists() else {}
        claim_sets[fset.name] = rows
        check_fixture_docs(checker, fset, docs, doc_owner)
        for row in rows:
            fd = docs.get(row.get("doc", ""))
            if fd is None:
                checker.fail(row, f"fixture {row.get('doc')} not in {fset.docs.name}")
                continue
            path = fset.folder / fd["file"]
            text = path.read_text(encoding="utf-8") if path.is_file() else None
            checker.check_row(row, text, fd["split"], fset.splits)
    ids = Counter(r.get("id") for rows in claim_sets.values() for r in rows)
    checker.errors += [f"id {i} used {n} times" for i, n in ids.items() if n > 1]
    if counts:
        print_counts(claim_sets)
    return checker.errors


def check_fixture_docs(
    checker: Checker, fset: FixtureSet, docs: dict[str, dict[str, Any]], doc_owner: dict[str, str]
) -> None:
    """Each fixture document: a known split for its set, an id no other set uses, furniture in its file."""
    for fd in docs.values():
        if fd["id"] in doc_owner or fd["id"] in checker.docs:
            checker.errors.append(f"fixture {fd['id']}: id already used by {doc_owner.get(fd['id'], 'the manifest')}")
        doc_owner[fd["id"]] = fset.name
        if fd["split"] not in fset.splits:
            checker.errors.append(f"fixture {fd['id']}: split {fd['split']!r} not one of {fset.splits} ({fset.name})")
        for doc_id in fd["discusses"]:
            if doc_id not in checker.docs:
                checker.errors.append(f"fixture {fd['id']}: discusses unknown document {doc_id}")
        path = fset.folder / fd["file"]
        if not path.is_file():
            checker.errors.append(f"fixture {fd['id']}: no file {fd['file']} in {fset.folder.name}/")
            continue
        text = path.read_text(encoding="utf-8")
        for junk in fd["furniture"]:
            if junk not in text:
                checker.errors.append(f"fixture {fd['id']}: furniture {junk!r} not in the file")


def print_counts(claim_sets: dict[str, list[dict[str, Any]]]) -> None:
    all_splits = tuple(sp for f in FIXTURE_SETS for sp in f.splits)
    for name, rows in claim_sets.items():
        table = Counter((r["doc"], r["kind"], r["split"]) for r in rows)
        print(f"{name}: {len(rows)} records")
        for doc in sorted({r["doc"] for r in rows}):
            cells = " ".join(
                f"{kind}/{split}={n}" for kind in KINDS for split in all_splits if (n := table[(doc, kind, split)])
            )
            print(f"  {doc:32} {cells}")
        totals = Counter((r["kind"], r["split"]) for r in rows)
        print("  total", " ".join(f"{k}/{s}={n}" for (k, s), n in sorted(totals.items())))
        primary = sum(1 for r in rows if any(g["grade"] == "primary" for g in r["gold"]))
        print(f"  claims with a primary provision: {primary}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the split field of seed.jsonl")
    parser.add_argument("--counts", action="store_true", help="print claims per document, kind and split")
    args = parser.parse_args(argv)
    if args.write:
        rows = read_jsonl(SEED_FILE)
        for row in rows:
            row["split"] = drawn_split(row["id"])
        write_jsonl(SEED_FILE, rows)
    errors = check(counts=args.counts)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
