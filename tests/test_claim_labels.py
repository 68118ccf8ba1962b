"""The blind claim labels (corpus/eval/claims/) and their checker (scripts/split_claims.py).

The labels are ours; the sentences and articles they name are checked against the
third-party texts under the source root and the fixture files, never copied.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kb.settings import PROJECT_ROOT


def _load_script() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "split_claims.py"
    spec = importlib.util.spec_from_file_location("split_claims", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("split_claims", module)
    spec.loader.exec_module(module)
    return module


lib = _load_script()


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


SEED = _rows(lib.SEED_FILE)
SETS = {f.name: f for f in lib.FIXTURE_SETS}
FIXTURES, FIXTURE_DOCS = _rows(SETS["fixtures"].claims), _rows(SETS["fixtures"].docs)
FRESH, FRESH_DOCS = _rows(SETS["fresh"].claims), _rows(SETS["fresh"].docs)
FRESH3, FRESH3_DOCS = _rows(SETS["fresh3"].claims), _rows(SETS["fresh3"].docs)
FRESH4, FRESH4_DOCS = _rows(SETS["fresh4"].claims), _rows(SETS["fresh4"].docs)
FRESH5, FRESH5_DOCS = _rows(SETS["fresh5"].claims), _rows(SETS["fresh5"].docs)


def test_every_label_checks_out() -> None:
    # sentences verbatim in their files, articles and paragraphs exist, ids known, splits as drawn
    assert lib.check() == []


def test_seed_split_is_a_fixed_draw_near_sixty_percent() -> None:
    claims = [r for r in SEED if r["kind"] == "claim"]
    assert [lib.drawn_split(r["id"]) for r in SEED] == [r["split"] for r in SEED]
    share = sum(r["split"] == "dev" for r in SEED) / len(SEED)
    assert 0.5 <= share <= 0.7
    assert {r["split"] for r in claims} == {"dev", "heldout"}


def test_every_seed_article_has_claims_and_negatives() -> None:
    kinds = Counter((r["doc"], r["kind"]) for r in SEED)
    for doc in {r["doc"] for r in SEED}:
        assert kinds[(doc, "claim")] >= 5, doc
        assert kinds[(doc, "negative")] >= 1, doc


def test_fixture_splits_cover_both_languages_and_all_formats() -> None:
    by_split = {s: [d for d in FIXTURE_DOCS if d["split"] == s] for s in ("dev", "heldout")}
    for split, docs in by_split.items():
        assert {d["metadata"]["language"] for d in docs} == {"en", "zh"}, split
        assert {d["format"] for d in docs} == {"md", "html", "txt"}, split
        # a document about nothing legal in each split
        assert any(not any(r["doc"] == d["id"] and r["kind"] == "claim" for r in FIXTURES) for d in docs), split


def test_fresh_set_is_held_out_whole_and_nowhere_else() -> None:
    assert {r["split"] for r in FRESH} == {d["split"] for d in FRESH_DOCS} == {"fresh"}
    assert "fresh" not in {r["split"] for r in SEED + FIXTURES} | {d["split"] for d in FIXTURE_DOCS}
    assert not {d["id"] for d in FRESH_DOCS} & {d["id"] for d in FIXTURE_DOCS}


def test_fresh3_set_is_held_out_whole_and_nowhere_else() -> None:
    assert {r["split"] for r in FRESH3} == {d["split"] for d in FRESH3_DOCS} == {"fresh3"}
    others = SEED + FIXTURES + FRESH + FIXTURE_DOCS + FRESH_DOCS
    assert "fresh3" not in {r["split"] for r in others}
    assert not {d["id"] for d in FRESH3_DOCS} & {d["id"] for d in FIXTURE_DOCS + FRESH_DOCS}


def test_fresh3_set_covers_languages_formats_and_metadata() -> None:
    # five Chinese and five English; 4 txt, 3 md, 3 html; every document with sentences to keep whole
    assert Counter(d["metadata"]["language"] for d in FRESH3_DOCS) == {"en": 5, "zh": 5}
    assert Counter(d["format"] for d in FRESH3_DOCS) == {"txt": 4, "md": 3, "html": 3}
    sentences = Counter(r["doc"] for r in FRESH3)
    for doc in FRESH3_DOCS:
        assert set(doc["metadata"]) == {"title", "outlet", "authors", "date", "language"}, doc["id"]
        assert 4 <= sentences[doc["id"]] <= 6, doc["id"]
        assert doc["furniture"], doc["id"]
    assert all(r["gold"] for r in FRESH3 if r["kind"] == "claim")


def test_fresh4_set_is_held_out_whole_and_nowhere_else() -> None:
    assert {r["split"] for r in FRESH4} == {d["split"] for d in FRESH4_DOCS} == {"fresh4"}
    others = SEED + FIXTURES + FRESH + FRESH3 + FIXTURE_DOCS + FRESH_DOCS + FRESH3_DOCS
    assert "fresh4" not in {r["split"] for r in others}
    assert not {d["id"] for d in FRESH4_DOCS} & {d["id"] for d in FIXTURE_DOCS + FRESH_DOCS + FRESH3_DOCS}


def test_fresh4_set_covers_languages_formats_and_metadata() -> None:
    # six Chinese and six English; 5 txt, 4 md (2 with front matter), 3 html; sentences in every document
    assert Counter(d["metadata"]["language"] for d in FRESH4_DOCS) == {"en": 6, "zh": 6}
    assert Counter(d["format"] for d in FRESH4_DOCS) == {"txt": 5, "md": 4, "html": 3}
    folder = SETS["fresh4"].folder
    front_matter = [d for d in FRESH4_DOCS if (folder / d["file"]).read_text(encoding="utf-8").startswith("---\n")]
    assert {d["format"] for d in front_matter} == {"md"} and len(front_matter) == 2
    sentences = Counter(r["doc"] for r in FRESH4)
    for doc in FRESH4_DOCS:
        assert set(doc["metadata"]) == {"title", "outlet", "authors", "date", "language"}, doc["id"]
        assert 4 <= sentences[doc["id"]] <= 6, doc["id"]
        assert doc["furniture"], doc["id"]
        assert not any("&amp;" in f or "&lt;" in f or "&copy;" in f for f in doc["furniture"]), doc["id"]
    assert all(r["gold"] for r in FRESH4 if r["kind"] == "claim")


def test_fresh5_set_is_held_out_whole_and_nowhere_else() -> None:
    assert {r["split"] for r in FRESH5} == {d["split"] for d in FRESH5_DOCS} == {"fresh5"}
    others = SEED + FIXTURES + FRESH + FRESH3 + FRESH4 + FIXTURE_DOCS + FRESH_DOCS + FRESH3_DOCS + FRESH4_DOCS
    assert "fresh5" not in {r["split"] for r in others}
    earlier = FIXTURE_DOCS + FRESH_DOCS + FRESH3_DOCS + FRESH4_DOCS
    assert not {d["id"] for d in FRESH5_DOCS} & {d["id"] for d in earlier}


def test_fresh5_set_covers_languages_formats_and_metadata() -> None:
    # six Chinese and six English; 5 txt, 4 md (3 with front matter: 2 usual keys, 1 Hugo), 3 html
    assert Counter(d["metadata"]["language"] for d in FRESH5_DOCS) == {"en": 6, "zh": 6}
    assert Counter(d["format"] for d in FRESH5_DOCS) == {"txt": 5, "md": 4, "html": 3}
    folder = SETS["fresh5"].folder
    texts = {d["id"]: (folder / d["file"]).read_text(encoding="utf-8") for d in FRESH5_DOCS}
    front_matter = [d for d in FRESH5_DOCS if texts[d["id"]].startswith("---\n")]
    assert {d["format"] for d in front_matter} == {"md"} and len(front_matter) == 3
    assert sum("\nauthors:" in texts[d["id"]].split("\n---", 1)[0] for d in front_matter) == 2
    sentences = Counter(r["doc"] for r in FRESH5)
    for doc in FRESH5_DOCS:
        assert set(doc["metadata"]) == {"title", "outlet", "authors", "date", "language"}, doc["id"]
        assert 4 <= sentences[doc["id"]] <= 6, doc["id"]
        assert doc["furniture"], doc["id"]
        assert not any("&amp;" in f or "&lt;" in f or "&copy;" in f for f in doc["furniture"]), doc["id"]
    assert all(r["gold"] for r in FRESH5 if r["kind"] == "claim")


def test_fresh_set_covers_languages_formats_and_kinds() -> None:
    assert Counter(d["metadata"]["language"] for d in FRESH_DOCS).keys() == {"en", "zh"}
    assert min(Counter(d["metadata"]["language"] for d in FRESH_DOCS).values()) >= 3
    assert min(Counter(d["format"] for d in FRESH_DOCS).values()) >= 2
    assert {d["format"] for d in FRESH_DOCS} == {"md", "html", "txt"}
    kinds = Counter((r["doc"], r["kind"]) for r in FRESH)
    for doc in FRESH_DOCS:
        assert kinds[(doc["id"], "claim")] >= 5, doc["id"]
        assert kinds[(doc["id"], "negative")] >= 2, doc["id"]
    assert sum(any(g["grade"] == "primary" for g in r["gold"]) for r in FRESH) >= 60
    assert sum(r["kind"] == "negative" for r in FRESH) >= 15


@pytest.mark.parametrize(
    ("set_name", "split", "message"),
    [
        ("fresh", "heldout", "not one of ('fresh',)"),
        ("fixtures", "fresh", "not one of ('dev', 'heldout')"),
        ("fresh3", "fresh", "not one of ('fresh3',)"),
        ("fresh", "fresh3", "not one of ('fresh',)"),
        ("fresh4", "fresh3", "not one of ('fresh4',)"),
        ("fresh3", "fresh4", "not one of ('fresh3',)"),
        ("fresh5", "fresh4", "not one of ('fresh5',)"),
        ("fresh4", "fresh5", "not one of ('fresh4',)"),
    ],
)
def test_fixture_documents_keep_to_their_set_split(set_name: str, split: str, message: str) -> None:
    fset = SETS[set_name]
    named = {"fresh": FRESH_DOCS, "fresh3": FRESH3_DOCS, "fresh4": FRESH4_DOCS, "fresh5": FRESH5_DOCS}
    docs = named.get(set_name, FIXTURE_DOCS)
    doc = {**docs[0], "split": split}
    checker = lib.Checker()
    lib.check_fixture_docs(checker, fset, {doc["id"]: doc}, {})
    assert any(message in e for e in checker.errors), checker.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第一条 甲。\n第二条 乙。\n丙。\n（一）丁；", {1: 1, 2: 2}),  # items are not paragraphs
        ("第一章 总则\n第十条 甲。\n\n  乙。\n第十一条 丙。", {10: 2, 11: 1}),  # headings, blank lines
        ("第一千零三十四条 甲。\n乙。", {1034: 2}),
    ],
)
def test_parse_statute_counts_paragraphs(text: str, expected: dict[int, int]) -> None:
    assert lib.parse_statute(text).paragraphs == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gold": [{"id": "cac-mps-frt-2025/art_21", "grade": "primary"}]}, "has no article 21"),
        ({"gold": [{"id": "cac-mps-frt-2025/art_13__para_3", "grade": "primary"}]}, "has no paragraph 3"),
        ({"gold": [{"id": "pi-spec-2020/art_5", "grade": "primary"}]}, "has no text"),
        ({"gold": [{"id": "pipl-2021/art_28", "grade": "main"}]}, "bad gold entry"),
        ({"sentence": "A sentence the article never wrote."}, "not found verbatim"),
        ({"docs": ["no-such-law"]}, "unknown document"),
        ({"kind": "negative"}, "has no gold"),
        ({"via": "draft->final", "docs": []}, "draft is not in docs"),
        ({"split": "fresh"}, "bad kind/split/via"),  # the fresh split belongs to fresh.jsonl only
        ({"split": "fresh3"}, "bad kind/split/via"),  # and fresh3 to fresh3.jsonl
        ({"split": "fresh4"}, "bad kind/split/via"),  # and fresh4 to fresh4.jsonl
        ({"split": "fresh5"}, "bad kind/split/via"),  # and fresh5 to fresh5.jsonl
    ],
)
def test_checker_rejects_bad_labels(change: dict[str, Any], message: str) -> None:
    row = next(r for r in SEED if r["kind"] == "claim" and r["gold"])
    text = (lib.get_settings().source_root / "corpus" / "commentary" / f"{row['doc']}.txt").read_text(encoding="utf-8")
    checker = lib.Checker()
    checker.check_row({**row, **change, "_line": "test"}, text, row["split"])
    assert any(message in e for e in checker.errors), checker.errors


def test_fixture_document_ids_are_unique_across_sets() -> None:
    fresh = SETS["fresh"]
    doc = {**FIXTURE_DOCS[0], "split": "fresh"}  # a fixture id reused in the fresh set
    checker = lib.Checker()
    lib.check_fixture_docs(checker, fresh, {doc["id"]: doc}, {doc["id"]: "fixtures"})
    assert any("already used by fixtures" in e for e in checker.errors), checker.errors


def test_fresh3_document_ids_are_unique_across_sets() -> None:
    fresh3 = SETS["fresh3"]
    doc = {**FRESH_DOCS[0], "split": "fresh3"}  # a fresh id reused in fresh3
    checker = lib.Checker()
    lib.check_fixture_docs(checker, fresh3, {doc["id"]: doc}, {doc["id"]: "fresh"})
    assert any("already used by fresh" in e for e in checker.errors), checker.errors


def test_fresh4_document_ids_are_unique_across_sets() -> None:
    fresh4 = SETS["fresh4"]
    doc = {**FRESH3_DOCS[0], "split": "fresh4"}  # a fresh3 id reused in fresh4
    checker = lib.Checker()
    lib.check_fixture_docs(checker, fresh4, {doc["id"]: doc}, {doc["id"]: "fresh3"})
    assert any("already used by fresh3" in e for e in checker.errors), checker.errors


def test_fresh5_document_ids_are_unique_across_sets() -> None:
    fresh5 = SETS["fresh5"]
    doc = {**FRESH4_DOCS[0], "split": "fresh5"}  # a fresh4 id reused in fresh5
    checker = lib.Checker()
    lib.check_fixture_docs(checker, fresh5, {doc["id"]: doc}, {doc["id"]: "fresh4"})
    assert any("already used by fresh4" in e for e in checker.errors), checker.errors
